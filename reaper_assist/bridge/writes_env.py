"""Write kinds for automation: points on a track envelope lane, and the lane the tool owns (runs inside
REAPER; :mod:`.writes`)."""

from __future__ import annotations

import json
from typing import Any

from reaper_assist.bridge.remote import ENV_TAG_KEY, NULL_SUFFIX
from reaper_assist.bridge.writes import _POINTS, _TEXT, ApplyError, Write, register



class EnvelopePoints(Write):
    """Points ``[[time_s, amplitude (linear), shape], ...]`` on the track's envelope named
    ``envelope`` (shown, e.g. "Trim Volume"), replacing the points between the first and the last
    time; values go through the envelope's scaling mode (ScaleToEnvelopeMode)."""

    kind = "envelope_points"
    required = {"envelope": _TEXT, "points": _POINTS}

    def _env(self, api, h):
        env = api.GetTrackEnvelopeByName(h["track"], self.op["envelope"])
        if env is None or str(env).endswith(NULL_SUFFIX):
            raise ApplyError(f"track {self.where} has no {self.op['envelope']!r} envelope "
                             "(show it once in REAPER, then run the action again)")
        return env

    def _range(self) -> tuple[float, float]:
        times = [float(p[0]) for p in self.op["points"]]
        return min(times), max(times) + 1e-9

    def resolve(self, api):
        h = super().resolve(api)
        self._env(api, h)
        if not self.op["points"]:
            raise ApplyError(f"write {self.kind!r}: no points")
        return h

    def capture(self, api, h):
        env = self._env(api, h)
        t0, t1 = self._range()
        old = []
        for i in range(int(api.CountEnvelopePoints(env))):
            r = api.GetEnvelopePoint(env, i, 0, 0, 0, 0, 0)
            if r[0] and t0 <= r[3] < t1:  # (ok, env, idx, time, value, shape, tension, selected)
                old.append([r[3], r[4], int(r[5]), r[6], bool(r[7])])
        return old

    def apply(self, api, h):
        env = self._env(api, h)
        t0, t1 = self._range()
        api.DeleteEnvelopePointRange(env, t0, t1)
        mode = api.GetEnvelopeScalingMode(env)
        for t, amp, shape in self.op["points"]:
            api.InsertEnvelopePoint(env, float(t), api.ScaleToEnvelopeMode(mode, float(amp)), int(shape), 0.0,
                                    False, True)
        api.Envelope_SortPoints(env)
        return len(self.op["points"])

    def revert(self, api, h, old, result):
        env = self._env(api, h)
        t0, t1 = self._range()
        api.DeleteEnvelopePointRange(env, t0, t1)
        for t, v, shape, tension, sel in old or []:
            api.InsertEnvelopePoint(env, t, v, shape, tension, sel, True)
        api.Envelope_SortPoints(env)


# the actions that show a track envelope lane on the selected tracks, creating it (facts 1.5)
SHOW_LANE_COMMANDS = {"Volume": 40406, "Volume (Pre-FX)": 40408, "Trim Volume": 42020}


def env_tags(api, track: str) -> dict[str, Any]:
    """The lanes reaper-assist owns on a track: {lane name: {"owner": action, "guid": EGUID}}."""
    try:
        d = json.loads(api.GetSetMediaTrackInfo_String(track, ENV_TAG_KEY, "", False)[3] or "{}")
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def _untouched(api, env) -> bool:
    """No points, or the one 0 dB point REAPER puts on a lane it shows for the first time."""
    n = int(api.CountEnvelopePoints(env))
    if n == 0:
        return True
    r = api.GetEnvelopePoint(env, 0, 0, 0, 0, 0, 0)
    amp = api.ScaleFromEnvelopeMode(api.GetEnvelopeScalingMode(env), r[4])
    return n == 1 and bool(r[0]) and abs(amp - 1.0) < 1e-6


def all_points(api, env) -> list[list]:
    """Every point of an envelope as ``[time, value (as the API gives it), shape, tension, selected]``."""
    pts = []
    for i in range(int(api.CountEnvelopePoints(env))):
        r = api.GetEnvelopePoint(env, i, 0, 0, 0, 0, 0)
        if r[0]:
            pts.append([r[3], r[4], int(r[5]), r[6], bool(r[7])])
    return pts


