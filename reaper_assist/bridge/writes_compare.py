"""The write kinds of ``compare`` and ``--preview`` (runs inside REAPER, standard library only):
bypass or enable one of our tagged FX, make one of our envelope lanes active or not, switch a
value the tool changed (track/take/item volume, pan) between the user's and ours, play the user's
take or the one the tool added (denoise's). Each refuses
an FX or lane the track does not list as the tool's, so the user's are never switched."""

from __future__ import annotations


from reaper_assist.bridge import writes, writes_values
from reaper_assist.bridge.remote import NULL_SUFFIX, TAG_KEY
from reaper_assist.bridge.remote import _tags as tags_of
from reaper_assist.bridge.writes import _INT, _TEXT, ApplyError, Write, fx_guid
from reaper_assist.bridge.writes_env import env_tags
from reaper_assist.bridge.writes_take import parse_take_restore, restore_take_values, take_tags, takes_by_guid


class FxEnabled(Write):
    """Our tagged FX on (``value`` 1) or bypassed (0); an FX added by this plan as ``"@n"``."""

    kind = "fx_enabled"
    target = "fx"
    required = {"value": _INT}

    def _check(self, api, h) -> None:
        g = fx_guid(api, h["track"], h["fx"]).upper()
        if g not in tags_of(api.GetSetMediaTrackInfo_String(h["track"], TAG_KEY, "", False)[3]):
            raise ApplyError(f"track {self.where}: FX {g} is not tagged as reaper-assist's; it is never switched")

    def resolve(self, api):
        h = super().resolve(api)
        if self.fx_ref is None:
            self._check(api, h)
        return h

    def current(self, api, h):
        return 1 if api.TrackFX_GetEnabled(h["track"], h["fx"]) else 0

    def apply(self, api, h):
        self._check(api, h)
        api.TrackFX_SetEnabled(h["track"], h["fx"], bool(self.op["value"]))
        return True

    def revert(self, api, h, old, result):
        api.TrackFX_SetEnabled(h["track"], h["fx"], bool(old))

    def check_expect(self, api, h):
        return None


class LaneActive(Write):
    """Our envelope lane ``envelope`` (by name) active ("1") or not ("0"). Its GUID must be the one
    the track's lane list names for it, checked when the write runs (a lane written earlier in the
    same plan exists only then)."""

    kind = "lane_active"
    required = {"envelope": _TEXT, "value": _TEXT}

    def _env(self, api, h):
        env = api.GetTrackEnvelopeByName(h["track"], self.op["envelope"])
        if env is None or str(env).endswith(NULL_SUFFIX):
            raise ApplyError(f"track {self.where} has no {self.op['envelope']} lane")
        mine = env_tags(api, h["track"]).get(self.op["envelope"]) or {}
        guid = api.GetSetEnvelopeInfo_String(env, "GUID", "", False)[3]
        if not isinstance(mine, dict) or str(mine.get("guid", "")).upper() != guid.upper():
            raise ApplyError(f"track {self.where}: its {self.op['envelope']} lane is not reaper-assist's; "
                             "it is never switched")
        return env

    def capture(self, api, h):
        return api.GetSetEnvelopeInfo_String(self._env(api, h), "ACTIVE", "", False)[3]

    def apply(self, api, h):
        api.GetSetEnvelopeInfo_String(self._env(api, h), "ACTIVE", "1" if self.op["value"] == "1" else "0", True)
        return True

    def revert(self, api, h, old, result):
        if old is not None:
            api.GetSetEnvelopeInfo_String(self._env(api, h), "ACTIVE", str(old), True)

    def check_expect(self, api, h):
        return None


def _guid(api, take) -> str:
    return "" if take is None or str(take).endswith(NULL_SUFFIX) else \
        api.GetSetMediaItemTakeInfo_String(take, "GUID", "", False)[3].upper()


class CompareTake(Write):
    """On item ``item``, ``take_guid`` made the active take where ``active_now`` is: between a take
    the tool added and the user's take it was made from, both as the item's own list of our takes
    names them (so no other take is ever switched). ``restore`` (JSON ``[[D_VOL|D_PAN, value,
    [held values]]]``) sets those values on the take made active where it holds one of ``held``."""

    kind = "compare_take"
    target = "item"
    required = {"take_guid": _TEXT, "active_now": _TEXT}
    optional = {"restore": _TEXT}

    def _restore(self) -> list[tuple[str, float, list[float]]]:
        return parse_take_restore(self.kind, self.op.get("restore"))

    def resolve(self, api):
        h = super().resolve(api)
        a, b = self.op["take_guid"].upper(), self.op["active_now"].upper()
        pairs = set()
        for ours, v in take_tags(api, h["item"]).items():
            orig = str(v.get("original_take", "")).upper() if isinstance(v, dict) else ""
            pairs |= {(str(ours).upper(), orig), (orig, str(ours).upper())}
        if (a, b) not in pairs:
            raise ApplyError(f"an item of track {self.where}: takes {a} and {b} are not a take of reaper-assist's "
                             "and the take it was made from; no other take is ever switched")
        self._restore()
        return h

    def capture(self, api, h):
        take = takes_by_guid(api, h["item"]).get(self.op["take_guid"].upper())
        values = {p: api.GetMediaItemTakeInfo_Value(take, p) for p, _, _ in self._restore()} if take else {}
        return {"active": api.GetActiveTake(h["item"]), "values": values}

    def apply(self, api, h):
        item = h["item"]
        if _guid(api, api.GetActiveTake(item)) != self.op["active_now"].upper():
            raise ApplyError(f"an item of track {self.where}: its active take changed since it was read")
        take = takes_by_guid(api, item).get(self.op["take_guid"].upper())
        if take is None:
            raise ApplyError(f"an item of track {self.where}: take {self.op['take_guid']} no longer exists")
        api.SetActiveTake(take)
        restore_take_values(api, take, self._restore())
        api.UpdateItemInProject(item)
        return True

    def revert(self, api, h, old, result):
        if not old:
            return
        take = takes_by_guid(api, h["item"]).get(self.op["take_guid"].upper())
        for parm, value in old["values"].items():
            if take is not None:
                api.SetMediaItemTakeInfo_Value(take, parm, value)
        if not str(old["active"]).endswith(NULL_SUFFIX):
            api.SetActiveTake(old["active"])
        api.UpdateItemInProject(h["item"])

    def check_expect(self, api, h):
        return None

    def describe(self) -> str:
        return f"{self.kind} {self.op['take_guid']}"


class CompareTrackValue(writes_values.TrackInfo):
    """A track value (volume, pan) switched by compare: the user's value off, ours on. Its own kind
    (not ``track_info``) so that the durable history, which ``remove`` walks back, never takes a
    switch of compare's for a change of the tool's."""

    kind = "compare_track_info"


class CompareItemValue(writes_values.ItemInfo):
    kind = "compare_item_info"


class CompareTakeValue(writes_values.TakeInfo):
    kind = "compare_take_info"


KINDS: dict[str, type[Write]] = {cls.kind: cls for cls in (FxEnabled, LaneActive, CompareTrackValue,
                                                           CompareItemValue, CompareTakeValue, CompareTake)}
writes.KINDS.update(KINDS)
