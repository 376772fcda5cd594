"""Pre-FX audio of a track, read from its items' media files as REAPER plays them.

Used by the gain-staging action (pre-FX level) and by the emulator's audio engine. Renders the
items as the host read them (:mod:`reaper_assist.items`); reads media files, never writes them.
What is modelled and what is UNCERTAIN: ``docs/media.md`` and :mod:`reaper_assist.media.uncertain`.
"""

from reaper_assist.media.items import (
    MediaProblem,
    TrackAudio,
    check_item,
    fade_gain,
    map_channels,
    render_items,
)
from reaper_assist.media.source import SegmentCache, default_cache

__all__ = [
    "MediaProblem",
    "SegmentCache",
    "TrackAudio",
    "check_item",
    "default_cache",
    "fade_gain",
    "map_channels",
    "render_items",
]
