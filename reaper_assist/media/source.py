"""Reading a take's source audio: file identity, block reads, SECTION/reverse/loop, resampling.

Only the frames an item needs are read (``SoundFile.seek`` + ``read``), so an hour-long file is
never loaded whole when a few seconds of it play. Decoded and resampled segments are kept in a
small bounded LRU keyed by the file's identity (path, size, mtime) and the rates, so a second
render of the same items (a re-run of an action, a second analysis) does no I/O.

soundfile gives ``(frames, channels)`` and soxr takes ``(frames, channels)``; both are converted
to and from our ``(channels, samples)`` layout here and nowhere else.
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Hashable

import numpy as np

from reaper_assist.analysis.cache import FileIdentity, LRUCache

#: Extra source frames read on each side of a resampled segment, per unit of the resampling
#: ratio, so that soxr's filter sees real neighbours rather than silence at the segment edges.
RESAMPLE_MARGIN_FRAMES = 512

#: soxr quality; "HQ" keeps the passband within a few thousandths of a dB.
SOXR_QUALITY = "HQ"


class SourceUnreadable(Exception):
    """Internal: the file exists but cannot be decoded (reported as a MediaProblem)."""


@dataclass(frozen=True)
class SourceInfo:
    sample_rate: int
    channels: int
    frames: int


def identify(path: str) -> FileIdentity | None:
    """The file's identity, or ``None`` when it does not exist (missing media)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not os.path.isfile(path):
        return None
    return FileIdentity(os.path.abspath(path), int(st.st_size), int(st.st_mtime_ns))


#: Bytes hashed at each of the start, the middle and the end of a media file (its fingerprint).
FINGERPRINT_BLOCK = 64 * 1024
_FINGERPRINTS: LRUCache[tuple[str, int, int, int, int], str] = LRUCache(max_entries=4096)


