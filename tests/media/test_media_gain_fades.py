"""Item and take volume, polarity, fades (shapes 0..6 with curvature), and a hand-mixed overlap."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from media_helpers import FLOAT_EXACT_TOL, HAND_MIX_TOL, make_item

from reaper_assist.media import fade_gain, render_items
from reaper_assist.media.uncertain import FADE_SHAPE_NAMES, fade_in_curve, fade_out_curve

SR = 1000  # one sample per millisecond keeps hand-computed fades readable


@pytest.fixture
def dc_stereo(write_media):
    """Asymmetric stereo DC (L 0.5, R 0.1), 1 s: a transposition or a swap cannot pass."""
    return write_media("dc.wav", np.vstack([np.full(SR, 0.5), np.full(SR, 0.1)]), SR)


@pytest.fixture
def dc_mono(write_media):
    return write_media("dc_mono.wav", np.full(SR, 0.25), SR)


@pytest.mark.parametrize("item_vol, take_vol", [(1.0, 1.0), (0.5, 1.0), (1.0, 2.0), (0.5, 0.5), (0.0, 1.0)])
def test_item_and_take_volume_multiply(dc_stereo, cache, item_vol, take_vol):
    item = make_item(0, 0.0, 0.1, item_volume=item_vol, take_volume=take_vol, source_file=dc_stereo)
    out = render_items([item], track_name="T", sample_rate=SR, cache=cache)
    np.testing.assert_allclose(out.audio[0], 0.5 * item_vol * take_vol, atol=FLOAT_EXACT_TOL)
    np.testing.assert_allclose(out.audio[1], 0.1 * item_vol * take_vol, atol=FLOAT_EXACT_TOL)


def test_negative_take_volume_flips_polarity_at_its_magnitude(dc_stereo, cache):
    plain = make_item(0, 0.0, 0.1, take_volume=0.5, source_file=dc_stereo)
    flipped = make_item(0, 0.0, 0.1, take_volume=-0.5, source_file=dc_stereo)
    a = render_items([plain], track_name="T", sample_rate=SR, cache=cache).audio
    b = render_items([flipped], track_name="T", sample_rate=SR, cache=cache).audio
    np.testing.assert_allclose(b, -a, atol=FLOAT_EXACT_TOL)
    np.testing.assert_allclose(a + b, 0.0, atol=FLOAT_EXACT_TOL)


def test_linear_fades_ramp_over_their_length(dc_mono, cache):
    item = make_item(0, 0.0, 0.1, fade_in_s=0.01, fade_out_s=0.02, source_file=dc_mono)
    y = render_items([item], track_name="T", sample_rate=SR, cache=cache).audio[0]
    np.testing.assert_allclose(y[:10], 0.25 * np.arange(10) / 10, atol=FLOAT_EXACT_TOL)
    np.testing.assert_allclose(y[10:80], 0.25, atol=FLOAT_EXACT_TOL)
    np.testing.assert_allclose(y[80:], 0.25 * (1 - np.arange(20) / 20), atol=FLOAT_EXACT_TOL)


def test_fades_follow_the_item_not_the_window(dc_mono, cache):
    item = make_item(0, 1.0, 0.1, fade_in_s=0.04, source_file=dc_mono)
    y = render_items([item], track_name="T", sample_rate=SR, start_s=1.02, end_s=1.03, cache=cache).audio[0]
    np.testing.assert_allclose(y, 0.25 * np.arange(20, 30) / 40, atol=FLOAT_EXACT_TOL)


def test_fades_apply_in_item_time_whatever_the_playrate(dc_mono, cache):
    item = make_item(0, 0.0, 0.2, fade_in_s=0.1, playrate=2.0, source_file=dc_mono)
    g = fade_gain(item, 0, 200, SR)
    np.testing.assert_allclose(g[:100], np.arange(100) / 100, atol=FLOAT_EXACT_TOL)
    np.testing.assert_array_equal(g[100:], 1.0)


def test_two_overlapping_items_with_fades_mix_to_hand_computed_samples(write_media, cache):
    """Item A: stereo DC (0.5, 0.1) at 0 ms for 10 ms, 4 ms linear fade-out.
    Item B: mono DC 0.25 at 6 ms for 10 ms, 4 ms linear fade-in, item vol 2, take vol -1 (flipped):
    contributes -0.5 x fade gain to both channels. Overlap from 6 to 10 ms: a crossfade.
    """
    a_path = write_media("a.wav", np.vstack([np.full(20, 0.5), np.full(20, 0.1)]), SR)
    b_path = write_media("b.wav", np.full(20, 0.25), SR)
    a = make_item(0, 0.000, 0.010, fade_out_s=0.004, source_file=a_path)
    b = make_item(1, 0.006, 0.010, fade_in_s=0.004, item_volume=2.0, take_volume=-1.0,
                 source_file=b_path)
    out = render_items([a, b], track_name="Vox", sample_rate=SR, cache=cache)
    # A's fade-out gains at its samples 6..9: 1, .75, .5, .25; B's fade-in at its 0..3: 0, .25, .5, .75
    left = [.5, .5, .5, .5, .5, .5, .5, .25, 0., -.25, -.5, -.5, -.5, -.5, -.5, -.5]
    right = [.1, .1, .1, .1, .1, .1, .1, -.05, -.2, -.35, -.5, -.5, -.5, -.5, -.5, -.5]
    assert out.start_s == 0.0 and out.audio.shape == (2, 16)
    np.testing.assert_allclose(out.audio[0], left, atol=HAND_MIX_TOL)
    np.testing.assert_allclose(out.audio[1], right, atol=HAND_MIX_TOL)
    assert out.active_mask.all()


# Known values of the sourced curves (uncertain.py) at curvature 0, x = 0.25 and 0.5.
@pytest.mark.parametrize("shape, at_quarter, at_half", [
    (0, 0.25, 0.5),                      # linear
    (1, 0.4375, 0.75),                   # x(2 - x)
    (2, 0.25, 0.5),                      # (1-c)x + cx^2 with c = 0
    (5, 0.15625, 0.5),                   # smoothstep 3x^2 - 2x^3
    (6, 8 * 0.25**4, 0.5),               # 8x^4 below the middle
])
def test_fade_shapes_at_zero_curvature_match_their_formulas(shape, at_quarter, at_half):
    g = fade_in_curve(np.array([0.0, 0.25, 0.5, 1.0]), shape, 0.0)
    np.testing.assert_allclose(g, [0.0, at_quarter, at_half, 1.0], atol=FLOAT_EXACT_TOL)


@pytest.mark.parametrize("shape, direction, at_half", [
    (2, 1.0, 0.25),                      # x^2
    (3, -1.0, 1 - 0.5**4),               # 1 - (1-x)^4, fast start
    (4, 1.0, 0.5**4),                    # x^4, fast end
    (1, 1.0, 0.5**4),                    # x^4 at full positive curvature
])
def test_fade_curvature_bends_the_curve_as_sourced(shape, direction, at_half):
    assert fade_in_curve(np.array([0.5]), shape, direction)[0] == pytest.approx(at_half, abs=FLOAT_EXACT_TOL)


@settings(max_examples=200, deadline=None)
@given(shape=st.sampled_from(sorted(FADE_SHAPE_NAMES)), direction=st.floats(-1.0, 1.0))
def test_every_fade_is_bounded_monotonic_and_reaches_its_ends(shape, direction):
    x = np.linspace(0.0, 1.0, 257)
    g_in = fade_in_curve(x, shape, direction)
    g_out = fade_out_curve(x, shape, direction)
    assert g_in[0] == pytest.approx(0.0, abs=1e-9) and g_in[-1] == pytest.approx(1.0, abs=1e-9)
    assert g_out[0] == pytest.approx(1.0, abs=1e-9) and g_out[-1] == pytest.approx(0.0, abs=1e-9)
    assert np.all((g_in >= 0) & (g_in <= 1)) and np.all(np.diff(g_in) >= -1e-12)
    assert np.all(np.diff(g_out) <= 1e-12)


@pytest.mark.parametrize("shape", sorted(FADE_SHAPE_NAMES))
def test_fade_out_mirrors_fade_in_with_negated_curvature(shape):
    x = np.linspace(0, 1, 101)
    np.testing.assert_allclose(fade_out_curve(x, shape, 0.3), fade_in_curve(1 - x, shape, -0.3),
                               atol=FLOAT_EXACT_TOL)


def test_rendered_fade_uses_the_shape_and_curvature(dc_mono, cache):
    item = make_item(0, 0.0, 0.1, fade_in_s=0.04, fade_in_shape=3, fade_in_dir=-1.0,
                    fade_out_s=0.04, fade_out_shape=5, fade_out_dir=0.5, source_file=dc_mono)
    y = render_items([item], track_name="T", sample_rate=SR, cache=cache).audio[0]
    k = np.arange(40)
    np.testing.assert_allclose(y[:40], 0.25 * (1 - (1 - k / 40) ** 4), atol=FLOAT_EXACT_TOL)
    np.testing.assert_allclose(y[60:], 0.25 * fade_out_curve(k / 40, 5, 0.5), atol=FLOAT_EXACT_TOL)


def test_overlapping_fade_in_and_out_multiply(dc_mono, cache):
    item = make_item(0, 0.0, 0.01, fade_in_s=0.01, fade_out_s=0.01, source_file=dc_mono)
    y = render_items([item], track_name="T", sample_rate=SR, cache=cache).audio[0]
    k = np.arange(10) / 10
    np.testing.assert_allclose(y, 0.25 * k * (1 - k), atol=FLOAT_EXACT_TOL)