def replace_points(api, env, points) -> None:
    """All of an envelope's points replaced by ``[[time_s, value, shape], ...]`` (values through its
    scaling mode, ScaleToEnvelopeMode), sorted, and the envelope made active."""
    api.DeleteEnvelopePointRange(env, -1.0, 1e12)
    mode = api.GetEnvelopeScalingMode(env)
    for t, value, shape in points:
        api.InsertEnvelopePoint(env, float(t), api.ScaleToEnvelopeMode(mode, float(value)), int(shape), 0.0,
                                False, True)
    api.Envelope_SortPoints(env)
    api.GetSetEnvelopeInfo_String(env, "ACTIVE", "1", True)


def restore_points(api, env, old) -> None:
    """Put back the points :func:`all_points` captured."""
    api.DeleteEnvelopePointRange(env, -1.0, 1e12)
    for t, v, shape, tension, sel in old or []:
        api.InsertEnvelopePoint(env, t, v, shape, tension, sel, True)
    api.Envelope_SortPoints(env)


class OwnedEnvelope(Write):
    """All the points ``[[time_s, amplitude, shape], ...]`` of a lane reaper-assist owns
    (``envelope``: "Trim Volume", "Volume (Pre-FX)"), for the action ``owner``. A missing lane is
    created (its show action on this track alone, the selection put back) and recorded in the
    track's ``P_EXT:reaper_assist_env`` with its GUID; a lane that holds points and is not ours
    is refused, so a user's points are never moved. ``lane_guid`` is the lane the plan saw ("" if
    none): another lane now stops the apply."""

    kind = "owned_envelope"
    required = {"envelope": _TEXT, "owner": _TEXT, "points": _POINTS, "lane_guid": _TEXT}

    def _lane(self, api, h):
        env = api.GetTrackEnvelopeByName(h["track"], self.op["envelope"])
        return None if env is None or str(env).endswith(NULL_SUFFIX) else env

    def resolve(self, api):
        h = super().resolve(api)
        if self.op["envelope"] not in SHOW_LANE_COMMANDS or not self.op["points"]:
            raise ApplyError(f"write {self.kind!r}: lane {self.op['envelope']!r} with "
                             f"{len(self.op['points'])} points is not one reaper-assist writes")
        env = self._lane(api, h)
        guid = api.GetSetEnvelopeInfo_String(env, "GUID", "", False)[3] if env is not None else ""
        if guid.upper() != self.op["lane_guid"].upper():
            raise ApplyError(f"track {self.where}: its {self.op['envelope']} lane changed since it was analysed")
        if env is not None and not _untouched(api, env):
            mine = env_tags(api, h["track"]).get(self.op["envelope"]) or {}
            if str(mine.get("guid", "")).upper() != guid.upper():
                raise ApplyError(f"track {self.where}: its {self.op['envelope']} lane holds points of yours; "
                                 "reaper-assist never moves them")
        return h

    def capture(self, api, h):
        env = self._lane(api, h)
        pts = all_points(api, env) if env is not None else []
        return {"points": pts, "tags": api.GetSetMediaTrackInfo_String(h["track"], ENV_TAG_KEY, "", False)[3]}

    def _create(self, api, h):
        tr = h["track"]
        selected = [api.GetTrack(0, i) for i in range(api.CountTracks(0))
                    if api.GetMediaTrackInfo_Value(api.GetTrack(0, i), "I_SELECTED")]
        for t in selected:
            api.SetTrackSelected(t, False)
        api.SetTrackSelected(tr, True)
        api.Main_OnCommand(SHOW_LANE_COMMANDS[self.op["envelope"]], 0)
        api.SetTrackSelected(tr, False)
        for t in selected:
            api.SetTrackSelected(t, True)
        env = self._lane(api, h)
        if env is None:
            raise ApplyError(f"track {self.where}: REAPER did not create its {self.op['envelope']} lane")
        return env

    def apply(self, api, h):
        env = self._lane(api, h) or self._create(api, h)
        replace_points(api, env, self.op["points"])
        tags = env_tags(api, h["track"])
        tags[self.op["envelope"]] = {"owner": self.op["owner"],
                                     "guid": api.GetSetEnvelopeInfo_String(env, "GUID", "", False)[3]}
        api.GetSetMediaTrackInfo_String(h["track"], ENV_TAG_KEY, json.dumps(tags, sort_keys=True), True)
        return len(self.op["points"])

    def revert(self, api, h, old, result):
        env = self._lane(api, h)
        if env is not None:
            restore_points(api, env, (old or {}).get("points", []))
        api.GetSetMediaTrackInfo_String(h["track"], ENV_TAG_KEY, (old or {}).get("tags", ""), True)

    def describe(self) -> str:
        return f"{self.kind} {self.op['envelope']}"


register(EnvelopePoints, OwnedEnvelope)
