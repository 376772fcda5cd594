"""A track's pre-FX audio in consecutive blocks, so a meter never holds the whole track.

:func:`render_blocks` renders the same window :func:`reaper_assist.media.render_items` would, one
block of frames at a time, each block exactly the frames ``render_items`` gives for that part of
the window (items are placed, faded and summed per block; only the frames a block needs are
decoded). Memory is one block per item, whatever the track's length: an hour-long track is
measured in the memory of a few seconds. Decoded blocks are not cached (each is read once).

A track with an item that is resampled (another file rate, or a playrate) is rendered whole and
then sliced: a resampled segment's output frames are aligned to its first source frame, so
segments starting mid-period would shift by a fraction of a sample against the whole render.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from reaper_assist.errors import MediaProblem
from reaper_assist.items import ItemState
from reaper_assist.media import uncertain
from reaper_assist.media.items import _virtual_source, render_items
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
                  dtype=np.float32) -> Iterator[np.ndarray]:
    """Blocks ``(channels, <= block_frames)`` of :func:`render_items`'s audio for the window.

    Concatenated, the blocks are ``render_items(...).audio`` (to float rounding of resampled
    sources, whose filter sees the same neighbours). Problems found before reading are
    :func:`media_problems`'; a read that fails midway raises :class:`BlockProblems`.
    """
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
    for b0 in range(w0, max(w1, w0 + 1), block_frames):
        b1 = min(b0 + block_frames, w1)
        ta = render_items(items, track_name=track_name, sample_rate=sample_rate, channels=channels,
                          start_s=b0 / sample_rate, end_s=b1 / sample_rate, cache=cache, dtype=dtype)
        if ta.problems:
            raise BlockProblems(ta.problems)
        yield ta.audio


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
