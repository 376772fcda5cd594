"""``reaper-assist run ACTION --project IN.RPP (--tracks A,B | --selected) [--focus NAME]
(--save OUT.RPP | --in-place) [--dry-run]``: run an action headless on a project file, on the
emulated REAPER in this process.

The result is written atomically (the emulator's ``write_atomic``): OUT.RPP is either untouched
or the complete new project, never half a file, and no temporary file is left behind. A target
that cannot be written (a missing or read-only folder, a folder in place of the file) is refused
before the action runs; a failure while writing (a full disk) ends with one message naming the file
and the cause. The input is overwritten only with ``--in-place`` (a backup is kept as IN.RPP.bak).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from reaper_assist.errors import ReaperAssistError


def add_arguments(p: argparse.ArgumentParser) -> None:
    from reaper_assist.app.registry import ACTIONS

    p.add_argument("action", choices=sorted(ACTIONS), help="the action to run")
    p.add_argument("--project", required=True, help="the .RPP to read (never modified)")
    sel = p.add_mutually_exclusive_group(required=True)
    sel.add_argument("--tracks", help="comma-separated track names")
    sel.add_argument("--selected", action="store_true", help="the tracks selected in the project")
    sel.add_argument("--master", action="store_true",
                     help="the master track (the actions that act on it: master, remove, compare...)")
    p.add_argument("--save", help="write the result to this .RPP (required unless --dry-run or --in-place)")
    p.add_argument("--in-place", action="store_true", dest="in_place",
                   help="overwrite --project itself with the result (its old content is kept as .bak)")
    p.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    p.add_argument("--preview", action="store_true", default=None,
                   help="write the new FX and lanes bypassed (compare keeps them, remove discards them)")
    p.add_argument("--json", action="store_true", help="print the last_run record as JSON")
    p.add_argument("--aes17", action="store_true",
                   help="show RMS levels the AES17 way (+3.01 dB; a full-scale sine reads 0 dBFS), display only")
    p.add_argument("--target", help="level target, e.g. rms:-18 (default), lufs:-23, peak:-10")
    p.add_argument("--peak-ceiling", type=float, dest="peak_ceiling_dbfs", help="peak guard in dBFS (default -6)")
    p.add_argument("--method", choices=("take", "js"), help="take volume (default) or a tagged JS Volume Adjustment")
    p.add_argument("--amount", type=float, help="apply this percentage of each change (0-100, default 100)")
    p.add_argument("--focus", help="unmask, balance, auto-pan: the focus track's name (default: the first of the tracks)")
    p.add_argument("--changes", action="store_true", help="also list every planned change with its evidence")
    p.add_argument("--platform", help="master: spotify, apple, youtube, amazon, tidal, deezer, ebu-r128, atsc-a85, "
                                      "podcast or custom (with --lufs and --tp)")
    p.add_argument("--lufs", type=float, help="master: integrated loudness target (LUFS), overrides the platform's")
    p.add_argument("--tp", type=float, help="master: true-peak ceiling (dBTP), overrides the platform's")
    p.add_argument("--max-gain-reduction", type=float, dest="max_gain_reduction_db",
                   help="master: refuse to drive the limiter past this many dB of gain reduction (default 6)")
    p.add_argument("--reference", action="append", help="match-reference: a reference file (repeat for several)")
    p.add_argument("--aspects", help="match-reference: what to match, e.g. tone,loudness (default)")
    p.add_argument("--report-only", action="store_true", default=None,
                   help="master: render and report the master's figures, change nothing")


def run(args: argparse.Namespace) -> int:
    from reaper_assist.app.records import format_table
    from reaper_assist.app.registry import EITHER_ACTIONS, MASTER_ACTIONS
    from reaper_assist.host.inprocess import InProcessHost

    if args.master != (args.action in MASTER_ACTIONS) and args.action not in EITHER_ACTIONS:
        raise ReaperAssistError(f"{args.action} acts on the master track: use --master" if not args.master else
                                f"{args.action} cannot act on the master track (it works on tracks' items); "
                                "use --tracks or --selected")
    if getattr(args, "preview", None) and args.action in (MASTER_ACTIONS | EITHER_ACTIONS) - {"master"}:
        raise ReaperAssistError(f"{args.action} has no --preview (preview the track actions and master)")
    report_only = bool(getattr(args, "report_only", None))
    save = None if args.dry_run or report_only else save_target(args.project, args.save, in_place=args.in_place)
    host = InProcessHost.open(args.project)
    state = host.read_state(with_items=False, with_fx=False)
    guids = None
    if args.tracks:
        wanted = [t.strip() for t in args.tracks.split(",") if t.strip()]
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
    refuse_shared_guids(host, state, guids if args.tracks else None, path=args.project)
    options = {k: getattr(args, k) for k in ("target", "peak_ceiling_dbfs", "method", "amount", "focus", "platform",
                                             "lufs", "tp", "max_gain_reduction_db", "report_only",
                                             "reference", "aspects", "preview")}
    if args.master and args.action in EITHER_ACTIONS:
        options["master"] = True
    if args.selected and args.action in ("match-reference", "ab-reference"):
        options["selected"] = True  # these act on the master unless tracks are named or --selected
    from reaper_assist.app.registry import run_action

    record = run_action(args.action, host, track_guids=guids, selected=args.selected, options=options,
                        dry_run=args.dry_run)
    if save is not None:
        write_result(host, save, backup_of=args.project if args.in_place else None)
    if hasattr(sys.stdout, "reconfigure"):  # names may hold bytes that are not UTF-8 (kept as they were)
        sys.stdout.reconfigure(errors="backslashreplace")
    print(json.dumps(record, indent=2) if args.json else format_table(record, aes17=args.aes17))
    if args.changes and not args.json:
        print(format_changes(record))
    if record.get("master") and not args.json:
        from reaper_assist.app.master import format_master

        print(format_master(record))
    return 0 if record["status"] == "ok" else 1


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def save_target(project: str, save: str | None, *, in_place: bool) -> Path:
    """The file the result goes to, checked before any work is done: never the input unless
    ``in_place``; its folder exists and is writable; it is not a folder itself."""
    src = Path(project)
    if in_place:
        if save is not None and not _same_file(Path(save), src):
            raise ReaperAssistError(f"--in-place overwrites --project; --save {save} names another file")
        return src
    if not save:
        raise ReaperAssistError("--save OUT.RPP is required unless --dry-run or --in-place "
                                "(the input project is never modified)")
    out = Path(save)
    if _same_file(out, src):
        raise ReaperAssistError(f"--save {save} is the input project itself; add --in-place to overwrite it")
    folder = out.parent
    if out.is_dir():
        raise ReaperAssistError(f"cannot save {save}: it is a folder, not a file")
    if not folder.is_dir():
        cause = "is not a folder" if folder.exists() else "does not exist"
        raise ReaperAssistError(f"cannot save {save}: the folder {folder} {cause}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ReaperAssistError(f"cannot save {save}: the folder {folder} is read-only (not writable)")
    return out


def refuse_shared_guids(host, state, guids: list[str] | None, *, path: str) -> None:
    """Tracks or FX sharing a GUID are named on stderr; changing a track whose GUID another track
    holds is refused (a change addressed to it could land on the other)."""
    shared = host.reaper.project.duplicate_guids()
    for line in shared:
        print(f"reaper-assist: warning: {path}: {line}", file=sys.stderr)
    chosen = {g.upper() for g in guids} if guids is not None else {t.guid.upper() for t in state.tracks if t.selected}
    by_guid: dict[str, list[str]] = {}
    for t in state.tracks:
        by_guid.setdefault(t.guid.upper(), []).append(f"track {t.index + 1} {t.name!r}")
    clash = [" and ".join(v) for g, v in by_guid.items() if len(v) > 1 and g in chosen]
    if clash:
        raise ReaperAssistError(f"{path}: {'; '.join(clash)} share one track GUID, so a change for one could "
                                "land on the other: nothing was changed (give one of them a new GUID, e.g. "
                                "re-create it with Duplicate tracks in REAPER)")


def write_result(host, save: Path, *, backup_of: str | None) -> None:
    """Save atomically; an OSError becomes one message naming the file and the cause."""
    from reaper_assist.emulator.project import write_atomic

    target = backup_of + ".bak" if backup_of else str(save)
    try:
        if backup_of:
            write_atomic(target, Path(backup_of).read_bytes())
            target = str(save)
        host.save(str(save))
    except OSError as exc:
        raise ReaperAssistError(f"cannot save {target}: {exc.strerror or exc} "
                                "(nothing was written there; the input project is unchanged)") from exc


def format_changes(record: dict) -> str:
    """One line per planned change: track, what, old -> new, and the evidence behind it."""
    lines = [f"{len(record.get('changes', []))} change(s):"]
    for c in record.get("changes", []):
        ev = c.get("evidence") or {}
        ev_text = ", ".join(f"{k}={v}" for k, v in ev.items() if not isinstance(v, (list, dict)))
        lines.append(f"  {c['track_name']}: {c['what']}: {c['old']} -> {c['new']}" + (f"  [{ev_text}]" if ev_text else ""))
    return "\n".join(lines)