def fingerprint(path: str, st: os.stat_result) -> str:
    """A hash of a few blocks of the file (the first, middle and last :data:`FINGERPRINT_BLOCK`
    bytes, the whole file when it is smaller), so that a file rewritten with the same size and
    modification time (a copy that keeps times) is not taken for the one analysed before. Kept
    in memory per (path, size, mtime, ctime, inode): the status-change time moves with any
    write and cannot be set back. "" when the file cannot be read."""
    size = int(st.st_size)
    memo = (path, size, int(st.st_mtime_ns), int(st.st_ctime_ns), int(st.st_ino))
    hit = _FINGERPRINTS.get(memo)
    if hit is not None:
        return hit
    h = hashlib.sha256(str(size).encode())
    try:
        with open(path, "rb") as f:
            if size <= 3 * FINGERPRINT_BLOCK:
                h.update(f.read())
            else:
                for at in (0, (size - FINGERPRINT_BLOCK) // 2, size - FINGERPRINT_BLOCK):
                    f.seek(at)
                    h.update(f.read(FINGERPRINT_BLOCK))
    except OSError:
        return ""
    digest = h.hexdigest()[:32]
    _FINGERPRINTS.put(memo, digest)
    return digest


class SegmentCache(LRUCache[Hashable, object]):
    """Bounded LRU of decoded (and resampled) source segments.

    Parameters
    ----------
    max_bytes : int
        Upper bound on the summed size of the cached arrays.
    max_entries : int
        Upper bound on the number of cached segments.
    """

    def __init__(self, *, max_bytes: int = 256 * 2**20, max_entries: int = 64):
        super().__init__(max_entries, max_bytes=max_bytes)


_default_cache: SegmentCache | None = None


def default_cache() -> SegmentCache:
    """The process-wide segment cache, created on first use (not at import)."""
    global _default_cache
    if _default_cache is None:
        _default_cache = SegmentCache()
    return _default_cache


def source_info(ident: FileIdentity, cache: SegmentCache) -> SourceInfo:
    key = ("info", ident)
    hit = cache.get(key)
    if isinstance(hit, SourceInfo):
        return hit
    import soundfile as sf

    try:
        i = sf.info(ident.path)
    except Exception as exc:  # libsndfile raises several types for corrupt files
        raise SourceUnreadable(str(exc)) from exc
    if i.frames <= 0 or i.samplerate <= 0 or i.channels <= 0:
        info = SourceInfo(int(max(i.samplerate, 1)), int(max(i.channels, 1)), 0)
    else:
        info = SourceInfo(int(i.samplerate), int(i.channels), int(i.frames))
    cache.put(key, info, 64)
    return info


def read_frames(path: str, start: int, stop: int, channels: int, dtype=np.float64) -> np.ndarray:
    """File frames ``[start, stop)`` as ``(channels, frames)`` of ``dtype`` (float64 or float32:
    libsndfile converts PCM straight to either); only those frames are decoded."""
    import soundfile as sf

    n = stop - start
    if n <= 0:
        return np.zeros((channels, 0), dtype=dtype)
    try:
        with sf.SoundFile(path) as f:
            f.seek(start)
            data = f.read(n, dtype=np.dtype(dtype).name, always_2d=True)
    except Exception as exc:
        raise SourceUnreadable(str(exc)) from exc
    got = data.shape[0]
    if got == n:
        # (frames, channels) -> (channels, frames), the one soundfile crossing: a transposed view
        # (Fortran order) rather than a copy; map_channels and soxr copy it once anyway.
        return data.T
    out = np.zeros((channels, n), dtype=dtype)
    out[:, :got] = data.T
    return out


@dataclass(frozen=True)
class VirtualSource:
    """A file as the take sees it: the SECTION window, possibly reversed, possibly looped.

    Virtual frame ``v`` (at the file's rate) maps to file frame ``start + v`` or, reversed,
    ``start + length - 1 - v``. Frames outside ``[0, length)`` are silence unless ``loop``.
    """

    ident: FileIdentity
    info: SourceInfo
    start: int
    length: int
    reversed: bool
    loop: bool

    def _read_window(self, u0: int, u1: int, dtype=np.float64) -> np.ndarray:
        """Virtual frames ``[u0, u1)`` with ``0 <= u0 <= u1 <= length``."""
        ch = self.info.channels
        if self.reversed:
            f0, f1 = self.start + self.length - u1, self.start + self.length - u0
        else:
            f0, f1 = self.start + u0, self.start + u1
        r0, r1 = max(f0, 0), min(f1, self.info.frames)
        if (r0, r1) == (f0, f1):  # all inside the file: read_frames' array is already ours
            out = read_frames(self.ident.path, f0, f1, ch, dtype)
        else:
            out = np.zeros((ch, f1 - f0), dtype=dtype)
            if r1 > r0:
                out[:, r0 - f0 : r1 - f0] = read_frames(self.ident.path, r0, r1, ch, dtype)
        return out[:, ::-1] if self.reversed else out

    def read(self, a: int, b: int, dtype=np.float64) -> np.ndarray:
        """Virtual frames ``[a, b)`` (any integers) as ``(channels, b - a)`` of ``dtype``."""
        ch = self.info.channels
        n = b - a
        if n <= 0 or self.length <= 0:
            return np.zeros((ch, max(n, 0)), dtype=dtype)
        if self.loop:
            idx = np.arange(a, b) % self.length
            if n >= self.length:
                whole = self._read_window(0, self.length, dtype)
                return whole[:, idx]
            u0 = a % self.length
            if u0 + n <= self.length:
                return self._read_window(u0, u0 + n, dtype)
            first = self._read_window(u0, self.length, dtype)
            return np.concatenate([first, self._read_window(0, n - first.shape[1], dtype)], axis=1)
        v0, v1 = max(a, 0), min(b, self.length)
        if (v0, v1) == (a, b):  # no silence to pad: no second copy
            return self._read_window(a, b, dtype)
        out = np.zeros((ch, n), dtype=dtype)
        if v1 > v0:
            out[:, v0 - a : v1 - a] = self._read_window(v0, v1, dtype)
        return out


def _soxr_resample(x: np.ndarray, in_rate: float, out_rate: float) -> np.ndarray:
    """Resample ``(channels, frames)`` with soxr (keeping x's float dtype); the one soxr crossing."""
    import soxr

    y = soxr.resample(np.ascontiguousarray(x.T), in_rate, out_rate, quality=SOXR_QUALITY)
    return np.asarray(y, dtype=x.dtype).reshape(-1, x.shape[0]).T


def take_signal(
    src: VirtualSource,
    *,
    start_offset_s: float,
    playrate: float,
    sample_rate: int,
    k0: int,
    k1: int,
    cache: SegmentCache,
    dtype=np.float64,
) -> np.ndarray:
    """The take's source audio for item frames ``[k0, k1)`` at the project rate.

    Item frame ``k`` plays virtual-source time ``start_offset_s + playrate * k / sample_rate``
    (tape-style: rate changes pitch too). Returns ``(source_channels, k1 - k0)`` of ``dtype``
    (float64, or float32 for a meter that needs no more).
    """
    n = k1 - k0
    rate_in = src.info.sample_rate
    key_base = (src.ident, src.start, src.length, src.reversed, src.loop, np.dtype(dtype).name)
    if playrate == 1.0 and rate_in == sample_rate:
        a = int(round(start_offset_s * rate_in)) + k0
        key: tuple[object, ...] = ("raw", key_base, a, a + n)
        hit = cache.get(key)
        if isinstance(hit, np.ndarray):
            return hit
        seg = src.read(a, a + n, dtype)
        seg.flags.writeable = False  # shared through the cache: callers must copy, never mutate
        cache.put(key, seg, seg.nbytes)
        return seg

    # Source frames per output frame; the take consumes length * playrate seconds of source.
    step = playrate * rate_in / sample_rate
    p0 = start_offset_s * rate_in + k0 * step  # source position of the first wanted frame
    p1 = p0 + n * step
    # soxr's output j lies at source a + j * step: a margin of whole resampling periods (source
    # frames per whole number of output frames) puts an integral p0 exactly on an output frame
    period = Fraction(1.0 / step).limit_denominator(10_000).denominator
    margin = -(-int(math.ceil(RESAMPLE_MARGIN_FRAMES * max(1.0, step))) // period) * period
    a = int(math.floor(p0)) - margin
    b = int(math.ceil(p1)) + margin
    key = ("resampled", key_base, float(playrate), int(sample_rate), a, b)
    hit = cache.get(key)
    if isinstance(hit, np.ndarray):
        y = hit
    else:
        y = _soxr_resample(src.read(a, b, dtype), rate_in * playrate, float(sample_rate))
        y.flags.writeable = False
        cache.put(key, y, y.nbytes)
    # Output frame j of the resampled chunk sits at source position a + j * step.
    j0 = int(round((p0 - a) / step))
    out = np.zeros((y.shape[0], n), dtype=dtype)
    avail = y[:, j0 : j0 + n]
    out[:, : avail.shape[1]] = avail
    return out
