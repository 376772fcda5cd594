"""Dynamics: crest factor, loudness ranges, transient density, noise floor, active regions.

Everything here is derived from the 10 ms granule sums that the loudness pass already
produces (:class:`reaper_assist.analysis.loudness.Granules`), so it costs no second pass over
the audio. Levels are dB re full scale; "RMS" is the plain mean square over all channels, as in
:mod:`reaper_assist.analysis.loudness`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

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
        Peak minus RMS over the active regions, dB (silence between phrases does not inflate it):
        the true peak (BS.1770-4 Annex 2) where it was measured, else the sample peak.
        ``-inf``/NaN-free: 0.0 for silence.
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
        # the true peak where measured: the sample peak depends on where the samples fall, and a
        # noisy hit's crest read 0.9 dB lower at 44.1 kHz than at 48 (the compressor's attack 6.2
        # ms there, 5.0 here; tests/assistants/test_decisions_at_any_rate.py)
        tp = loudness.true_peak_dbtp
        peak = tp if math.isfinite(tp) else loudness.sample_peak_dbfs
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
        true_peak=True,
        granule_peaks=True,
        silence_threshold_dbfs=silence_threshold_dbfs,
        name=name,
    )
    return dynamics_from_granules(gran, loud, silence_threshold_dbfs=silence_threshold_dbfs)


# ------------------------------------------------------------------------------------------------
# the noise floor between events (auto-gate)
# ------------------------------------------------------------------------------------------------
#: Frames of the gap analysis, ms, and the steady window (a floor must hold this long), frames.
GAP_FRAME_MS = 10.0
GAP_WINDOW_FRAMES = 4
#: A window is steady when its frame levels stay within this range, dB (stationary noise in 10 ms
#: frames of >= 8 kHz audio spreads by ~2-3 dB; a drum's decay falls 6-20 dB per 100 ms).
STEADY_RANGE_DB = 6.0
#: ... and neither falls nor rises: the last 20 ms within this of the first 20 ms, dB.
STEADY_TREND_DB = 2.0
#: Floor windows lie within this above the lowest steady level, dB; a floor sits at least this far under the
#: events' level (the 99th percentile of the frame levels), dB.
FLOOR_SPREAD_DB = 3.0
FLOOR_BELOW_EVENTS_DB = 20.0
#: A real floor shows in at least this many separate gaps, for at least this long in total, s.
MIN_GAPS = 2
MIN_FLOOR_S = 0.2
#: Hiss and bleed are broadband: the floor's spectral flatness (geometric / arithmetic mean of its
#: power spectrum, 50 Hz - 16 kHz or up to where 99.9 % of its power lies) is at least this (white noise ~0.9, pink ~0.45, a held note or
#: a decaying tone < 0.02).
MIN_FLATNESS = 0.1
#: Noise is under everything: a track that is this much quieter than its "floor" (10 ms frames,
#: digital silence aside) for longer than it holds the floor has no floor there; that level is the
#: signal's own quiet part (tuning split, 32 s stems: a TimGM6mb synth bass held -38 dBFS for 0.26 s
#: in two gaps and was gated, while 1.3 s of its frames lay 6 to 35 dB under it). Stationary noise
#: in 10 ms frames stays within 2-3 dB of its level (STEADY_RANGE_DB).
UNDER_FLOOR_DB = 6.0


@dataclass(frozen=True)
class GapFloor:
    """The noise floor measured in the gaps between events, or why there is none.

    Attributes
    ----------
    level_dbfs : float
        Median level of the floor frames (10 ms mean square over all channels), dBFS; ``-inf``
        when there is no floor.
    events_dbfs : float
        99th percentile of the frame levels, dBFS.
    gaps : int
        Separate stretches of steady floor (each at least 40 ms).
    floor_s : float
        Their total duration, s.
    flatness : float
        Spectral flatness of the floor audio (0..1).
    why_not : str
        Empty when the floor is real; else what is missing.
    """

    level_dbfs: float
    events_dbfs: float
    gaps: int
    floor_s: float
    flatness: float
    why_not: str

    @property
    def real(self) -> bool:
        return not self.why_not


def _spectral_flatness(x: np.ndarray, sample_rate: float) -> float:
    from scipy.signal import welch

    n = int(min(2048, max(64, x.shape[-1])))
    f, p = welch(x, fs=sample_rate, nperseg=n, axis=-1)
    p = np.atleast_2d(p).mean(axis=0)
    sel = (f >= 50.0) & (f <= min(16000.0, 0.45 * sample_rate))
    f, p = f[sel], p[sel]
    if p.size == 0 or not np.any(p > 0):
        return 0.0
    # up to where 99.9 % of the power lies: noise resampled from a low rate is broadband below its
    # own Nyquist frequency and empty above it
    top = f[min(f.size - 1, int(np.searchsorted(np.cumsum(p) / np.sum(p), 0.999)))]
    p = np.maximum(p[f <= top], 1e-30)
    if p.size < 8:
        return 0.0
    return float(np.exp(np.mean(np.log(p))) / np.mean(p))


def gap_noise_floor(audio: np.ndarray, sample_rate: float, *, min_gap_s: float = 0.0) -> GapFloor:
    """The noise floor *between events*, not the quiet parts of the signal itself.

    A floor is where the level comes back to and stays: 40 ms windows whose 10 ms frame levels
    stay within :data:`STEADY_RANGE_DB`, neither fall nor rise (:data:`STEADY_TREND_DB`), at least
    :data:`FLOOR_BELOW_EVENTS_DB` under the events; the lowest of them is the candidate, and the
    windows within :data:`FLOOR_SPREAD_DB` above it are the floor. It is real only when it shows in
    :data:`MIN_GAPS` separate gaps, each holding it ``min_gap_s`` at least (a pause, not a quiet
    consonant: the rule table's ``min_pause_ms``), :data:`MIN_FLOOR_S` in total, none of them
    entered by a rise (a quiet note starts with an onset; a gap is what a decay falls into), is the
    bottom (the track is not :data:`UNDER_FLOOR_DB` quieter for longer than it holds it) and is
    broadband (:data:`MIN_FLATNESS`). Digital silence is no floor: there is nothing to gate.
    """
    x = np.atleast_2d(np.asarray(audio, dtype=np.float64))
    n = max(1, round(sample_rate * GAP_FRAME_MS / 1000.0))
    m = x.shape[1] // n
    none = partial(GapFloor, -math.inf, -math.inf, 0, 0.0, 0.0)
    if m < GAP_WINDOW_FRAMES + 1:
        return none("too short to see gaps between events")
    ms = (x[:, : m * n] ** 2).reshape(x.shape[0], m, n).mean(axis=(0, 2))
    with np.errstate(divide="ignore"):
        lev = 10.0 * np.log10(ms)
    lev[ms < 1e-12] = -np.inf  # digital silence (below -120 dBFS)
    finite = lev[np.isfinite(lev)]
    if finite.size < GAP_WINDOW_FRAMES:
        return none("digital silence between events: no noise to gate")
    events = float(np.percentile(finite, 99.0))
    w = GAP_WINDOW_FRAMES
    win = np.lib.stride_tricks.sliding_window_view(lev, w)
    ok = np.all(np.isfinite(win), axis=1)
    hi = np.where(ok, win.max(axis=1), np.inf)
    lo = np.where(ok, win.min(axis=1), -np.inf)
    med = np.where(ok, np.median(np.where(ok[:, None], win, 0.0), axis=1), np.inf)
    with np.errstate(invalid="ignore"):
        trend = np.where(ok, win[:, -2:].mean(axis=1) - win[:, :2].mean(axis=1), np.inf)
    steady = (ok & (hi - lo <= STEADY_RANGE_DB) & (np.abs(trend) <= STEADY_TREND_DB)
              & (med <= events - FLOOR_BELOW_EVENTS_DB))
    if not steady.any():
        return none("no steady level between events (the quiet parts are the signal's own decays)")
    cand = float(np.min(med[steady]))  # the lowest steady level: what the events come back to
    floor_win = steady & (med <= cand + FLOOR_SPREAD_DB)
    frames = np.zeros(m, dtype=bool)
    for k in np.flatnonzero(floor_win):
        frames[k:k + w] = True
    # stretches of floor frames; one entered by a rise is a quiet note, not a gap
    edges = np.diff(np.concatenate([[0], frames.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    keep = np.zeros(m, dtype=bool)
    gaps = 0
    for s, e in zip(starts, ends):
        before = lev[max(0, s - 3):s]
        entered_by_rise = s > 0 and (before.size == 0 or not np.any(np.isfinite(before))
                                     or float(np.max(before)) < cand - FLOOR_SPREAD_DB)
        if not entered_by_rise and (e - s) * GAP_FRAME_MS / 1000.0 >= min_gap_s:
            keep[s:e] = True
            gaps += 1
    floor_s = float(np.count_nonzero(keep)) * GAP_FRAME_MS / 1000.0
    level = float(10.0 * np.log10(np.mean(ms[keep]))) if keep.any() else -math.inf
    sel = np.repeat(keep, n)
    flat = _spectral_flatness(x[:, : m * n][:, sel], sample_rate) if keep.any() else 0.0
    under_s = float(np.count_nonzero(np.isfinite(lev) & (lev < level - UNDER_FLOOR_DB))) * GAP_FRAME_MS / 1000.0
    why = ""
    if gaps < MIN_GAPS or floor_s < MIN_FLOOR_S:
        held = f" holding it {min_gap_s * 1000:g} ms or longer" if min_gap_s > 0 else ""
        why = (f"no noise floor between events: a steady level near {cand:.1f} dBFS shows in {gaps} gap(s){held}, "
               f"{floor_s:.2f} s (a real floor: {MIN_GAPS}+ such gaps, {MIN_FLOOR_S:g} s)")
    elif under_s > floor_s:
        why = (f"the track is more than {UNDER_FLOOR_DB:g} dB quieter than its steady level between events "
               f"({level:.1f} dBFS) for {under_s:.2f} s, longer than it holds that level ({floor_s:.2f} s): the "
               f"signal's own quiet part, not a noise floor under it")
    elif flat < MIN_FLATNESS:
        why = (f"the quiet level between events ({level:.1f} dBFS) is tonal (spectral flatness {flat:.3f} < "
               f"{MIN_FLATNESS:g}): the signal's own notes, not noise")
    return GapFloor(level, events, gaps, floor_s, flat, why)
