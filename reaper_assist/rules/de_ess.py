"""De-ess decisions, pure: how far each sibilant event dips, the band's EQ gain that gives that
dip, and the gain envelope's points (times on the project timeline, values in dB).

An event's *excess* is its sibilance-range energy over the voice's own level there (the median of
its voiced frames that are not sibilant). It dips by ``min(excess, reduction_db) x amount``: the
band's energy during the event falls by that much, never by more than the excess (a mild "s" is
brought to the voice's level, not under it). The EQ gain that gives that fall is found on the
event's own spectrum through an RBJ-cookbook model of the band (a peak or high-shelf band's gain
lowers the band's edges less than its centre), capped at ``max_depth_db``.

Points per event: 0 dB ``attack_ms`` before its start, the dip from its start to its end, 0 dB
again ``release_ms`` after its end (linear ramps). Events closer than a ramp pair are merged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.signal import sosfreqz

from reaper_assist.dsp import rbj_sos
from reaper_assist.errors import ParameterError
from reaper_assist.rules.automation import _num
from reaper_assist.rules.steps import EnvelopePoint

SHAPES = {"peak": (8, "peak"), "shelf": (1, "highshelf")}  # our name -> (ReaEQ BANDTYPE, cookbook kind)
MIN_DIP_DB = 0.5  # an event that would dip less is left alone
SAME_DB = 0.01


@dataclass(frozen=True)
class DeEssSettings:
    reduction_db: float  # the target fall of the band's energy during a sibilant
    max_depth_db: float  # the band's EQ gain never goes under -max_depth_db
    attack_ms: float
    release_ms: float
    min_ratio_db: float  # a frame is sibilant when the sibilance range is this far over the body
    shape: str  # "peak" or "shelf"
    amount: float

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> DeEssSettings:
        shape = raw.get("shape", "peak")
        if shape not in SHAPES:
            raise ParameterError(f"setting 'shape' = {shape!r}: 'peak' or 'shelf'")
        return cls(_num(raw, "reduction_db", 0.5, 24.0), _num(raw, "max_depth_db", 1.0, 24.0),
                   _num(raw, "attack_ms", 1.0, 50.0), _num(raw, "release_ms", 5.0, 500.0),
                   _num(raw, "min_ratio_db", -20.0, 40.0), str(shape), _num(raw, "amount", 0.0, 100.0))

    def to_json(self) -> dict[str, Any]:
        return {"reduction_db": self.reduction_db, "max_depth_db": self.max_depth_db, "attack_ms": self.attack_ms,
                "release_ms": self.release_ms, "min_ratio_db": self.min_ratio_db, "shape": self.shape,
                "amount": self.amount}


@dataclass(frozen=True)
class Band:
    """The EQ band: BANDTYPE, frequency, bandwidth, and the range it works on (Hz)."""

    band_type: int
    kind: str
    freq_hz: float
    bw_oct: float
    lo_hz: float
    hi_hz: float


def band_for(lo_hz: float, hi_hz: float, shape: str, sample_rate: float) -> Band:
    """A peak centred (geometrically) on ``lo..hi`` with that bandwidth (0.5-3 octaves), or a
    high shelf from ``lo`` up."""
    bt, kind = SHAPES[shape]
    bw = float(np.clip(math.log2(hi_hz / lo_hz), 0.5, 3.0))
    if shape == "shelf":
        return Band(bt, kind, lo_hz, 1.0, lo_hz, min(hi_hz, 0.45 * sample_rate))
    centre = math.sqrt(lo_hz * hi_hz)
    return Band(bt, kind, centre, bw, centre * 2 ** (-bw / 2), centre * 2 ** (bw / 2))


def response_power(band: Band, gain_db: float, freqs: np.ndarray, sample_rate: float) -> np.ndarray:
    """``|H(f)|^2`` of the band at ``gain_db``."""
    sos = rbj_sos(band.kind, band.freq_hz, gain_db, band.bw_oct, sample_rate)[None, :]
    _, h = sosfreqz(sos, worN=freqs, fs=sample_rate)
    return np.abs(h) ** 2


def fall_db(band: Band, gain_db: float, freqs: np.ndarray, spectrum: np.ndarray, sample_rate: float) -> float:
    """How far the band's energy (``lo..hi``) of ``spectrum`` falls under a band gain of ``gain_db``."""
    m = (freqs >= band.lo_hz) & (freqs <= band.hi_hz)
    e0 = float(spectrum[m].sum())
    if e0 <= 0:
        return 0.0
    e1 = float((spectrum[m] * response_power(band, gain_db, freqs[m], sample_rate)).sum())
    return -10 * math.log10(max(e1, 1e-30) / e0)


def gain_for_fall(band: Band, fall: float, freqs: np.ndarray, spectrum: np.ndarray, sample_rate: float,
                  max_depth_db: float) -> float:
    """The band gain (dB, <= 0) whose fall on ``spectrum`` is ``fall`` dB, capped at -max_depth."""
    if fall_db(band, -max_depth_db, freqs, spectrum, sample_rate) <= fall:
        return -max_depth_db
    lo, hi = -max_depth_db, 0.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if fall_db(band, mid, freqs, spectrum, sample_rate) > fall:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def merge_events(events: list[tuple[float, float]], s: DeEssSettings) -> list[tuple[float, float]]:
    """Events whose ramps would overlap (closer than attack + release + 10 ms) as one."""
    gap = (s.attack_ms + s.release_ms) / 1000.0 + 0.010
    out: list[list[float]] = []
    for a, b in events:
        if out and a - out[-1][1] < gap:
            out[-1][1] = b
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def dip_points(dips: list[tuple[float, float, float]], s: DeEssSettings) -> tuple[EnvelopePoint, ...]:
    """``[(start_s, end_s, gain_db)]`` (timeline) as linear points: down over the attack before
    the start, held, back up over the release after the end."""
    att, rel = s.attack_ms / 1000.0, s.release_ms / 1000.0
    pts: list[EnvelopePoint] = []
    for a, b, g in dips:
        g = round(g, 3)
        pts += [EnvelopePoint(round(max(0.0, a - att), 6), 0.0), EnvelopePoint(round(a, 6), g),
                EnvelopePoint(round(b, 6), g), EnvelopePoint(round(b + rel, 6), 0.0)]
    return tuple(pts)
