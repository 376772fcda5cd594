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
