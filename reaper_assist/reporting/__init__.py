"""The report of the tool's work (issue 18 point 1): what each action measured, wrote and why, per
track, as one self-contained HTML page with figures and a plain-text version (docs/report.md)."""
