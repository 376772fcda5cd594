"""The compiled meter (analysis/_kernels.py) against the numpy meter it replaces by default.

The numpy path (``REAPER_ASSIST_NO_KERNELS=1``) is the reference: every figure and granule sum of
the compiled path must equal it to float64 rounding (the granule sums are added in another order
and the biquads use fused multiply-adds: relative 1e-12 of the largest granule, as the filters'
ringing into silence is small), the true peak to float32 rounding (1e-5 dB, the interpolator's
arithmetic is the same; tests/analysis/test_true_peak_spans.py checks the default path against an
independent float64 interpolation). The EBU Tech 3341 files and generated cases are measured
both ways, within the Tech 3341 tolerance (0.1 LU) and the BS.1770-4 true-peak tolerance
(+0.2 / -0.4 dB) of the standard's value, and within the tolerances above of each other.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from analysis_helpers import (
    EBU_TECH_3341_TOL_LU,
    TRUE_PEAK_TOL_ABOVE_DB,
    TRUE_PEAK_TOL_BELOW_DB,
    tone_segments,
)

from reaper_assist.analysis import loudness
from reaper_assist.analysis.loudness import NO_KERNELS_ENV, measure_loudness_stream

SUM_REL_TOL = 1e-12  # of the largest granule sum
TRUE_PEAK_DB_TOL = 1e-5
#: The BS.1770-4 / EBU Tech 3341-3342 figures (integrated, momentary and short-term loudness, LRA,
#: RMS, sample peak) of the two paths: the same gated sums of granule sums equal to SUM_REL_TOL,
#: through a log10, differ by far less than this (dB / LU, relative and absolute)
LEVEL_TOL = 1e-9
#: The BS.1770-4 Annex 2 true-peak floor of the kernel against every output of the float64
#: interpolator: the kernel runs the same 4-phase, 12-tap filter in float32 (2^-24 relative
#: rounding, summed over 12 taps)
ANNEX2_FLOAT32_REL_TOL = 1e-6
LEVELS = ("integrated_lufs", "max_momentary_lufs", "max_short_term_lufs", "lra_lu", "rms_dbfs",
          "active_rms_dbfs", "sample_peak_dbfs")


@pytest.fixture(autouse=True)
def _kernels_present():
    assert loudness.kernels() is not None, "numba kernels failed to load (analysis/_kernels.py)"


def both(monkeypatch, blocks, rate, **kw):
    """(compiled, numpy) results of measure_loudness_stream over the same blocks."""
    kw.setdefault("granule_peaks", True)
    monkeypatch.delenv(NO_KERNELS_ENV, raising=False)
    fast = measure_loudness_stream(list(blocks), rate, **kw)
    monkeypatch.setenv(NO_KERNELS_ENV, "1")
    ref = measure_loudness_stream(list(blocks), rate, **kw)
    monkeypatch.delenv(NO_KERNELS_ENV)
    return fast, ref


def assert_same(fast, ref):
    (a, ga), (b, gb) = fast, ref
    for name in LEVELS:
        x, y = getattr(a, name), getattr(b, name)
        assert (x == y) if not math.isfinite(y) else x == pytest.approx(y, rel=LEVEL_TOL, abs=LEVEL_TOL), name
    assert a.sample_peak_per_channel_dbfs == b.sample_peak_per_channel_dbfs
    assert a.clipped_samples == b.clipped_samples
    assert a.too_short == b.too_short and a.duration_s == b.duration_s
    np.testing.assert_allclose(a.true_peak_per_channel_dbtp, b.true_peak_per_channel_dbtp, atol=TRUE_PEAK_DB_TOL)
    np.testing.assert_array_equal(ga.counts, gb.counts)
    for got, want in ((ga.weighted_energy, gb.weighted_energy), (ga.raw_energy, gb.raw_energy)):
        np.testing.assert_allclose(got, want, rtol=SUM_REL_TOL, atol=SUM_REL_TOL * float(np.max(want, initial=0.0)))
    np.testing.assert_array_equal(ga.raw_peak, gb.raw_peak)


def blocks_of(x, edges):
    return [x[:, a:b] for a, b in zip(edges, edges[1:])]


@pytest.mark.parametrize("channels", [1, 2, 3, 6])
def test_noise_in_odd_blocks_equals_the_numpy_meter(monkeypatch, rng, channels):
    n = 300001
    x = (rng.standard_normal((channels, n)) * np.linspace(0.01, 0.5, n)).astype(np.float32)
    x[:, 1000:1010] = 1.0  # clipped samples
    edges = [0, 1, 12, 479, 65536, 65547, 200000, n]
    assert_same(*both(monkeypatch, blocks_of(x, edges), 48000.0))


@pytest.mark.parametrize("rate", [8000.0, 44100.0, 96000.0, 192000.0])
def test_other_rates_equal_the_numpy_meter(monkeypatch, rng, rate):
    n = int(rate * 3) + 7
    x = (np.sin(2 * np.pi * 0.23 * np.arange(n)) * 0.7 + rng.standard_normal(n) * 0.05)[None].astype(np.float32)
    assert_same(*both(monkeypatch, blocks_of(x, [0, 5, n // 2, n]), rate))


def test_true_peak_over_segments_shorter_than_the_interpolator_reach(rng):
    # granules shorter than the 11 samples the interpolator reads back (rates below 1.1 kHz)
    from reaper_assist.analysis import _kernels

    x = rng.standard_normal((2, 3000)).astype(np.float32) * 0.01
    x[:, 1500:1506] = [0.6, 0.6, -0.6, -0.6, 0.6, 0.6]
    starts = np.cumsum(np.r_[0, rng.integers(1, 20, 400)]).astype(np.intp)
    starts = starts[starts < x.shape[1]]
    ends = np.r_[starts[1:], x.shape[1]]
    seg_peak = np.array([[np.abs(row[a:b]).max() for a, b in zip(starts, ends)] for row in x], np.float64)
    seg = np.ascontiguousarray(np.concatenate([np.zeros((2, 11), np.float32), x], axis=1))
    floor = np.abs(x).max(axis=1).astype(np.float64)
    _kernels.true_peak(seg, starts, x.shape[1], np.asarray(loudness.TRUE_PEAK_PHASES, np.float32), seg_peak,
                       np.zeros(2), np.abs(loudness.TRUE_PEAK_PHASES).sum(axis=1), floor)
    phases = np.asarray(loudness.TRUE_PEAK_PHASES, np.float64)
    full = [max(np.abs(np.convolve(row.astype(np.float64), h)[: row.size]).max() for h in phases)
            for row in x]  # every output of every phase, from silence before the first sample
    np.testing.assert_allclose(floor, np.maximum(full, np.abs(x).max(axis=1)), rtol=ANNEX2_FLOAT32_REL_TOL)


def test_float64_transposed_and_silent_input(monkeypatch, rng):
    x = rng.standard_normal((48000 * 2, 2)).T * 0.1  # float64, a transposed (Fortran-order) view
    silence = np.zeros((2, 30000))
    assert_same(*both(monkeypatch, [silence, x, silence], 48000.0))
    fast, _ = both(monkeypatch, [silence.astype(np.float32)], 48000.0)
    assert fast[0].integrated_lufs == -math.inf and fast[0].true_peak_dbtp == -math.inf


def test_inter_sample_over_in_quiet_material_is_found(monkeypatch, rng):
    x = (rng.standard_normal(240000) * 1e-3)[None].astype(np.float32)
    x[0, 123457:123463] = [0.6, 0.6, -0.6, -0.6, 0.6, 0.6]
    (a, _), ref = both(monkeypatch, [x], 48000.0)
    assert a.true_peak_dbtp > a.sample_peak_dbfs + 0.5
    assert_same((a, _), ref)


def test_nan_is_reported_as_by_the_numpy_meter(monkeypatch, rng):
    x = rng.standard_normal((2, 100000)).astype(np.float32)
    x[1, 70000] = np.nan
    with pytest.raises(loudness.InvalidAudioError, match="channel 1 at sample 70000"):
        measure_loudness_stream([x[:, :65536], x[:, 65536:]], 48000.0)


@pytest.mark.parametrize(("stem", "expected_lufs"), [("seq-3341-1-16bit", -23.0), ("seq-3341-2-16bit", -33.0),
                                                     ("1kHz Sine -20 LUFS-16bit", -20.0)])
def test_ebu_3341_files_both_ways(monkeypatch, read_ebu, stem, expected_lufs):
    audio, rate = read_ebu(stem)
    fast, ref = both(monkeypatch, [audio.astype(np.float32)], rate)
    assert abs(fast[0].integrated_lufs - expected_lufs) <= EBU_TECH_3341_TOL_LU
    assert abs(fast[0].max_momentary_lufs - expected_lufs) <= EBU_TECH_3341_TOL_LU
    assert_same(fast, ref)


@pytest.mark.parametrize(("stem", "expected_dbtp"), [
    ("seq-3341-15-24bit", -6.0), ("seq-3341-16-24bit", -6.0), ("seq-3341-17-24bit", -6.0),
    ("seq-3341-18-24bit", -6.0), ("seq-3341-19-24bit", 3.0), ("seq-3341-20-24bit", 0.0),
    ("seq-3341-21-24bit", 0.0), ("seq-3341-22-24bit", 0.0), ("seq-3341-23-24bit", 0.0)])
def test_ebu_3341_true_peak_files_both_ways(monkeypatch, read_ebu, stem, expected_dbtp):
    audio, rate = read_ebu(stem)
    fast, ref = both(monkeypatch, [audio.astype(np.float32)], rate)
    tp = fast[0].true_peak_dbtp
    assert expected_dbtp - TRUE_PEAK_TOL_BELOW_DB <= tp <= expected_dbtp + TRUE_PEAK_TOL_ABOVE_DB, (stem, tp)
    assert_same(fast, ref)


@pytest.mark.parametrize("segments", [[(10, -36), (60, -23), (10, -36)],
                                      [(10, -72), (10, -36), (60, -23), (10, -36), (10, -72)],
                                      [(20, -26), (20.1, -20), (20, -26)]])
def test_tech_3341_generated_cases_both_ways(monkeypatch, segments):
    x = tone_segments(segments).astype(np.float32)
    fast, ref = both(monkeypatch, blocks_of(x, [0, 65536 * 3 + 5, x.shape[1]]), 48000.0)
    assert abs(fast[0].integrated_lufs - -23.0) <= EBU_TECH_3341_TOL_LU
    assert_same(fast, ref)


#: The switch interval while another thread is counted: a thread waiting for the GIL takes it
#: from a holder that does not release it only after this long, far longer than the kernel runs
#: or the Python steps around it take (so it counts only while the GIL is released).
HELD_SWITCH_S = 5.0


def _progress_while(call) -> int:
    """Loop turns another Python thread makes while ``call()`` runs in this thread."""
    import sys
    import threading
    import time

    started, done = threading.Event(), threading.Event()
    count = [0]

    def other():
        started.wait()
        while not done.is_set():
            count[0] += 1
            time.sleep(0)  # hands the GIL back at once when the kernel returns

    t = threading.Thread(target=other)
    t.start()
    old = sys.getswitchinterval()
    sys.setswitchinterval(HELD_SWITCH_S)
    try:
        time.sleep(0.05)  # any other thread waiting for the GIL waits again, under the long interval
        started.set()
        call()
        seen = count[0]
        done.set()
    finally:
        sys.setswitchinterval(old)
        done.set()
        t.join()
    return seen


def test_the_granule_kernel_releases_the_gil(rng):
    """Another Python thread makes progress while the granule kernel (the meter's main pass)
    runs over 2^21 samples, counted, not timed; the same protocol counts nothing during a
    numba loop compiled without ``nogil`` (it holds the GIL), so the count can fail."""
    import math

    from numba import njit

    from reaper_assist.analysis import _kernels

    n = 1 << 21
    x = (0.1 * rng.standard_normal((2, n))).astype(np.float32)
    starts = np.arange(0, n, 480, dtype=np.intp)
    g = len(starts)
    args = (x, np.array([[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]] * 2), np.zeros((2, 2, 2)), starts, np.zeros((2, g)),
            np.zeros(g), np.zeros((2, g)), np.zeros(2), 1.0, np.zeros((2, 1), np.float32), -1)

    @njit
    def holds_the_gil(v):
        s = 0.0
        for a in v.ravel():
            s += math.sqrt(a * a + 1.0)
        return s

    holds_the_gil(x)  # compiled for this layout before it is counted
    assert _progress_while(lambda: holds_the_gil(x)) == 0
    assert _progress_while(lambda: _kernels.granules(*args)) > 0


def test_two_threads_meter_at_once_to_the_same_figures(rng):
    # the kernels hold no state (test_the_granule_kernel_releases_the_gil: nor the GIL): two
    # files metered at once each give their own figures
    from concurrent.futures import ThreadPoolExecutor

    xs = [(rng.standard_normal((2, 400000)) * g).astype(np.float32) for g in (0.05, 0.3)]
    alone = [measure_loudness_stream([x], 48000.0)[0] for x in xs]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lambda x: measure_loudness_stream([x[:, :200000], x[:, 200000:]], 48000.0)[0], xs))
    assert together == alone
