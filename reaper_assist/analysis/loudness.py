"""Loudness and level: ITU-R BS.1770-4, EBU Tech 3341 (meter) and EBU Tech 3342 (LRA).

Everything is computed in one streaming pass over ``(channels, samples)`` blocks:

1. K-weighting (BS.1770-4 Annex 1): a high shelf then the RLB high-pass, applied once, as
   one second-order-section cascade whose state is carried from block to block.
2. The mean square of the K-weighted signal is accumulated per 10 ms *granule* with
   ``numpy.add.reduceat`` (sample-exact boundaries at any rate). Every window the standards
   need is a sum of consecutive granules: the 400 ms gating blocks of BS.1770-4 (75 %
   overlap, i.e. a 100 ms hop), the momentary (400 ms) and short-term (3 s) loudness of
   EBU Tech 3341, and the short-term blocks of the loudness range (EBU Tech 3342). Maxima are
   taken over windows sliding in 10 ms steps, so a burst is never missed by more than 5 ms
   of alignment (< 0.06 LU for a 400 ms burst; Tech 3341 cases 10 and 13 need this).
3. True peak (BS.1770-4 Annex 2): 4x oversampling with the Annex's 48-tap polyphase
   interpolator (12 taps x 4 phases), evaluated only on the 256-sample spans whose samples come
   within 6.1 dB (the interpolator's largest gain) of the peak found so far: the others cannot
   raise it, so the result is exactly the full interpolation's at a fraction of the cost.

Only the granule sums (100 per second per channel) are kept, so memory does not grow with the
block size times the duration. Nothing is stored between calls.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from reaper_assist.analysis._validate import (
    as_audio,
    check_finite_block,
    check_sample_rate,
)
from reaper_assist.errors import InvalidAudioError
from reaper_assist.units import amp_to_db, db_to_amp, db_to_power, power_to_db, power_to_db_array

# --- constants of the standards ---------------------------------------------------------------

#: BS.1770-4 eq. 2: the -0.691 dB that makes a 997 Hz sine read its RMS level in LUFS.
LOUDNESS_OFFSET_DB = -0.691
#: BS.1770-4 section 2.2 (gating): absolute threshold.
ABSOLUTE_GATE_LUFS = -70.0
#: BS.1770-4: relative threshold of the integrated loudness.
RELATIVE_GATE_LU = -10.0
#: EBU Tech 3342: relative threshold of the loudness range.
LRA_RELATIVE_GATE_LU = -20.0
#: EBU Tech 3342: the range is the difference of these percentiles of short-term loudness.
LRA_LOW_PERCENTILE = 10.0
LRA_HIGH_PERCENTILE = 95.0
#: EBU Tech 3341: window lengths (seconds) and the 10 Hz update of the series we return.
MOMENTARY_WINDOW_S = 0.4
SHORT_TERM_WINDOW_S = 3.0
SERIES_HOP_S = 0.1
#: Internal time resolution: windows are sums of granules of this length.
GRANULE_S = 0.01
_GRANULES_PER_HOP = 10
_MOMENTARY_GRANULES = 40
_SHORT_TERM_GRANULES = 300

#: BS.1770-4 Table 1/2: K-weighting coefficients as published for 48 kHz.
_SHELF_48K = (
    (1.53512485958697, -2.69169618940638, 1.19839281085285),
    (1.0, -1.69065929318241, 0.73248077421585),
)
_HIGHPASS_48K = ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621))

#: BS.1770-4 Annex 2: the 4-phase, 12-tap (order 48) true-peak interpolator.
#: Phases 2 and 3 are phases 1 and 0 reversed (the filter is linear-phase).
_TP_PHASE_0 = (
    0.0017089843750,
    0.0109863281250,
    -0.0196533203125,
    0.0332031250000,
    -0.0594482421875,
    0.1373291015625,
    0.9721679687500,
    -0.1022949218750,
    0.0476074218750,
    -0.0266113281250,
    0.0148925781250,
    -0.0083007812500,
)
_TP_PHASE_1 = (
    -0.0291748046875,
    0.0292968750000,
    -0.0517578125000,
    0.0891113281250,
    -0.1665039062500,
    0.4650878906250,
    0.7797851562500,
    -0.2003173828125,
    0.1015625000000,
    -0.0582275390625,
    0.0330810546875,
    -0.0189208984375,
)
_TP_PHASES = np.array([_TP_PHASE_0, _TP_PHASE_1, _TP_PHASE_1[::-1], _TP_PHASE_0[::-1]])
TRUE_PEAK_PHASES = _TP_PHASES  # public: the BS.1770-4 Annex 2 interpolator (ReaLimit's model uses it)
_TP_TAPS = _TP_PHASES.shape[1]
#: Largest gain of any phase to a full-scale input (sum of |taps|): a block whose peak times
#: this cannot exceed the true peak found so far cannot raise it, and is skipped exactly.
_TP_GAIN_BOUND = float(np.abs(_TP_PHASES).sum(axis=1).max())

#: BS.1770-4 Table 3 channel weights: 1.0 for L, R, C; 1.41 for surrounds; LFE excluded.
SURROUND_WEIGHT = 1.41
#: A sample at or above this magnitude counts as clipped (one 16-bit step below full scale).
CLIP_LEVEL = 1.0 - 2.0**-15
#: Samples processed per internal step: keeps temporaries inside the CPU caches.
CHUNK_SAMPLES = 1 << 16
#: True-peak outputs examined together: a span is interpolated only if it can raise the peak.
TP_SPAN = 256


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoudnessResult:
    """Loudness and level of one signal.

    Loudness values follow ITU-R BS.1770-4 and EBU Tech 3341/3342; ``-inf`` means "no
    signal" (digital silence, or nothing above the absolute gate), never an error.

    Attributes
    ----------
    integrated_lufs : float
        Gated integrated loudness (BS.1770-4 section 2.8), LUFS.
    max_momentary_lufs, max_short_term_lufs : float
        Maxima of the 400 ms and 3 s sliding-window loudness (EBU Tech 3341), LUFS,
        windows sliding in 10 ms steps. ``-inf`` if the signal is shorter than the window.
    lra_lu : float
        Loudness range (EBU Tech 3342), LU; 0.0 when no short-term block passes the gates.
    sample_peak_dbfs : float
        Largest absolute sample, dBFS (1.0 = 0 dBFS).
    true_peak_dbtp : float
        Largest absolute value of the 4x oversampled signal (BS.1770-4 Annex 2), dBTP;
        never below the sample peak.
    rms_dbfs : float
        10 log10 of the plain mean square over all channels and samples (no weighting), so a
        full-scale sine reads -3.01 dBFS.
    active_rms_dbfs : float
        The same over the 10 ms granules whose mean square is above ``silence_threshold_dbfs``.
    duration_s : float
        Length of the signal in seconds.
    channels : int
        Number of channels measured.
    too_short : bool
        True when the signal is shorter than one 400 ms gating block: integrated and
        momentary loudness are then ``-inf`` by definition.
    clipped_samples : int
        Number of samples (all channels) at or above :data:`CLIP_LEVEL` in magnitude.
    sample_peak_per_channel_dbfs, true_peak_per_channel_dbtp : tuple of float
        Per-channel peaks, in channel order.
    momentary_lufs, short_term_lufs : tuple of float or None
        Series at a 100 ms hop (window ``i`` ends at ``0.4 + 0.1 i`` s and ``3 + 0.1 i`` s),
        present when asked for with ``series=True``.
    """

    integrated_lufs: float
    max_momentary_lufs: float
    max_short_term_lufs: float
    lra_lu: float
    sample_peak_dbfs: float
    true_peak_dbtp: float
    rms_dbfs: float
    active_rms_dbfs: float
    duration_s: float
    channels: int
    too_short: bool
    clipped_samples: int
    sample_peak_per_channel_dbfs: tuple[float, ...]
    true_peak_per_channel_dbtp: tuple[float, ...]
    momentary_lufs: tuple[float, ...] | None = field(default=None, repr=False)
    short_term_lufs: tuple[float, ...] | None = field(default=None, repr=False)


@dataclass(frozen=True, eq=False)
class Granules:
    """Per-10 ms sums that dynamics and activity measures reuse without a second pass.

    Attributes
    ----------
    sample_rate : float
        Hz.
    counts : ndarray of int, shape (n,)
        Samples in each granule (exactly ``sample_rate / 100`` at the usual rates).
    weighted_energy : ndarray, shape (n,)
        Channel-weighted sum of squares of the K-weighted signal (BS.1770-4 eq. 2 numerator).
    raw_energy : ndarray, shape (n,)
        Sum over channels and samples of the squared (unweighted) signal.
    raw_peak : ndarray, shape (n,) or None
        Largest absolute sample of any channel, when asked for.
    channels : int
    """

    sample_rate: float
    counts: np.ndarray
    weighted_energy: np.ndarray
    raw_energy: np.ndarray
    raw_peak: np.ndarray | None
    channels: int


# --- filter design ------------------------------------------------------------------------------


def k_weighting_sos(sample_rate: float) -> np.ndarray:
    """Second-order sections of the K-weighting filter (BS.1770-4 Annex 1).

    At 48 kHz the coefficients published in BS.1770-4 Tables 1 and 2 are used verbatim. At
    other rates the two stages are redesigned with the bilinear transform from the analogue
    parameters that reproduce the published 48 kHz coefficients (shelf: 1681.97 Hz,
    +3.9998 dB, Q 0.7072; high-pass: 38.135 Hz, Q 0.5003), as libebur128 does.

    Parameters
    ----------
    sample_rate : float
        Hz.

    Returns
    -------
    numpy.ndarray, shape (2, 6)
        ``[b0, b1, b2, a0, a1, a2]`` per section, for :func:`scipy.signal.sosfilt`.
    """
    if sample_rate == 48000.0:
        return np.array([_SHELF_48K[0] + _SHELF_48K[1], _HIGHPASS_48K[0] + _HIGHPASS_48K[1]])
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / sample_rate)
    vh = db_to_amp(gain_db)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf = [
        (vh + vb * k / q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / q + k * k) / a0,
    ]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / sample_rate)
    a0 = 1.0 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    return np.array([shelf, highpass])


def default_channel_weights(channels: int) -> np.ndarray:
    """BS.1770-4 Table 3 weights for a channel count, in WAV/SMPTE channel order.

    5 channels are taken as L R C Ls Rs, 6 as L R C LFE Ls Rs (LFE weighted 0); any other
    count weights every channel 1.0.
    """
    if channels == 5:
        return np.array([1.0, 1.0, 1.0, SURROUND_WEIGHT, SURROUND_WEIGHT])
    if channels == 6:
        return np.array([1.0, 1.0, 1.0, 0.0, SURROUND_WEIGHT, SURROUND_WEIGHT])
    return np.ones(channels)


def _oversampling_factor(sample_rate: float) -> int:
    # BS.1770-4 Annex 2 oversamples 48 kHz by 4, i.e. to >= 192 kHz; fewer phases suffice above.
    if sample_rate < 96000.0:
        return 4
    if sample_rate < 192000.0:
        return 2
    return 1


# --- conversions without warnings (dB itself: reaper_assist.units) ---------------------------


def _lufs(mean_square: np.ndarray) -> np.ndarray:
    """BS.1770-4 eq. 2 on an array of weighted mean squares; 0 maps to -inf silently."""
    return LOUDNESS_OFFSET_DB + power_to_db_array(mean_square)


def _lufs_scalar(mean_square: float) -> float:
    return LOUDNESS_OFFSET_DB + power_to_db(mean_square)


def _window_sums(values: np.ndarray, width: int) -> np.ndarray:
    """Sums over every run of ``width`` consecutive values (exact: silence stays 0)."""
    if values.shape[-1] < width:
        return np.zeros(values.shape[:-1] + (0,), dtype=values.dtype)
    return np.lib.stride_tricks.sliding_window_view(values, width, axis=-1).sum(axis=-1)


# --- the streaming meter ------------------------------------------------------------------------

#: Set to 1 to meter with the numpy path (the reference the compiled kernels are tested against).
NO_KERNELS_ENV = "REAPER_ASSIST_NO_KERNELS"
_KERNELS: list = []  # [module or None, why None] once loaded
_KERNELS_LOCK = threading.Lock()


def kernels_turned_off() -> bool:
    """Whether :data:`NO_KERNELS_ENV` asks for the numpy paths (the meter's and the WAV reader's)."""
    return os.environ.get(NO_KERNELS_ENV, "") not in ("", "0")


def kernels():
    """The compiled kernels (:mod:`._kernels`, loaded and warmed once per process), or None
    when numba is missing, fails, or :data:`NO_KERNELS_ENV` is 1 (the numpy path then)."""
    if kernels_turned_off():
        return None
    with _KERNELS_LOCK:
        if not _KERNELS:
            try:
                from reaper_assist.analysis import _kernels

                _kernels.warm()
                _KERNELS[:] = [_kernels, ""]
            except Exception as exc:  # noqa: BLE001 - numba missing or unable to compile here: numpy instead
                _KERNELS[:] = [None, f"{type(exc).__name__}: {exc}"]
        return _KERNELS[0]


def kernels_problem() -> str:
    """Why :func:`kernels` gave None for a failure (numba missing, failing to load or compile),
    after it was called; "" when the kernels loaded, were not tried, or were turned off."""
    with _KERNELS_LOCK:
        return _KERNELS[1] if _KERNELS else ""


# --- the meter ---------------------------------------------------------------------------------


class _Meter:
    """One pass over blocks; created inside each public call and discarded (no shared state)."""

    def __init__(
        self,
        sample_rate: float,
        channels: int,
        *,
        channel_weights: np.ndarray,
        true_peak: bool,
        granule_peaks: bool,
        name: str | None,
    ):
        self.rate = sample_rate
        self.channels = channels
        self.weights = channel_weights
        self.name = name
        self.sos = k_weighting_sos(sample_rate)
        # state laid out (channels, sections, 2) as the compiled kernel wants it
        self.zi = np.zeros((channels, self.sos.shape[0], 2))
        self.buf = np.empty((channels, CHUNK_SAMPLES))
        self.pos = 0  # samples consumed
        self.k = 0  # index of the granule being filled
        self.pend_w = np.zeros(channels)
        self.pend_raw = 0.0
        self.pend_peak = 0.0
        self.w_parts: list[np.ndarray] = []
        self.raw_parts: list[np.ndarray] = []
        self.peak_parts: list[np.ndarray] | None = [] if granule_peaks else None
        self.ch_peak = np.zeros(channels)
        self.clipped = 0
        self.true_peak = true_peak
        self.os_factor = _oversampling_factor(sample_rate)
        phases = _TP_PHASES[:: 4 // self.os_factor] if self.os_factor > 1 else _TP_PHASES[:1]
        # y[n, p] = sum_k h_p[k] x[n - k]: one float32 scalar per tap and phase
        self.tp_phases = [[np.float32(t) for t in row] for row in phases]
        self.tp_history = np.zeros((channels, _TP_TAPS - 1), dtype=np.float32)
        self.tp_ch = np.zeros(channels)
        self.tp_seg = np.empty(channels * (CHUNK_SAMPLES + _TP_TAPS - 1), dtype=np.float32)
        self.kernels = kernels()
        if self.kernels is not None:
            self.tp_phase_array = np.array(self.tp_phases, dtype=np.float32)
            self.tp_gains = np.abs(self.tp_phase_array.astype(np.float64)).sum(axis=1)  # each phase's bound
            most = int(CHUNK_SAMPLES / (sample_rate * GRANULE_S)) + 3  # granule segments per chunk
            self.w_buf = np.empty((channels, most))
            self.raw_buf = np.empty(most)
            self.pk_buf = np.empty((channels, most))

    def _boundary(self, k: np.ndarray) -> np.ndarray:
        """Index of the first sample after granule ``k`` (rounded to the sample)."""
        return np.floor((k + 1) * self.rate * GRANULE_S + 0.5).astype(np.int64)

    def _k_weight(self, y: np.ndarray) -> None:
        """K-weight ``y`` (channels, n) in place, carrying the filter state (numpy path; scipy is
        imported here, not with the module: the compiled path does not need it)."""
        from scipy.signal import sosfilt

        try:  # the compiled in-place kernel behind sosfilt: saves a copy and a transpose per block
            from scipy.signal._sosfilt import _sosfilt as sosfilt_inplace
        except ImportError:  # pragma: no cover - older/newer scipy layouts
            sosfilt_inplace = None
        if sosfilt_inplace is not None and y.flags.c_contiguous:
            sosfilt_inplace(self.sos, y, self.zi)
            return
        out, zi = sosfilt(self.sos, y, axis=-1, zi=self.zi.transpose(1, 0, 2))
        self.zi = np.ascontiguousarray(zi.transpose(1, 0, 2))
        y[...] = out

    def feed(self, block: np.ndarray) -> None:
        n_total = block.shape[1]
        for start in range(0, n_total, CHUNK_SAMPLES):
            self._feed_chunk(block[:, start : start + CHUNK_SAMPLES])

    def _granule_cuts(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The granule ends in this chunk (relative to it) and the segments' starts."""
        max_new = int(n / (self.rate * GRANULE_S)) + 2
        ends = self._boundary(np.arange(self.k, self.k + max_new))
        ends = ends[ends <= self.pos + n] - self.pos
        cuts = ends[ends < n]
        return ends, np.concatenate(([0], cuts)).astype(np.intp)

    def _feed_chunk(self, x: np.ndarray) -> None:
        n = x.shape[1]
        if n == 0:
            return
        if self.kernels is not None:
            self._feed_chunk_compiled(x)
            return
        p0 = self.pos
        p1 = p0 + n
        raw_sq = (
            np.einsum("ij,ij->j", x, x, dtype=np.float64)
            if self.channels > 1
            else (np.square(x[0], dtype=np.float64))
        )
        y = self.buf[:, :n]
        np.copyto(y, x)
        self._k_weight(y)
        ends, idx = self._granule_cuts(n)  # granule boundaries that fall inside (p0, p1]
        np.multiply(y, y, out=y)
        w = np.add.reduceat(y, idx, axis=1)
        raw = np.add.reduceat(raw_sq, idx)
        if not (math.isfinite(float(raw.sum())) and math.isfinite(float(w.sum()))):
            check_finite_block(x, p0, name=self.name)
        w[:, 0] += self.pend_w
        raw[0] += self.pend_raw
        if self.peak_parts is not None:
            absmax = np.abs(x).max(axis=0) if self.channels > 1 else np.abs(x[0])
            pk = np.maximum.reduceat(absmax, idx)
            pk[0] = max(pk[0], self.pend_peak)
        self._keep_granules(len(ends), w, raw, pk if self.peak_parts is not None else None)
        self.pos = p1
        # peaks
        chunk_peak = np.maximum(x.max(axis=1), -x.min(axis=1))
        np.maximum(self.ch_peak, chunk_peak, out=self.ch_peak)
        if chunk_peak.max() >= CLIP_LEVEL:
            self.clipped += int(np.count_nonzero(np.abs(x) >= CLIP_LEVEL))
        if self.true_peak:
            self._true_peak(x, chunk_peak)

    def _feed_chunk_compiled(self, x: np.ndarray) -> None:
        """:meth:`_feed_chunk` in the compiled kernels (:mod:`._kernels`): one pass for the
        K-weighted and raw granule sums and the peaks, one for the true peak."""
        kern = self.kernels
        assert kern is not None
        n = x.shape[1]
        if x.dtype not in (np.float32, np.float64):
            x = x.astype(np.float64)
        # a mono file on a stereo track (media.stream's stride-0 view): channel 2 is channel 1,
        # so channel 1 is metered and its figures and filter state copied to channel 2
        twin = self.channels == 2 and x.strides[0] == 0
        nch = 1 if twin else self.channels
        ends, idx = self._granule_cuts(n)
        g = len(idx)
        w, raw, pk = self.w_buf[:, :g], self.raw_buf[:g], self.pk_buf[:, :g]
        h = _TP_TAPS - 1
        seg = self.tp_seg[: nch * (n + h)].reshape(nch, n + h)  # contiguous
        at = h if self.true_peak else -1  # the granule pass copies the chunk after the history
        clipped = kern.granules(x[:nch], self.sos, self.zi[:nch], idx, w[:nch], raw, pk[:nch], self.ch_peak[:nch],
                                CLIP_LEVEL, seg, at)
        if twin:
            for a in (self.zi, w, pk, self.ch_peak):
                a[1] = a[0]
            raw *= 2.0  # the sum over both channels of the squared samples
            clipped *= 2
        self.clipped += clipped
        if not (math.isfinite(float(raw.sum())) and math.isfinite(float(w.sum()))):
            check_finite_block(x, self.pos, name=self.name)
        w[:, 0] += self.pend_w
        raw[0] += self.pend_raw
        gpk = None
        if self.peak_parts is not None:
            gpk = pk.max(axis=0)
            gpk[0] = max(gpk[0], self.pend_peak)
        self._keep_granules(len(ends), w, raw, gpk)
        self.pos += n
        if self.true_peak:
            self._true_peak(x[:nch], self.ch_peak, idx, pk[:nch], copied=True)
            if twin:
                self.tp_history[1] = self.tp_history[0]
                self.tp_ch[1] = self.tp_ch[0]

    def _keep_granules(self, complete: int, w: np.ndarray, raw: np.ndarray, pk: np.ndarray | None) -> None:
        """Keep the chunk's complete granules (copies); carry the last, incomplete one over."""
        self.w_parts.append(self.weights @ w[:, :complete])
        self.raw_parts.append(raw[:complete].copy())
        if self.peak_parts is not None and pk is not None:
            self.peak_parts.append(pk[:complete].copy())
        if complete < raw.shape[0]:
            self.pend_w = w[:, -1].copy()
            self.pend_raw = float(raw[-1])
            self.pend_peak = float(pk[-1]) if pk is not None else 0.0
        else:
            self.pend_w = np.zeros(self.channels)
            self.pend_raw = 0.0
            self.pend_peak = 0.0
        self.k += complete

    def _true_peak(self, x: np.ndarray, chunk_peak: np.ndarray, starts: np.ndarray | None = None,
                   seg_peak: np.ndarray | None = None, copied: bool = False) -> None:
        """Raise ``tp_ch`` by the interpolated peaks of this chunk, only where they can matter.

        Outputs are examined :data:`TP_SPAN` at a time. A span whose input magnitude (its own
        samples and the 11 the interpolator reaches back) times :data:`_TP_GAIN_BOUND` cannot
        exceed the channel's floor (the larger of the true peak found so far and the sample
        peak, including this chunk's: the result is never below it) cannot change the result,
        so it is not interpolated: the result equals the full Annex 2 interpolation exactly.
        The loudest span goes first, so its peak raises the floor for the rest.
        """
        nch, n = x.shape  # nch 1 for a stereo meter's mono chunk (the caller copies channel 1 to 2)
        h = _TP_TAPS - 1
        seg = self.tp_seg[: nch * (n + h)].reshape(nch, n + h)  # contiguous
        seg[:, :h] = self.tp_history[:nch]
        if not copied:  # else the granule kernel has copied the chunk there
            seg[:, h:] = x
        hist_peak = np.abs(self.tp_history[:nch]).max(axis=1).astype(np.float64)
        self.tp_history[:nch] = seg[:, n:]
        if self.os_factor == 1:
            return
        if self.kernels is not None:  # spans: the granule segments, whose peaks the granule pass found
            if starts is None or seg_peak is None:
                starts, seg_peak = np.zeros(1, np.intp), np.abs(x).max(axis=1, keepdims=True).astype(np.float64)
            floor = np.maximum(self.tp_ch[:nch], self.ch_peak[:nch])
            self.kernels.true_peak(seg, starts, n, self.tp_phase_array, seg_peak, hist_peak, self.tp_gains, floor)
            self.tp_ch[:nch] = floor
            return
        starts = np.arange(0, n + h, TP_SPAN)
        span_max = np.maximum.reduceat(np.abs(seg), starts, axis=1)
        n_spans = -(-n // TP_SPAN)
        reach = span_max[:, :n_spans].copy()  # span j's outputs read spans j and j + 1
        np.maximum(reach[:, : len(starts) - 1], span_max[:, 1:n_spans + 1], out=reach[:, : len(starts) - 1])
        reach *= _TP_GAIN_BOUND
        floor = np.maximum(self.tp_ch, self.ch_peak)
        for c in range(self.channels):
            todo = np.flatnonzero(reach[c] > floor[c])
            if todo.size == 0:
                continue
            first = todo[np.argmax(reach[c, todo])]
            fl = max(floor[c], self._interpolated_peak(seg[c], np.array([first]), n))
            rest = todo[(todo != first) & (reach[c, todo] > fl)]
            if rest.size:
                fl = max(fl, self._interpolated_peak(seg[c], rest, n))
            self.tp_ch[c] = max(self.tp_ch[c], fl)

    def _interpolated_peak(self, row: np.ndarray, spans: np.ndarray, n: int) -> float:
        """Largest |output| of the interpolator over the given spans of one channel's chunk.

        Plain numpy multiply-adds in float32 (no BLAS: its thread dispatch cost more than the
        arithmetic, issue 20).
        """
        h = _TP_TAPS - 1
        width = TP_SPAN + h
        if spans[-1] * TP_SPAN + width > row.shape[0]:  # the chunk's last span is short: pad it
            padded = np.zeros(spans[-1] * TP_SPAN + width, dtype=row.dtype)
            padded[: row.shape[0]] = row
            row = padded
        windows = np.lib.stride_tricks.sliding_window_view(row, width)[:: TP_SPAN]
        win = windows[spans] if spans.size < windows.shape[0] else windows[: spans.size]
        acc = np.empty((spans.size, TP_SPAN), dtype=np.float32)
        tmp = np.empty_like(acc)
        best = 0.0
        valid = n - spans[-1] * TP_SPAN  # outputs past the chunk's end need samples not yet seen
        for taps in self.tp_phases:
            np.multiply(win[:, h : h + TP_SPAN], taps[0], out=acc)
            for k in range(1, _TP_TAPS):
                np.multiply(win[:, h - k : h - k + TP_SPAN], taps[k], out=tmp)
                acc += tmp
            if valid < TP_SPAN:
                acc[-1, valid:] = 0.0
            best = max(best, float(acc.max()), float(-acc.min()))
        return best

    def finish(
        self, *, series: bool, silence_threshold_dbfs: float
    ) -> tuple[LoudnessResult, Granules]:
        if self.true_peak and self.pos > 0:
            # flush: let the last samples ring out through the interpolator
            self._true_peak(
                np.zeros((self.channels, _TP_TAPS - 1), np.float32), np.zeros(self.channels)
            )
        w = np.concatenate(self.w_parts) if self.w_parts else np.zeros(0)
        raw = np.concatenate(self.raw_parts) if self.raw_parts else np.zeros(0)
        peaks = (
            (np.concatenate(self.peak_parts) if self.peak_parts else np.zeros(0))
            if self.peak_parts is not None
            else None
        )
        counts = np.diff(self._boundary(np.arange(-1, len(w))))
        granules = Granules(self.rate, counts, w, raw, peaks, self.channels)
        n = self.pos

        m_power = _window_sums(w, _MOMENTARY_GRANULES) / np.maximum(
            _window_sums(counts, _MOMENTARY_GRANULES), 1
        )
        s_power = _window_sums(w, _SHORT_TERM_GRANULES) / np.maximum(
            _window_sums(counts, _SHORT_TERM_GRANULES), 1
        )
        # BS.1770-4 gating blocks and the Tech 3341 series: 100 ms hop
        block_power = m_power[::_GRANULES_PER_HOP]
        st_power = s_power[::_GRANULES_PER_HOP]
        integrated = _gated_integrated(block_power)
        lra = _loudness_range(_lufs(st_power))

        total_raw = float(raw.sum()) + self.pend_raw
        rms_dbfs = power_to_db(total_raw / (self.channels * n)) if n else -math.inf
        thr = db_to_power(silence_threshold_dbfs)
        active = raw > thr * self.channels * counts
        n_active = int(counts[active].sum())
        active_rms = (
            power_to_db(float(raw[active].sum()) / (self.channels * n_active))
            if n_active
            else -math.inf
        )

        tp_ch = (
            np.maximum(self.tp_ch, self.ch_peak)
            if self.true_peak
            else np.full(self.channels, math.nan)
        )
        result = LoudnessResult(
            integrated_lufs=integrated,
            max_momentary_lufs=_lufs_scalar(float(m_power.max())) if m_power.size else -math.inf,
            max_short_term_lufs=_lufs_scalar(float(s_power.max())) if s_power.size else -math.inf,
            lra_lu=lra,
            sample_peak_dbfs=amp_to_db(float(self.ch_peak.max())),
            true_peak_dbtp=amp_to_db(float(tp_ch.max())) if self.true_peak else math.nan,
            rms_dbfs=rms_dbfs,
            active_rms_dbfs=active_rms,
            duration_s=n / self.rate,
            channels=self.channels,
            too_short=block_power.size == 0,
            clipped_samples=self.clipped,
            sample_peak_per_channel_dbfs=tuple(amp_to_db(float(p)) for p in self.ch_peak),
            true_peak_per_channel_dbtp=tuple(
                amp_to_db(float(p)) if self.true_peak else math.nan for p in tp_ch
            ),
            momentary_lufs=tuple(_lufs(block_power).tolist()) if series else None,
            short_term_lufs=tuple(_lufs(st_power).tolist()) if series else None,
        )
        return result, granules


def _gated_integrated(block_power: np.ndarray) -> float:
    """BS.1770-4 section 2.8: two-stage gated mean of the 400 ms block powers, LUFS."""
    loud = _lufs(block_power)
    above_abs = loud > ABSOLUTE_GATE_LUFS
    if not above_abs.any():
        return -math.inf
    relative_gate = _lufs_scalar(float(block_power[above_abs].mean())) + RELATIVE_GATE_LU
    gated = above_abs & (loud > relative_gate)
    return _lufs_scalar(float(block_power[gated].mean()))


def _loudness_range(short_term_lufs: np.ndarray) -> float:
    """EBU Tech 3342: P95 - P10 of the gated short-term loudness, LU (0.0 when nothing passes)."""
    st = short_term_lufs[short_term_lufs > ABSOLUTE_GATE_LUFS]
    if st.size == 0:
        return 0.0
    power = db_to_power(st - LOUDNESS_OFFSET_DB)
    relative_gate = _lufs_scalar(float(power.mean())) + LRA_RELATIVE_GATE_LU
    st = st[st > relative_gate]
    if st.size == 0:
        return 0.0
    low, high = np.percentile(st, [LRA_LOW_PERCENTILE, LRA_HIGH_PERCENTILE])
    return float(high - low)


# --- public API ----------------------------------------------------------------------------------


def _weights(channel_weights: Iterable[float] | None, channels: int) -> np.ndarray:
    if channel_weights is None:
        return default_channel_weights(channels)
    w = np.asarray(list(channel_weights), dtype=np.float64)
    if w.shape != (channels,) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise InvalidAudioError(
            f"channel_weights={w.tolist()} must be {channels} finite values >= 0 (one per channel)"
        )
    return w


def measure_loudness(
    audio: np.ndarray,
    sample_rate: float,
    *,
    true_peak: bool = True,
    series: bool = False,
    channel_weights: Iterable[float] | None = None,
    silence_threshold_dbfs: float = -60.0,
    name: str | None = None,
) -> LoudnessResult:
    """Measure loudness, loudness range and peaks of a signal (BS.1770-4, EBU Tech 3341/3342).

    Parameters
    ----------
    audio : array_like, shape (channels, samples) or (samples,)
        Linear samples, 1.0 = full scale.
    sample_rate : float
        Hz.
    true_peak : bool
        Compute the true peak (BS.1770-4 Annex 2); about as costly as everything else
        together. When False, ``true_peak_dbtp`` is NaN.
    series : bool
        Also return the momentary and short-term series at a 100 ms hop.
    channel_weights : sequence of float, optional
        BS.1770-4 Table 3 weights per channel; default from :func:`default_channel_weights`.
    silence_threshold_dbfs : float
        Mean-square level (dBFS) below which a 10 ms granule is silent, for
        ``active_rms_dbfs``.
    name : str, optional
        Track name for error messages.

    Returns
    -------
    LoudnessResult

    Raises
    ------
    InvalidAudioError
        NaN or inf samples, or an impossible shape.
    ParameterError
        Invalid sample rate.

    Notes
    -----
    Defined edge cases: digital silence gives ``-inf`` for every level and 0 LU range,
    without warnings; a signal shorter than 400 ms gives ``-inf`` integrated and momentary
    loudness with ``too_short=True`` (peaks and RMS are still measured); a constant (DC)
    offset is removed by the K-weighting high-pass, so only its onset step is loud; clipped
    samples are counted in ``clipped_samples`` and their inter-sample overs show in the true
    peak.
    """
    result, _ = measure_loudness_stream(
        [audio],
        sample_rate,
        true_peak=true_peak,
        series=series,
        channel_weights=channel_weights,
        silence_threshold_dbfs=silence_threshold_dbfs,
        name=name,
    )
    return result


def measure_loudness_stream(
    blocks: Iterable[np.ndarray],
    sample_rate: float,
    *,
    true_peak: bool = True,
    series: bool = False,
    channel_weights: Iterable[float] | None = None,
    silence_threshold_dbfs: float = -60.0,
    granule_peaks: bool = False,
    name: str | None = None,
) -> tuple[LoudnessResult, Granules]:
    """:func:`measure_loudness` over consecutive ``(channels, samples)`` blocks.

    Memory stays proportional to one block plus 100 granule sums per second, so a
    one-hour file can be read in blocks and never held whole. Also returns the
    :class:`Granules`, which :mod:`reaper_assist.analysis.dynamics` reuses.
    """
    rate = check_sample_rate(sample_rate, name=name)
    meter: _Meter | None = None
    for block in blocks:
        x = as_audio(block, name=name, check_finite=False)
        if meter is None:
            meter = _Meter(
                rate,
                x.shape[0],
                channel_weights=_weights(channel_weights, x.shape[0]),
                true_peak=true_peak,
                granule_peaks=granule_peaks,
                name=name,
            )
        elif x.shape[0] != meter.channels:
            raise InvalidAudioError(
                f"block has {x.shape[0]} channels, the stream started with {meter.channels}"
            )
        meter.feed(x)
    if meter is None:
        raise InvalidAudioError(
            "the stream gave no blocks; expected at least one (channels, samples) block"
        )
    return meter.finish(series=series, silence_threshold_dbfs=silence_threshold_dbfs)


def integrated_loudness(audio: np.ndarray, sample_rate: float, *, name: str | None = None) -> float:
    """Integrated loudness only (BS.1770-4), LUFS: :func:`measure_loudness` without true peak."""
    return measure_loudness(audio, sample_rate, true_peak=False, name=name).integrated_lufs
