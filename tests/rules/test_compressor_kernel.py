"""The compressor rule's attack/release recursion compiled (analysis/_kernels.one_pole) against the
Python recursion it replaces by default (reaper_assist.dsp.attack_release, the reference and the
fallback with ``REAPER_ASSIST_NO_KERNELS=1``). The same float64 operations in the same order (no
fastmath), so the results are equal bit for bit, and so is every figure of the plan built on them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reaper_assist.analysis import loudness
from reaper_assist.analysis.loudness import NO_KERNELS_ENV
from reaper_assist.dsp import attack_release
from reaper_assist.rules import dynamics_rules as DR
from reaper_assist.rules.tables import load_table, row_for

SR = 48000


@pytest.mark.parametrize("attack_ms,release_ms", [(0.5, 40.0), (10.0, 300.0), (3.0, 3.0)])
def test_the_compiled_recursion_equals_the_python_one_bit_for_bit(attack_ms, release_ms):
    k = loudness.kernels()
    assert k is not None, "numba kernels failed to load (analysis/_kernels.py)"
    rng = np.random.default_rng(5)
    # a reduction series that rises and falls in steps and ramps, as a compressor's does
    target = np.maximum(0.0, np.cumsum(rng.normal(0.0, 0.8, 200_000))) % 24.0
    a, r = math.exp(-1.0 / attack_ms), math.exp(-1.0 / release_ms)
    got = k.one_pole(target, a, r, 0.0)
    want = np.asarray(attack_release(target.tolist(), a, r))
    np.testing.assert_array_equal(got, want)
    assert got[-1] != 0.0 and np.ptp(got) > 10.0  # it really followed the series


def _drum_loop(seconds: float) -> np.ndarray:
    """Decaying 120 Hz hits every 250 ms over quiet noise, stereo."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    phase = t % 0.25
    x = 0.8 * np.exp(-phase / 0.04) * np.sin(2 * np.pi * 120.0 * t)
    x = x + 1e-3 * np.random.default_rng(2).standard_normal(n)
    return np.stack([x, 0.9 * x])


def test_the_compressor_plan_is_the_same_with_and_without_the_kernels(monkeypatch):
    audio = _drum_loop(20.0)
    row, known = row_for(load_table("auto-compress"), "snare")  # the shipped snare row (target 4 dB)
    assert known and row["target_gr_db"] == 4.0
    monkeypatch.delenv(NO_KERNELS_ENV, raising=False)
    fast = DR.compressor(audio, SR, row, crest_db=14.0, transient_density_hz=4.0, amount=1.0)
    monkeypatch.setenv(NO_KERNELS_ENV, "1")
    ref = DR.compressor(audio, SR, row, crest_db=14.0, transient_density_hz=4.0, amount=1.0)
    assert fast == ref
    # and the threshold was really solved for: the predicted reduction meets the 4 dB target to
    # brentq's 0.01 dB threshold tolerance times the curve's slope (below 1 dB per dB here)
    assert fast.predicted_gr_db == pytest.approx(4.0, abs=0.01)
