"""A track's pre-FX audio in consecutive blocks, so a meter never holds the whole track.

:func:`render_blocks` renders the same window :func:`reaper_assist.media.render_items` would, one
block of frames at a time, each block exactly the frames ``render_items`` gives for that part of
the window (items are placed, faded and summed per block; only the frames a block needs are
decoded). Memory is one block per item, whatever the track's length: an hour-long track is
measured in the memory of a few seconds. Decoded blocks are not cached (each is read once).

A track with an item that is resampled (another file rate, or a playrate) is rendered whole and
then sliced: a resampled segment's output frames are aligned to its first source frame, so
segments starting mid-period would shift by a fraction of a sample against the whole render.

A block that one plain item covers alone (a file at the project rate and playrate 1, no SECTION,
no loop, channels straight onto the track's) is read directly into a ``(frames, channels)``
float32 buffer (plain WAV PCM as bytes converted in one pass, :mod:`.wav_pcm`, the same values
libsndfile gives; other files decoded by libsndfile), the item's gain and fades are applied there, and the block
is that buffer's transposed view (what the meters read in any layout), with the file kept open
from block to block: no render buffer, no zero fill, no transposing copy.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from reaper_assist.errors import MediaProblem
from reaper_assist.items import ItemState
from reaper_assist.media import uncertain, wav_pcm
from reaper_assist.media.items import _virtual_source, apply_fades, check_render, check_window, render_items
from reaper_assist.media.source import SegmentCache, SourceUnreadable, default_cache, identify, source_info

class BlockProblems(Exception):
    """A file became unreadable while its blocks were read (render_items would report it)."""

    def __init__(self, problems: Sequence[MediaProblem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


#: Frames per block: 2^18 is 5.5 s at 48 kHz, 4 MiB per stereo float32 block.
BLOCK_FRAMES = 1 << 18


def media_problems(items: Sequence[ItemState], *, track_name: str, start_s: float,
                   end_s: float) -> list[MediaProblem]:
    """The problems :func:`render_items` would report for the unmuted items inside the window
    (missing, offline, MIDI, unreadable header), found without decoding any audio."""
    cache = default_cache()
    problems = []
    for item in items:
        if item.mute or item.end_s <= start_s or item.position_s >= end_s:
            continue
        _, problem = _virtual_source(track_name, item, cache)
        if problem is not None:
            problems.append(problem)
    return problems


def render_blocks(items: Sequence[ItemState], *, track_name: str, sample_rate: int, channels: int,
                  start_s: float, end_s: float, block_frames: int = BLOCK_FRAMES,
                  dtype=np.float32, reuse: bool = False) -> Iterator[np.ndarray]:
    """Blocks ``(channels, <= block_frames)`` of :func:`render_items`'s audio for the window.

    Concatenated, the blocks are ``render_items(...).audio`` (to float rounding of resampled
    sources, whose filter sees the same neighbours). Problems found before reading are
    :func:`media_problems`'; a read that fails midway raises :class:`BlockProblems`. With
    ``reuse``, a directly read block (module docstring) is only valid until the next is asked
    for (its buffer is read into again): for a meter that consumes each block at once.

    Raises
    ------
    ParameterError
        At the call, before any block, for what :func:`render_items` refuses (an invalid rate,
        channel count or window, an item value outside what REAPER can hold, naming the track
        and item): the direct read would otherwise scale a block by a NaN volume or fade.
    """
    check_render(items, track_name=track_name, sample_rate=sample_rate, channels=channels)
    check_window(start_s, end_s)
    return _blocks(items, track_name=track_name, sample_rate=sample_rate, channels=channels, start_s=start_s,
                   end_s=end_s, block_frames=block_frames, dtype=dtype, reuse=reuse)


def _blocks(items: Sequence[ItemState], *, track_name: str, sample_rate: int, channels: int, start_s: float,
            end_s: float, block_frames: int, dtype, reuse: bool) -> Iterator[np.ndarray]:
    w0 = uncertain.seconds_to_frame(start_s, sample_rate)
    w1 = uncertain.seconds_to_frame(end_s, sample_rate)
    if _resampled(items, sample_rate):
        ta = render_items(items, track_name=track_name, sample_rate=sample_rate, channels=channels,
                          start_s=start_s, end_s=end_s, dtype=dtype)
        if ta.problems:
            raise BlockProblems(ta.problems)
        for b0 in range(0, max(ta.n_samples, 1), block_frames):
            yield ta.audio[:, b0 : b0 + block_frames]
        return
    # file headers stay cached across blocks; decoded frames are not kept (max_bytes)
    cache = SegmentCache(max_bytes=4096, max_entries=64)
    direct = _DirectReader(track_name, sample_rate, channels, dtype, reuse)
    try:
        for b0 in range(w0, max(w1, w0 + 1), block_frames):
            b1 = min(b0 + block_frames, w1)
            block = direct.block(items, b0, b1, cache)
            if block is None:
                ta = render_items(items, track_name=track_name, sample_rate=sample_rate, channels=channels,
                                  start_s=b0 / sample_rate, end_s=b1 / sample_rate, cache=cache, dtype=dtype)
                if ta.problems:
                    raise BlockProblems(ta.problems)
                block = ta.audio
            yield block
    finally:
        direct.close()


class _DirectReader:
    """Blocks that one plain item covers alone, decoded straight into a ``(frames, channels)``
    buffer (module docstring); the item's file stays open between blocks."""

    def __init__(self, track_name: str, sample_rate: int, channels: int, dtype, reuse: bool):
        self.track_name, self.rate, self.channels = track_name, sample_rate, channels
        self.dtype, self.reuse = np.dtype(dtype), reuse
        self.file: tuple[Any, str, int] | None = None  # (SoundFile, path, next frame)
        self.buf: np.ndarray | None = None

    def close(self) -> None:
        if self.file is not None:
            self.file[0].close()
            self.file = None

    def _plain_item(self, items: Sequence[ItemState], b0: int, b1: int, cache: SegmentCache):
        """The one unmuted item playing in frames [b0, b1) if it covers them all and plays its
        file plainly, with the file's first frame for b0; else None."""
        found = None
        for item in items:
            i0 = uncertain.seconds_to_frame(item.position_s, self.rate)
            i1 = uncertain.seconds_to_frame(item.end_s, self.rate)
            if item.mute or i1 <= b0 or i0 >= b1 or i1 <= i0:
                continue
            if found is not None or i0 > b0 or i1 < b1:
                return None  # two items, or one that does not cover the block
            found = (item, i0)
        if found is None:
            return None
        item, i0 = found
        take = item.take
        if (take is None or take.source_kind != "audio" or not take.file or take.playrate != 1.0
                or take.section is not None or item.loop_source or take.chanmode != 0 or take.pan != 0.0):
            return None
        src, problem = _virtual_source(self.track_name, item, cache)
        mono_onto_stereo = src is not None and src.info.channels == 1 and self.channels == 2
        if problem is not None or src is None or (src.info.channels != self.channels and not mono_onto_stereo):
            return None
        if src.info.sample_rate != self.rate or self.dtype not in (np.float32, np.float64):
            return None
        first = int(round(take.start_offset_s * self.rate)) + (b0 - i0)  # as take_signal reads it
        if first < 0:
            return None
        return item, src, first, b0 - i0

    def block(self, items: Sequence[ItemState], b0: int, b1: int, cache: SegmentCache) -> np.ndarray | None:
        plain = self._plain_item(items, b0, b1, cache)
        if plain is None:
            return None
        item, src, first, k0 = plain
        n = b1 - b0
        if self.buf is None or self.buf.shape[0] < n or self.buf.shape[1] != src.info.channels or not self.reuse:
            self.buf = np.empty((n, src.info.channels), dtype=self.dtype)
        out = self.buf[:n]
        try:
            if self.file is None or self.file[1] != src.ident.path:
                self.close()
                self.file = (_open(src, self.dtype), src.ident.path, 0)
            f, path, at = self.file
            if f.frames != src.info.frames:
                raise RuntimeError(f"the file changed while it was read ({f.frames} frames when opened, "
                                   f"{src.info.frames} now)")
            if at != first:
                f.seek(min(first, src.info.frames))
            got = f.read_into(out) if first < src.info.frames else 0
            self.file = (f, path, first + got)
        except Exception as exc:  # libsndfile raises several types for a file damaged midway
            self.close()
            raise BlockProblems([MediaProblem(self.track_name, item.number, item.take.file, "unreadable",
                                              str(exc))]) from exc
        if got < max(0, min(n, src.info.frames - first)):  # libsndfile returns fewer frames, it does not raise
            self.close()
            raise BlockProblems([MediaProblem(self.track_name, item.number, item.take.file, "unreadable",
                                              f"the file ends at frame {first + got}, not {src.info.frames}")])
        out[got:] = 0.0  # past the file's end: silence
        if item.gain != 1.0:
            out *= item.gain
        view = out.T
        apply_fades(view, item, k0, k0 + n, self.rate)
        if src.info.channels != self.channels:
            # a mono file on a stereo track plays in both channels (map_channels): the decoded
            # channel seen twice through a stride-0 view, not copied
            if uncertain.MONO_TO_STEREO_GAIN != 1.0:
                out *= uncertain.MONO_TO_STEREO_GAIN
            view = np.lib.stride_tricks.as_strided(view, shape=(2, n), strides=(0, view.strides[1]))
        return view


