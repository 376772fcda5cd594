"""Dynamics: crest factor, loudness ranges, transient density, noise floor, active regions.

Everything here is derived from the 10 ms granule sums that the loudness pass already
produces (:class:`reaper_assist.analysis.loudness.Granules`), so it costs no second pass over
the audio. Levels are dB re full scale; "RMS" is the plain mean square over all channels, as in
:mod:`reaper_assist.analysis.loudness`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from reaper_assist.analysis.loudness import (
    _GRANULES_PER_HOP,
    _MOMENTARY_GRANULES,
    Granules,
    LoudnessResult,
    _loudness_range,
    _lufs,
    _window_sums,
    measure_loudness_stream,
)
from reaper_assist.units import amp_to_db_array, db_to_power, power_to_db, power_to_db_array

#: Granules per 100 ms analysis window.
_WINDOW_GRANULES = 10
#: An onset is a rise of at least this much over the mean of the preceding 40 ms, dB.
ONSET_RISE_DB = 6.0
#: Minimum spacing of onsets, ms (a flam or a fast roll still counts each hit up to ~20/s).
ONSET_MIN_GAP_MS = 50.0
#: Active regions closer than this are merged, and shorter ones dropped, s.
REGION_MERGE_GAP_S = 0.3
REGION_MIN_LENGTH_S = 0.05
#: The noise floor is this percentile of the 100 ms window levels that are not digital silence.
NOISE_FLOOR_PERCENTILE = 5.0


@dataclass(frozen=True)
class DynamicsResult:
    """Dynamics of one signal.

    Attributes
    ----------
    crest_db : float
        Sample peak minus RMS over the active regions, dB (silence between phrases does not
        inflate it). ``-inf``/NaN-free: 0.0 for silence.
    short_term_crest_db : float
        Median over active 100 ms windows of their peak-to-RMS ratio, dB: high for
        percussive parts, ~3 dB for sustained tones.
    loudness_range_lu : float
        EBU Tech 3342 loudness range (3 s windows), LU.
    momentary_range_lu : float
        The same statistic (P95 - P10, gates -70 LUFS / -20 LU) over 400 ms momentary
        loudness: the short-term, phrase-level range, LU.
    transient_density_hz : float
        Onsets per second of active time (rises of >= 6 dB in 10 ms energy).
    noise_floor_dbfs : float
        5th percentile of the 100 ms window RMS levels that are not digital silence, dBFS
        (``-inf`` if everything is digital silence).
    active_regions_s : tuple of (float, float)
        (start, end) times in seconds of the regions above the silence threshold, merged
        across gaps shorter than 0.3 s.
    active_fraction : float
        Share of the duration inside active regions, 0..1.
    """

    crest_db: float
    short_term_crest_db: float
    loudness_range_lu: float
    momentary_range_lu: float
    transient_density_hz: float
    noise_floor_dbfs: float
    active_regions_s: tuple[tuple[float, float], ...]
    active_fraction: float


def dynamics_from_granules(
    granules: Granules,
    loudness: LoudnessResult,
    *,
    silence_threshold_dbfs: float = -60.0,
) -> DynamicsResult:
    """Dynamics from the granule sums of a loudness pass (no access to the samples).

    Parameters
    ----------
    granules : Granules
        From :func:`reaper_assist.analysis.loudness.measure_loudness_stream` with
        ``granule_peaks=True``.
    loudness : LoudnessResult
        The same pass's result (gives the peak and the loudness range).
    silence_threshold_dbfs : float
        10 ms granules with a mean square below this are silent.
    """
    rate = granules.sample_rate
    counts = granules.counts.astype(np.float64)
    ch = granules.channels
    n_gran = counts.size
    ms = granules.raw_energy / np.maximum(counts * ch, 1)  # mean square per granule
    active = ms > db_to_power(silence_threshold_dbfs)
    regions = _regions(active, rate, counts)
    duration = loudness.duration_s
    active_s = sum(e - s for s, e in regions)

    # crest over active granules
    if active.any():
        rms_act = power_to_db(granules.raw_energy[active].sum() / (counts[active].sum() * ch))
        peak = loudness.sample_peak_dbfs
        crest = peak - rms_act
    else:
        crest = 0.0

    # 100 ms windows: peak-to-RMS
    n_win = n_gran // _WINDOW_GRANULES
    short_crest = 0.0
    win_db = np.zeros(0)
    if n_win:
        cut = n_win * _WINDOW_GRANULES
        e = granules.raw_energy[:cut].reshape(n_win, -1).sum(axis=1)
        c = counts[:cut].reshape(n_win, -1).sum(axis=1)
        win_ms = e / (c * ch)
        win_db = power_to_db_array(win_ms)
        if granules.raw_peak is not None:
            pk = granules.raw_peak[:cut].reshape(n_win, -1).max(axis=1)
            act = win_db > silence_threshold_dbfs
            if act.any():
                short_crest = float(np.median(amp_to_db_array(pk[act]) - win_db[act]))

    # momentary loudness (400 ms windows, 100 ms hop) from the K-weighted granules, ranged
    # like the LRA: the phrase-level range (0.0 when shorter than one window)
    m = _window_sums(granules.weighted_energy, _MOMENTARY_GRANULES)[::_GRANULES_PER_HOP]
    mc = _window_sums(counts, _MOMENTARY_GRANULES)[::_GRANULES_PER_HOP]
    mom_range = _loudness_range(_lufs(m / mc))

    # onsets: rise of the 10 ms level over the mean power of the previous 4 granules
    level = power_to_db_array(ms)
    onsets = 0
    if n_gran > 5:
        prev = np.convolve(ms, np.ones(4) / 4, mode="full")[:n_gran]  # prev[k] = mean ms[k-3..k]
        before = np.concatenate([[0.0], prev[:-1]])  # mean of ms[k-4..k-1]
        with np.errstate(invalid="ignore"):  # -inf - -inf inside digital silence
            rise = level - power_to_db_array(before)
        rise = np.where(np.isfinite(rise), rise, np.where(active, 60.0, 0.0))
        rise[~active] = 0.0
        gap = max(1, round(ONSET_MIN_GAP_MS / 10.0))
        peaks, _ = find_peaks(np.concatenate([[0.0], rise]), height=ONSET_RISE_DB, distance=gap)
        onsets = peaks.size
    density = onsets / active_s if active_s > 0 else 0.0

    nonzero = win_db[np.isfinite(win_db)]
    noise_floor = (
        float(np.percentile(nonzero, NOISE_FLOOR_PERCENTILE)) if nonzero.size else -math.inf
    )

    return DynamicsResult(
        crest_db=float(crest),
        short_term_crest_db=short_crest,
        loudness_range_lu=loudness.lra_lu,
        momentary_range_lu=mom_range,
        transient_density_hz=float(density),
        noise_floor_dbfs=noise_floor,
        active_regions_s=regions,
        active_fraction=float(active_s / duration) if duration > 0 else 0.0,
    )


def _regions(
    active: np.ndarray, rate: float, counts: np.ndarray
) -> tuple[tuple[float, float], ...]:
    """Merge active granules into (start_s, end_s) regions."""
    if not active.any():
        return ()
    edges = np.concatenate([[0.0], np.cumsum(counts)]) / rate  # granule k spans edges[k:k+2]
    a = np.concatenate([[False], active, [False]]).astype(np.int8)
    d = np.diff(a)
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1)
    merged: list[list[float]] = []
    for s, e in zip(edges[starts], edges[ends]):
        if merged and s - merged[-1][1] < REGION_MERGE_GAP_S:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    return tuple((float(s), float(e)) for s, e in merged if e - s >= REGION_MIN_LENGTH_S)


def measure_dynamics(
    audio: np.ndarray,
    sample_rate: float,
    *,
    silence_threshold_dbfs: float = -60.0,
    name: str | None = None,
) -> DynamicsResult:
    """Crest factor, loudness ranges, transient density, noise floor and active regions.

    Parameters
    ----------
    audio : array_like, shape (channels, samples) or (samples,)
        Linear samples, 1.0 = full scale.
    sample_rate : float
        Hz.
    silence_threshold_dbfs : float
        Mean-square level below which a 10 ms granule is silent (not part of a region).
    name : str, optional
        Track name for error messages.

    Returns
    -------
    DynamicsResult
        Digital silence gives no regions, 0 dB crest, 0/s transients, ``-inf`` noise floor.

    Raises
    ------
    InvalidAudioError
        NaN/inf samples or an impossible shape.
    """
    loud, gran = measure_loudness_stream(
        [audio],
        sample_rate,
        true_peak=False,
        granule_peaks=True,
        silence_threshold_dbfs=silence_threshold_dbfs,
        name=name,
    )
    return dynamics_from_granules(gran, loud, silence_threshold_dbfs=silence_threshold_dbfs)
