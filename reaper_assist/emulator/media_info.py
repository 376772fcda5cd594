"""Media file facts the API reports (sample rate, channels, length), cached by file identity."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class MediaInfo:
    samplerate: int
    channels: int
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.samplerate if self.samplerate else 0.0


def info(path: str) -> MediaInfo | None:
    """Facts about an audio file, or None if it is missing or unreadable."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _info(path, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=512)
def _info(path: str, size: int, mtime_ns: int) -> MediaInfo | None:
    import soundfile as sf

    try:
        i = sf.info(path)
    except Exception:
        return None
    return MediaInfo(int(i.samplerate), int(i.channels), int(i.frames))
