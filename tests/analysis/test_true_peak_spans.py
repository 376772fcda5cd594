"""True peak interpolated only where it can matter equals the full BS.1770-4 Annex 2 interpolation.

The reference here is independent of the meter: the Annex's 48-tap interpolator applied to the
whole signal at once with scipy.signal.upfirdn (4x, or 2x at 96 kHz), in float64, including the
11 samples that ring out after the end. The meter interpolates in float32 and skips spans that
cannot raise the peak; its result must equal the reference to float32 rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import upfirdn

from reaper_assist.analysis.loudness import TRUE_PEAK_PHASES, measure_loudness, measure_loudness_stream
from reaper_assist.units import amp_to_db

#: float32 accumulation of 12 taps of values <= 2: relative error < 1e-6, i.e. < 1e-5 dB
FLOAT32_DB_TOL = 1e-5


def annex2_true_peak_dbtp(x: np.ndarray, rate: float) -> list[float]:
    """Per-channel true peak of the full Annex 2 interpolation (with the sample peak as floor)."""
    phases = TRUE_PEAK_PHASES if rate < 96000 else TRUE_PEAK_PHASES[::2]
    up = phases.shape[0]
    h = np.empty(phases.size)
    for p in range(up):
        h[p::up] = phases[p]  # phase p is every up-th tap of the 48-tap filter
    y = upfirdn(h, np.asarray(x, dtype=np.float64), up=up, axis=-1)
    return [amp_to_db(max(float(np.abs(yc).max()), float(np.abs(xc).max()))) for yc, xc in zip(y, x)]


def check(x: np.ndarray, rate: float = 48000.0) -> None:
    got = measure_loudness(x, rate).true_peak_per_channel_dbtp
    np.testing.assert_allclose(got, annex2_true_peak_dbtp(x, rate), atol=FLOAT32_DB_TOL)


def test_quarter_rate_sine_at_45_degrees_reads_3_db_over_its_samples():
    t = np.arange(96000)
    x = 0.5 * np.sin(2 * np.pi * t / 4 + np.pi / 4)[None]
    r = measure_loudness(x, 48000.0)
    # samples at +-0.5 * 0.7071 (-9.03 dBFS); the waveform's crest is 0.5 (-6.02 dBTP), which the
    # Annex interpolator (passband ripple well under 0.1 dB at fs/4) finds between the samples
    assert r.sample_peak_dbfs == pytest.approx(-9.03, abs=0.01)
    assert r.true_peak_dbtp == pytest.approx(-6.02, abs=0.1)
    check(x)


def test_dense_noise_where_every_span_is_interpolated(rng):
    check(np.clip(rng.standard_normal((2, 200000)) * 0.4, -1, 1))


def test_crescendo_the_peak_comes_last(rng):
    n = 300000
    x = rng.standard_normal(n) * np.linspace(0.001, 0.3, n)
    check(np.stack([x, x[::-1] * 0.5]))


def test_one_inter_sample_over_in_quiet_material(rng):
    x = rng.standard_normal(240000) * 1e-3
    x[123457:123463] = [0.6, 0.6, -0.6, -0.6, 0.6, 0.6]  # an over between samples, alone
    r = measure_loudness(x[None], 48000.0)
    assert r.true_peak_dbtp > r.sample_peak_dbfs + 0.5
    check(x[None])


@pytest.mark.parametrize("rate", [44100.0, 96000.0])
def test_other_rates(rng, rate):
    x = np.sin(2 * np.pi * 0.23 * np.arange(100000) + 0.3) * 0.7 + rng.standard_normal(100000) * 0.05
    check(x[None], rate)


def test_streamed_in_odd_blocks_gives_the_same_peak(rng):
    x = np.clip(rng.standard_normal((2, 150001)) * 0.3, -1, 1)
    x[1, 149990:] = 0.9 * (-1.0) ** np.arange(11)  # an over in the last samples rings out
    edges = [0, 1, 12, 300, 65536, 65547, 131072, 150001]
    blocks = [x[:, a:b] for a, b in zip(edges, edges[1:])]
    r, _ = measure_loudness_stream(blocks, 48000.0)
    np.testing.assert_allclose(r.true_peak_per_channel_dbtp, annex2_true_peak_dbtp(x, 48000.0),
                               atol=FLOAT32_DB_TOL)


@pytest.fixture(scope="module")
def real_stems(rendered_stems):
    from stems import read

    wanted = {"drums", "bass", "keys", "guitar"}
    out, seen = [], set()
    for s in rendered_stems:
        if s.label in wanted and s.label not in seen:
            seen.add(s.label)
            out.append(read(s))
    return out


def test_real_stems_equal_the_full_interpolation(real_stems):
    assert len(real_stems) == 4
    for x, rate in real_stems:
        x = x / np.abs(x).max() * 0.9  # near full scale, where inter-sample overs happen
        check(x, float(rate))
