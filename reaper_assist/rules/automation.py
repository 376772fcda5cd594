"""Automation decisions, pure: a level ride toward a target loudness and dips between phrases,
as envelope points in dB, plus the step that puts them on an envelope lane the tool owns.

Times here are seconds on the project timeline (the caller adds the audio's start time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from reaper_assist.errors import ParameterError
from reaper_assist.rules.steps import ENVELOPE_SHAPES, EnvelopePoint, Step

RIDE_LANE = "Trim Volume"  # the user's Volume lane stays theirs
DIP_LANE = "Volume (Pre-FX)"  # before the FX: a compressor after it does not pull the noise up again
OWNED_LANES = (RIDE_LANE, DIP_LANE)
RANGE_CAP_DB = 12.0  # issue 14: hard cap of the ride's range
SAME_DB = 0.01  # a point within this of the planned one is unchanged (fader-scale round trip in the file)
SAME_S = 1e-6


@dataclass(frozen=True, kw_only=True)
class OwnedEnvelope(Step):
    """These points, and only these, on the track's ``envelope`` lane, which the tool owns: it
    creates the lane if there is none and records it in the track's ``P_EXT`` as ``owner``'s."""

    envelope: str
    owner: str
    points: tuple[EnvelopePoint, ...]

    def __post_init__(self) -> None:
        if self.envelope not in OWNED_LANES:
            raise ParameterError(f"envelope {self.envelope!r}: the tool owns only {', '.join(OWNED_LANES)}")
        if not self.points:
            raise ParameterError(f"track {self.track_name!r}: an envelope step needs at least one point")


def same_points(planned: tuple[EnvelopePoint, ...], existing: list[tuple[float, float, int]]) -> bool:
    """Do the lane's points ``[(time_s, dB, shape)]`` already equal the planned ones?"""
    return len(planned) == len(existing) and all(
        abs(p.time_s - t) <= SAME_S + 1e-9 * t and (abs(p.value_db - v) <= SAME_DB or p.value_db == v)
        and ENVELOPE_SHAPES[p.shape] == int(s) for p, (t, v, s) in zip(planned, existing))


# ------------------------------------------------------------------------------------------------
# settings
# ------------------------------------------------------------------------------------------------
def _num(raw: dict[str, Any], key: str, lo: float, hi: float) -> float:
    v = raw.get(key)
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not (lo <= float(v) <= hi):
        raise ParameterError(f"setting {key!r} = {v!r}: must be a number in {lo:g}..{hi:g}")
    return float(v)


@dataclass(frozen=True)
class RideSettings:
    target_lufs: float | None  # None: the track's own median voiced loudness (the ride only evens out)
    range_db: float
    window_s: float
    tolerance_db: float
    max_points_per_s: float
    max_slope_db_per_s: float
    amount: float

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> RideSettings:
        t = raw.get("target", "auto")
        if t in ("auto", None):
            target = None
        elif isinstance(t, (int, float)) and not isinstance(t, bool) and -70.0 <= t <= 0.0:
            target = float(t)
        else:
            raise ParameterError(f"setting 'target' = {t!r}: 'auto' or a loudness in LUFS (-70..0)")
        rng = _num(raw, "range_db", 0.0, 1e9)
        if rng > RANGE_CAP_DB:
            raise ParameterError(f"setting 'range_db' = {rng:g}: the ride is capped at +-{RANGE_CAP_DB:g} dB")
        return cls(target, rng, _num(raw, "window_s", 0.2, 10.0), _num(raw, "tolerance_db", 0.01, 3.0),
                   _num(raw, "max_points_per_s", 0.5, 50.0), _num(raw, "max_slope_db_per_s", 5.0, 100.0),
                   _num(raw, "amount", 0.0, 100.0))

    def to_json(self) -> dict[str, Any]:
        return {"target": "auto" if self.target_lufs is None else self.target_lufs, "range_db": self.range_db,
                "window_s": self.window_s, "tolerance_db": self.tolerance_db,
                "max_points_per_s": self.max_points_per_s, "max_slope_db_per_s": self.max_slope_db_per_s,
                "amount": self.amount}


@dataclass(frozen=True)
class DipSettings:
    depth_db: float
    hold_s: float  # after a phrase's end, before the fade down
    fade_s: float
    lead_s: float  # the fade up is over this long before a phrase starts
    min_gap_s: float
    min_floor_dbfs: float  # below this there is no noise floor to dip
    amount: float

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> DipSettings:
        return cls(_num(raw, "depth_db", -60.0, -0.5), _num(raw, "hold_s", 0.0, 2.0), _num(raw, "fade_s", 0.005, 1.0),
                   _num(raw, "lead_s", 0.0, 1.0), _num(raw, "min_gap_s", 0.05, 10.0),
                   _num(raw, "min_floor_dbfs", -150.0, 0.0), _num(raw, "amount", 0.0, 100.0))

    def to_json(self) -> dict[str, Any]:
        return {"depth_db": self.depth_db, "hold_s": self.hold_s, "fade_s": self.fade_s, "lead_s": self.lead_s,
                "min_gap_s": self.min_gap_s, "min_floor_dbfs": self.min_floor_dbfs, "amount": self.amount}


