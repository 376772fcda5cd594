"""Match a reference's tone, pure decisions: the target curve (the difference between two
smoothed long-term spectra) fitted with at most 8 ReaEQ bands (a low shelf, a high shelf and
peaks), scaled by the amount, and the fit's residual.

The curve is the reference's 1/3-octave-smoothed mid spectrum less the mix's, on a 1/12-octave
grid from 40 Hz to 16 kHz, with its mean taken out (the level is the loudness stage's job). The
bands are the RBJ-cookbook biquads the ReaEQ model uses (:func:`reaper_assist.dsp.rbj_sos`),
fitted by least squares (scipy.optimize.least_squares) from a greedy start: shelves from the
curve's ends, then peaks at the largest remaining deviations. ``amount`` (0-1) scales every
band's gain in dB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reaper_assist.dsp import rbj_sos
from reaper_assist.errors import ParameterError

LOW_SHELF, HIGH_SHELF, BAND = 0, 1, 8  # ReaEQ BANDTYPE codes (plugins.reaeq.BANDTYPE_NAMES)
MAX_BANDS = 8
FIT_LO_HZ, FIT_HI_HZ = 40.0, 16000.0  # issue 17: the spectra are compared 40 Hz-16 kHz
GRID_PER_OCT = 12
SMOOTH_OCT = 1.0 / 3.0
GAIN_LIMIT_DB = 12.0  # ReaEQ's band gain range in the plugin map (+-12 dB shown, facts Q1)
PEAK_BW_OCT = (0.3, 3.0)
SHELF_BW_OCT = (0.5, 2.5)
SHELF_FREQ_HZ = {LOW_SHELF: (40.0, 400.0), HIGH_SHELF: (2000.0, 14000.0)}
MIN_GAIN_DB = 0.25  # a band that moves less than this is dropped (inaudible, one band saved)
TYPES = {LOW_SHELF: "lowshelf", HIGH_SHELF: "highshelf", BAND: "peak"}


@dataclass(frozen=True)
class MatchBand:
    band_type: int
    freq_hz: float
    gain_db: float
    bw_oct: float
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToneFit:
    bands: tuple[MatchBand, ...]
    grid_hz: np.ndarray
    target_db: np.ndarray  # the curve to match (mean removed)
    response_db: np.ndarray  # the bands' response at amount
    residual_db: float  # RMS of target x amount - response over the grid
    mean_abs_before_db: float  # mean |target| over the grid

    def to_json(self) -> dict[str, Any]:
        return {"bands": len(self.bands), "residual_rms_db": self.residual_db,
                "difference_mean_abs_db": self.mean_abs_before_db,
                "predicted_mean_abs_after_db": float(np.mean(np.abs(self.target_db - self.response_db)))}


def fit_grid() -> np.ndarray:
    n = int(round(GRID_PER_OCT * math.log2(FIT_HI_HZ / FIT_LO_HZ))) + 1
    return FIT_LO_HZ * 2.0 ** (np.arange(n) / GRID_PER_OCT)


def smoothed_on_grid(freqs_hz: np.ndarray, power_db: np.ndarray, grid_hz: np.ndarray) -> np.ndarray:
    """The fine spectrum power-averaged over 1/3 octave around each grid frequency (dB)."""
    f = np.asarray(freqs_hz, dtype=np.float64)
    p = 10.0 ** (np.asarray(power_db, dtype=np.float64) / 10.0)
    c = np.concatenate([[0.0], np.cumsum(p)])
    lo = np.searchsorted(f, grid_hz * 2.0 ** (-SMOOTH_OCT / 2))
    hi = np.searchsorted(f, grid_hz * 2.0 ** (SMOOTH_OCT / 2))
    mean = (c[hi] - c[lo]) / np.maximum(hi - lo, 1)
    return 10.0 * np.log10(np.maximum(mean, 1e-30))


def band_db(kind: int, freq_hz: float, gain_db: float, bw_oct: float, grid_hz: np.ndarray,
            sample_rate: float) -> np.ndarray:
    """Magnitude response (dB) of one band at ``grid_hz``."""
    b0, b1, b2, _, a1, a2 = rbj_sos(TYPES[kind], freq_hz, gain_db, bw_oct, sample_rate)
    z = np.exp(-1j * 2.0 * np.pi * grid_hz / sample_rate)
    h = (b0 + b1 * z + b2 * z * z) / (1.0 + a1 * z + a2 * z * z)
    return 20.0 * np.log10(np.maximum(np.abs(h), 1e-12))


def response_db(bands, grid_hz: np.ndarray, sample_rate: float) -> np.ndarray:
    out = np.zeros_like(grid_hz)
    for b in bands:
        out += band_db(b.band_type, b.freq_hz, b.gain_db, b.bw_oct, grid_hz, sample_rate)
    return out


def _unpack(x: np.ndarray, kinds: list[int]) -> list[MatchBand]:
    return [MatchBand(k, float(2.0 ** x[3 * i]), float(x[3 * i + 1]), float(x[3 * i + 2])) for i, k in enumerate(kinds)]


def _bounds(kinds: list[int], grid_hz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = [], []
    for k in kinds:
        f_lo, f_hi = SHELF_FREQ_HZ.get(k, (float(grid_hz[0]), float(grid_hz[-1])))
        bw = PEAK_BW_OCT if k == BAND else SHELF_BW_OCT
        lo += [math.log2(f_lo), -GAIN_LIMIT_DB, bw[0]]
        hi += [math.log2(f_hi), GAIN_LIMIT_DB, bw[1]]
    return np.array(lo), np.array(hi)


def _start(target: np.ndarray, grid_hz: np.ndarray, sample_rate: float, n_bands: int) -> tuple[list[int], list[float]]:
    """Greedy start: both shelves from the mean of the curve's bottom and top octave, then peaks
    where the remaining deviation is largest (1 octave wide, the deviation's size)."""
    kinds: list[int] = [LOW_SHELF, HIGH_SHELF]
    low = float(np.mean(target[grid_hz < 100.0]))
    high = float(np.mean(target[grid_hz > 8000.0]))
    x = [math.log2(100.0), float(np.clip(low, -GAIN_LIMIT_DB, GAIN_LIMIT_DB)), 1.0,
         math.log2(8000.0), float(np.clip(high, -GAIN_LIMIT_DB, GAIN_LIMIT_DB)), 1.0]
    rest = target - response_db(_unpack(np.array(x), kinds), grid_hz, sample_rate)
    for _ in range(n_bands - 2):
        i = int(np.argmax(np.abs(rest)))
        g = float(np.clip(rest[i], -GAIN_LIMIT_DB, GAIN_LIMIT_DB))
        f = float(np.clip(grid_hz[i], grid_hz[1], grid_hz[-2]))
        kinds.append(BAND)
        x += [math.log2(f), g, 1.0]
        rest = rest - band_db(BAND, f, g, 1.0, grid_hz, sample_rate)
    return kinds, x


def fit_bands(target_db: np.ndarray, grid_hz: np.ndarray, sample_rate: float, *, amount: float,
              max_bands: int = MAX_BANDS) -> ToneFit:
    """At most ``max_bands`` shelves and peaks whose response best matches ``target_db`` (the
    full curve), each gain then scaled by ``amount`` (0-1)."""
    from scipy.optimize import least_squares

    if not 0.0 <= amount <= 1.0:
        raise ParameterError(f"match-reference: amount {amount * 100:g} % outside 0..100")
    if not 2 <= max_bands <= MAX_BANDS:
        raise ParameterError(f"match-reference: {max_bands} bands; use 2..{MAX_BANDS}")
    target = np.asarray(target_db, dtype=np.float64)
    kinds, x0 = _start(target, grid_hz, sample_rate, max_bands)
    lo, hi = _bounds(kinds, grid_hz)
    x0a = np.clip(np.array(x0), lo + 1e-9, hi - 1e-9)

    def resid(x: np.ndarray) -> np.ndarray:
        return response_db(_unpack(x, kinds), grid_hz, sample_rate) - target

    sol = least_squares(resid, x0a, bounds=(lo, hi), x_scale="jac", max_nfev=200)
    full = [b for b in _unpack(sol.x, kinds) if abs(b.gain_db) >= MIN_GAIN_DB]
    bands = tuple(MatchBand(b.band_type, b.freq_hz, b.gain_db * amount, b.bw_oct,
                            {"fitted_gain_db": round(b.gain_db, 3), "amount": amount}) for b in full)
    resp = response_db(bands, grid_hz, sample_rate)
    residual = float(np.sqrt(np.mean((target * amount - resp) ** 2)))
    return ToneFit(bands, grid_hz, target, resp, residual, float(np.mean(np.abs(target))))


def parse_aspects(raw: Any) -> tuple[str, ...]:
    """``"tone,loudness"`` (default) or a list of tone, loudness and width."""
    if raw is None or raw == "":
        return ("tone", "loudness")
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    out = tuple(dict.fromkeys(str(a).strip().lower() for a in items if str(a).strip()))
    bad = [a for a in out if a not in ("tone", "loudness", "width")]
    if bad or not out:
        raise ParameterError(f"match-reference: aspects {bad or raw!r}: use tone, loudness and/or width")
    return out


# ------------------------------------------------------------------------------------------------
# width: the side/mid energy ratio, changed by the JS Mid/Side Decoder's Center Level (the mid's gain)
# ------------------------------------------------------------------------------------------------
WIDTH_CAP_DB = 6.0  # the side/mid ratio is moved by at most this much either way (x amount)
MONO_MIX_DB = -40.0  # a side this far under the mid: the mix is mono, there is no width to scale
WIDTH_REACH_DB = 0.5  # the ratio the Center Level reaches must be this close to the one asked
CENTER_RANGE_DB = (-9.0, 9.0)  # the mid gains allowed: the cap and 3 dB more (tracks whose side comes partly
# from their pans need more mid change for the same ratio; beyond this the group's balance would suffer)


@dataclass(frozen=True)
class WidthTerms:
    """Side and mid energies (EQ-weighted, in band) of ``g * U + V`` as quadratics in the mid gain
    ``g``: U is what the decoder's Center Level scales (the mid of each track, then its pan), V
    what it leaves (the side, then the pan). For a master without pan U is the mid alone."""

    side: tuple[float, float, float]  # a, b, c of a g^2 + b g + c
    mid: tuple[float, float, float]

    def ratio_db(self, g: np.ndarray | float) -> np.ndarray:
        g = np.asarray(g, dtype=np.float64)
        s = self.side[0] * g * g + self.side[1] * g + self.side[2]
        m = self.mid[0] * g * g + self.mid[1] * g + self.mid[2]
        return 10.0 * np.log10(np.maximum(s, 1e-300) / np.maximum(m, 1e-300))


def side_mid_db(mid: np.ndarray, side: np.ndarray) -> float:
    """Side over mid energy of band spectra, in dB (finite: each floored, so a mono or an
    inverted-channel signal reads very low or very high instead of failing)."""
    return 10.0 * math.log10(max(float(np.sum(np.abs(side) ** 2)), 1e-300) /
                             max(float(np.sum(np.abs(mid) ** 2)), 1e-300))


def width_terms(um: np.ndarray, us: np.ndarray, vm: np.ndarray, vs: np.ndarray, weight: np.ndarray) -> WidthTerms:
    """The quadratics from the band spectra (complex) of U's and V's mid and side, weighted by
    the EQ's power response."""
    def quad(u: np.ndarray, v: np.ndarray) -> tuple[float, float, float]:
        return (float(np.sum(weight * np.abs(u) ** 2)), float(2.0 * np.sum(weight * np.real(u * np.conj(v)))),
                float(np.sum(weight * np.abs(v) ** 2)))
    return WidthTerms(quad(us, vs), quad(um, vm))


@dataclass(frozen=True)
class WidthFit:
    mix_db: float  # side/mid ratio of the mix after the tone match, before width
    reference_db: float
    asked_db: float  # the change asked: amount x the difference, capped
    center_db: float  # the mid's gain that gives it (true dB)
    reached_db: float  # the ratio predicted with it

    def to_json(self) -> dict[str, Any]:
        return {"mix_side_mid_db": self.mix_db, "reference_side_mid_db": self.reference_db,
                "difference_db": self.reference_db - self.mix_db, "change_db": self.asked_db,
                "cap_db": WIDTH_CAP_DB, "center_level_db": self.center_db, "predicted_side_mid_db": self.reached_db}


def fit_width(terms: WidthTerms, reference_db: float, *, amount: float, where: str) -> WidthFit:
    """The mid gain that moves the side/mid ratio by amount x (reference - mix), the difference
    capped at :data:`WIDTH_CAP_DB`; refused (naming ``where``) when the mix has no side or the
    gain cannot reach the ratio asked."""
    mix = float(terms.ratio_db(1.0))
    if reference_db < MONO_MIX_DB:
        raise ParameterError("match-reference: the reference has no side signal (it is mono): no width to match")
    if reference_db > -MONO_MIX_DB:
        raise ParameterError(f"match-reference: the reference's channels cancel in mono (its side is "
                             f"{reference_db:.1f} dB over its mid: one channel inverted?): no width to match")
    if mix < MONO_MIX_DB:
        raise ParameterError(f"match-reference: {where} has no width to scale: mono (its side is {-mix:.1f} dB under "
                             "its mid); pan its sources apart first, or leave width out of --aspects")
    asked = amount * float(np.clip(reference_db - mix, -WIDTH_CAP_DB, WIDTH_CAP_DB))
    centers = np.arange(CENTER_RANGE_DB[0], CENTER_RANGE_DB[1] + 1e-9, 0.005)
    ratios = terms.ratio_db(10.0 ** (centers / 20.0))
    k = int(np.argmin(np.abs(ratios - (mix + asked))))
    if abs(float(ratios[k]) - (mix + asked)) > WIDTH_REACH_DB:
        raise ParameterError(f"match-reference: the width of {where} cannot be moved by {asked:+.1f} dB with the "
                             f"Mid/Side pair on its tracks (it reaches {float(ratios[k]) - mix:+.1f} dB): its side "
                             "comes from the tracks' pans, not from their own stereo; leave width out of --aspects")
    c = float(centers[k]) if abs(asked) > 1e-9 else 0.0
    return WidthFit(mix, float(reference_db), asked, c, float(terms.ratio_db(10.0 ** (c / 20.0))))


def parse_amount(raw: Any) -> float:
    try:
        a = float(100.0 if raw is None else raw)
    except (TypeError, ValueError):
        raise ParameterError(f"match-reference: amount {raw!r} is not a number") from None
    if not (math.isfinite(a) and 0.0 <= a <= 100.0):
        raise ParameterError(f"match-reference: amount {raw!r} outside 0..100")
    return a / 100.0
