"""Fixtures of the media tests: test media written with soundfile into tmp_path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reaper_assist.media import SegmentCache


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240611)


@pytest.fixture
def cache() -> SegmentCache:
    """A private cache per test, so that tests never see each other's segments."""
    return SegmentCache(max_bytes=64 * 2**20, max_entries=16)


@pytest.fixture
def write_media(tmp_path: Path):
    """Write ``(channels, samples)`` (or 1-D mono) audio; returns the absolute path as str.

    ``subtype`` is a soundfile subtype ('PCM_16', 'PCM_24', 'FLOAT', 'DOUBLE'); the format
    follows the suffix of ``name`` (.wav or .flac).
    """
    import soundfile as sf

    def write(name: str, audio: np.ndarray, rate: int, subtype: str = "DOUBLE") -> str:
        a = np.asarray(audio, dtype=np.float64)
        if a.ndim == 1:
            a = a[None, :]
        path = tmp_path / name
        sf.write(path, a.T, rate, subtype=subtype)  # soundfile wants (frames, channels)
        return str(path)

    return write
