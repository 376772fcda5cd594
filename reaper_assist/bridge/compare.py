"""A track's loudness through REAPER's dry-run render, with trial writes in place during the render
only (runs inside REAPER): what ``compare`` needs to hear the tool's work and its bypass at equal
loudness. The track alone is selected for "Calculate loudness of selected tracks via dry run
render" (42438, read back as ``RENDER_STATS``, facts addendum); the selection and every trial write
are put back (the trial block is aborted and undone, as bridge.dryrun does for the master).

Imports nothing from the rest of reaper_assist (it runs inside REAPER).
"""

from __future__ import annotations

from typing import Any

from reaper_assist.bridge import txn
from reaper_assist.bridge.insertion import DRY_RUN_SELECTED_TRACKS

_TRIAL_UNDO = "reaper-assist: compare trial render"
STAT_KEYS = ("LUFSI", "RMSI", "PEAK")


def _stats(api) -> str:
    api.Main_OnCommand(DRY_RUN_SELECTED_TRACKS, 0)
    return str(api.GetSetProjectInfo_String(0, "RENDER_STATS", str(DRY_RUN_SELECTED_TRACKS), False)[3])


def parse_stats(text: str) -> dict[str, float]:
    """LUFSI, RMSI and PEAK of the first target of a ``RENDER_STATS`` text (-inf for silence)."""
    out: dict[str, float] = {}
    for field in str(text).split(";"):
        key, _, value = field.partition(":")
        if key == "FILE" and out:
            break
        if key in STAT_KEYS and key not in out:
            try:
                out[key] = float(value)
            except ValueError:
                out[key] = float("-inf")
    return out


def track_stats_with(api, track_guid: str, trial_ops: list[dict[str, Any]] | None = None) -> str:
    """The ``RENDER_STATS`` text of the track's dry-run render, ``trial_ops`` in place during it
    (text: -inf crosses the wire as it is; :func:`parse_stats` reads it)."""
    from reaper_assist.bridge.writes import ApplyError, _track_by_guid

    tr = _track_by_guid(api, track_guid)
    if tr is None:
        raise ApplyError(f"track {track_guid} no longer exists")
    get, setv = api.GetMediaTrackInfo_Value, api.SetMediaTrackInfo_Value
    tracks = [api.GetTrack(0, i) for i in range(api.CountTracks(0))]
    selected = [bool(get(t, "I_SELECTED")) for t in tracks]
    tid = txn.begin_with(api, trial_ops, _TRIAL_UNDO) if trial_ops else None
    try:
        if tid is not None:
            txn.steps_with(api, tid, 0, len(trial_ops or []))
        for t, was in zip(tracks, selected):
            if was != (t == tr):
                setv(t, "I_SELECTED", 1 if t == tr else 0)
        return _stats(api)
    finally:
        for t, was in zip(tracks, selected):
            if bool(get(t, "I_SELECTED")) != was:
                setv(t, "I_SELECTED", 1 if was else 0)
        if tid is not None:
            txn.abort_with(api, tid)


def track_stats(track_guid, trial_ops=None):
    """Entry point called by name through the bridge."""
    return track_stats_with(txn._api(), track_guid, trial_ops)
