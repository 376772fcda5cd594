"""Post-FX loudness of tracks as the listener hears them, measured inside REAPER with its dry-run
render (runs inside REAPER): one named operation, ``tracks_heard``.

For each track REAPER's "Calculate loudness of selected tracks via dry run render" (42438, read
back as ``RENDER_STATS``, facts dry-run addendum) renders a stem post-FX and post-fader. A track
at the top level is its own stem. A track inside a folder is heard *through* the folder (the
folder's FX and fader act on it), so its stem is the top-level folder above it rendered with
everything else in that folder muted meanwhile: the other tracks at each level and the items of
the folders themselves. The measurement is the integrated loudness (BS.1770 gating drops the
parts where the track is silent: "over the parts where it plays").

Only what the measurement needs is changed, and everything is put back (``finally``): the track
selection, the mutes, the item mutes; ``trial_ops`` (write kinds of :mod:`.writes`, e.g. faders
at planned values) are in place during the renders only (undo block aborted and undone, as
:mod:`.dryrun`). Imports nothing from the rest of reaper_assist (it runs inside REAPER).
"""

from __future__ import annotations

from typing import Any

from reaper_assist.bridge import txn

DRY_RUN_SELECTED_TRACKS = 42438  # "Calculate loudness of selected tracks via dry run render"
_TRIAL_UNDO = "reaper-assist: balance trial render"
_FIELDS = ("LUFSI", "RMSI", "PEAK")


def _first_group(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for field in str(text).split(";"):
        key, _, value = field.partition(":")
        if key == "FILE" and out:
            break
        if key in _FIELDS and key not in out:
            try:
                out[key] = float(value)
            except ValueError:
                out[key] = float("-inf")
    return out


def _parents(api, tracks: list[Any]) -> list[int | None]:
    """Parent index of each track from I_FOLDERDEPTH (facts 1.4)."""
    parent: list[int | None] = []
    stack: list[int] = []
    for i, t in enumerate(tracks):
        parent.append(stack[-1] if stack else None)
        d = int(api.GetMediaTrackInfo_Value(t, "I_FOLDERDEPTH"))
        if d > 0:
            stack.append(i)
        elif d < 0:
            del stack[max(0, len(stack) + d):]
    return parent


def _chain(parent: list[int | None], i: int) -> list[int]:
    out, p = [], parent[i]
    while p is not None:
        out.append(p)
        p = parent[p]
    return out  # nearest folder first


def _within(parent: list[int | None], i: int, top: int) -> bool:
    return i == top or top in _chain(parent, i)


def _one(api, tracks, parent, i: int) -> dict[str, Any]:
    """The loudness of track ``i`` as heard at the top of its folder tree (caller restores)."""
    get, setv = api.GetMediaTrackInfo_Value, api.SetMediaTrackInfo_Value
    ups = _chain(parent, i)
    tr = tracks[i]
    if get(tr, "B_MUTE") or any(get(tracks[a], "B_MUTE") for a in ups):
        who = "the track" if get(tr, "B_MUTE") else "its folder"
        return {"measured": False, "why": f"muted ({who}): the listener does not hear it"}
    for a in [i, *ups]:
        if not get(tracks[a], "B_MAINSEND"):
            where = "the track" if a == i else "its folder"
            return {"measured": False, "why": f"{where} has no master/parent send: heard only through sends, "
                                              "which this measurement does not follow"}
    top = ups[-1] if ups else i
    keep = {i, *ups}
    for k, t in enumerate(tracks):
        on = (k == top) or (_within(parent, k, top) and (k in keep or _within(parent, k, i)))
        setv(t, "I_SELECTED", 1 if k == top else 0)
        if not on and _within(parent, k, top) and not get(t, "B_MUTE"):
            setv(t, "B_MUTE", 1)
    for a in ups:
        for n in range(int(api.CountTrackMediaItems(tracks[a]))):
            it = api.GetTrackMediaItem(tracks[a], n)
            if not api.GetMediaItemInfo_Value(it, "B_MUTE"):
                api.SetMediaItemInfo_Value(it, "B_MUTE", 1)
    api.Main_OnCommand(DRY_RUN_SELECTED_TRACKS, 0)
    stats = _first_group(api.GetSetProjectInfo_String(0, "RENDER_STATS", str(DRY_RUN_SELECTED_TRACKS), False)[3])
    through = api.GetTrackName(tracks[top], "", 2048)[2] if ups else ""
    if "LUFSI" not in stats:
        return {"measured": False, "why": "the dry run measured nothing"}
    return {"measured": True, "why": "", "through": through, **stats}


def _measure(api, track_guids: list[str]) -> list[dict[str, Any]]:
    from reaper_assist.bridge.writes import ApplyError, _track_by_guid

    tracks = [api.GetTrack(0, k) for k in range(api.CountTracks(0))]
    parent = _parents(api, tracks)
    index = {}
    for g in track_guids:
        tr = _track_by_guid(api, g)
        if tr is None:
            raise ApplyError(f"track {g} no longer exists")
        index[g] = next(k for k, t in enumerate(tracks) if t == tr)
    get, setv = api.GetMediaTrackInfo_Value, api.SetMediaTrackInfo_Value
    selected = [bool(get(t, "I_SELECTED")) for t in tracks]
    muted = [bool(get(t, "B_MUTE")) for t in tracks]
    items = [(it, bool(api.GetMediaItemInfo_Value(it, "B_MUTE"))) for t in tracks
             for it in (api.GetTrackMediaItem(t, n) for n in range(int(api.CountTrackMediaItems(t))))]
    out = []
    try:
        for g in track_guids:
            out.append({"guid": g, **_one(api, tracks, parent, index[g])})
            _put_back(api, tracks, muted, items)  # the next track starts from the user's mutes
    finally:
        _put_back(api, tracks, muted, items)
        for t, was in zip(tracks, selected):
            if bool(get(t, "I_SELECTED")) != was:
                setv(t, "I_SELECTED", 1 if was else 0)
    return out


def _put_back(api, tracks, muted: list[bool], items) -> None:
    for t, was in zip(tracks, muted):
        if bool(api.GetMediaTrackInfo_Value(t, "B_MUTE")) != was:
            api.SetMediaTrackInfo_Value(t, "B_MUTE", 1 if was else 0)
    for it, was in items:
        if bool(api.GetMediaItemInfo_Value(it, "B_MUTE")) != was:
            api.SetMediaItemInfo_Value(it, "B_MUTE", 1 if was else 0)


def tracks_heard_with(api, track_guids: list[str], trial_ops: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Per track ``{"guid", "measured", "why", "through", "LUFSI", "RMSI", "PEAK"}`` (dB / LUFS;
    -inf for silence), with ``trial_ops`` in place during the renders only."""
    if not trial_ops:
        return _measure(api, track_guids)
    tid = txn.begin_with(api, trial_ops, _TRIAL_UNDO)
    try:
        txn.steps_with(api, tid, 0, len(trial_ops))
        return _measure(api, track_guids)
    finally:
        txn.abort_with(api, tid)


def tracks_heard(track_guids, trial_ops=None):
    """Entry point called by name through the bridge."""
    return tracks_heard_with(txn._api(), track_guids, trial_ops)
