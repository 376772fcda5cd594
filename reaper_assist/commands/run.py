"""``reaper-assist run ACTION --project IN.RPP (--tracks A,B | --selected) [--focus NAME] --save OUT.RPP
[--dry-run]``: run an action headless on a project file, on the emulated REAPER in this process."""

from __future__ import annotations

import argparse
import json
import shutil

from reaper_assist.errors import ReaperAssistError


def add_arguments(p: argparse.ArgumentParser) -> None:
    from reaper_assist.app.registry import ACTIONS

    p.add_argument("action", choices=sorted(ACTIONS), help="the action to run")
    p.add_argument("--project", required=True, help="the .RPP to read (never modified)")
    sel = p.add_mutually_exclusive_group(required=True)
    sel.add_argument("--tracks", help="comma-separated track names")
    sel.add_argument("--selected", action="store_true", help="the tracks selected in the project")
    p.add_argument("--save", help="write the result to this .RPP (required unless --dry-run)")
    p.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    p.add_argument("--json", action="store_true", help="print the last_run record as JSON")
    p.add_argument("--aes17", action="store_true",
                   help="show RMS levels the AES17 way (+3.01 dB; a full-scale sine reads 0 dBFS), display only")
    p.add_argument("--target", help="level target, e.g. rms:-18 (default), lufs:-23, peak:-10")
    p.add_argument("--peak-ceiling", type=float, dest="peak_ceiling_dbfs", help="peak guard in dBFS (default -6)")
    p.add_argument("--method", choices=("take", "js"), help="take volume (default) or a tagged JS Volume Adjustment")
    p.add_argument("--amount", type=float, help="apply this percentage of each change (0-100, default 100)")
    p.add_argument("--focus", help="unmask: the focus track's name (default: the first of the tracks)")
    p.add_argument("--changes", action="store_true", help="also list every planned change with its evidence")


def run(args: argparse.Namespace) -> int:
    from reaper_assist.app.records import format_table
    from reaper_assist.host.inprocess import InProcessHost

    if not args.dry_run and not args.save:
        raise ReaperAssistError("--save OUT.RPP is required unless --dry-run (the input project is never modified)")
    host = InProcessHost.open(args.project)
    guids = None
    if args.tracks:
        wanted = [t.strip() for t in args.tracks.split(",") if t.strip()]
        state = host.read_state(with_items=False, with_fx=False)
        by_name: dict[str, list[str]] = {}
        for t in state.tracks:
            by_name.setdefault(t.name, []).append(t.guid)
        guids = []
        for name in wanted:
            found = by_name.get(name, [])
            if not found:
                raise ReaperAssistError(f"no track named {name!r} in {args.project}")
            if len(found) > 1:
                raise ReaperAssistError(f"{len(found)} tracks are named {name!r}; rename them to choose one")
            guids.extend(found)
    options = {k: getattr(args, k) for k in ("target", "peak_ceiling_dbfs", "method", "amount", "focus")}
    from reaper_assist.app.registry import run_action

    record = run_action(args.action, host, track_guids=guids, selected=args.selected, options=options,
                        dry_run=args.dry_run)
    print(json.dumps(record, indent=2) if args.json else format_table(record, aes17=args.aes17))
    if args.changes and not args.json:
        print(format_changes(record))
    if not args.dry_run:
        if args.save != args.project:
            host.save(args.save)
        else:
            shutil.copy(args.project, args.project + ".bak")
            host.save(args.save)
    return 0 if record["status"] == "ok" else 1


def format_changes(record: dict) -> str:
    """One line per planned change: track, what, old -> new, and the evidence behind it."""
    lines = [f"{len(record.get('changes', []))} change(s):"]
    for c in record.get("changes", []):
        ev = c.get("evidence") or {}
        ev_text = ", ".join(f"{k}={v}" for k, v in ev.items() if not isinstance(v, (list, dict)))
        lines.append(f"  {c['track_name']}: {c['what']}: {c['old']} -> {c['new']}" + (f"  [{ev_text}]" if ev_text else ""))
    return "\n".join(lines)
