"""``calibrate``'s one operation inside REAPER: display texts of stock plugins over a sweep.

For each ``{"key", "name", "params": [[index, [norm, ...]], ...]}`` the plugin is added to a
temporary track and ``TrackFX_FormatParamValueNormalized`` read at every normalized value; the
track is removed again, whatever happens (one undo block). Served as the bridge operation
``calibrate_sweep`` (arguments validated by :mod:`reaper_assist.bridge.ops`) and called directly by
the in-process emulator.
"""

from __future__ import annotations

from typing import Any

UNDO_NAME = "reaper-assist: calibrate (temporary track)"


def sweep_with(api, plan: list[dict[str, Any]]) -> dict[str, Any]:
    """``{key: {str(index): [text, ...]}}`` (``{"error": ...}`` for a plugin REAPER cannot add)."""
    out: dict[str, Any] = {}
    api.Undo_BeginBlock2(0)
    api.PreventUIRefresh(1)
    n = api.CountTracks(0)
    api.InsertTrackAtIndex(n, False)
    track = api.GetTrack(0, n)
    try:
        for entry in plan:
            k = api.TrackFX_AddByName(track, entry["name"], False, -1)
            if k < 0:
                out[entry["key"]] = {"error": f"REAPER could not add {entry['name']!r}"}
                continue
            texts: dict[str, list[str]] = {}
            for index, norms in entry["params"]:
                texts[str(index)] = [api.TrackFX_FormatParamValueNormalized(track, k, int(index), float(v), "", 256)[5]
                                     for v in norms]
            out[entry["key"]] = texts
    finally:
        api.DeleteTrack(track)
        api.PreventUIRefresh(-1)
        api.Undo_EndBlock2(0, UNDO_NAME, -1)
    return out
