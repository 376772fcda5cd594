"""``reaper-assist demo [--out DIR]``: build a multitrack session at deliberately wrong levels, run
"Gain-stage selected tracks" on it through the REAPER emulator exactly as a shortcut in REAPER
would, save the resulting .RPP and print before/after per track."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="reaper-assist-demo", help="folder for the session and results")
    p.add_argument("--project", help="use this .RPP instead of building the demo session")
    p.add_argument("--action", default="gain-stage", help="the action to press (default gain-stage)")
    p.add_argument("--check-undo", action="store_true", help="also undo and save the undone project")
    p.add_argument("--json", action="store_true", help="print the result as JSON (record and file paths)")


def run(args: argparse.Namespace) -> int:
    from reaper_assist.app.records import format_table
    from reaper_assist.demo import runner, session

    t0 = time.perf_counter()
    out = Path(args.out).resolve()
    if args.project:
        project, how = Path(args.project).resolve(), "given project"
    else:
        s = session.build(out)
        project, how = s.project, s.how
        if not args.json:
            print(f"session: {len(s.tracks)} tracks ({', '.join(s.tracks)}), material: {how}")
            print("         Pad is left unselected; Bass carries the user's own EQ ('My Bass EQ')")
    res = runner.run_through_emulator(project, out, action=args.action, check_undo=args.check_undo)
    total = time.perf_counter() - t0
    if args.json:
        print(json.dumps({"record": res.record, "before": str(res.before), "after": str(res.after),
                          "undone": str(res.undone) if res.undone else None,
                          "seconds_to_record": res.seconds_to_record, "seconds_total": total,
                          "console": res.console}))
    else:
        print(format_table(res.record))
        print(f"saved: {res.after}")
        print(f"key press -> result written: {res.seconds_to_record:.2f} s; whole demo {total:.1f} s")
    return 0 if res.record.get("status") == "ok" else 1
