"""Known answers for the noise floor between events (``analysis.dynamics.gap_noise_floor``): a floor
holds for a pause, and it is the bottom of the track.

The material is built so each answer is known: loud bursts, then a steady white-noise stretch at
-40 dBFS (what a decay falls into), then either more of the same noise or a decay that falls
through it, then digital silence."""

from __future__ import annotations

import numpy as np
import pytest

from reaper_assist.analysis.dynamics import UNDER_FLOOR_DB, gap_noise_floor

RATE = 48000
BURST_DBFS, STEADY_DBFS = -12.0, -40.0
DECAY_S, DECAY_DB = 0.3, 60.0
#: 10 ms frames of white noise stay within a few tenths of a dB of its level (480 samples)
FLOOR_TOL_DB = 0.5


def _noise(rng, seconds: float, dbfs: float) -> np.ndarray:
    return rng.standard_normal(round(seconds * RATE)) * 10 ** (dbfs / 20)


def _pattern(rng, *, steady_s: float, decay: bool | None, repeats: int = 4) -> np.ndarray:
    """``repeats`` x (100 ms burst, ``steady_s`` of steady noise at -40 dBFS, then a 300 ms decay of
    that noise from -40 to -100 dBFS (never steady: 4 dB per 20 ms) or 300 ms more of the steady
    noise, or (``decay=None``) nothing, then 1.2 s of digital silence)."""
    parts = []
    for _ in range(repeats):
        tail = _noise(rng, DECAY_S if decay is not None else 0.0, STEADY_DBFS)
        if decay:
            tail *= 10 ** (np.linspace(0.0, -DECAY_DB, tail.size) / 20)
        parts += [_noise(rng, 0.1, BURST_DBFS), _noise(rng, steady_s, STEADY_DBFS), tail, np.zeros(int(1.2 * RATE))]
    x = np.concatenate(parts)
    return np.stack([x, x])


def test_a_floor_that_holds_a_pause_is_read_at_its_level():
    x = _pattern(np.random.default_rng(1), steady_s=0.15, decay=False)
    floor = gap_noise_floor(x, RATE, min_gap_s=0.1)
    assert floor.real, floor.why_not
    assert floor.gaps == 4
    assert abs(floor.level_dbfs - STEADY_DBFS) <= FLOOR_TOL_DB


def test_steady_stretches_shorter_than_the_pause_are_no_floor():
    x = _pattern(np.random.default_rng(2), steady_s=0.06, decay=False)  # 60 ms + the 300 ms tail: 360 ms
    short = _pattern(np.random.default_rng(2), steady_s=0.06, decay=None)  # 60 ms stretches only
    assert gap_noise_floor(short, RATE).real  # without a pause length they pass
    floor = gap_noise_floor(short, RATE, min_gap_s=0.1)
    assert not floor.real and "holding it 100 ms or longer" in floor.why_not
    assert gap_noise_floor(x, RATE, min_gap_s=0.1).real


#: each decay spends this long more than UNDER_FLOOR_DB under -40 dBFS
UNDER_PER_DECAY_S = DECAY_S * (DECAY_DB - UNDER_FLOOR_DB) / DECAY_DB  # 0.27 s; 1.08 s over the four


@pytest.mark.parametrize("steady_s,is_floor", [(0.15, False), (0.2, False), (0.4, True)])
def test_a_level_the_track_falls_through_longer_than_it_holds_it_is_no_floor(steady_s, is_floor):
    """Four decays spend 1.08 s more than 6 dB under -40 dBFS; steady stretches of 4 x 0.15 s or
    4 x 0.2 s are the signal's own level, 4 x 0.4 s hold it longer than the track falls through it.
    With the noise under the decays too, every one is a floor."""
    rng = np.random.default_rng(3)
    x = _pattern(rng, steady_s=steady_s, decay=True)
    floor = gap_noise_floor(x, RATE, min_gap_s=0.1)
    assert (floor.floor_s > 4 * UNDER_PER_DECAY_S) == is_floor, floor
    if is_floor:
        assert floor.real and abs(floor.level_dbfs - STEADY_DBFS) <= FLOOR_TOL_DB, floor
    else:
        assert not floor.real and "quieter than its steady level" in floor.why_not, floor
    noisy = x + _noise(rng, x.shape[1] / RATE, STEADY_DBFS)  # the same noise under everything
    assert gap_noise_floor(noisy, RATE, min_gap_s=0.1).real
