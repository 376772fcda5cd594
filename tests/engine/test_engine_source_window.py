"""The emulator's take source read (engine/items._Source.frames): virtual frames of the SECTION
window of a file, silence outside it and past the file's end. The contiguous fast path must give
exactly the frames an index-by-index read of the file gives, wherever the window and the request
fall (before the start, across either end, past the file)."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from reaper_assist.emulator.engine.items import _Source

RATE = 48000
FRAMES = 4800


@pytest.fixture(scope="module")
def wav(tmp_path_factory):
    path = tmp_path_factory.mktemp("src") / "ramp.wav"
    rng = np.random.default_rng(5)
    data = rng.uniform(-0.9, 0.9, (FRAMES, 2))
    sf.write(path, data, RATE, subtype="FLOAT")
    return str(path), sf.read(path, dtype="float64", always_2d=True)[0].T


def _expected(audio, first, length, v0, v1):
    out = np.zeros((2, v1 - v0))
    for i, v in enumerate(range(v0, v1)):
        f = first + v
        if 0 <= v < length and 0 <= f < FRAMES:
            out[:, i] = audio[:, f]
    return out


@pytest.mark.parametrize("start_s,length_s", [(0.0, 0.0), (0.01, 0.05), (0.09, 0.05), (0.0, 0.2)])
@pytest.mark.parametrize("v0,v1", [(-300, 200), (0, 4800), (100, 101), (2000, 9000), (5000, 6000), (-50, -10)])
def test_window_reads_equal_frame_by_frame_reads(wav, start_s, length_s, v0, v1):
    path, audio = wav
    section = (start_s, length_s, False) if (start_s or length_s) else None
    src = _Source(path, RATE, 2, FRAMES, section, loop=False)
    got = src.frames(v0, v1)
    assert got.shape == (2, v1 - v0)
    np.testing.assert_array_equal(got, _expected(audio, src.first, src.length, v0, v1))
