"""Mains hum: a steady tone at 50 or 60 Hz (+-0.5 Hz) and its harmonics, told apart from played notes.

Hum is (1) at the mains frequency: the fundamental is searched within +-0.5 Hz of 50 and 60 Hz on a
long Hann spectrum (zero-padded 4x, parabolic peak interpolation; the fundamental is then refined
by a least-squares fit of every present harmonic's peak, ``f_k = k f0``), and (2) steady: in 1 s
segments the tone is there (``SEG_MIN_EXCESS_DB`` over its local floor) in at least
``STEADY_FRACTION`` of them, at a level that moves less than ``STEADY_SPREAD_DB`` (10th to 90th
percentile). A bass note (A1 = 55 Hz) is not at the mains frequency; a note held at 49 or 61 Hz,
or the partials of played notes, start, decay and change: neither is hum.

The local floor of a harmonic is the median power from ``FLOOR_GAP_BINS`` resolution bins (1/duration)
to ``FLOOR_WIDTH_HZ`` beyond that on either side of it; its excess is its peak power over that floor
(both on the same spectrum). A peak that is no local maximum (the skirt of a nearby note) is no tone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reaper_assist.analysis._validate import as_audio
from reaper_assist.analysis.spectrum import parabolic_peak

MAINS_HZ = (50.0, 60.0)
SEARCH_HZ = 0.5  # the fundamental within +-0.5 Hz of the mains frequency (issue 19)
MAX_HUM_HZ = 1200.0  # harmonics searched up to here
MIN_EXCESS_DB = 10.0  # a harmonic is "there" this far over its local floor (whole-signal spectrum)
PART_S, PARTS_MIN, PARTS_MAX = 1.5, 2, 4  # steadiness: the audio in 2-4 parts of about 1.5 s
STEADY_SPREAD_DB = 6.0  # a steady tone's level drops less than this below its median in any part
RANGE_DB = 30.0  # harmonics further than this under the strongest line are not counted (a note's partial)
HARMONIC_DROP_DB = 10.0  # the other harmonics, riding on a steady anchor: a note's partial leaves for good
COMB_TOL_HZ, COMB_TOL_PER_K_HZ = 0.1, 0.02  # a harmonic's peak lies this close to k x f0
FLOOR_GAP_BINS = 3.0  # the local floor starts this many resolution bins (1/duration) from the tone
FLOOR_WIDTH_HZ = 10.0  # and spans this far beyond
MIN_DURATION_S = 2.0  # shorter audio cannot show that a tone is steady
PAD = 4


@dataclass(frozen=True)
class Harmonic:
    k: int
    freq_hz: float
    level_dbfs: float  # the sinusoid's RMS level (peak of the window-normalised spectrum)
    excess_db: float  # over the local floor
    spread_db: float  # how far its level drops below its median in the quietest part of the audio


@dataclass(frozen=True)
class HumResult:
    found: bool
    mains_hz: float | None  # 50 or 60
    f0_hz: float | None  # the measured fundamental
    harmonics: tuple[Harmonic, ...]  # the present, steady ones only
    why: str  # what was found (or not), in words
    duration_s: float


class _Spectrum:
    """A zero-padded Hann power spectrum (window-normalised: a sinusoid of RMS a reads a^2)."""

    def __init__(self, x: np.ndarray, sr: int) -> None:
        n = x.size
        w = np.hanning(n)
        nfft = 1 << int(np.ceil(np.log2(n * PAD)))
        self.p = np.abs(np.fft.rfft(x * w, nfft)) ** 2 * 2.0 / np.sum(w) ** 2
        self.df = sr / nfft
        self.gap_hz = FLOOR_GAP_BINS * sr / n  # Hann's main lobe is +-2 bins of the unpadded length

    def peak(self, lo_hz: float, hi_hz: float) -> tuple[float, float]:
        """(frequency, power) of the strongest bin in lo..hi, parabolically interpolated in dB;
        power 0 when that bin is no local maximum (the skirt of a tone outside lo..hi)."""
        a, b = int(np.floor(lo_hz / self.df)), int(np.ceil(hi_hz / self.df)) + 1
        i = a + int(np.argmax(self.p[a:b]))
        if not self.p[i - 1] <= self.p[i] >= self.p[i + 1]:
            return i * self.df, 0.0
        d, level = parabolic_peak(*(10 * np.log10(self.p[j] + 1e-30) for j in (i - 1, i, i + 1)))
        return (i + d) * self.df, 10 ** (level / 10)

    def floor(self, f_hz: float) -> float:
        f = np.arange(self.p.size) * self.df
        d = np.abs(f - f_hz)
        m = (d >= self.gap_hz) & (d <= self.gap_hz + FLOOR_WIDTH_HZ)
        return float(np.median(self.p[m])) + 1e-30


def _db(p: float) -> float:
    return float(10 * np.log10(p + 1e-30))


def _measure(sp: _Spectrum, f_hz: float, tol_hz: float) -> tuple[float, float, float]:
    """(peak frequency, level dB, excess dB) of the tone near ``f_hz``."""
    fp, pw = sp.peak(f_hz - tol_hz, f_hz + tol_hz)
    return fp, _db(pw), _db(pw) - _db(sp.floor(f_hz))


def _parts(x: np.ndarray, sr: int) -> list[tuple[int, np.ndarray]]:
    """``(first sample, samples)`` of ``PARTS_MIN..PARTS_MAX`` equal parts of about ``PART_S`` s."""
    k = int(np.clip(x.size / sr // PART_S, PARTS_MIN, PARTS_MAX))
    n = x.size // k
    return [(j * n, x[j * n:(j + 1) * n]) for j in range(k)]


def _spread_db(parts: list[tuple[int, np.ndarray]], f_hz: float, sr: int) -> float:
    """How far the tone at exactly ``f_hz`` drops below its median level in some part (dB; demodulated
    with a Hann window over each part): a steady hum never leaves, a note comes and goes. (Other
    sound at that frequency only adds to some parts: the drop, not the rise, tells.)"""
    levels = []
    for start, seg in parts:
        w = np.hanning(seg.size)
        t = (start + np.arange(seg.size)) / sr
        z = np.sum(w * seg * np.exp(-2j * np.pi * f_hz * t))
        levels.append(_db(float(np.abs(z) ** 2 * 2.0 / np.sum(w) ** 2)))
    return float(np.median(levels) - min(levels))


def _candidate(sp: _Spectrum, parts, mains: float, sr: int) -> tuple[float, list[Harmonic]]:
    """The fundamental near ``mains`` and its present, steady harmonics (the first or second
    harmonic must be there and steady: it anchors the comb)."""
    f1, _, ex1 = _measure(sp, mains, SEARCH_HZ)
    f2, _, ex2 = _measure(sp, 2 * mains, 2 * SEARCH_HZ)
    f0 = f1 if ex1 >= ex2 else f2 / 2  # the stronger of the first two sets the comb
    if abs(f0 - mains) > SEARCH_HZ:
        return f0, []
    found: list[Harmonic] = []
    for k in range(1, int(min(MAX_HUM_HZ, 0.45 * sr) // mains) + 1):
        tol = COMB_TOL_HZ + COMB_TOL_PER_K_HZ * k
        fk, lv, ex = _measure(sp, k * f0, tol)
        if ex < MIN_EXCESS_DB or abs(fk - k * f0) > tol:
            continue
        spread = _spread_db(parts, fk, sr)
        if spread <= HARMONIC_DROP_DB:
            found.append(Harmonic(k, fk, lv, ex, spread))
    if not any(h.k <= 2 and h.spread_db <= STEADY_SPREAD_DB for h in found):
        return f0, []
    top = max(h.level_dbfs for h in found)
    found = [h for h in found if h.level_dbfs >= top - RANGE_DB]
    if found:  # least-squares comb: f_k = k f0, weighted by the excess
        ks = np.array([h.k for h in found], float)
        fs = np.array([h.freq_hz for h in found])
        wts = np.array([10 ** (h.excess_db / 20) for h in found])
        f0 = float(np.sum(wts * ks * fs) / np.sum(wts * ks * ks))
    return f0, found


def find_hum(audio: np.ndarray, sample_rate: int, *, name: str | None = None) -> HumResult:
    """Mains hum in ``audio`` ``(channels, samples)`` (or mono), or why there is none."""
    x = np.atleast_2d(as_audio(audio, name=name)).mean(axis=0)
    dur = x.size / sample_rate
    if dur < MIN_DURATION_S:
        return HumResult(False, None, None, (), f"too short for hum detection: {dur:.2f} s of audio, at least "
                         f"{MIN_DURATION_S:g} s needed to tell a steady hum from a note", dur)
    sp = _Spectrum(x, sample_rate)
    parts = _parts(x, sample_rate)
    best: tuple[float, float, list[Harmonic]] | None = None
    for mains in MAINS_HZ:
        f0, hs = _candidate(sp, parts, mains, sample_rate)
        if hs and (best is None or sum(h.excess_db for h in hs) > sum(h.excess_db for h in best[2])):
            best = (mains, f0, hs)
    if best is not None:
        mains, f0, hs = best
        return HumResult(True, mains, f0, tuple(hs), f"mains hum at {f0:.2f} Hz ({mains:g} Hz mains), "
                         f"{len(hs)} harmonic{'s' if len(hs) != 1 else ''} over the floor: "
                         + ", ".join(f"{h.k}x {h.excess_db:+.0f} dB" for h in hs), dur)
    return HumResult(False, None, None, (), _no_hum_reason(sp, parts, sample_rate), dur)


def _no_hum_reason(sp: _Spectrum, parts, sr: int) -> str:
    """No hum: and a steady low tone away from the mains frequencies, if there is one (off-frequency hum)."""
    f, lv, ex = _measure(sp, 85.0, 45.0)  # the strongest tone in 40..130 Hz
    if ex >= MIN_EXCESS_DB and _spread_db(parts, f, sr) <= STEADY_SPREAD_DB and \
            all(abs(f - m * k) > SEARCH_HZ * k for m in MAINS_HZ for k in (1, 2)):
        return (f"no mains hum: the steady tone at {f:.2f} Hz ({ex:+.0f} dB over the floor) is not at 50 or 60 Hz "
                f"(+-{SEARCH_HZ:g} Hz), so it is not notched")
    return "no mains hum found (no steady tone within +-0.5 Hz of 50 or 60 Hz or twice that)"
