"""Blocks of media.stream.render_blocks against render_items' whole-window render (issue 20)."""

from __future__ import annotations

import numpy as np
import pytest
from media_helpers import make_item

from reaper_assist.errors import ParameterError
from reaper_assist.media import render_items
from reaper_assist.media.stream import BlockProblems, media_problems, render_blocks

SR = 48000
#: float32 rounding of full-scale samples (2^-24 relative): the stream is float32, the render float64
F32_TOL = 2e-7


@pytest.fixture
def items(write_media, rng):
    n = 3 * SR
    t = np.arange(n) / SR
    a = write_media("a.wav", np.stack([0.5 * np.sin(2 * np.pi * 220 * t), 0.3 * rng.standard_normal(n) / 4]),
                    SR, subtype="PCM_24")
    b = write_media("b.wav", 0.4 * np.sin(2 * np.pi * 330 * t[: 2 * SR]), SR, subtype="PCM_24")
    c = write_media("c.wav", 0.2 * np.sin(2 * np.pi * 440 * np.arange(2 * 44100) / 44100), 44100,
                    subtype="FLOAT")
    return [
        make_item(0, 0.25, 2.5, source_file=a, start_offset_s=0.1, fade_in_s=0.3, fade_out_s=0.7,
                  fade_out_shape=2, item_volume=0.7),
        make_item(1, 1.0, 1.5, source_file=b, take_pan=0.3, fade_in_s=0.2),  # mono under stereo, overlapping
        make_item(2, 3.1, 1.9, source_file=c, loop_source=True),  # resampled 44.1 -> 48 kHz, looped
        make_item(3, 0.5, 1.0, source_file=a, mute=True),
    ]


@pytest.mark.parametrize("block_frames", [4096, 10007, 1 << 18])
def test_blocks_concatenate_to_the_whole_render(items, block_frames):
    whole = render_items(items, track_name="T", sample_rate=SR, channels=2, start_s=0.25, end_s=5.0)
    blocks = list(render_blocks(items, track_name="T", sample_rate=SR, channels=2, start_s=0.25, end_s=5.0,
                                block_frames=block_frames))
    assert all(b.dtype == np.float32 and b.shape[1] <= block_frames for b in blocks)
    got = np.concatenate(blocks, axis=1)
    assert got.shape == whole.audio.shape
    np.testing.assert_allclose(got, whole.audio, atol=F32_TOL)
    assert np.max(np.abs(whole.audio[:, int(3.2 * SR):])) > 0.1  # the looped resampled item plays


