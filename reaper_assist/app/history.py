"""The durable history of the values the tool changed (project ExtState ``reaper_assist`` /
``history``, JSON), so ``remove`` can put back a volume an earlier run changed, not only the last.

Every action that writes through :mod:`reaper_assist.app.run_action` (or calls
:func:`reaper_assist.app.records.write_record` with a record of :func:`record_for_plan`) appends its
value changes here; nothing else is needed from an action. One entry per value write::

    {"action", "time", "track_guid", "track_name", "item_guid", "field", "old", "new"}

in full precision (``remove`` compares exactly). Entries stay in the order they were written; a
second write of the same value by a later run whose ``old`` is the previous run's ``new`` makes a
chain back to the user's original value (rules/removal.py walks it). The history is written outside
the undo block, like the record: an undo of an action leaves its entries, and ``remove`` then finds
the value back at its original and writes nothing for it.
"""

from __future__ import annotations

import json
import time
from typing import Any

EXT_SECTION = "reaper_assist"
HISTORY_KEY = "history"
VERSION = 1
MAX_ENTRIES = 20_000  # ~2 MB of JSON; past it the oldest go (their values can no longer be restored)


def load(host) -> list[dict[str, Any]]:
    """The entries, oldest first; a missing or unreadable history is empty."""
    return parse(host.get_proj_ext(EXT_SECTION, HISTORY_KEY))


def parse(text: str | None) -> list[dict[str, Any]]:
    """The entries of a history's stored text (missing or unreadable: none)."""
    if not text:
        return []
    try:
        d = json.loads(text)
    except ValueError:
        return []
    entries = d.get("entries") if isinstance(d, dict) else None
    return [e for e in entries if _valid(e)] if isinstance(entries, list) else []


def _valid(e: Any) -> bool:
    return (isinstance(e, dict) and isinstance(e.get("track_guid"), str) and isinstance(e.get("field"), str)
            and all(isinstance(e.get(k), (int, float)) and not isinstance(e.get(k), bool) for k in ("old", "new")))


def dumps(entries: list[dict[str, Any]]) -> str:
    """The stored text of a history (the newest MAX_ENTRIES)."""
    entries = entries[-MAX_ENTRIES:]
    return json.dumps({"version": VERSION, "entries": entries}, sort_keys=True) if entries else ""


def appended(text: str | None, action: str, values: list[dict[str, Any]]) -> str:
    """The stored history ``text`` with one run's value changes (``record["restore"]``) added."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return dumps(parse(text) + [{**v, "action": action, "time": stamp} for v in values])


RECORDS_KEY = "records"  # {action: its latest record that changed something}: what the report shows


def without_tracks(text: str | None, guids: set[str]) -> str | None:
    """The stored kept records ``text`` with the tracks ``guids`` taken out (``remove`` took the
    tool's work off them); None when there is nothing to rewrite."""
    try:
        d = json.loads(text or "{}")
    except ValueError:
        return None
    if not isinstance(d, dict) or not d:
        return None
    for r in d.values():
        if isinstance(r, dict):
            r["tracks"] = [t for t in r.get("tracks", []) if str(t.get("guid", "")).upper() not in guids]
            r["changes"] = [c for c in r.get("changes", []) if str(c.get("track_guid", "")).upper() not in guids]
    d = {a: r for a, r in d.items() if isinstance(r, dict) and r["changes"]}
    return json.dumps(d, sort_keys=True) if d else ""


def kept(text: str | None, record: dict[str, Any]) -> str:
    """The stored kept records ``text`` with ``record`` as its action's latest."""
    try:
        d = json.loads(text or "{}")
    except ValueError:
        d = {}
    if not isinstance(d, dict):
        d = {}
    d[str(record.get("action", ""))] = record
    return json.dumps(d, sort_keys=True)
