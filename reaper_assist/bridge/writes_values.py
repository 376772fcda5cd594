"""Write kinds for values: info values of a track, an item or its active take (``D_VOL``, ``D_PAN``...),
ExtState of a track or the project, and our tag on an FX (runs inside REAPER; :mod:`.writes`)."""

from __future__ import annotations

import json

from reaper_assist.bridge.remote import NULL_SUFFIX, TAG_KEY
from reaper_assist.bridge.remote import _tags as tags_of
from reaper_assist.bridge.writes import _NUMBER, _TEXT, INFO_KEY, ApplyError, Write, fx_guid, register



class _InfoValue(Write):
    """A numeric info value (``D_VOL``, ``D_PAN``...) of a track, an item or its active take."""

    required = {"parm": _TEXT, "value": _NUMBER}

    def __init__(self, op):
        super().__init__(op)
        if not INFO_KEY.fullmatch(op["parm"]):
            raise ApplyError(f"write {self.kind!r}: {op['parm']!r} is not an info value key (like D_VOL)")


class TrackInfo(_InfoValue):
    kind = "track_info"

    def current(self, api, h):
        return api.GetMediaTrackInfo_Value(h["track"], self.op["parm"])

    def apply(self, api, h):
        return api.SetMediaTrackInfo_Value(h["track"], self.op["parm"], float(self.op["value"]))


class ItemInfo(_InfoValue):
    kind = "item_info"
    target = "item"

    def current(self, api, h):
        return api.GetMediaItemInfo_Value(h["item"], self.op["parm"])

    def apply(self, api, h):
        return api.SetMediaItemInfo_Value(h["item"], self.op["parm"], float(self.op["value"]))


class TakeInfo(_InfoValue):
    kind = "take_info"
    target = "item"

    def _take(self, api, h):
        take = api.GetActiveTake(h["item"])
        if str(take).endswith(NULL_SUFFIX):
            raise ApplyError(f"an item of track {self.where} has no active take any more")
        return take

    def current(self, api, h):
        return api.GetMediaItemTakeInfo_Value(self._take(api, h), self.op["parm"])

    def apply(self, api, h):
        return api.SetMediaItemTakeInfo_Value(self._take(api, h), self.op["parm"], float(self.op["value"]))


# ------------------------------------------------------------------------------------------------
# ExtState and our tags
# ------------------------------------------------------------------------------------------------
class TrackExt(Write):
    kind = "track_ext"
    required = {"key": _TEXT, "value": _TEXT}

    def current(self, api, h):
        return api.GetSetMediaTrackInfo_String(h["track"], "P_EXT:" + self.op["key"], "", False)[3]

    def apply(self, api, h):
        return api.GetSetMediaTrackInfo_String(h["track"], "P_EXT:" + self.op["key"], self.op["value"], True)[0]

    def check_expect(self, api, h):
        return None


class ProjExt(Write):
    kind = "proj_ext"
    target = "project"
    required = {"section": _TEXT, "key": _TEXT, "value": _TEXT}

    def current(self, api, h):
        r = api.GetProjExtState(0, self.op["section"], self.op["key"], "", 1 << 20)
        return (r[4] if r[0] else None) or ""

    def apply(self, api, h):
        return api.SetProjExtState(0, self.op["section"], self.op["key"], self.op["value"])

    def check_expect(self, api, h):
        return None


class TagFx(Write):
    """Record an FX as ours (or, with an empty value, not ours any more) in the track's tags."""

    kind = "tag_fx"
    target = "fx"
    optional = {"value": _TEXT}

    def capture(self, api, h):
        return api.GetSetMediaTrackInfo_String(h["track"], TAG_KEY, "", False)[3]

    def apply(self, api, h):
        tags = tags_of(api.GetSetMediaTrackInfo_String(h["track"], TAG_KEY, "", False)[3])
        guid = fx_guid(api, h["track"], h["fx"]).upper()
        if self.op.get("value") in (None, ""):
            tags.pop(guid, None)
        else:
            tags[guid] = str(self.op["value"])
        text = json.dumps(tags, sort_keys=True) if tags else ""
        return api.GetSetMediaTrackInfo_String(h["track"], TAG_KEY, text, True)[0]

    def revert(self, api, h, old, result):
        api.GetSetMediaTrackInfo_String(h["track"], TAG_KEY, old or "", True)


register(TrackInfo, ItemInfo, TakeInfo, TrackExt, ProjExt, TagFx)
