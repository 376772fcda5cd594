"""WAV PCM read as bytes (media.wav_pcm): the same float32 bits as libsndfile's read, for every
layout it takes; every other file is left to libsndfile."""

from __future__ import annotations

import struct

import numpy as np
import pytest
import soundfile as sf

from reaper_assist.analysis.loudness import NO_KERNELS_ENV
from reaper_assist.media import wav_pcm

SR = 48000


def _noise(frames: int, channels: int, seed: int = 0) -> np.ndarray:
    """Full-scale noise with both extremes in it (the conversion's edge values)."""
    x = np.random.default_rng(seed).uniform(-1.0, 1.0, (frames, channels))
    x[0] = 1.0
    x[1] = -1.0
    return x


def _libsndfile(path) -> np.ndarray:
    return sf.read(str(path), dtype="float32", always_2d=True)[0]


def _ours(path, block: int = 4096) -> np.ndarray:
    info = sf.info(str(path))
    r = wav_pcm.open_pcm(str(path), info.samplerate, info.channels, info.frames)
    assert r is not None, f"{path}: not read as PCM"
    out = np.empty((info.frames, info.channels), np.float32)
    at = 0
    try:
        while True:
            got = r.read_into(out[at : at + block])
            if not got:
                break
            at += got
    finally:
        r.close()
    assert at == info.frames
    return out


@pytest.mark.parametrize("numba", [True, False], ids=["compiled", "numpy"])
@pytest.mark.parametrize("fmt", ["WAV", "WAVEX"])
@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "PCM_32", "FLOAT"])
@pytest.mark.parametrize("channels", [1, 2, 6])
def test_bits_identical_to_libsndfile(tmp_path, monkeypatch, numba, fmt, subtype, channels):
    if not numba:
        monkeypatch.setenv(NO_KERNELS_ENV, "1")
    p = tmp_path / "x.wav"
    sf.write(str(p), _noise(10007, channels), SR, subtype=subtype, format=fmt)  # blocks end mid-file
    want = _libsndfile(p)
    got = _ours(p)
    assert got.dtype == np.float32 and got.shape == want.shape
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32))


def test_chunks_before_the_data_are_skipped(tmp_path):
    p = tmp_path / "tagged.wav"
    with sf.SoundFile(str(p), "w", SR, 2, subtype="PCM_24") as f:
        f.title = "odd"  # a LIST chunk of odd length (padded) between fmt and data
        f.write(_noise(3000, 2, 1))
    r = wav_pcm.open_pcm(str(p), SR, 2, 3000)
    assert r is not None and r.layout.data_offset > 44
    r.close()
    assert np.array_equal(_ours(p), _libsndfile(p))


def test_a_data_chunk_longer_than_the_file_reads_what_is_there(tmp_path):
    p = tmp_path / "cut.wav"
    sf.write(str(p), _noise(2000, 2, 2), SR, subtype="PCM_16")
    data = p.read_bytes()
    p.write_bytes(data[:-401])  # a recording cut short: 100 frames and a byte missing
    assert sf.info(str(p)).frames == 1899
    assert np.array_equal(_ours(p), _libsndfile(p))


@pytest.mark.parametrize("fmt,subtype", [("WAV", "PCM_U8"), ("RF64", "PCM_24"), ("AIFF", "PCM_24"),
                                         ("FLAC", "PCM_24"), ("WAV", "DOUBLE"), ("W64", "PCM_16")])
def test_other_files_are_left_to_libsndfile(tmp_path, fmt, subtype):
    p = tmp_path / "other.bin"
    sf.write(str(p), _noise(500, 2), SR, subtype=subtype, format=fmt)
    info = sf.info(str(p))
    assert wav_pcm.open_pcm(str(p), info.samplerate, info.channels, info.frames) is None


def test_a_layout_libsndfile_reads_otherwise_is_left_to_it(tmp_path):
    p = tmp_path / "x.wav"
    sf.write(str(p), _noise(500, 2), SR, subtype="PCM_16")
    assert wav_pcm.open_pcm(str(p), SR, 2, 499) is None  # frames disagree
    assert wav_pcm.open_pcm(str(p), 44100, 2, 500) is None
    r = wav_pcm.open_pcm(str(p), SR, 2, 500)
    assert r is not None
    r.close()


@pytest.mark.parametrize("damage", ["short", "no-wave", "fmt-after-data", "align", "truncated-fmt"])
def test_damaged_headers_are_not_read_as_pcm(tmp_path, damage):
    p = tmp_path / "bad.wav"
    sf.write(str(p), _noise(100, 2), SR, subtype="PCM_16")
    data = bytearray(p.read_bytes())
    if damage == "short":
        data = data[:10]
    elif damage == "no-wave":
        data[8:12] = b"AVI "
    elif damage == "fmt-after-data":
        data[12:16] = b"junk"  # no fmt chunk before the data chunk
    elif damage == "align":
        data[32:34] = struct.pack("<H", 3)  # block align 3 for 2 x 16-bit
    else:
        data[16:20] = struct.pack("<I", 8)  # a fmt chunk too short to hold a format
    p.write_bytes(bytes(data))
    # the undamaged file's own rate, channels and frames: only the damage can refuse it
    assert wav_pcm.open_pcm(str(p), SR, 2, 100) is None
