"""ReaEQ model: one RBJ-cookbook biquad per enabled band, in band order, then the global gain.

R. Bristow-Johnson, "Cookbook formulae for audio EQ biquad filter coefficients", built the way
the cookbook derives them: each band's analog prototype ``H(s)`` (normalised to the band
frequency), then the bilinear transform ``s = K (1 - z^-1)/(1 + z^-1)`` with ``K = 1/tan(w0/2)``
so the band frequency maps exactly. Q comes from the bandwidth in octaves for every band type,
``1/Q = 2 sinh(ln2/2 * BW * w0/sin w0)`` (the cookbook's digital-BW relation; see
:mod:`.uncertain`). Every filter is 2nd order: low/high pass fall at 12 dB per octave.
Input and output are ``(channels, samples)`` float64. This is the emulator's own filter code,
independent of the product's (issue 12 point 5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from reaper_assist.emulator.engine import _dyn
from reaper_assist.emulator.engine import uncertain as U
from reaper_assist.errors import ParameterError
from reaper_assist.plugins.reaeq import BANDTYPE_NAMES, FREQ_MAX_HZ, FREQ_MIN_HZ, EqSettings
from reaper_assist.units import db_to_amp

BW_MIN_OCT, BW_MAX_OCT = 0.01, 4.0
GAIN_MAX_DB = 12.05  # linear 4.0 (facts Q1: +12.04 dB); a little slack for rounding
_KIND = {0: "lowshelf", 1: "highshelf", 2: "peak", 3: "lowpass", 4: "highpass", 5: "allpass",
         6: "notch", 7: "bandpass", 8: "peak", 9: "peak", 10: "bandpass"}  # BANDTYPE -> prototype


def analog_prototype(kind: str, q: float, a: float) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """``((b2, b1, b0), (a2, a1, a0))`` of the cookbook's analog ``H(s)`` for a band at s = j:
    ``H(s) = (b2 s^2 + b1 s + b0) / (a2 s^2 + a1 s + a0)``. ``a`` is ``10^(dB/40)`` (shelves
    and peaking only)."""
    iq = 1.0 / q
    if kind == "lowpass":
        return (0.0, 0.0, 1.0), (1.0, iq, 1.0)
    if kind == "highpass":
        return (1.0, 0.0, 0.0), (1.0, iq, 1.0)
    if kind == "bandpass":  # constant 0 dB peak gain
        return (0.0, iq, 0.0), (1.0, iq, 1.0)
    if kind == "notch":
        return (1.0, 0.0, 1.0), (1.0, iq, 1.0)
    if kind == "allpass":
        return (1.0, -iq, 1.0), (1.0, iq, 1.0)
    if kind == "peak":
        return (1.0, a * iq, 1.0), (1.0, iq / a, 1.0)
    r = math.sqrt(a) * iq
    if kind == "lowshelf":
        return (a * 1.0, a * r, a * a), (a, r, 1.0)
    return (a * a, a * r, a * 1.0), (1.0, r, a)  # highshelf


def bilinear(b: tuple[float, float, float], a: tuple[float, float, float], k: float) -> np.ndarray:
    """The bilinear transform ``s = k (1 - z^-1)/(1 + z^-1)`` of a 2nd-order ``H(s)``, as a
    second-order section ``[b0, b1, b2, 1, a1, a2]`` (multiply through by ``(1 + z^-1)^2``)."""
    def digital(c2: float, c1: float, c0: float) -> tuple[float, float, float]:
        k2 = c2 * k * k
        return k2 + c1 * k + c0, 2.0 * (c0 - k2), k2 - c1 * k + c0

    nb, na = digital(*b), digital(*a)
    return np.array([nb[0] / na[0], nb[1] / na[0], nb[2] / na[0], 1.0, na[1] / na[0], na[2] / na[0]])


def cookbook_sos(kind: str, freq_hz: float, gain_db: float, bw_oct: float, sample_rate: float) -> np.ndarray:
    """One cookbook biquad: the band frequency clamped to :data:`.uncertain.EQ_NYQUIST_FRACTION`
    of the rate; a peaking band at -inf dB is a notch, a shelf's gain floored at
    :data:`.uncertain.EQ_SHELF_FLOOR_DB` (:mod:`.uncertain`)."""
    f = min(freq_hz, U.EQ_NYQUIST_FRACTION * sample_rate)
    w0 = 2.0 * math.pi * f / sample_rate
    q = 1.0 / (2.0 * math.sinh(math.log(2.0) / 2.0 * bw_oct * w0 / math.sin(w0)))
    if kind == "peak" and gain_db == -math.inf:
        kind = "notch"
    if kind in ("lowshelf", "highshelf"):
        gain_db = max(gain_db, U.EQ_SHELF_FLOOR_DB)
    a = 10.0 ** (gain_db / 40.0) if kind in ("peak", "lowshelf", "highshelf") else 1.0
    b, den = analog_prototype(kind, q, a)
    return bilinear(b, den, 1.0 / math.tan(w0 / 2.0))


def _check(band: int, name: str, value: float, lo: float, hi: float, unit: str) -> None:
    if not (isinstance(value, (int, float)) and lo <= value <= hi) or math.isnan(value):
        raise ParameterError(
            f"ReaEQ band {band} parameter {name!r}: {value!r} {unit} outside the range "
            f"[{lo:g}, {hi:g}] {unit}")


def band_sos(band_type: int, freq_hz: float, gain_db: float, bw_oct: float, sample_rate: float,
             *, band: int = 1) -> np.ndarray:
    """One band's biquad as a second-order section ``[b0, b1, b2, 1, a1, a2]``.

    Parameters
    ----------
    band_type : int
        ``BANDTYPE`` code (facts 2.1): 0 low shelf, 1 high shelf, 3 low pass, 4 high pass,
        5 all pass, 6 notch, 7 band pass, 8 band (peaking); 2/9 as 8, 10 as 7.
    freq_hz, gain_db, bw_oct : float
        Centre/corner frequency, gain (shelves and peaking only) and bandwidth in octaves.
    sample_rate : float
        Hz.
    band : int
        1-based band number, for error messages.

    Raises
    ------
    ParameterError
        Unknown band type, or a value outside ReaEQ's range (naming band, parameter, range).
    """
    if band_type not in _KIND:
        raise ParameterError(f"ReaEQ band {band} type {band_type!r} outside the known codes "
                             f"{sorted(BANDTYPE_NAMES)}")
    _check(band, "freq_hz", freq_hz, FREQ_MIN_HZ, FREQ_MAX_HZ, "Hz")
    _check(band, "gain_db", gain_db, -math.inf, GAIN_MAX_DB, "dB")
    _check(band, "bw_oct", bw_oct, BW_MIN_OCT, BW_MAX_OCT + 1e-9, "oct")
    return cookbook_sos(_KIND[band_type], freq_hz, gain_db, bw_oct, sample_rate)


def settings_sos(settings: EqSettings, sample_rate: float) -> tuple[np.ndarray, float]:
    """``(sos, global_gain_linear)`` of ReaEQ settings: enabled bands only, in band order."""
    rows = [band_sos(b.type, b.freq_hz, b.gain_db, b.bw_oct, sample_rate, band=k + 1)
            for k, b in enumerate(settings.bands) if b.enabled]
    g = settings.global_gain_db
    gain = db_to_amp(g)
    sos = np.array(rows) if rows else np.zeros((0, 6))
    return sos, gain


def process(audio: np.ndarray, sample_rate: float, segments: Sequence[tuple[int, EqSettings]]) -> np.ndarray:
    """Run ReaEQ over ``audio`` ``(channels, samples)``.

    ``segments`` is ``[(start_sample, settings), ...]`` in time order (the first starts at 0):
    settings change at block boundaries under automation; the filter state carries over (it
    starts afresh where the number of enabled bands changes). One compiled pass
    (:func:`._kernels.biquads`, the transposed direct form II of ``scipy.signal.sosfilt``).
    """
    x = np.ascontiguousarray(audio, dtype=np.float64)
    rows: dict[tuple, np.ndarray] = {}  # one band's biquad, computed once per distinct setting

    def section(k: int, b) -> np.ndarray:
        key = (k, b.type, b.freq_hz, b.gain_db, b.bw_oct)
        if key not in rows:
            rows[key] = band_sos(b.type, b.freq_hz, b.gain_db, b.bw_oct, sample_rate, band=k + 1)
        return rows[key]

    coefs = [[section(k, b) for k, b in enumerate(st.bands) if b.enabled] for _, st in segments]
    nsec = np.array([len(c) for c in coefs], dtype=np.int64)
    table = np.zeros((len(coefs), max(int(nsec.max()), 1), 6))
    for k, c in enumerate(coefs):
        if c:
            table[k, :len(c)] = c
    bounds = np.array([s for s, _ in segments] + [x.shape[1]], dtype=np.int64)
    reset = np.concatenate(([True], nsec[1:] != nsec[:-1]))  # band count changed: fresh state
    gains = np.array([db_to_amp(st.global_gain_db) for _, st in segments])
    return _dyn.run("biquads", x, table, nsec, bounds, reset, gains)
