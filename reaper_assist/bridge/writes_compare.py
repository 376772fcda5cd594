"""The write kinds of ``compare`` and ``--preview`` (runs inside REAPER, standard library only):
bypass or enable one of our tagged FX, make one of our envelope lanes active or not, switch a
value the tool changed (track/take/item volume, pan) between the user's and ours. Each refuses
an FX or lane the track does not list as the tool's, so the user's are never switched."""

from __future__ import annotations

from reaper_assist.bridge import writes, writes_values
from reaper_assist.bridge.remote import NULL_SUFFIX, TAG_KEY
from reaper_assist.bridge.remote import _tags as tags_of
from reaper_assist.bridge.writes import _INT, _TEXT, ApplyError, Write, fx_guid
from reaper_assist.bridge.writes_env import env_tags


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
                                                           CompareItemValue, CompareTakeValue)}
writes.KINDS.update(KINDS)
