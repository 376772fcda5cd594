"""The emulator's loudness meter for ``RENDER_STATS`` and its true-peak detector (ReaLimit).

Independent of the product's ``reaper_assist.analysis`` (issue 12 point 5): integrated loudness
is pyloudnorm's (ITU-R BS.1770-4 K-weighting and two-stage gating), with its ``"DeMan"`` filter
class, whose coefficients are BS.1770-4's Tables 1 and 2 at 48 kHz (pyloudnorm's default
``"K-weighting"`` class rounds the filter parameters and reads a 997 Hz sine 0.04 LU low). The
momentary (400 ms) and short-term (3 s) series of EBU Tech 3341 are windows of that K-weighted
signal starting every :data:`.uncertain.STATS_HOP_S`; the loudness range is EBU Tech 3342 on the
short-term series (pyloudnorm's ``loudness_range`` appends 1.5 s of silence, which gives a
steady tone a range of 2.4 LU, so it is not used). True peak is the signal oversampled by
:func:`scipy.signal.resample_poly` (BS.1770-4 Annex 2: 4x below 96 kHz).
pyloudnorm wants ``(samples, channels)``: the one transposition is in :func:`_for_pyloudnorm`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from reaper_assist.emulator.engine import uncertain as U

MOMENTARY_S = 0.4  # EBU Tech 3341
SHORT_TERM_S = 3.0
FILTER_CLASS = "DeMan"  # pyloudnorm's BS.1770-4 coefficients (see the module docstring)
ABSOLUTE_GATE_LUFS = -70.0  # BS.1770-4 and EBU Tech 3342
LRA_RELATIVE_GATE_LU = -20.0  # EBU Tech 3342
LRA_PERCENTILES = (10.0, 95.0)
TRUE_PEAK_BLOCK = 1 << 16  # samples per oversampled block (bounds the memory)
TRUE_PEAK_PAD = 48  # input samples of context on each side of a block (> the filter's reach)


@dataclass(frozen=True)
class Stats:
    """One target's figures (dB re full scale, LUFS, LU); ``-inf`` where nothing was measured."""

    integrated_lufs: float
    rms_db: float
    sample_peak_db: float
    max_momentary_lufs: float
    max_short_term_lufs: float
    lra_lu: float
    clipped: int


def _for_pyloudnorm(audio: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(audio, dtype=np.float64).T)


def _k_weighted(meter, audio: np.ndarray) -> np.ndarray:
    """``(channels, samples)`` through the meter's K-weighting stages (pyloudnorm's filters)."""
    y = np.array(audio, dtype=np.float64)
    for stage in meter._filters.values():
        for c in range(y.shape[0]):
            y[c] = stage.apply_filter(y[c])
    return y


def _window_lufs(power: np.ndarray, sample_rate: int, window_s: float) -> np.ndarray:
    """Loudness of every ``window_s`` window starting each :data:`.uncertain.STATS_HOP_S`
    (BS.1770-4 eq. 2, channel weights 1 for L and R); empty when the signal is shorter."""
    w = int(round(window_s * sample_rate))
    hop = int(round(U.STATS_HOP_S * sample_rate))
    n = power.shape[0]
    if n < w:
        return np.zeros(0)
    c = np.concatenate(([0.0], np.cumsum(power)))
    starts = np.arange(0, n - w + 1, hop)
    ms = np.maximum((c[starts + w] - c[starts]) / w, 0.0)
    with np.errstate(divide="ignore"):
        return -0.691 + 10.0 * np.log10(ms)


def _max(lufs: np.ndarray) -> float:
    return float(lufs.max()) if lufs.size else -math.inf


def loudness_range(short_term_lufs: np.ndarray) -> float:
    """EBU Tech 3342: the spread between the 10th and 95th percentiles of the short-term
    loudness values above the absolute gate and within 20 LU of their (power) mean; 0 LU when
    none pass."""
    st = short_term_lufs[short_term_lufs >= ABSOLUTE_GATE_LUFS]
    if st.size == 0:
        return 0.0
    mean_lufs = 10.0 * math.log10(float(np.mean(10.0 ** (st / 10.0))))
    st = st[st >= mean_lufs + LRA_RELATIVE_GATE_LU]
    if st.size == 0:
        return 0.0
    lo, hi = np.percentile(st, LRA_PERCENTILES)
    return float(hi - lo)


