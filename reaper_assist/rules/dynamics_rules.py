"""Dynamics rules: ReaComp settings aiming at a target average gain reduction (auto-compress) and
ReaGate settings between the noise floor and the hits (auto-gate). Pure numpy.

The compressor's behaviour is predicted on the track's own audio with the same structure as a
feed-forward log-domain compressor (Giannoulis, Massberg & Reiss, JAES 2012): RMS detector
(channels linked by the loudest), static curve with a quadratic soft knee, one-pole attack/release
smoothing of the gain reduction in dB; here at a 1 ms control rate. The threshold is then solved
for so that the *average gain reduction* reaches the target.

"Average gain reduction": over 10 ms granules whose input level is within ``ACTIVE_RANGE_DB`` of
the track's loud level (95th percentile of granule levels, above -60 dBFS), the mean of
``10 log10(E_in / E_out)`` (the energy-weighted reduction inside each granule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq

from reaper_assist.analysis.dynamics import GapFloor
from reaper_assist.analysis.loudness import kernels
from reaper_assist.dsp import attack_release, static_gain_reduction_db
from reaper_assist.rules import gate_times as GT

STEP_MS = 1.0
GRANULE_MS = 10.0
ACTIVE_RANGE_DB = 20.0


def _ms_power(audio: np.ndarray, sample_rate: float, step_ms: float = STEP_MS) -> np.ndarray:
    """Per channel mean square per ``step_ms`` block, shape (channels, blocks)."""
    x = np.atleast_2d(np.asarray(audio, dtype=np.float64))
    n = max(1, int(round(sample_rate * step_ms / 1000.0)))
    m = x.shape[1] // n * n
    return (x[:, :m] ** 2).reshape(x.shape[0], -1, n).mean(axis=2)


def detector_db(audio: np.ndarray, sample_rate: float, rms_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """(detector level dB per 1 ms step, energy per step): RMS over ``rms_ms`` (at least 1 ms),
    channels linked by the loudest."""
    p = _ms_power(audio, sample_rate)
    w = max(1, int(round(rms_ms / STEP_MS)))
    if w > 1:
        c = np.cumsum(p, axis=1)
        c[:, w:] -= c[:, :-w].copy()
        p_win = c / w
    else:
        p_win = p
    with np.errstate(divide="ignore"):
        level = 10.0 * np.log10(np.maximum(p_win.max(axis=0), 1e-30))
    return level, p.mean(axis=0)


def smooth_gr_db(target: np.ndarray, attack_ms: float, release_ms: float) -> np.ndarray:
    """One-pole smoothing at 1 ms steps: attack while the reduction grows, release otherwise
    (the engine's ReaComp recursion, reaper_assist.dsp.attack_release)."""
    a = math.exp(-STEP_MS / attack_ms) if attack_ms > 0 else 0.0
    r = math.exp(-STEP_MS / release_ms) if release_ms > 0 else 0.0
    k = kernels()  # compiled: the same figures about 100x faster (an hour is 3.6 million steps)
    if k is not None:
        return k.one_pole(np.ascontiguousarray(target, dtype=np.float64), a, r, 0.0)
    return np.asarray(attack_release(np.asarray(target, dtype=np.float64).tolist(), a, r))


def active_granules(energy_ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(granule index of every 1 ms step, mask of the active granules)."""
    g = int(GRANULE_MS / STEP_MS)
    n = energy_ms.shape[0] // g * g
    e = energy_ms[:n].reshape(-1, g).sum(axis=1) / g
    with np.errstate(divide="ignore"):
        lev = 10 * np.log10(np.maximum(e, 1e-30))
    loud = np.percentile(lev, 95) if lev.size else -np.inf
    return np.arange(n) // g, (lev >= loud - ACTIVE_RANGE_DB) & (lev > -60.0)


def average_gr_db(gr_ms: np.ndarray, energy_ms: np.ndarray) -> float:
    """The average gain reduction (module docstring) of a 1 ms reduction series."""
    g = int(GRANULE_MS / STEP_MS)
    _, active = active_granules(energy_ms)
    n = active.size * g
    if not np.any(active):
        return 0.0
    e = energy_ms[:n].reshape(-1, g)
    gain2 = 10.0 ** (-gr_ms[:n].reshape(-1, g) / 10.0)
    ratio = (e * gain2).sum(axis=1) / np.maximum(e.sum(axis=1), 1e-30)
    return float(np.mean(-10.0 * np.log10(np.maximum(ratio[active], 1e-30))))


@dataclass(frozen=True)
class CompPlan:
    threshold_db: float
    ratio: float
    knee_db: float
    attack_ms: float
    release_ms: float
    rms_ms: float
    makeup_db: float
    predicted_gr_db: float
    target_gr_db: float
    evidence: dict[str, Any]


def _interp(value: float, lo: float, hi: float, a: float, b: float) -> float:
    t = min(1.0, max(0.0, (value - lo) / (hi - lo))) if hi > lo else 0.0
    return a + t * (b - a)


def compressor(audio: np.ndarray, sample_rate: float, row: dict[str, Any], *, crest_db: float,
               transient_density_hz: float, amount: float) -> CompPlan:
    """ReaComp settings for one track from its crest factor, transient density and instrument row.

    * ratio: interpolated over ``crest_db_range`` between the row's two ratios (Ma et al. 2015:
      the preferred ratio rises with the crest factor);
    * attack/release: Giannoulis, Massberg & Reiss 2013's form ``tau = 2 alpha / C^2`` (C = crest
      factor as a linear peak/RMS ratio), clamped to the row's ranges; the release also stays under
      ``release_onset_fraction`` of the mean time between onsets so the gain recovers between hits;
    * threshold: solved (bisection) so the predicted average reduction is ``target_gr_db x amount``.
    """
    c2 = 10.0 ** (crest_db / 10.0)
    ratio = _interp(crest_db, *row["crest_db_range"], *row["ratio"])
    attack = float(np.clip(2.0 * float(row["attack_alpha_ms"]) / c2, *row["attack_ms"]))
    release = 2.0 * float(row["release_alpha_ms"]) / c2 - attack
    if transient_density_hz > 0:
        release = min(release, 1000.0 * float(row["release_onset_fraction"]) / transient_density_hz)
    release = float(np.clip(release, *row["release_ms"]))
    knee, rms = float(row["knee_db"]), float(row["rms_ms"])
    target = float(row["target_gr_db"]) * amount
    level, energy = detector_db(audio, sample_rate, rms)

    seen: dict[float, float] = {}

    def predicted(thr: float) -> float:
        if thr not in seen:
            seen[thr] = average_gr_db(smooth_gr_db(static_gain_reduction_db(level, thr, ratio, knee), attack, release),
                                      energy)
        return seen[thr]

    top = float(np.max(level)) if level.size else -60.0
    lo, hi = top - 60.0, top + knee / 2 + 0.1  # at hi nothing is reduced
    got = 0.0
    if target > 0.0:
        # the predicted reduction falls as the threshold rises (none at hi): Brent's method finds
        # where it meets the target to 0.01 dB in about half the evaluations of a bisection (each
        # runs the attack/release recursion over the whole track: minutes on an hour-long one)
        got_lo = predicted(lo)
        thr = lo if got_lo <= target else float(brentq(lambda t: predicted(t) - target, lo, hi, xtol=0.01))
        got = predicted(thr)
    else:
        thr = min(0.0, hi)
    thr = min(thr, 6.0)  # ReaComp's threshold range ends at +6 dB (native 2.0)
    makeup = min(got, 6.0) if row.get("makeup", True) else 0.0  # Wet reaches +6 dB at most
    ev = {"crest_db": crest_db, "transient_density_hz": transient_density_hz, "detector_max_db": top,
          "target_gr_db": target, "predicted_gr_db": got, "ratio_rule": "crest factor (Ma et al. 2015 form)",
          "time_rule": "tau = 2 alpha / crest^2 (Giannoulis et al. 2013 form)"}
    return CompPlan(thr, ratio, knee, attack, release, rms, makeup, got, target, ev)


# ------------------------------------------------------------------------------------------------
# gate
# ------------------------------------------------------------------------------------------------
#: The gate reaches its full range within this share of the mean gap between events.
GAP_CLOSE_FRACTION = 0.5
#: Shortest release the rule sets, ms (faster ones click on low drums).
MIN_RELEASE_MS = 20.0
#: Longest pre-open the rule sets, ms (more lets noise in ahead of every onset).
MAX_PREOPEN_MS = 50.0
#: An onset rises out of the floor: the detector was at the floor for this many 1 ms steps first.
ONSET_FLOOR_STEPS = 20


@dataclass(frozen=True)
class GatePlan:
    threshold_db: float
    attack_ms: float
    hold_ms: float
    release_ms: float
    preopen_ms: float
    rms_ms: float
    range_db: float
    noise_floor_db: float
    hit_level_db: float
    evidence: dict[str, Any]


def gate(audio: np.ndarray, sample_rate: float, row: dict[str, Any], *, named_drum: bool,
         amount: float, floor: GapFloor) -> tuple[GatePlan | None, str]:
    """ReaGate settings between the noise floor and the hits, or (None, why no gate).

    Noise floor: measured in the gaps between events (:func:`reaper_assist.analysis.dynamics.
    gap_noise_floor`): a steady, broadband level the events decay into, never the quiet parts of
    the signal itself; without one there is nothing to gate, whatever the instrument. It must be
    audible (``noisy_floor_dbfs``). Hits: the 99.5th percentile of the detector's 1 ms levels (RMS
    over ``rms_ms``). Threshold ``threshold_fraction`` of the way up, at least ``min_margin_db``
    from either. Named drums need no ``min_gap_db`` (a drum's floor is what is left between hits).
    Hold and release from the events (:mod:`reaper_assist.rules.gate_times`), at most the row's."""
    mode = row.get("gate", "if_noisy")
    ev = {"noise_floor_db": floor.level_dbfs, "events_db": floor.events_dbfs, "floor_gaps": floor.gaps,
          "floor_s": floor.floor_s, "floor_flatness": floor.flatness, "rule": mode,
          "floor_rule": "steady broadband level in the gaps between events"}
    if mode == "never":
        return None, "a sustained part: a gate would chop it (rule table: gate never)"
    if not floor.real:
        return None, floor.why_not
    noise = floor.level_dbfs
    if noise < float(row["noisy_floor_dbfs"]):
        return None, f"floor between events {noise:.1f} dBFS, below {row['noisy_floor_dbfs']:g} dBFS: nothing to gate"
    level, _ = detector_db(audio, sample_rate, float(row["rms_ms"]))
    hits = float(np.percentile(level[level > -200.0], 99.5))
    gap = hits - noise
    ev.update({"hit_level_db": hits, "gap_db": gap})
    if gap < 2 * float(row["min_margin_db"]):
        return None, f"hits only {gap:.1f} dB above the floor ({noise:.1f} dB): no room for a threshold"
    if mode == "if_noisy" and not named_drum and gap < float(row["min_gap_db"]):
        return None, f"hits only {gap:.1f} dB above the floor: gating would cut the quiet notes"
    margin = float(row["min_margin_db"])
    thr = noise + float(row["threshold_fraction"]) * gap
    thr = float(np.clip(thr, noise + margin, hits - margin))
    range_db = float(row["range_db"]) * amount
    # the gate must close within the gaps it is for: its gain returns as a one-pole of time constant
    # "release" (the engine's ReaGate model), so the full range takes ln(range) time constants
    mean_gap_s = floor.floor_s / max(1, floor.gaps)
    close_tau_ms = 1000.0 * GAP_CLOSE_FRACTION * mean_gap_s / max(1.0, range_db / GT.DB_PER_NEPER)
    # hold and release from the events themselves (rules/gate_times.py): the hold bridges their
    # dips below the threshold, the release follows their own fall into the floor
    times = GT.event_times(level, thr, noise + margin)
    hold, hold_why = GT.hold_ms(times, float(row["hold_ms"]))
    fall_tau = GT.release_tau_ms(times, thr, noise + margin)
    release = max(MIN_RELEASE_MS, min(float(row["release_ms"]), close_tau_ms,
                                      fall_tau if fall_tau is not None else math.inf))
    fall = f"{fall_tau:.0f} ms" if fall_tau is not None else "no fall measured"
    ev.update({"mean_gap_s": mean_gap_s, "dips": len(times.dips_ms), "longest_dip_ms": max(times.dips_ms, default=0.0),
               "falls": len(times.falls_ms), "fall_tau_ms": fall_tau, "close_tau_ms": close_tau_ms,
               "hold_rule": hold_why,
               "release_rule": f"no faster than the events' fall into the floor (tau {fall}), closed within "
                               f"{GAP_CLOSE_FRACTION:g} of the mean gap of {mean_gap_s * 1000:.0f} ms (tau <= "
                               f"{close_tau_ms:.0f} ms), {MIN_RELEASE_MS:g}-{float(row['release_ms']):g} ms"})
    preopen, rise = _preopen_ms(level, thr, noise + margin, float(row["preopen_ms"]))
    ev.update({"onset_rise_ms": rise, "preopen_rule": "opens before the onsets' rise from the floor to the threshold"})
    return GatePlan(thr, float(row["attack_ms"]), hold, float(release),
                    preopen, float(row["rms_ms"]), range_db, noise, hits, ev), ""


def _preopen_ms(level: np.ndarray, thr: float, floor_top: float, row_preopen: float) -> tuple[float, float]:
    """Pre-open (look-ahead) long enough that the gate is open when an onset leaves the floor: the
    90th percentile over the onsets of the time the detector takes from ``floor_top`` to the
    threshold (1 ms steps), at least the row's value, at most :data:`MAX_PREOPEN_MS`. Only
    crossings that rise out of the floor count (:data:`ONSET_FLOOR_STEPS` steps at the floor
    before, left at most :data:`MAX_PREOPEN_MS` earlier): others are wobbles inside a decay."""
    above = level >= thr
    ups = np.flatnonzero(above[1:] & ~above[:-1]) + 1
    below = level < floor_top
    idx = np.arange(level.size)
    last_below = np.maximum.accumulate(np.where(below, idx, -1))  # the last step at the floor, up to each step
    last_off = np.maximum.accumulate(np.where(below, -1, idx))  # the last step off the floor
    b = last_below[ups - 1]  # where each crossing left the floor
    run = b - last_off[np.maximum(b, 0)]  # how many steps it had been at the floor then
    onset = (b >= 0) & ((ups - b) * STEP_MS <= MAX_PREOPEN_MS) & (run >= ONSET_FLOOR_STEPS)
    rises = ((ups - b)[onset] * STEP_MS).tolist()
    rise = float(np.percentile(rises, 90)) if rises else 0.0
    return float(min(MAX_PREOPEN_MS, max(row_preopen, rise + STEP_MS))), rise
