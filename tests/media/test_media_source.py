"""Source length, loop, SECTION (start/length/reversed), block reads, cache, read-only media."""

from __future__ import annotations

import os

import numpy as np
import pytest
from media_helpers import FLOAT_EXACT_TOL, READ_MARGIN_FRAMES, make_item

from reaper_assist.media import SegmentCache, render_items
from reaper_assist.media import source as source_mod

SR = 1000


def ramp(n: int) -> np.ndarray:
    return (np.arange(n) + 1) / 2**20


@pytest.fixture
def short_wav(write_media):
    return write_media("short.wav", ramp(100), SR)  # 0.1 s


def render_one(cache, **kw):
    return render_items([make_item(0, **kw)], track_name="T", sample_rate=SR, cache=cache).audio[0]


def test_source_shorter_than_the_item_plays_silence_after_its_end(short_wav, cache):
    y = render_one(cache, position_s=0.0, length_s=0.25, source_file=short_wav)
    np.testing.assert_allclose(y[:100], ramp(100), atol=FLOAT_EXACT_TOL)
    np.testing.assert_array_equal(y[100:], 0.0)


def test_loop_source_repeats_the_source(short_wav, cache):
    y = render_one(cache, position_s=0.0, length_s=0.25, loop_source=True, source_file=short_wav)
    np.testing.assert_allclose(y, np.tile(ramp(100), 3)[:250], atol=FLOAT_EXACT_TOL)


def test_loop_with_start_offset_wraps_around(short_wav, cache):
    y = render_one(cache, position_s=0.0, length_s=0.05, start_offset_s=0.08, loop_source=True,
                   source_file=short_wav)
    np.testing.assert_allclose(y, np.tile(ramp(100), 2)[80:130], atol=FLOAT_EXACT_TOL)


def test_section_plays_a_window_of_the_file(write_media, cache):
    path = write_media("long.wav", ramp(1000), SR)
    y = render_one(cache, position_s=0.0, length_s=0.1, section_start_s=0.2, section_length_s=0.05,
                   source_file=path)
    np.testing.assert_allclose(y[:50], ramp(250)[200:], atol=FLOAT_EXACT_TOL)
    np.testing.assert_array_equal(y[50:], 0.0)  # the section ends; no loop


def test_section_with_offset_and_loop(write_media, cache):
    path = write_media("long.wav", ramp(1000), SR)
    y = render_one(cache, position_s=0.0, length_s=0.1, section_start_s=0.2, section_length_s=0.04,
                   start_offset_s=0.01, loop_source=True, source_file=path)
    window = ramp(240)[200:]
    np.testing.assert_allclose(y, np.tile(window, 4)[10:110], atol=FLOAT_EXACT_TOL)


def test_reversed_section_plays_backwards(write_media, cache):
    path = write_media("long.wav", ramp(1000), SR)
    y = render_one(cache, position_s=0.0, length_s=0.05, section_start_s=0.2, section_length_s=0.05,
                   reversed=True, source_file=path)
    np.testing.assert_allclose(y, ramp(250)[200:][::-1], atol=FLOAT_EXACT_TOL)


def test_reversed_whole_file_with_offset(write_media, cache):
    path = write_media("long.wav", ramp(1000), SR)
    y = render_one(cache, position_s=0.0, length_s=0.1, start_offset_s=0.3, reversed=True, source_file=path)
    np.testing.assert_allclose(y, ramp(1000)[::-1][300:400], atol=FLOAT_EXACT_TOL)


def test_section_past_the_end_of_the_file_is_silent_there(write_media, cache):
    path = write_media("long.wav", ramp(1000), SR)
    y = render_one(cache, position_s=0.0, length_s=0.2, section_start_s=0.95, section_length_s=0.2,
                   source_file=path)
    np.testing.assert_allclose(y[:50], ramp(1000)[950:], atol=FLOAT_EXACT_TOL)
    np.testing.assert_array_equal(y[50:], 0.0)


# ------------------------------------------------------------------------- reading and cache

@pytest.fixture
def read_spy(monkeypatch):
    """Records every (start, stop) block the reader decodes."""
    calls: list[tuple[int, int]] = []
    real = source_mod.read_frames

    def spy(path, start, stop, channels, dtype=np.float64):
        calls.append((start, stop))
        return real(path, start, stop, channels, dtype)

    monkeypatch.setattr(source_mod, "read_frames", spy)
    return calls