def test_at_the_project_rate_blocks_are_rendered_block_by_block(items, monkeypatch):
    """No whole-track render (the memory bound): every render_items call spans one block."""
    from reaper_assist.media import stream

    spans = []
    real = stream.render_items

    def spy(*args, **kw):
        spans.append(kw["end_s"] - kw["start_s"])
        return real(*args, **kw)

    monkeypatch.setattr(stream, "render_items", spy)
    same_rate = items[:2]
    got = np.concatenate(list(render_blocks(same_rate, track_name="T", sample_rate=SR, channels=2,
                                            start_s=0.25, end_s=2.75, block_frames=4096)), axis=1)
    # the blocks item a covers alone are read directly (test_one_plain_item_is_read_directly)
    assert max(spans) <= 4096 / SR + 1e-12 and 0 < len(spans) < -(-int(2.5 * SR) // 4096)
    whole = real(same_rate, track_name="T", sample_rate=SR, channels=2, start_s=0.25, end_s=2.75)
    np.testing.assert_allclose(got, whole.audio, atol=F32_TOL)


def test_missing_media_is_a_problem_found_before_reading(items, tmp_path):
    gone = make_item(4, 0.0, 1.0, source_file=str(tmp_path / "gone.wav"))
    problems = media_problems([*items, gone], track_name="T", start_s=0.0, end_s=5.0)
    assert [(p.item_index, p.reason) for p in problems] == [(5, "missing")]
    assert media_problems(items, track_name="T", start_s=0.0, end_s=5.0) == []


def test_a_file_truncated_after_the_header_read_raises_block_problems(write_media, tmp_path):
    path = write_media("t.wav", np.zeros(SR), SR, subtype="PCM_16")
    item = make_item(0, 0.0, 1.0, source_file=path)
    assert media_problems([item], track_name="T", start_s=0.0, end_s=1.0) == []
    with open(path, "r+b") as f:
        f.write(b"garbage!" * 8)  # the RIFF header is gone
    with pytest.raises(BlockProblems, match="unreadable"):
        list(render_blocks([item], track_name="T", sample_rate=SR, channels=1, start_s=0.0, end_s=1.0))


def test_an_empty_window_gives_one_empty_block(items):
    blocks = list(render_blocks(items, track_name="T", sample_rate=SR, channels=2, start_s=1.0, end_s=1.0))
    assert [b.shape for b in blocks] == [(2, 0)]


@pytest.mark.parametrize("source", ["stereo", "mono", "mono-flac"])
@pytest.mark.parametrize("reuse", [False, True])
def test_one_plain_item_is_read_directly_as_render_items_renders_it(write_media, rng, monkeypatch, reuse, source):
    """A block one plain item covers alone is decoded straight into a (frames, channels) buffer
    (no render_items call), with the item's gain, fades and start offset, and silence past the
    file's end: the same float32 samples as render_items. A mono file on the stereo track is
    decoded once and seen in both channels (a stride-0 view), as render_items maps it."""
    from reaper_assist.media import stream

    n = 2 * SR
    audio = np.stack([0.5 * rng.standard_normal(n), 0.25 * rng.standard_normal(n)])
    path = write_media("p.flac" if source == "mono-flac" else "p.wav", audio[:1] if "mono" in source else audio, SR,
                       subtype="PCM_24")
    item = make_item(0, 0.5, 2.2, source_file=path, start_offset_s=0.1, fade_in_s=0.3, fade_out_s=0.4,
                     fade_out_shape=3, item_volume=0.6)
    real = stream.render_items
    calls = []
    monkeypatch.setattr(stream, "render_items", lambda *a, **kw: calls.append(kw) or real(*a, **kw))
    blocks = [b.copy() for b in render_blocks([item], track_name="T", sample_rate=SR, channels=2, start_s=0.5,
                                                end_s=2.7, block_frames=10007, reuse=reuse)]
    assert calls == []
    whole = real([item], track_name="T", sample_rate=SR, channels=2, start_s=0.5, end_s=2.7, dtype=np.float32)
    got = np.concatenate(blocks, axis=1)
    np.testing.assert_array_equal(got, whole.audio)
    assert np.all(got[:, int(1.9 * SR) + 10 :] == 0.0) and np.any(got[:, : int(1.9 * SR)] != 0.0)
    if "mono" in source:
        np.testing.assert_array_equal(got[0], got[1])


@pytest.mark.parametrize("kernels", ["compiled", "numpy"])
def test_a_mono_file_on_a_stereo_track_meters_as_its_render(write_media, rng, monkeypatch, kernels):
    """The meter reading the stride-0 view of a mono file's direct read gives the figures it
    gives for render_items' two channels (exactly: the same samples in the same order)."""
    from reaper_assist.analysis.loudness import NO_KERNELS_ENV, measure_loudness, measure_loudness_stream

    if kernels == "numpy":
        monkeypatch.setenv(NO_KERNELS_ENV, "1")
    n = 3 * SR
    x = 0.3 * np.sin(2 * np.pi * 997 * np.arange(n) / SR) * (1 + 0.5 * rng.standard_normal(n)).clip(0, 2)
    path = write_media("m.wav", x[None, :], SR, subtype="PCM_24")
    item = make_item(0, 0.0, 3.0, source_file=path, fade_in_s=0.2, item_volume=0.8)
    blocks = render_blocks([item], track_name="T", sample_rate=SR, channels=2, start_s=0.0, end_s=3.0,
                           block_frames=20000, reuse=True)
    got, _ = measure_loudness_stream(blocks, SR, true_peak=True, granule_peaks=True, name="T")
    whole = render_items([item], track_name="T", sample_rate=SR, channels=2, start_s=0.0, end_s=3.0,
                         dtype=np.float32).audio
    want = measure_loudness(whole, SR, true_peak=True, name="T")
    assert got.integrated_lufs == want.integrated_lufs and got.sample_peak_dbfs == want.sample_peak_dbfs
    assert got.true_peak_dbtp == want.true_peak_dbtp and got.max_momentary_lufs == want.max_momentary_lufs
    assert got.rms_dbfs == want.rms_dbfs and got.lra_lu == want.lra_lu


@pytest.mark.parametrize("name", ["d.wav", "d.flac"])
def test_a_file_damaged_midway_in_a_direct_read_raises_block_problems(write_media, rng, monkeypatch, name):
    """A read error midway (a disk error under the WAV bytes read, libsndfile's error on a FLAC)."""
    path = write_media(name, 0.1 * rng.standard_normal(SR), SR, subtype="PCM_16")
    item = make_item(0, 0.0, 1.0, source_file=path)
    blocks = render_blocks([item], track_name="T", sample_rate=SR, channels=1, start_s=0.0, end_s=1.0,
                           block_frames=4096)
    next(blocks)
    import soundfile as sf

    from reaper_assist.media import wav_pcm

    def failing(self, *a, **kw):
        raise RuntimeError("Error : unexpected end of file")

    def disk_error(self, *a, **kw):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(sf.SoundFile, "read", failing)
    monkeypatch.setattr(wav_pcm.PcmReader, "read_into", disk_error)
    with pytest.raises(BlockProblems, match="unreadable.*(Input/output error|unexpected end of file)"):
        next(blocks)


def test_a_file_cut_short_during_a_direct_read_is_a_problem_not_silence(write_media, rng):
    """The file is truncated on disk after the first block was read (a render elsewhere rewriting
    it): libsndfile just returns fewer frames, and the rest must not pass for silence."""
    path = write_media("c.wav", 0.1 * rng.standard_normal(SR), SR, subtype="PCM_16")
    item = make_item(0, 0.0, 1.0, source_file=path)
    blocks = render_blocks([item], track_name="T", sample_rate=SR, channels=1, start_s=0.0, end_s=1.0,
                           block_frames=4096)
    next(blocks)
    import os

    os.truncate(path, 44 + 2 * 6000)  # the 44-byte header and 6000 frames of 16-bit mono stay
    with pytest.raises(BlockProblems, match="changed while it was read"):
        for _ in blocks:
            pass


@pytest.mark.parametrize("kwargs, cause", [
    ({"item_volume": float("nan")}, "item_volume=nan"),
    ({"take_volume": float("inf")}, "take volume=inf"),
    ({"fade_in_s": float("nan")}, "fade_in_s=nan"),
    ({"fade_out_s": float("inf")}, "fade_out_s=inf"),
    ({"fade_out_dir": float("nan")}, "fade_out_dir=nan"),
    ({"fade_in_s": -0.5}, r"fade_in_s=-0\.5 is outside the valid range \[0, inf\)"),
])
def test_the_direct_read_refuses_what_render_items_refuses(write_media, kwargs, cause):
    """A plain item (read directly from its PCM) with a non-finite volume or fade is refused at
    the call, with render_items' own message naming the track, the item and the value: it
    used to be read and scaled, a NaN block that the meter then reported as NaN media."""
    f = write_media("plain.wav", 0.5 * np.sin(2 * np.pi * 220 * np.arange(SR) / SR), SR, subtype="FLOAT")
    it = make_item(4, 0.0, 1.0, source_file=f, **kwargs)
    window = {"track_name": "Bass", "sample_rate": SR, "channels": 1, "start_s": 0.0, "end_s": 1.0}
    with pytest.raises(ParameterError) as whole:
        render_items([it], **window)
    with pytest.raises(ParameterError, match=rf"{cause}.*\(track 'Bass', item 5\)$") as streamed:
        render_blocks([it], **window)  # at the call, before any block is asked for
    assert str(streamed.value) == str(whole.value)
