"""Build the report files of a project: ``report.html`` (self-contained) and ``report.txt``."""

from __future__ import annotations

import os
from pathlib import Path

from reaper_assist.reporting.collect import load_records, track_views
from reaper_assist.reporting.page import html_report, text_report


def build(project_path: str, out_html: str | None = None) -> tuple[Path, Path]:
    """Write the HTML page and its text version (beside it, ``.txt``); returns both paths.
    Default: ``<project folder>/reaper-assist/report.html``. The project file is only read."""
    from reaper_assist.emulator.project import Project, write_atomic

    project = Project.load(project_path)
    records = load_records(project)
    views = track_views(project, records)
    name = Path(project_path).name
    text = text_report(name, records, views)
    out = Path(out_html) if out_html else Path(project_path).parent / "reaper-assist" / "report.html"
    os.makedirs(out.parent, exist_ok=True)
    txt = out.with_suffix(".txt")
    write_atomic(str(out), html_report(name, records, views, text).encode("utf-8"))
    write_atomic(str(txt), text.encode("utf-8"))
    return out, txt