@pytest.fixture
def long_wav(tmp_path):
    """10 minutes of 8 kHz mono 16-bit noise (9.6 MB), written in blocks."""
    import soundfile as sf

    path = tmp_path / "long.wav"
    rng = np.random.default_rng(7)
    with sf.SoundFile(path, "w", samplerate=8000, channels=1, subtype="PCM_16") as f:
        for _ in range(10):
            f.write(rng.uniform(-0.5, 0.5, 8000 * 60))
    return str(path)


def test_only_the_frames_that_play_are_read(long_wav, read_spy, cache):
    item = make_item(0, 100.0, 1.0, start_offset_s=300.0, source_file=long_wav)
    render_items([item], track_name="T", sample_rate=8000, cache=cache)
    assert read_spy == [(300 * 8000, 301 * 8000)]


def test_resampled_reads_stay_near_the_span_that_plays(long_wav, read_spy, cache):
    item = make_item(0, 100.0, 1.0, start_offset_s=300.0, source_file=long_wav)
    render_items([item], track_name="T", sample_rate=48000, cache=cache)
    (start, stop), = read_spy
    assert 300 * 8000 - READ_MARGIN_FRAMES <= start <= 300 * 8000
    assert 301 * 8000 <= stop <= 301 * 8000 + READ_MARGIN_FRAMES


def test_a_second_render_comes_from_the_cache(long_wav, read_spy, cache):
    items = [make_item(0, 0.0, 1.0, start_offset_s=10.0, source_file=long_wav),
             make_item(1, 2.0, 1.0, start_offset_s=20.0, playrate=1.5, source_file=long_wav)]
    first = render_items(items, track_name="T", sample_rate=8000, cache=cache)
    n_reads = len(read_spy)
    second = render_items(items, track_name="T", sample_rate=8000, cache=cache)
    assert len(read_spy) == n_reads and cache.hits > 0
    np.testing.assert_array_equal(first.audio, second.audio)


def test_a_changed_file_is_read_again(write_media, read_spy, cache):
    path = write_media("x.wav", np.full(100, 0.25), SR)
    item = make_item(0, 0.0, 0.1, source_file=path)
    assert render_items([item], track_name="T", sample_rate=SR, cache=cache).audio[0, 0] == 0.25
    write_media("x.wav", np.full(100, -0.5), SR)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # coarse-mtime filesystems
    assert render_items([item], track_name="T", sample_rate=SR, cache=cache).audio[0, 0] == -0.5
    assert len(read_spy) == 2


def test_cache_is_bounded_in_entries_and_bytes():
    c = SegmentCache(max_bytes=1000, max_entries=3)
    for i in range(5):
        c.put(i, np.zeros(10), 80)
    assert len(c) == 3 and c.get(0) is None and c.get(4) is not None
    c.put("big", np.zeros(100), 800)
    assert c.nbytes <= 1000
    c.put("huge", np.zeros(1000), 8000)  # larger than the whole cache: not stored, nothing evicted
    assert c.get("huge") is None and c.get("big") is not None
    c.clear()
    assert len(c) == 0 and c.nbytes == 0


def test_cached_segments_are_read_only(write_media, cache):
    path = write_media("x.wav", np.full(100, 0.25), SR)
    item = make_item(0, 0.0, 0.1, take_volume=-2.0, source_file=path)
    a = render_items([item], track_name="T", sample_rate=SR, cache=cache).audio
    b = render_items([item], track_name="T", sample_rate=SR, cache=cache).audio
    np.testing.assert_array_equal(a, b)  # the gain was not applied to the cached segment
    np.testing.assert_allclose(a, -0.5, atol=FLOAT_EXACT_TOL)


def test_media_files_are_never_written(write_media, cache):
    path = write_media("x.flac", np.full((2, 1000), 0.25), SR, subtype="PCM_16")
    before = (open(path, "rb").read(), os.stat(path).st_mtime_ns)
    items = [make_item(0, 0.0, 2.0, loop_source=True, reversed=True, playrate=1.3, fade_in_s=0.5,
                      source_file=path)]
    render_items(items, track_name="T", sample_rate=44100, cache=cache)
    assert (open(path, "rb").read(), os.stat(path).st_mtime_ns) == before


def test_the_default_cache_is_created_on_first_use(monkeypatch):
    monkeypatch.setattr(source_mod, "_default_cache", None)
    first = source_mod.default_cache()
    assert isinstance(first, SegmentCache) and source_mod.default_cache() is first