# ------------------------------------------------------------------------------------------------
# the ride
# ------------------------------------------------------------------------------------------------
def ride_curve(loudness: np.ndarray, spans: list[tuple[int, int]], frame_s: float, s: RideSettings,
               target: float) -> np.ndarray:
    """Gain in dB per frame: ``target - loudness`` inside the phrases (clipped to the range, times
    the amount), in the pauses never above the lower of the two neighbouring phrases' gains, then
    slew-limited (no step larger than ``max_slope_db_per_s`` allows)."""
    n = loudness.size
    g = np.zeros(n)
    k = s.amount / 100.0
    for a, b in spans:
        seg = loudness[a:b]
        seg = np.where(np.isfinite(seg), seg, target)
        g[a:b] = np.clip(target - seg, -s.range_db, s.range_db) * k
    edges = [(0, spans[0][0], None, g[spans[0][0]])]
    edges += [(spans[i][1], spans[i + 1][0], g[spans[i][1] - 1], g[spans[i + 1][0]]) for i in range(len(spans) - 1)]
    edges.append((spans[-1][1], n, g[spans[-1][1] - 1], None))
    for a, b, left, right in edges:
        hold = min(v for v in (left, right) if v is not None)
        g[a:b] = hold
    step = s.max_slope_db_per_s * frame_s
    pause = np.ones(n, bool)
    for a, b in spans:
        pause[a:b] = False
    # the ramps into and out of a pause happen inside the pause (the phrases keep their gain)
    for i in range(1, n):
        g[i] = min(g[i], g[i - 1] + step) if pause[i] else g[i]
    for i in range(n - 2, -1, -1):
        g[i] = min(g[i], g[i + 1] + step) if pause[i] else g[i]
    for i in range(1, n):  # anything left (a jump inside a phrase) is spread forward
        g[i] = float(np.clip(g[i], g[i - 1] - step, g[i - 1] + step))
    return np.clip(g, -s.range_db, s.range_db)


def simplify(t: np.ndarray, v: np.ndarray, tol: float) -> list[int]:
    """Ramer-Douglas-Peucker: indices of the points that keep the polyline within ``tol`` (in v)
    of every original point (vertical distance, as a listener hears a gain error)."""
    keep = np.zeros(t.size, bool)
    keep[0] = keep[-1] = True
    stack = [(0, t.size - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        tt = t[a + 1:b]
        line = v[a] + (v[b] - v[a]) * (tt - t[a]) / (t[b] - t[a])
        err = np.abs(v[a + 1:b] - line)
        j = int(np.argmax(err))
        if err[j] > tol:
            m = a + 1 + j
            keep[m] = True
            stack += [(a, m), (m, b)]
    return np.flatnonzero(keep).tolist()


def ride_points(gain_db: np.ndarray, frame_s: float, start_s: float, s: RideSettings) -> tuple[EnvelopePoint, ...]:
    """The gain curve as few linear points as keep it within the tolerance, at most
    ``max_points_per_s`` on average (the tolerance grows until it fits)."""
    t = start_s + (np.arange(gain_db.size) + 0.5) * frame_s
    g = np.round(gain_db, 4)
    tol = s.tolerance_db
    limit = max(2, int(math.floor(s.max_points_per_s * gain_db.size * frame_s)))
    while True:
        idx = simplify(t, g, tol)
        if len(idx) <= limit:
            break
        tol *= 1.25
    return tuple(EnvelopePoint(round(float(t[i]), 6), round(float(g[i]), 3), "linear") for i in idx)


# ------------------------------------------------------------------------------------------------
# dips between phrases
# ------------------------------------------------------------------------------------------------
def dip_points(spans: list[tuple[float, float]], start_s: float, end_s: float,
               s: DipSettings) -> tuple[EnvelopePoint, ...]:
    """0 dB over every phrase, ``depth`` over the gaps between (and before / after) them: the fade
    down starts ``hold_s`` after a phrase ends, the fade up ends ``lead_s`` before one starts."""
    depth = round(s.depth_db * s.amount / 100.0, 3)
    pts: list[EnvelopePoint] = []
    first_a = spans[0][0]
    up_end = first_a - s.lead_s
    if up_end - s.fade_s - start_s >= s.min_gap_s:  # the lead-in before the first phrase
        pts += [EnvelopePoint(round(up_end - s.fade_s, 6), depth), EnvelopePoint(round(up_end, 6), 0.0)]
    for (_, b), (a2, _) in zip(spans, spans[1:]):
        down0, down1 = b + s.hold_s, b + s.hold_s + s.fade_s
        up0, up1 = a2 - s.lead_s - s.fade_s, a2 - s.lead_s
        if up0 - down1 >= s.min_gap_s:
            pts += [EnvelopePoint(round(down0, 6), 0.0), EnvelopePoint(round(down1, 6), depth),
                    EnvelopePoint(round(up0, 6), depth), EnvelopePoint(round(up1, 6), 0.0)]
    last_b = spans[-1][1]
    if end_s - (last_b + s.hold_s + s.fade_s) >= s.min_gap_s:  # the tail after the last phrase
        pts += [EnvelopePoint(round(last_b + s.hold_s, 6), 0.0),
                EnvelopePoint(round(last_b + s.hold_s + s.fade_s, 6), depth)]
    return tuple(p for p in pts if p.time_s >= 0.0)
