"""The write kind "a take from a file we wrote, made active" (runs inside REAPER; standard library).

``add_take_from_file``: on item ``item``, a new take playing ``file`` (written by the companion into
the project folder's ``reaper-assist/`` subfolder), named ``name``, with the active take's offset,
playrate and volume, made the active take, and listed in the item's ``P_EXT:reaper_assist_take``
``{take GUID: {"tag": tag, "original": the original take's file, "original_take": its GUID}}``
(``remove`` deletes the take and makes that one active again: bridge/writes_remove.py). The original take stays in the item, one click away (as REAPER's "apply FX as
new take" leaves it). Revert makes the original take active again and drops the listing; the take
itself goes with the undo of the aborted block (REAPER has no call that deletes a take).
"""

from __future__ import annotations

import json

from reaper_assist.bridge.remote import NULL_SUFFIX
from reaper_assist.bridge.writes import _TEXT, KINDS, ApplyError, Write

TAKE_TAG_KEY = "P_EXT:reaper_assist_take"  # item P_EXT: our takes {take GUID: tag}, JSON
COPIED = ("D_STARTOFFS", "D_PLAYRATE", "D_VOL", "D_PAN")


def take_tags(api, item) -> dict[str, str]:
    ok, _, _, text, _ = api.GetSetMediaItemInfo_String(item, TAKE_TAG_KEY, "", False)
    try:
        d = json.loads(text) if ok and text else {}
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


RESTORED_TAKE_KEYS = ("D_VOL", "D_PAN")  # the take values put back on a user's take (host/restore.py)


def takes_by_guid(api, item) -> dict[str, object]:
    """The item's takes by GUID (upper case)."""
    out = {}
    for k in range(api.CountTakes(item)):
        t = api.GetMediaItemTake(item, k)
        out[api.GetSetMediaItemTakeInfo_String(t, "GUID", "", False)[3].upper()] = t
    return out


def parse_take_restore(kind: str, text: str | None) -> list[tuple[str, float, list[float]]]:
    """A write's ``restore`` field (JSON ``[[D_VOL|D_PAN, value, [held values]]]``), checked: any
    other key or shape is refused, so a client cannot set any other value on the user's take."""
    try:
        rows = [(str(p), float(v), [float(x) for x in held]) for p, v, held in json.loads(text or "[]")]
    except (ValueError, TypeError):
        raise ApplyError(f"write {kind!r}: 'restore' must be [[key, value, [values]]]") from None
    if any(p not in RESTORED_TAKE_KEYS for p, _, _ in rows):
        raise ApplyError(f"write {kind!r}: only {', '.join(RESTORED_TAKE_KEYS)} are restored on a take")
    return rows


def restore_take_values(api, take, rows: list[tuple[str, float, list[float]]]) -> None:
    """Each row's value on ``take`` where the take still holds one of the row's held values."""
    for parm, value, held in rows:
        cur = api.GetMediaItemTakeInfo_Value(take, parm)
        if any(abs(cur - v) <= 1e-9 * max(1.0, abs(v)) for v in held):
            api.SetMediaItemTakeInfo_Value(take, parm, value)


class AddTakeFromFile(Write):
    kind = "add_take_from_file"
    target = "item"
    required = {"file": _TEXT, "name": _TEXT, "tag": _TEXT, "original": _TEXT}

    def capture(self, api, h):
        take = api.GetActiveTake(h["item"])
        ok, _, _, text, _ = api.GetSetMediaItemInfo_String(h["item"], TAKE_TAG_KEY, "", False)
        return {"take": take, "tags": text if ok else ""}

    def apply(self, api, h):
        item = h["item"]
        old = api.GetActiveTake(item)
        if str(old).endswith(NULL_SUFFIX):
            raise ApplyError(f"an item of track {self.where} has no active take any more")
        take = api.AddTakeToMediaItem(item)
        src = api.PCM_Source_CreateFromFile(self.op["file"])
        if str(take).endswith(NULL_SUFFIX) or str(src).endswith(NULL_SUFFIX) or \
                not api.SetMediaItemTake_Source(take, src):
            raise ApplyError(f"REAPER did not add a take playing {self.op['file']!r} on track {self.where}")
        for parm in COPIED:
            api.SetMediaItemTakeInfo_Value(take, parm, api.GetMediaItemTakeInfo_Value(old, parm))
        api.GetSetMediaItemTakeInfo_String(take, "P_NAME", self.op["name"], True)
        api.SetActiveTake(take)
        guid = api.GetSetMediaItemTakeInfo_String(take, "GUID", "", False)[3]
        tags = take_tags(api, item)
        was = api.GetSetMediaItemTakeInfo_String(old, "GUID", "", False)[3]  # remove makes it active again
        tags[guid.upper()] = {"tag": self.op["tag"], "original": self.op["original"], "original_take": was.upper()}
        api.GetSetMediaItemInfo_String(item, TAKE_TAG_KEY, json.dumps(tags, sort_keys=True), True)
        api.UpdateItemInProject(item)
        return guid

    def revert(self, api, h, old, result):
        if old and not str(old.get("take", "")).endswith(NULL_SUFFIX):
            api.SetActiveTake(old["take"])
        api.GetSetMediaItemInfo_String(h["item"], TAKE_TAG_KEY, (old or {}).get("tags", ""), True)

    def describe(self) -> str:
        return f"{self.kind} {self.op['name']}"


KINDS[AddTakeFromFile.kind] = AddTakeFromFile
