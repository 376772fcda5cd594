"""The FX parameter envelope write kind (runs inside REAPER; standard library only).

``fx_envelope``: all the points ``[[time_s, native value, shape], ...]`` of one parameter
envelope of an FX reaper-assist tagged as its own (a ReaEQ band's ``gain``, found by band and
parameter name as :class:`~.writes_fx.EqBandParam` finds it, or any parameter by REAPER's ``name``).
The envelope is created if missing (``GetFXEnvelope(track, fx, param, create=True)``, which also
un-bypasses it, facts 1.3), its points replaced and sorted, and it is made active. FX parameter
envelopes store the parameter's native value, the ``TrackFX_GetParam`` range (facts 1.5); their
scaling mode is 0, so ``ScaleToEnvelopeMode`` passes it through. An FX the track's tags do not
name as reaper-assist's is refused: a user's plugin never gets an envelope from us.

Registered in :data:`.writes.KINDS` on import (``writes`` imports this module at its end).
"""

from __future__ import annotations

from reaper_assist.bridge import writes as W
from reaper_assist.bridge import writes_env, writes_fx
from reaper_assist.bridge.remote import NULL_SUFFIX, TAG_KEY
from reaper_assist.bridge.remote import _tags as tags_of


class FxEnvelope(W.Write):
    kind = "fx_envelope"
    target = "fx"
    required = {"points": W._POINTS}
    optional = {"band": W._INT, "param": W._TEXT, "name": W._TEXT}

    def __init__(self, op):
        super().__init__(op)
        by_band = op.get("band") is not None and op.get("param") is not None
        if by_band == (op.get("name") is not None):
            raise W.ApplyError(f"write {self.kind!r}: give either 'band' and 'param' (ReaEQ) or 'name'")
        if not op["points"]:
            raise W.ApplyError(f"write {self.kind!r}: no points")

    def index(self, api, h) -> int:
        if self.op.get("name") is not None:
            return writes_fx.param_index(api, h["track"], h["fx"], self.op["name"], self.where)
        probe = writes_fx.EqBandParam({"op": "eq_band_param", "track": self.op["track"], "fx": self.op["fx"],
                               "band": self.op["band"], "param": self.op["param"], "value": 0.0})
        return probe.index(api, h)

    def _ours(self, api, h) -> None:
        tags = tags_of(api.GetSetMediaTrackInfo_String(h["track"], TAG_KEY, "", False)[3])
        if W.fx_guid(api, h["track"], h["fx"]).upper() not in tags:
            raise W.ApplyError(f"track {self.where}: the FX is not reaper-assist's; a parameter envelope is "
                               "written on reaper-assist's own FX only: nothing changed")

    def _env(self, api, h, create: bool):
        env = api.GetFXEnvelope(h["track"], h["fx"], self.index(api, h), create)
        return None if env is None or str(env).endswith(NULL_SUFFIX) else env

    def resolve(self, api):
        h = super().resolve(api)
        if self.fx_ref is None:
            self._ours(api, h)
        return h

    def capture(self, api, h):
        env = self._env(api, h, False)
        return writes_env.all_points(api, env) if env is not None else None

    def apply(self, api, h):
        self._ours(api, h)
        env = self._env(api, h, True)
        if env is None:
            raise W.ApplyError(f"track {self.where}: REAPER did not create the FX parameter envelope")
        writes_env.replace_points(api, env, self.op["points"])
        return len(self.op["points"])

    def revert(self, api, h, old, result):
        env = self._env(api, h, False)
        if env is not None:
            writes_env.restore_points(api, env, old)

    def describe(self) -> str:
        what = self.op.get("name") or f"band {int(self.op['band']) + 1} {self.op['param']}"
        return f"{self.kind} {what}"


W.register(FxEnvelope)
