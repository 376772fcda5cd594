"""A track's pre-FX audio from its items' media files, rendered from the items the host read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from reaper_assist.host.base import TrackState
from reaper_assist.media import MediaProblem, TrackAudio, render_items


@dataclass(frozen=True)
class PreFxAudio:
    audio: TrackAudio | None
    problems: tuple[MediaProblem, ...]
    midi_only: bool
    no_items: bool

    def why_not(self, track: TrackState, verb: str) -> str:
        """Why there is nothing to ``verb`` (measure, analyse) on this track, or ""."""
        if self.no_items:
            return f"no items to {verb}" if not track.items else "every item is muted"
        if self.midi_only:
            return f"MIDI only: no audio to {verb} (render or freeze it to audio first)"
        if self.problems:
            return f"cannot {verb}: " + "; ".join(str(p) for p in self.problems)
        return ""


#: Fields that name an item or take but do not change what it plays.
_NOT_PLAYBACK = ("guid", "name", "index")


def identity_key(track: TrackState, sample_rate: int, params: dict) -> tuple[str, float]:
    """Cache key of a track's pre-FX measurement, and the reference gain it is relative to.

    The key holds every item's playback description with its gain taken *relative to the first
    audible item's gain* ``g0``, the identity of every media file (path, size, mtime and a hash of
    a few of its blocks, :func:`reaper_assist.media.source.fingerprint`), the project
    rate and the measurement parameters. Levels scale exactly with a common gain, so a cached
    measurement stored relative to ``g0`` stays valid after an action changed all item gains by
    the same dB (a second gain-staging run, a fader-like change) and needs no new analysis.
    """
    import dataclasses
    import os

    from reaper_assist.analysis.cache import FileIdentity, cache_key
    from reaper_assist.media.source import fingerprint

    items = track.items
    g0 = next((it.gain for it in items if not it.mute and it.take is not None and it.gain != 0.0), 1.0)

    def playback(it) -> dict:
        d = dataclasses.asdict(it)
        if it.take is not None:  # the item's whole gain, relative to g0, on the take
            d["item_volume"] = 1.0
            d["take"]["volume"] = it.gain / g0
        for part in (d, d["take"] or {}):
            for k in _NOT_PLAYBACK:
                part.pop(k, None)
        return _rounded(d)

    files = []
    for it in items:
        if it.take is not None and it.take.file:
            try:
                st = os.stat(it.take.file)
                files.append((it.take.file, st.st_size, st.st_mtime_ns,
                              fingerprint(it.take.file, st)))
            except OSError:
                files.append((it.take.file, -1, -1, ""))
    ident = FileIdentity(track.guid, len(items), 0)
    return cache_key(ident, {"items": [playback(it) for it in items], "files": files, "sr": sample_rate,
                             "nchan": track.nchan, **params}), g0


def _rounded(x):
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    return round(x, 12) if isinstance(x, float) else x


def pre_fx_audio(track: TrackState, sample_rate: int) -> PreFxAudio:
    """Render the track's items (only where they play) at the project rate; never raises on
    bad media: problems are reported per item."""
    if not track.items:
        return PreFxAudio(None, (), False, True)
    items = track.items
    midi_only = all(it.take is not None and it.take.is_midi for it in items)
    audible = [it for it in items if not it.mute]
    if not audible:
        return PreFxAudio(None, (), midi_only, True)
    start = min(it.position_s for it in audible)
    end = max(it.end_s for it in audible)
    ta = render_items(items, track_name=track.name, sample_rate=sample_rate,
                      channels=max(1, min(track.nchan, 8)), start_s=start, end_s=end)
    return PreFxAudio(ta, tuple(ta.problems), midi_only, False)


def pre_fx_stream(track: TrackState, sample_rate: int) -> tuple[PreFxAudio, Iterator[np.ndarray] | None]:
    """:func:`pre_fx_audio` as float32 blocks (memory of one block, not of the track): the
    description (``audio`` None) and the blocks, or None when there is nothing to measure. A
    block is valid until the next is asked for (``render_blocks(reuse=True)``)."""
    from reaper_assist.media.stream import media_problems, render_blocks

    if not track.items:
        return PreFxAudio(None, (), False, True), None
    items = track.items
    midi_only = all(it.take is not None and it.take.is_midi for it in items)
    audible = [it for it in items if not it.mute]
    if not audible:
        return PreFxAudio(None, (), midi_only, True), None
    start = min(it.position_s for it in audible)
    end = max(it.end_s for it in audible)
    problems = media_problems(items, track_name=track.name, start_s=start, end_s=end)
    pre = PreFxAudio(None, tuple(problems), midi_only, False)
    if problems:
        return pre, None
    return pre, render_blocks(items, track_name=track.name, sample_rate=sample_rate,
                              channels=max(1, min(track.nchan, 8)), start_s=start, end_s=end, reuse=True)
