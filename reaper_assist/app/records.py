"""The ``last_run`` record (project ExtState ``reaper_assist`` / ``last_run``, JSON) and its
printed table. The record is the evidence log: per track GUID, name, level before and after, the
change and the reason, with the measurements behind it."""

from __future__ import annotations

import json
import math
import time
from typing import Any

import numpy as np

from reaper_assist.app import history
from reaper_assist.app.registry import EXT_SECTION, LAST_RUN_KEY
from reaper_assist.host.realize import Write
from reaper_assist.host.restore import restorable
from reaper_assist.rules.plan import Plan


def clean(x: Any, digits: int = 4) -> Any:
    """JSON-ready copy: floats (numpy too) rounded, -inf/NaN as null, numpy ints as int."""
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return None if not math.isfinite(x) else round(x, digits)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, dict):
        return {k: clean(v, digits) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v, digits) for v in x]
    return x


def record_for_plan(p: Plan, writes: list[Write], *, dry_run: bool = False) -> dict[str, Any]:
    """The record of a plan and its native writes (one ``changes`` entry per write)."""
    changed = [d for d in p.decisions if d.status == "changed"]
    skipped = [d for d in p.decisions if d.status == "skipped"]  # could not be measured
    kept = [d for d in p.decisions if d.status == "kept"]  # left to the user's own plugin on purpose
    if changed:
        msg = f"{'would change' if dry_run else 'changed'} {len(changed)} of {len(p.decisions)} tracks"
    elif skipped and len(skipped) == len(p.decisions):
        msg = "nothing could be measured: " + "; ".join(f"{d.name}: {d.reason}" for d in skipped)
    elif kept and len(kept) + len(skipped) == len(p.decisions):
        msg = "nothing changed"
    else:
        msg = "the tracks are already at target; nothing changed"
    if kept:
        msg += f"; kept {len(kept)}: " + "; ".join(f"{d.name}: {d.reason}" for d in kept)
    if skipped and len(skipped) < len(p.decisions):  # name every skipped track and why, changed or not
        msg += f"; skipped {len(skipped)}: " + "; ".join(f"{d.name}: {d.reason}" for d in skipped)
    if p.note:
        msg += "; " + p.note
    status = "error" if skipped and len(skipped) == len(p.decisions) else "ok"
    rec = clean({
        "action": p.action, "status": status, "message": msg, "dry_run": dry_run,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "settings": p.settings, "undo": p.undo_name if changed else "",
        "tracks": [{"guid": d.guid, "name": d.name, "status": d.status, "before_db": d.before_db,
                    "after_db": d.after_db, "change_db": d.change_db, "reason": d.reason, "evidence": d.evidence}
                   for d in p.decisions],
        "changes": [{**w.record(), "evidence": clean(w.evidence, 3)} for w in writes],
    })
    if not dry_run:  # the values a later ``remove`` may put back, full precision (app/history.py)
        rec["restore"] = restorable(writes)
    return rec


def name_added_tracks(record: dict[str, Any], added: dict[str, str]) -> None:
    """Give the tracks a plan added (unknown until REAPER made them: the A/B reference) the GUID
    the apply returned (``added``: name -> GUID, :func:`reaper_assist.host.realize.added_tracks`),
    in the record's changes and track decisions, so the report and ``remove`` find them."""
    for c in record["changes"]:
        if not c.get("track_guid") and c.get("track_name") in added:
            c["track_guid"] = added[c["track_name"]]
    for t in record["tracks"]:
        if not t.get("guid") and t.get("name") in added:
            t["guid"] = added[t["name"]]


def error_record(action: str, message: str) -> dict[str, Any]:
    return {"action": action, "status": "error", "message": message, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "tracks": [], "changes": []}


def write_record(host, record: dict[str, Any], also: list[tuple[str, str]] | None = None) -> None:
    """Add the record's value changes to the durable history (``record["restore"]``, kept out of
    ``last_run``), echo a short summary to REAPER's console, then store the record: the record is
    the sign that the action has finished, so whoever waits for it finds the rest already there.
    ``also``: other keys of the section written in the same request, before the record (remove's
    history and kept records)."""
    values = record.pop("restore", None)
    keep = record.get("status") == "ok" and record.get("changes") and record.get("action") != "remove"
    # two requests whatever the record holds (issue 20 point 4): read what it extends, then write
    # the history, the kept records, ``last_run`` (last, in the same request) and the console
    keys = ([history.HISTORY_KEY] if values else []) + ([history.RECORDS_KEY] if keep else [])
    stored = dict(zip(keys, host.get_proj_ext_many(history.EXT_SECTION, keys))) if keys else {}
    out: list[tuple[str, str]] = list(also or [])
    if values:
        out.append((history.HISTORY_KEY, history.appended(stored[history.HISTORY_KEY],
                                                          str(record.get("action", "")), values)))
    if keep:
        out.append((history.RECORDS_KEY, history.kept(stored[history.RECORDS_KEY], record)))
    out.append((LAST_RUN_KEY, json.dumps(record, sort_keys=True)))
    host.set_proj_ext_many(EXT_SECTION, out, format_summary(record))


def format_summary(record: dict[str, Any]) -> str:
    lines = [f"reaper-assist {record['action']}: {record['status']}: {record['message']}"]
    for t in record.get("tracks", []):
        lines.append(f"  {t['name']}: {t['status']}, {t['reason']}")
    return "\n".join(lines) + "\n"


AES17_OFFSET_DB = 3.0103  # AES17 RMS reads a sine's RMS as its peak level: +3.01 dB vs plain RMS


def format_table(record: dict[str, Any], *, aes17: bool = False) -> str:
    """The plan/result table, readable by a screen reader (plain text, units in the header).

    Levels are plain RMS (mean square over all channels and samples: a full-scale sine reads
    -3.01 dBFS). ``aes17`` shows RMS levels the AES17 way (+3.01 dB, a full-scale sine reads 0),
    for display only: targets and the record stay in plain RMS.
    """
    rms_target = str(record.get("settings", {}).get("target", "rms")).startswith("rms")
    shift = AES17_OFFSET_DB if aes17 and rms_target else 0.0

    def db(x, level=True):
        if x is None:
            return "-inf"
        if isinstance(x, (int, float)):
            return f"{x + (shift if level else 0.0):+.1f}"
        return str(x)

    rows = [("track", "status", "before dB", "after dB", "change dB", "reason")]
    for t in record.get("tracks", []):
        rows.append((t["name"], t["status"], db(t.get("before_db")), db(t.get("after_db")),
                     db(t.get("change_db", 0.0), level=False), t["reason"]))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    out = [f"{record['action']}: {record['status']}: {record['message']}"]
    if shift:
        out.append("levels shown as AES17 RMS (+3.01 dB: a full-scale sine reads 0 dBFS); reasons quote plain RMS")
    settings = record.get("settings")
    if settings:
        out.append("settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()))
    for r in rows:
        out.append("  ".join(r[i].ljust(widths[i]) if i == 0 or i == 1 else r[i].rjust(widths[i]) for i in range(5))
                   + "  " + r[5])
    return "\n".join(out)
