"""Pure audio analysis: arrays in, frozen results out; no I/O, never imports reapy.

Audio is ``(channels, samples)`` float, 1.0 = full scale, everywhere.

- :mod:`.loudness` -- ITU-R BS.1770-4, EBU Tech 3341/3342: integrated, momentary,
  short-term, LRA, sample/true peak, RMS.
- :mod:`.spectrum` -- long-term average spectrum, tilt, resonances, band energies, masking.
- :mod:`.dynamics` -- crest factor, loudness ranges, transient density, noise floor, regions.
- :mod:`.instruments` -- instrument from track name or audio.
- :mod:`.cache` -- result keys by file identity and parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reaper_assist.analysis.track import TrackAnalysis, analyze_stream, analyze_track

__all__ = ["TrackAnalysis", "analyze_stream", "analyze_track"]


def __getattr__(name: str) -> Any:
    """:mod:`.track`'s names, imported on first use: importing a submodule (the loudness meter,
    the cache) does not pull in scipy.signal and scipy.stats (1-2.5 s of a companion's start)."""
    if name in __all__:
        from reaper_assist.analysis import track

        return getattr(track, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
