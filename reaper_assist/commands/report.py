"""``reaper-assist report --project F.RPP [--out report.html]``: the report of the tool's work on a
project (one self-contained HTML page and its plain-text version beside it, ``.txt``); the project
file is only read."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--project", required=True, help="the .RPP to report on (only read)")
    p.add_argument("--out", help="the HTML file (default: <project folder>/reaper-assist/report.html)")


def run(args: argparse.Namespace) -> int:
    from reaper_assist.reporting.build import build

    html_path, txt_path = build(args.project, args.out)
    print(f"report: {html_path}\ntext version: {txt_path}")
    return 0