def stats(audio: np.ndarray, sample_rate: int) -> Stats:
    """Measure one rendered target ``(channels, samples)``, 1.0 = 0 dBFS."""
    import pyloudnorm

    x = np.asarray(audio, dtype=np.float64)
    n = x.shape[1]
    peak = float(np.max(np.abs(x))) if n else 0.0
    clipped = int(np.count_nonzero(np.abs(x) >= U.STATS_CLIP_LEVEL))
    if n == 0 or peak == 0.0:
        return Stats(-math.inf, -math.inf, -math.inf, -math.inf, -math.inf, 0.0, clipped)
    # a fresh meter per call: pyloudnorm's Meter keeps state between calls
    meter = pyloudnorm.Meter(sample_rate, filter_class=FILTER_CLASS)
    k = _k_weighted(meter, x)
    integrated = -math.inf
    if n >= MOMENTARY_S * sample_rate:
        # pyloudnorm's gating on the signal K-weighted above: the same filters, stage by stage and
        # channel by channel as integrated_loudness applies them, so the same numbers, without
        # filtering every dry run's audio twice (the meter's filters cleared for this one call)
        meter._filters = {}
        with warnings.catch_warnings():  # pyloudnorm warns on the log of silent blocks
            warnings.simplefilter("ignore")
            integrated = float(meter.integrated_loudness(_for_pyloudnorm(k)))
    power = np.sum(np.square(k), axis=0)
    short_term = _window_lufs(power, sample_rate, SHORT_TERM_S)
    return Stats(
        integrated_lufs=integrated if math.isfinite(integrated) else -math.inf,
        rms_db=10.0 * math.log10(float(np.mean(np.square(x)))),
        sample_peak_db=20.0 * math.log10(peak),
        max_momentary_lufs=_max(_window_lufs(power, sample_rate, MOMENTARY_S)),
        max_short_term_lufs=_max(short_term),
        lra_lu=loudness_range(short_term),
        clipped=clipped,
    )


def oversampling(sample_rate: float) -> int:
    """BS.1770-4 Annex 2: 4x below 96 kHz, 2x below 192 kHz, else none."""
    return 4 if sample_rate < 96000 else 2 if sample_rate < 192000 else 1


# ITU-R BS.1770-4 Annex 2, the example 4x interpolator as the standard publishes it: phase 0
# (the input sample, main tap 0.9722) and phase 1 (a quarter sample later), 12 taps each; phases
# 2 and 3 are phases 1 and 0 reversed (the 48-tap filter is symmetric).
ANNEX2_PHASE_0 = (0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000,
                  -0.0594482421875, 0.1373291015625, 0.9721679687500, -0.1022949218750,
                  0.0476074218750, -0.0266113281250, 0.0148925781250, -0.0083007812500)
ANNEX2_PHASE_1 = (-0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250,
                  -0.1665039062500, 0.4650878906250, 0.7797851562500, -0.2003173828125,
                  0.1015625000000, -0.0582275390625, 0.0330810546875, -0.0189208984375)


def interpolator(up: int) -> np.ndarray:
    """The oversampling FIR for :func:`scipy.signal.resample_poly` (which multiplies it by
    ``up``): BS.1770-4 Annex 2's 48 taps at 4x, interleaved so tap ``4m + p`` is phase p's m-th;
    at 2x (96-192 kHz) its phases 0 and 2 (see :data:`.uncertain.TRUE_PEAK_INTERPOLATOR`)."""
    phases = [ANNEX2_PHASE_0, ANNEX2_PHASE_1, ANNEX2_PHASE_1[::-1], ANNEX2_PHASE_0[::-1]]
    if up == 2:
        phases = [phases[0], phases[2]]
    return np.asarray(phases, dtype=np.float64).T.reshape(-1) / up


def true_peak(x: np.ndarray, sample_rate: float = 48000.0) -> np.ndarray:
    """Per input sample ``k``, the largest magnitude over channels of the oversampled signal in
    ``[k, k + 1)`` (the sample itself included), ``(samples,)``."""
    from scipy.signal import resample_poly

    n = x.shape[1]
    peak = np.abs(x).max(axis=0) if n else np.zeros(0)
    up = oversampling(sample_rate)
    if up == 1 or n == 0:
        return peak
    h = interpolator(up)
    for a in range(0, n, TRUE_PEAK_BLOCK):
        b = min(n, a + TRUE_PEAK_BLOCK)
        lo, hi = max(0, a - TRUE_PEAK_PAD), min(n, b + TRUE_PEAK_PAD)
        y = resample_poly(x[:, lo:hi], up, 1, axis=1, window=h)  # y[up*i + p] lies at input lo + i + p/up
        y = np.abs(y[:, (a - lo) * up:(b - lo) * up]).max(axis=0)
        peak[a:b] = np.maximum(peak[a:b], y.reshape(b - a, up).max(axis=1))
    return peak
