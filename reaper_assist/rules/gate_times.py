"""The gate's hold and release read from the track's own events (issue 13 point 6). Pure numpy.

On the detector's 1 ms levels (``dynamics_rules.detector_db``), every stretch below the threshold
that follows an event is either

* a **dip**: the level comes back above the threshold without settling at the floor first (a
  decay wobbling round the threshold, the ripple of a low drum's detector, a flam): the gate must
  not close there, so the hold bridges the longest one;
* a **gap**: the level falls into the floor (under ``floor_top`` for :data:`FLOOR_STEPS` steps
  running) before the next event: the gate closes there. How long the event took from the
  threshold into the floor is its own fall; the release (a one-pole on the gate's gain, the
  engine's ReaGate model: 20 log10(e) / tau dB per ms at first) is set no faster than the slow
  falls, so a real decay is not cut short, and no slower, so a sample that stops abruptly well
  above the floor does not leave the noise open behind it for the instrument's fixed release.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

STEP_MS = 1.0
#: A stretch below the threshold is a gap once it stays this many 1 ms steps under the floor's top
#: (the onsets' rule in ``dynamics_rules._preopen_ms``: a rise out of the floor starts there).
FLOOR_STEPS = 50
#: Added to the longest dip: the engine's detector runs per sample, the measurement per 1 ms step.
DIP_MARGIN_MS = 2.0
#: Within this of the threshold on the 1 ms detector, the per-sample one may be above it.
NEAR_DB = 1.5
#: The percentile of the falls the release follows (the slow ones: a few fast falls, e.g. hits cut
#: short by the next one, must not make it chop the others).
FALL_PERCENTILE = 90.0
DB_PER_NEPER = 20.0 * math.log10(math.e)


@dataclass(frozen=True)
class EventTimes:
    dips_ms: tuple[float, ...]  # every stretch below the threshold that rose again before the floor
    falls_ms: tuple[float, ...]  # every event's time from its last step above the threshold to staying under the floor's top


def event_times(level: np.ndarray, thr: float, floor_top: float) -> EventTimes:
    """The dips and falls (module docstring) of a 1 ms detector series.

    A stretch that settles at the floor may still come back near the threshold before it does
    (a tail hovering round it): up to its last step within :data:`NEAR_DB` of the threshold it
    counts as a dip too, since the engine's per-sample detector may cross where the 1 ms one does not."""
    level = np.asarray(level)
    above = level >= thr
    n = above.size
    downs = np.flatnonzero(above[:-1] & ~above[1:]) + 1  # first step below, after an event
    if not downs.size:
        return EventTimes((), ())
    ups = np.flatnonzero(~above[:-1] & above[1:]) + 1  # first step above again
    ends = np.append(ups, n)[np.searchsorted(ups, downs)]
    # steps under the floor's top running at each step; where FLOOR_STEPS have run, it has settled
    low = level < floor_top
    idx = np.arange(n)
    run = idx - np.maximum.accumulate(np.where(low, -1, idx))
    settled = np.flatnonzero(run >= FLOOR_STEPS)
    near = np.flatnonzero(level >= thr - NEAR_DB)
    dips, falls = [], []
    for s, e in zip(downs.tolist(), ends.tolist()):
        k = np.searchsorted(settled, s)
        if k < settled.size and settled[k] < e:  # a gap: it settled at the floor
            settle = int(settled[k]) - FLOOR_STEPS + 1  # where it came to stay under the floor's top
            falls.append(float(settle - s + 1) * STEP_MS)
            j = np.searchsorted(near, settle) - 1
            if j >= 0 and near[j] > s:  # came back near the threshold before settling
                dips.append(float(near[j] - s + 1) * STEP_MS)
        elif e < n:  # rose again before settling: a dip (one running into the end is neither)
            dips.append(float(e - s) * STEP_MS)
    return EventTimes(tuple(dips), tuple(falls))


def hold_ms(times: EventTimes, row_hold_ms: float) -> tuple[float, str]:
    """(hold, why): the longest dip plus :data:`DIP_MARGIN_MS`, at most the row's hold; none to bridge: the margin."""
    longest = max(times.dips_ms, default=0.0)
    hold = min(row_hold_ms, longest + DIP_MARGIN_MS)
    why = (f"bridges the longest of {len(times.dips_ms)} dips below the threshold ({longest:.0f} ms)"
           if times.dips_ms else "no dip below the threshold inside the events")
    if longest + DIP_MARGIN_MS > row_hold_ms:
        why += f"; the rule table's {row_hold_ms:g} ms at most"
    return float(hold), why


def release_tau_ms(times: EventTimes, thr: float, floor_top: float) -> float | None:
    """The one-pole time constant whose fall matches the events' own (the :data:`FALL_PERCENTILE`
    of their times from the threshold into the floor's top), or None without a fall."""
    if not times.falls_ms or thr <= floor_top:
        return None
    fall = float(np.percentile(times.falls_ms, FALL_PERCENTILE))
    return DB_PER_NEPER * fall / (thr - floor_top)
