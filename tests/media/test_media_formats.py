"""File formats, sample rates, playrate and channel routing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from media_helpers import (
    FLOAT32_TOL,
    FLOAT_EXACT_TOL,
    FREQ_TOL_HZ,
    INT16_LSB,
    INT24_LSB,
    RESAMPLE_TOL_DB,
    assert_db_close,
    make_item,
    peak_freq_hz,
    rms_db,
    sine,
)

from reaper_assist.media import map_channels, render_items

SINE_HZ = 997.0
#: A sine of peak 0.5 has RMS 0.5 / sqrt(2): 20 log10(0.5) - 3.01 dB.
SINE_RMS_DB = 20 * math.log10(0.5) - 10 * math.log10(2)


# the resampler's filter delay/settling on a 0.5-amplitude 1 kHz sine at the item start, in
# sample amplitude (10 % of the sine's amplitude)
ONSET_TOL = 0.05
# a slow ramp read at playrate 2 vs linear interpolation of the source: resampler ripple, amplitude
RAMP_INTERP_TOL = 1e-3


@pytest.mark.parametrize("name, subtype, tol", [
    ("s16.wav", "PCM_16", INT16_LSB),
    ("s24.wav", "PCM_24", INT24_LSB),
    ("f32.wav", "FLOAT", FLOAT32_TOL),
    ("f64.wav", "DOUBLE", FLOAT_EXACT_TOL),
    ("s16.flac", "PCM_16", INT16_LSB),
    ("s24.flac", "PCM_24", INT24_LSB),
])
def test_formats_play_back_their_samples(write_media, cache, rng, name, subtype, tol):
    x = rng.uniform(-0.9, 0.9, size=(2, 4800))
    path = write_media(name, x, 48000, subtype=subtype)
    out = render_items([make_item(0, 0.0, 0.1, source_file=path)], track_name="T", sample_rate=48000, cache=cache)
    np.testing.assert_allclose(out.audio, x, atol=tol)


def test_float_sources_above_full_scale_are_not_clipped(write_media, cache):
    path = write_media("hot.wav", np.full(100, 1.5), 1000, subtype="FLOAT")
    out = render_items([make_item(0, 0.0, 0.1, source_file=path)], track_name="T", sample_rate=1000, cache=cache)
    np.testing.assert_allclose(out.audio, 1.5, atol=FLOAT32_TOL)


@pytest.mark.parametrize("src_rate, project_rate", [
    (44100, 48000), (48000, 44100), (96000, 48000), (96000, 44100), (44100, 96000),
])
def test_sources_at_another_rate_are_resampled_to_the_project_rate(write_media, cache, src_rate, project_rate):
    path = write_media(f"sine_{src_rate}.wav", sine(SINE_HZ, 2.0, src_rate), src_rate, subtype="FLOAT")
    out = render_items([make_item(0, 0.0, 2.0, source_file=path)], track_name="T", sample_rate=project_rate, cache=cache)
    assert out.audio.shape == (2, 2 * project_rate)
    steady = out.audio[0, project_rate // 10 : -project_rate // 10]
    assert_db_close(rms_db(steady), SINE_RMS_DB, RESAMPLE_TOL_DB, f"{src_rate}->{project_rate}")
    assert abs(peak_freq_hz(steady, project_rate) - SINE_HZ) <= FREQ_TOL_HZ
    # the item still starts on time: the resampled onset lines up with an un-resampled one
    ref = np.sin(2 * np.pi * SINE_HZ * np.arange(200) / project_rate) * 0.5
    assert np.max(np.abs(out.audio[0, 50:200] - ref[50:200])) < ONSET_TOL


@pytest.mark.parametrize("playrate", [0.5, 2.0, 1.5])
def test_playrate_shifts_pitch_and_keeps_level(write_media, cache, playrate):
    path = write_media("sine.wav", sine(SINE_HZ, 4.0, 48000), 48000, subtype="FLOAT")
    out = render_items([make_item(0, 0.0, 1.0, playrate=playrate, source_file=path)], track_name="T",
                       sample_rate=48000, cache=cache)
    steady = out.audio[0, 4800:-4800]
    assert_db_close(rms_db(steady), SINE_RMS_DB, RESAMPLE_TOL_DB, f"playrate {playrate}")
    assert abs(peak_freq_hz(steady, 48000) - SINE_HZ * playrate) <= FREQ_TOL_HZ * playrate


def test_playrate_consumes_length_times_rate_of_source(write_media, cache):
    # 2 s of sine then 2 s of silence: at rate 2 a 1 s item plays only sine, a 1.5 s item ends silent
    x = np.concatenate([sine(SINE_HZ, 2.0, 48000), np.zeros(96000)])
    path = write_media("sine_then_silence.wav", x, 48000, subtype="FLOAT")
    out = render_items([make_item(0, 0.0, 1.5, playrate=2.0, source_file=path)], track_name="T",
                       sample_rate=48000, cache=cache).audio[0]
    assert_db_close(rms_db(out[1000:47000]), SINE_RMS_DB, RESAMPLE_TOL_DB, "first second")
    assert np.max(np.abs(out[49000:])) < 1e-3  # source time 2.0 s is reached at item time 1.0 s


def test_playrate_with_start_offset_reads_from_the_offset(write_media, cache):
    ramp = np.linspace(0.0, 1.0, 8000)  # 1 s at 8 kHz: slow enough to survive resampling
    path = write_media("ramp.wav", ramp, 8000)
    y = render_items([make_item(0, 0.0, 0.25, start_offset_s=0.25, playrate=2.0, source_file=path)], track_name="T",
                     sample_rate=8000, cache=cache).audio[0]
    expected = np.interp(0.25 + 2.0 * np.arange(2000) / 8000, np.arange(8000) / 8000, ramp)
    np.testing.assert_allclose(y[100:-100], expected[100:-100], atol=RAMP_INTERP_TOL)


# ---------------------------------------------------------------------------------- channels

def asym_stereo(n: int = 100) -> np.ndarray:
    return np.vstack([np.full(n, 0.5), np.full(n, -0.25)])


def test_mono_source_on_stereo_track_plays_unity_in_both_channels(write_media, cache):
    path = write_media("m.wav", np.full(100, 0.3), 1000)
    out = render_items([make_item(0, 0.0, 0.1, source_file=path)], track_name="T", sample_rate=1000, cache=cache)
    np.testing.assert_allclose(out.audio, 0.3, atol=FLOAT_EXACT_TOL)


def test_mono_source_on_a_wide_track_fills_channels_one_and_two(write_media, cache):
    path = write_media("m.wav", np.full(100, 0.3), 1000)
    out = render_items([make_item(0, 0.0, 0.1, source_file=path)], track_name="T", sample_rate=1000, channels=4, cache=cache)
    np.testing.assert_allclose(out.audio[:2], 0.3, atol=FLOAT_EXACT_TOL)
    np.testing.assert_array_equal(out.audio[2:], 0.0)


def test_stereo_source_keeps_left_and_right(write_media, cache):
    path = write_media("s.wav", asym_stereo(), 1000)
    out = render_items([make_item(0, 0.0, 0.1, source_file=path)], track_name="T", sample_rate=1000, cache=cache)
    np.testing.assert_allclose(out.audio, asym_stereo(), atol=FLOAT_EXACT_TOL)


def test_more_source_channels_than_track_channels_are_dropped(write_media, cache):
    six = np.vstack([np.full(100, 0.1 * (c + 1)) for c in range(6)])
    path = write_media("six.wav", six, 1000)
    two = render_items([make_item(0, 0.0, 0.1, source_file=path)], track_name="T", sample_rate=1000, cache=cache)
    np.testing.assert_allclose(two.audio, six[:2], atol=FLOAT_EXACT_TOL)
    eight = render_items([make_item(0, 0.0, 0.1, source_file=path)], track_name="T", sample_rate=1000, channels=8, cache=cache)
    np.testing.assert_allclose(eight.audio[:6], six, atol=FLOAT_EXACT_TOL)
    np.testing.assert_array_equal(eight.audio[6:], 0.0)


@pytest.mark.parametrize("chanmode, left, right", [
    (0, 0.5, -0.25),     # normal
    (1, -0.25, 0.5),     # reverse stereo
    (2, 0.125, 0.125),   # mono downmix (L+R)/2  (UNCERTAIN gain)
    (3, 0.5, 0.5),       # mono left
    (4, -0.25, -0.25),   # mono right
])
def test_chanmodes(write_media, cache, chanmode, left, right):
    path = write_media("s.wav", asym_stereo(), 1000)
    out = render_items([make_item(0, 0.0, 0.1, chanmode=chanmode, source_file=path)], track_name="T",
                       sample_rate=1000, cache=cache)
    np.testing.assert_allclose(out.audio[0], left, atol=FLOAT_EXACT_TOL)
    np.testing.assert_allclose(out.audio[1], right, atol=FLOAT_EXACT_TOL)


@pytest.mark.parametrize("chanmode", [1, 2, 3, 4])
def test_chanmodes_on_a_mono_source_are_the_mono_signal(chanmode):
    y = map_channels(np.full((1, 10), 0.3), chanmode, 2)
    np.testing.assert_allclose(y, 0.3, atol=FLOAT_EXACT_TOL)


def test_take_pan_centre_is_unity_and_full_pan_silences_the_other_side():
    x = asym_stereo(10)
    np.testing.assert_allclose(map_channels(x, 0, 2, pan=0.0), x, atol=FLOAT_EXACT_TOL)
    right = map_channels(x, 0, 2, pan=1.0)
    np.testing.assert_allclose(right[0], 0.0, atol=FLOAT_EXACT_TOL)
    np.testing.assert_allclose(right[1], x[1], atol=FLOAT_EXACT_TOL)


def test_map_channels_never_aliases_its_input():
    x = asym_stereo(10)
    y = map_channels(x, 0, 2)
    y *= 0
    np.testing.assert_allclose(x, asym_stereo(10))
