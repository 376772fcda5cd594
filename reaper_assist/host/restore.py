"""The values an action changed that ``remove`` can put back (track volume and pan, take and item
volume), in the tool's own words, and the native write that restores one of them.

This is the only place where a history entry's ``field`` ("take volume") meets REAPER's write kind
and key: actions record through :func:`restorable` (called by the record), ``remove`` writes back
through :func:`restore_op`. Any action whose writes go through :mod:`reaper_assist.host.realize`
(balance, auto-pan, gain-stage...) is covered without knowing about this module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reaper_assist.host.realize import Write

# (write kind, info key) <-> the history's field name
FIELDS: dict[tuple[str, str], str] = {
    ("track_info", "D_VOL"): "track volume",
    ("track_info", "D_PAN"): "track pan",
    ("take_info", "D_VOL"): "take volume",
    ("take_info", "D_PAN"): "take pan",
    ("item_info", "D_VOL"): "item volume",
}
_BY_FIELD = {v: k for k, v in FIELDS.items()}


def restorable(writes: Sequence[Write]) -> list[dict[str, Any]]:
    """One entry per value write: ``{track_guid, track_name, item_guid, field, old, new}``, full
    precision (the record rounds its own copy; a restore must compare exactly)."""
    out = []
    for w in writes:
        field = FIELDS.get((str(w.op.get("op")), str(w.op.get("parm"))))
        if field is None or not isinstance(w.old, (int, float)) or not isinstance(w.new, (int, float)):
            continue
        out.append({"track_guid": w.track_guid, "track_name": w.track_name, "item_guid": w.op.get("item", ""),
                    "field": field, "old": float(w.old), "new": float(w.new)})
    return out


def is_field(field: str) -> bool:
    return field in _BY_FIELD


def info_key(field: str) -> str:
    """The info key (``D_VOL``...) of a history field."""
    return _BY_FIELD[field][1]


def take_restore_json(rows) -> str:
    """The ``restore`` field of a take write (bridge/writes_take.py ``parse_take_restore``): for
    each (history field, value, the values the tool's writes left it at), its info key instead."""
    return json.dumps([[info_key(field), value, list(held)] for field, value, held in rows])


def restore_op(track_guid: str, track_name: str, item_guid: str, field: str, value: float,
               expect: float) -> dict[str, Any]:
    """The write that sets ``field`` back to ``value``, refused if it no longer holds ``expect``."""
    kind, parm = _BY_FIELD[field]
    op: dict[str, Any] = {"op": kind, "track": track_guid, "track_name": track_name, "parm": parm,
                          "value": float(value), "expect": float(expect)}
    if kind != "track_info":
        op["item"] = item_guid
    return op


def current(track, entry: dict[str, Any]) -> float | None:
    """The value ``entry`` names as the track's read state holds it now (None: the item or its
    take is gone)."""
    field = entry["field"]
    if field == "track volume":
        return float(track.volume)
    if field == "track pan":
        return float(track.pan)
    item = next((it for it in track.items if it.guid.upper() == str(entry.get("item_guid", "")).upper()), None)
    if item is None:
        return None
    if field == "item volume":
        return float(item.item_volume)
    if item.take is None:
        return None
    return float(item.take.volume if field == "take volume" else item.take.pan)
