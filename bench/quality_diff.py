"""The rows that differ between two scorecard runs (``bench/quality.py --json``), row by row.

Run: ``python bench/quality_diff.py BEFORE.json AFTER.json``. Each run's JSON holds, per source, the
per-stem rows of every scenario it ran; a row is keyed by (source, scenario, stem). Prints every row
that differs (both versions), every row only one run has, and a count. docs/quality.md's "no row
changed" statements are this script's output on the runs named there.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def rows(path: Path) -> dict[tuple[str, str, str], dict]:
    """``{(source, scenario, stem): row}`` of one ``--json`` file."""
    out = {}
    for source in json.loads(path.read_text()):
        for scenario, value in source.items():
            if isinstance(value, list):
                for row in value:
                    out[(source["source"], scenario, str(row.get("stem")))] = row
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    a = ap.parse_args(argv)
    before, after = rows(a.before), rows(a.after)
    changed = 0
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changed += 1
            print(" / ".join(key))
            print(f"  before: {before.get(key, '(no such row)')}")
            print(f"  after:  {after.get(key, '(no such row)')}")
    print(f"{changed} of {len(set(before) | set(after))} rows differ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
