"""The gate's pre-open comes from how long onsets take to rise from the floor to the threshold
(rules/dynamics_rules.py ``_preopen_ms``): known answers, and agreement with the plain per-onset
search it replaced (which scanned the whole signal before every onset: an hour took minutes)."""

from __future__ import annotations

import numpy as np
import pytest

from reaper_assist.rules.dynamics_rules import MAX_PREOPEN_MS, ONSET_FLOOR_STEPS, STEP_MS, _preopen_ms

#: Sums of whole 1 ms steps and a percentile of them: exact to float64 rounding (ms)
STEPS_EXACT_TOL_MS = 1e-9


def reference_rises(level, thr, floor_top):
    """The definition, onset by onset: the last step at the floor before each upward crossing of
    the threshold, kept when it was at most MAX_PREOPEN_MS earlier and followed ONSET_FLOOR_STEPS
    steps at the floor."""
    above = level >= thr
    rises = []
    for c in np.flatnonzero(above[1:] & ~above[:-1]) + 1:
        below = np.flatnonzero(level[:c] < floor_top)
        if not below.size or (c - below[-1]) * STEP_MS > MAX_PREOPEN_MS:
            continue
        quiet = level[max(0, below[-1] + 1 - ONSET_FLOOR_STEPS):below[-1] + 1]
        if quiet.size == ONSET_FLOOR_STEPS and np.all(quiet < floor_top):
            rises.append((c - below[-1]) * STEP_MS)
    return rises


def onsets(rise_steps, floor_db=-60.0, peak_db=-10.0, gap_steps=200):
    """Hits that climb linearly from the floor to the peak in ``rise_steps`` 1 ms steps, then decay."""
    parts = []
    for r in rise_steps:
        parts += [np.full(gap_steps, floor_db), np.linspace(floor_db, peak_db, r + 1)[1:],
                  np.linspace(peak_db, floor_db, 60)]
    return np.concatenate(parts)


def test_known_rise_times():
    level = onsets([10] * 9 + [30])  # 9 onsets take 10 ms to climb 50 dB, one takes 30 ms
    # floor_top -55, threshold -30: a 10 ms onset is last below -55 at the floor's last step (0) and
    # reaches -30 at step 6: 6 ms; the 30 ms one is last below at step 2 (-56.7) and reaches -30 at 18: 16 ms
    preopen, rise = _preopen_ms(level, -30.0, -55.0, 0.0)
    assert rise == pytest.approx(np.percentile([6.0] * 9 + [16.0], 90), abs=STEPS_EXACT_TOL_MS)  # 7 ms
    assert preopen == pytest.approx(rise + STEP_MS, abs=STEPS_EXACT_TOL_MS)


def test_wobbles_inside_a_decay_and_short_quiet_spells_do_not_count():
    wobble = np.concatenate([np.full(100, -60.0), np.full(200, -20.0), np.full(ONSET_FLOOR_STEPS - 1, -60.0),
                             np.full(50, -20.0)])  # the second crossing follows only 19 quiet steps
    assert _preopen_ms(wobble, -30.0, -55.0, 2.0) == (STEP_MS + 1.0, 1.0)  # only the first onset: 1 ms


@pytest.mark.parametrize("seed", range(6))
def test_agrees_with_the_onset_by_onset_definition(seed):
    rng = np.random.default_rng(seed)
    # a random walk between floor and hits, with long quiet stretches: every branch is taken
    level = np.clip(np.cumsum(rng.normal(0.0, 3.0, 20000)), -70.0, 0.0) - 10.0 * (rng.random(20000) < 0.01)
    for thr, floor_top in ((-20.0, -50.0), (-35.0, -60.0), (-10.0, -40.0)):
        ref = reference_rises(level, thr, floor_top)
        preopen, rise = _preopen_ms(level, thr, floor_top, 0.0)
        assert rise == pytest.approx(float(np.percentile(ref, 90)) if ref else 0.0, abs=STEPS_EXACT_TOL_MS)
        assert preopen == pytest.approx(min(MAX_PREOPEN_MS, rise + STEP_MS), abs=STEPS_EXACT_TOL_MS)