class _Sndfile:
    """A file libsndfile decodes, with :class:`.wav_pcm.PcmReader`'s calls."""

    def __init__(self, path: str):
        import soundfile as sf

        self.f = sf.SoundFile(path)
        self.frames = self.f.frames

    def seek(self, frame: int) -> None:
        self.f.seek(frame)

    def read_into(self, out: np.ndarray) -> int:
        return self.f.read(out=out).shape[0]

    def close(self) -> None:
        self.f.close()


def _open(src, dtype: np.dtype):
    """The item's file for direct reads: plain WAV PCM as bytes into float32 (:mod:`.wav_pcm`,
    the same values as libsndfile's), anything else through libsndfile."""
    if dtype == np.float32:
        pcm = wav_pcm.open_pcm(src.ident.path, src.info.sample_rate, src.info.channels, src.info.frames)
        if pcm is not None:
            return pcm
    return _Sndfile(src.ident.path)


def _resampled(items: Sequence[ItemState], sample_rate: int) -> bool:
    """Whether any unmuted audio item plays at another rate than its file's."""
    cache = default_cache()
    for item in items:
        take = item.take
        if item.mute or take is None or take.source_kind != "audio" or not take.file:
            continue
        if take.playrate != 1.0:
            return True
        ident = identify(take.file)
        if ident is None:
            continue
        try:
            if source_info(ident, cache).sample_rate != sample_rate:
                return True
        except SourceUnreadable:
            continue
    return False
