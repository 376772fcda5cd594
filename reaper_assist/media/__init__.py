"""Pre-FX audio of a track, read from its items' media files as REAPER plays them.

Used by the gain-staging action (pre-FX level) and by the emulator's audio engine. Reads media
files, never writes them. What is modelled and what is UNCERTAIN: ``docs/media.md`` and
:mod:`reaper_assist.media.uncertain`.
"""

from reaper_assist.media.items import (
    ItemSpec,
    MediaProblem,
    TrackAudio,
    fade_gain,
    item_spec_from_info,
    map_channels,
    render_items,
)
from reaper_assist.media.source import SegmentCache, default_cache

__all__ = [
    "ItemSpec",
    "MediaProblem",
    "SegmentCache",
    "TrackAudio",
    "default_cache",
    "fade_gain",
    "item_spec_from_info",
    "map_channels",
    "render_items",
]
