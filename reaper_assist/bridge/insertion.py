"""The level at a plugin's insertion point, measured inside REAPER with its dry-run render.

A processor that goes after the user's plugins must decide on the audio *they* produce, not on
the media: a -9 dB gain or an EQ before a compressor moves every level its threshold sees. REAPER
gives scripts the media pre-FX (the audio accessor, facts 1.2) and the post-FX level of a track
through the dry-run loudness actions (42438 "selected tracks", read back as ``RENDER_STATS``,
facts addendum). So the track is dry-run twice, with its chain up to the insertion point and with
its chain off; the difference is what the user's plugins before the insertion point do to the
level (fader, pan and post-FX envelopes are the same in both renders and cancel out).

Only what the measurement needs is changed, and everything is put back (in ``finally``): the
track selection, the enabled state of the FX from the insertion point on (our own plugin when it
is being updated), the track's FX-chain switch. Nothing here is an undo point.

Imports nothing from the rest of reaper_assist (it runs inside REAPER).
"""

from __future__ import annotations

from time import monotonic as _clock
from typing import Any

DRY_RUN_SELECTED_TRACKS = 42438  # "Calculate loudness of selected tracks via dry run render"
# REAPER waits while a request's dry runs render (two per track, each as long as the project takes
# to render offline): one request measures at most MAX_TRACKS tracks (the client splits a larger
# press), and no new track is started once DRY_RUN_BUDGET_S have gone by.
MAX_TRACKS = 64
DRY_RUN_BUDGET_S = 60.0


def _stats(api) -> dict[str, float]:
    """RMSI and PEAK of the first target of the last 42438 dry run (dB; -inf for silence)."""
    api.Main_OnCommand(DRY_RUN_SELECTED_TRACKS, 0)
    text = api.GetSetProjectInfo_String(0, "RENDER_STATS", str(DRY_RUN_SELECTED_TRACKS), False)[3]
    out: dict[str, float] = {}
    for field in str(text).split(";"):
        key, _, value = field.partition(":")
        if key == "FILE" and out:
            break  # the next target
        if key in ("RMSI", "PEAK") and key not in out:
            try:
                out[key] = float(value)
            except ValueError:
                out[key] = float("-inf")
    return out


def insertion_level_with(api, track_guid: str, stop_fx: int) -> dict[str, Any]:
    """Dry-run levels of the track with FX ``0 .. stop_fx-1`` on (the insertion point is before FX
    ``stop_fx``; the chain's length for "at the end") and with the chain off.

    Returns ``{"with_fx": {"RMSI", "PEAK"}, "without_fx": {...}, "measured": bool, "why": str}``.
    """
    from reaper_assist.bridge.writes import ApplyError, _track_by_guid

    tr = _track_by_guid(api, track_guid)
    if tr is None:
        raise ApplyError(f"track {track_guid} no longer exists")
    get, setv = api.GetMediaTrackInfo_Value, api.SetMediaTrackInfo_Value
    n_fx = int(api.TrackFX_GetCount(tr))
    stop = max(0, min(int(stop_fx), n_fx))
    if stop == 0:
        return {"measured": False, "why": "no plugin before the insertion point"}
    if not get(tr, "I_FXEN") or get(tr, "B_MUTE"):
        return {"measured": False, "why": "the track's FX chain is off or the track is muted"}
    if not any(api.TrackFX_GetEnabled(tr, k) for k in range(stop)):
        return {"measured": False, "why": "every plugin before the insertion point is bypassed"}
    tracks = [api.GetTrack(0, i) for i in range(api.CountTracks(0))]
    selected = [bool(get(t, "I_SELECTED")) for t in tracks]
    enabled_after = {k: bool(api.TrackFX_GetEnabled(tr, k)) for k in range(stop, n_fx)}
    try:
        for t, was in zip(tracks, selected):
            want = t == tr
            if was != want:
                setv(t, "I_SELECTED", 1 if want else 0)
        for k, on in enabled_after.items():
            if on:
                api.TrackFX_SetEnabled(tr, k, False)
        with_fx = _stats(api)
        setv(tr, "I_FXEN", 0)
        without_fx = _stats(api)
    finally:
        setv(tr, "I_FXEN", 1)
        for k, on in enabled_after.items():
            if on:
                api.TrackFX_SetEnabled(tr, k, True)
        for t, was in zip(tracks, selected):
            if bool(get(t, "I_SELECTED")) != was:
                setv(t, "I_SELECTED", 1 if was else 0)
    return {"measured": True, "why": "", "with_fx": with_fx, "without_fx": without_fx}


def insertion_levels_with(api, track_guids: list[str], stop_fx: list[int]) -> list[dict[str, Any]]:
    """:func:`insertion_level_with` for several tracks in one request (``stop_fx[i]`` for
    ``track_guids[i]``): a press stays a fixed number of requests up to :data:`MAX_TRACKS` tracks.

    More than :data:`MAX_TRACKS` tracks is refused before anything runs. Once
    :data:`DRY_RUN_BUDGET_S` have gone by, the tracks not started yet are not measured
    (``measured`` false, ``why`` naming the budget): REAPER is not kept waiting past it.
    """
    from reaper_assist.bridge.budget import refuse_over, within_budget
    from reaper_assist.bridge.writes import ApplyError, tracks_held

    refuse_over(f"insertion_levels: {len(track_guids)} tracks", len(track_guids), MAX_TRACKS,
                "each is two dry-run renders while REAPER waits")
    if len(track_guids) != len(stop_fx):
        raise ApplyError("insertion_levels: one insertion point per track")
    if len({g.upper() for g in track_guids}) != len(track_guids):
        raise ApplyError("insertion_levels: a track named twice")  # no client doubles REAPER's dry runs
    with tracks_held(api):  # the dry runs toggle selection and bypass, never the track list
        return within_budget(list(zip(track_guids, stop_fx)), lambda p: insertion_level_with(api, *p),
                             DRY_RUN_BUDGET_S, _clock, "dry runs")
