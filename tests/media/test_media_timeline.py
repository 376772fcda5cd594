"""Placement on the timeline, start offset, window, mute, overlap and media problems."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from media_helpers import FLOAT_EXACT_TOL, make_item

from reaper_assist.errors import ParameterError
from reaper_assist.items import ItemState
from reaper_assist.media import MediaProblem, render_items

SR = 8000


def ramp(n: int) -> np.ndarray:
    """Sample i holds (i + 1) / 2**20: every frame is identifiable and exact in float64."""
    return (np.arange(n) + 1) / 2**20


@pytest.fixture
def ramp_wav(write_media):
    return write_media("ramp.wav", ramp(SR * 2), SR)  # 2 s


def test_item_lands_on_its_sample_and_lasts_its_length(ramp_wav, cache):
    item = make_item(0, position_s=0.5, length_s=0.25, source_file=ramp_wav)
    out = render_items([item], track_name="Kick", sample_rate=SR, start_s=0.0, end_s=1.0, cache=cache)
    assert out.audio.shape == (2, SR)
    a, b = int(0.5 * SR), int(0.75 * SR)
    np.testing.assert_array_equal(out.audio[:, :a], 0.0)
    np.testing.assert_array_equal(out.audio[:, b:], 0.0)
    np.testing.assert_allclose(out.audio[0, a:b], ramp(b - a), atol=FLOAT_EXACT_TOL)
    np.testing.assert_array_equal(out.audio[0], out.audio[1])  # mono source: both channels
    assert out.active_mask[a:b].all() and not out.active_mask[:a].any() and not out.active_mask[b:].any()
    assert out.problems == ()


def test_start_offset_skips_that_much_source(ramp_wav, cache):
    item = make_item(0, position_s=0.0, length_s=0.1, start_offset_s=0.25, source_file=ramp_wav)
    out = render_items([item], track_name="Kick", sample_rate=SR, cache=cache)
    first = int(0.25 * SR)
    np.testing.assert_allclose(out.audio[0], ramp(first + 800)[first:], atol=FLOAT_EXACT_TOL)


def test_negative_start_offset_plays_silence_before_the_source(ramp_wav, cache):
    item = make_item(0, position_s=0.0, length_s=0.1, start_offset_s=-0.05, source_file=ramp_wav)
    out = render_items([item], track_name="Kick", sample_rate=SR, cache=cache)
    np.testing.assert_array_equal(out.audio[0, :400], 0.0)
    np.testing.assert_allclose(out.audio[0, 400:], ramp(400), atol=FLOAT_EXACT_TOL)


def test_default_window_spans_the_items_and_starts_at_the_first(ramp_wav, cache):
    items = [make_item(0, 1.0, 0.5, source_file=ramp_wav), make_item(1, 3.0, 0.25, source_file=ramp_wav)]
    out = render_items(items, track_name="T", sample_rate=SR, cache=cache)
    assert out.start_s == 1.0 and out.n_samples == int(2.25 * SR) and out.end_s == 3.25
    assert out.active_mask.sum() == int(0.75 * SR)
    assert out.active_audio().shape == (2, int(0.75 * SR))


def test_window_cuts_an_item_without_shifting_it(ramp_wav, cache):
    item = make_item(0, 1.0, 1.0, source_file=ramp_wav)
    out = render_items([item], track_name="T", sample_rate=SR, start_s=1.25, end_s=1.5, cache=cache)
    np.testing.assert_allclose(out.audio[0], ramp(int(0.5 * SR))[int(0.25 * SR):], atol=FLOAT_EXACT_TOL)


@pytest.fixture(scope="module")
def shared_ramp_wav(tmp_path_factory) -> str:
    import soundfile as sf

    path = tmp_path_factory.mktemp("media") / "ramp_shared.wav"
    sf.write(path, ramp(SR * 2), SR, subtype="DOUBLE")
    return str(path)


@settings(max_examples=25, deadline=None)
@given(pos=st.integers(0, 4000), length=st.integers(1, 4000), offs=st.integers(0, 4000))
def test_placement_is_sample_exact_for_any_sample_aligned_item(shared_ramp_wav, pos, length, offs):
    from reaper_assist.media import SegmentCache

    path = shared_ramp_wav
    item = make_item(0, pos / SR, length / SR, start_offset_s=offs / SR, source_file=path)
    out = render_items([item], track_name="T", sample_rate=SR, start_s=0.0, end_s=1.0, cache=SegmentCache())
    expected = np.zeros(SR)
    src = np.concatenate([ramp(SR * 2), np.zeros(8000)])[offs:offs + length]
    end = min(pos + length, SR)
    expected[pos:end] = src[: end - pos]
    np.testing.assert_allclose(out.audio[1], expected, atol=FLOAT_EXACT_TOL)


def test_overlapping_items_on_one_track_are_summed(ramp_wav, cache):
    a = make_item(0, 0.0, 0.5, source_file=ramp_wav)
    b = make_item(1, 0.25, 0.5, source_file=ramp_wav)
    out = render_items([a, b], track_name="T", sample_rate=SR, cache=cache)
    alone_a = render_items([a], track_name="T", sample_rate=SR, start_s=0.0, end_s=0.75, cache=cache).audio
    alone_b = render_items([b], track_name="T", sample_rate=SR, start_s=0.0, end_s=0.75, cache=cache).audio
    np.testing.assert_allclose(out.audio, alone_a + alone_b, atol=FLOAT_EXACT_TOL)


def test_muted_item_is_silence_and_not_a_problem(ramp_wav, cache):
    items = [make_item(0, 0.0, 0.5, mute=True, source_file=ramp_wav),
             make_item(1, 0.0, 0.5, mute=True, source_file="/nonexistent/x.wav")]
    out = render_items(items, track_name="T", sample_rate=SR, cache=cache)
    np.testing.assert_array_equal(out.audio, 0.0)
    assert out.problems == () and not out.active_mask.any()


@pytest.mark.parametrize("kind", ["midi", "offline", "empty"])
def test_non_audio_sources_are_reported_and_silent(ramp_wav, cache, kind):
    items = [make_item(3, 0.0, 0.5, source_kind=kind, source_file=None if kind != "offline" else ramp_wav),
             make_item(4, 0.0, 0.5, source_file=ramp_wav)]
    out = render_items(items, track_name="Keys", sample_rate=SR, cache=cache)
    assert [(p.track_name, p.item_index, p.reason) for p in out.problems] == [("Keys", 4, kind)]  # 1-based
    only_audio = render_items(items[1:], track_name="Keys", sample_rate=SR, cache=cache)
    np.testing.assert_array_equal(out.audio, only_audio.audio)


def test_missing_media_is_reported_with_its_path(cache, tmp_path):
    path = str(tmp_path / "kick.wav")
    out = render_items([make_item(1, 0.0, 1.0, source_file=path)], track_name="Kick", sample_rate=SR, cache=cache)
    np.testing.assert_array_equal(out.audio, 0.0)
    assert out.problems == (MediaProblem("Kick", 2, path, "missing"),)
    assert str(out.problems[0]) == f"track 'Kick', item 2: missing media ({path})"
    assert not out.active_mask.any()


def test_audio_item_without_a_file_is_reported_empty(cache):
    out = render_items([make_item(0, 0.0, 1.0)], track_name="Pad", sample_rate=SR, cache=cache)
    assert [p.reason for p in out.problems] == ["empty"]
    assert str(out.problems[0]) == "track 'Pad', item 1: empty item, no source"


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk", b"not audio at all" * 100],
                         ids=["zero-bytes", "bad-riff", "text"])
def test_unreadable_media_is_reported_not_raised(cache, tmp_path, content):
    path = tmp_path / "broken.wav"
    path.write_bytes(content)
    out = render_items([make_item(0, 0.0, 1.0, source_file=str(path))], track_name="Gtr", sample_rate=SR, cache=cache)
    np.testing.assert_array_equal(out.audio, 0.0)
    assert [(p.reason, p.file) for p in out.problems] == [("unreadable", str(path))]
    assert str(out.problems[0]).startswith(f"track 'Gtr', item 1: unreadable media ({path})")


def test_a_directory_as_source_is_missing_media(cache, tmp_path):
    out = render_items([make_item(0, 0.0, 1.0, source_file=str(tmp_path))], track_name="T", sample_rate=SR, cache=cache)
    assert [p.reason for p in out.problems] == ["missing"]


def test_problems_only_for_items_inside_the_window(cache, tmp_path):
    items = [make_item(0, 5.0, 1.0, source_file=str(tmp_path / "gone.wav"))]
    out = render_items(items, track_name="T", sample_rate=SR, start_s=0.0, end_s=1.0, cache=cache)
    assert out.problems == ()


def test_no_items_gives_an_empty_track(cache):
    out = render_items([], track_name="T", sample_rate=SR, channels=4, cache=cache)
    assert out.audio.shape == (4, 0) and out.problems == ()


@pytest.mark.parametrize("kwargs, match", [
    ({"length_s": -1.0}, r"length_s=-1\.0 is outside the valid range \[0, inf\) \(track 'Bass', item 8\)"),
    ({"playrate": 0.0}, r"playrate=0\.0 .*\(0, inf\)"),
    ({"fade_in_shape": 7}, r"fade_in_shape=7 .*0\.\.6"),
    ({"fade_out_dir": 1.5}, r"fade_out_dir=1\.5 .*\[-1, 1\]"),
    ({"chanmode": 9}, r"chanmode=9 .*0\.\.4"),
    ({"take_pan": 2.0}, r"take pan=2\.0 .*\[-1, 1\]"),
    ({"position_s": float("nan")}, r"position_s=nan"),
    ({"fade_in_auto_s": float("inf")}, r"fade_in_auto_s=inf"),
    ({"section_length_s": 0.0}, r"section length_s=0\.0"),
])
def test_invalid_items_are_refused_with_value_range_and_track(kwargs, match):
    it = make_item(7, **{"position_s": 0.0, "length_s": 1.0, "source_file": "x.wav", **kwargs})
    with pytest.raises(ParameterError, match=match):
        render_items([it], track_name="Bass", sample_rate=SR)


@pytest.mark.parametrize("kwargs, match", [
    ({"sample_rate": 0}, "sample_rate=0"),
    ({"sample_rate": 44100.5}, "sample_rate=44100.5"),
    ({"sample_rate": SR, "channels": 0}, "channels=0"),
    ({"sample_rate": SR, "start_s": 2.0, "end_s": 1.0}, "start_s=2.0"),
])
def test_invalid_render_options_are_refused(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        render_items([], track_name="T", **kwargs)


def test_an_item_as_read_state_returns_it_renders_as_it_is(ramp_wav, cache):
    """The read's JSON object (reaper_assist.bridge.remote, facts 1.4 keys) is the item media renders."""
    d = {"index": 4, "guid": "{G}", "position_s": 1.0, "length_s": 0.5, "mute": False, "item_volume": 0.5,
         "fade_in_s": 0.1, "fade_in_auto_s": 0.2, "fade_in_shape": 1, "fade_in_dir": -0.5,
         "fade_out_s": 0.05, "fade_out_auto_s": -1.0, "fade_out_shape": 0, "fade_out_dir": 0.0,
         "loop_source": True,
         "take": {"index": 0, "guid": "{T}", "name": "ramp", "volume": -1.0, "pan": 0.0, "start_offset_s": 0.25,
                  "playrate": 1.0, "chanmode": 3, "source_type": "WAVE", "file": ramp_wav,
                  "section": {"start_s": 0.0, "length_s": 0.5, "reversed": False}}}
    it = ItemState.from_dict(d)
    assert (it.position_s, it.length_s, it.gain, it.take.start_offset_s) == (1.0, 0.5, -0.5, 0.25)
    assert (it.fade_in_played_s, it.fade_out_played_s) == (0.2, 0.05)  # the auto fade-in plays
    assert it.loop_source and it.take.chanmode == 3 and it.number == 5 and it.take.section.length_s == 0.5
    out = render_items([it], track_name="Kick", sample_rate=SR, start_s=1.0, end_s=1.5, cache=cache)
    assert out.problems == () and out.audio.shape == (2, round(0.5 * SR))
    no_take = ItemState.from_dict({**d, "take": None})
    out = render_items([no_take], track_name="Kick", sample_rate=SR, cache=cache)
    assert [str(p) for p in out.problems] == ["track 'Kick', item 5: empty item, no source"]
