"""Post-FX loudness of tracks as the listener hears them, measured inside REAPER with its dry-run
render (runs inside REAPER): one named operation, ``tracks_heard``.

What the listener hears of a track is everything of it that reaches the master: through its
parent folders (each folder's FX and fader act on it; folders inside folders too) and through its
sends to other tracks (a bus's FX and fader act on it), and on from there. Each route is followed
through the routing REAPER reports: ``B_MAINSEND`` and the folder depth (``I_FOLDERDEPTH``), and the
track sends (``GetTrackNumSends`` / ``GetTrackSendInfo_Value``: ``P_DESTTRACK``, ``I_SENDMODE``,
``B_MUTE``, ``D_VOL``, ``I_SRCCHAN``; docs/engine.md "Sends and receives"). A muted track, a muted
send or one without audio ends a route.

To measure a track everything else is muted meanwhile: every track that is neither on its routes
nor feeding it (its folder children, the tracks that send to it), and the items of the tracks on
its routes (a folder's or a bus's own media). Then REAPER's "Calculate loudness of selected tracks
via dry run render" (42438, ``RENDER_STATS``, facts dry-run addendum) renders the one top-level
track where its routes end, post-FX and post-fader; when they end in several (a vocal and its
reverb bus), the master's dry run (42440) renders their sum with the master's FX off and its
fader at 0 dB meanwhile, so every figure is taken before the master, as a stem is. The figure is
the integrated loudness (BS.1770 gating drops the parts where the track is silent: "over the
parts where it plays").

Each result says how the track's own fader acts on what is heard: ``fader`` "all" (every route
leaves it after the fader), "part" or "none" (some or all routes leave through pre-fader or pre-FX
sends, which the fader does not move), with ``pre_fader_sends`` naming them.

Only what the measurement needs is changed, and everything is put back (``finally``): the track
selection, the mutes, the item mutes, the master's FX switch and fader; ``trial_ops`` (write kinds
of :mod:`.writes`, e.g. faders at planned values) are in place during the renders only (undo block
aborted and undone, as :mod:`.dryrun`). Imports nothing from the rest of reaper_assist (it runs
inside REAPER).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from time import monotonic as _clock
from typing import Any

from reaper_assist.bridge import txn
from reaper_assist.bridge.budget import refuse_over, spans, within_budget

DRY_RUN_SELECTED_TRACKS = 42438  # "Calculate loudness of selected tracks via dry run render"
DRY_RUN_MASTER = 42440  # "Calculate loudness of master mix via dry run render"
_TRIAL_UNDO = "reaper-assist: balance trial render"
_FIELDS = ("LUFSI", "RMSI", "PEAK")
_MODES = {0: "post-fader", 1: "pre-FX", 2: "pre-fader", 3: "pre-fader"}  # I_SENDMODE (SDK)
# REAPER waits while a request's renders run (a dry run per track, as long as the project takes to
# render offline; with trials each also an undo block, its writes and the abort): one request
# measures at most MAX_TRACKS tracks, with or without trials (the client splits a larger press:
# requests()), and no new track is started once BUDGET_S have gone by (bridge/budget.py, as
# bridge/insertion.py MAX_TRACKS, DRY_RUN_BUDGET_S).
MAX_TRACKS = 64
BUDGET_S = 60.0


def _first_group(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for field_ in str(text).split(";"):
        key, _, value = field_.partition(":")
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


def _address(ptr: Any) -> int:
    """The address in a pointer string ``(MediaTrack*)0x...`` (what P_DESTTRACK returns as a number)."""
    _, _, hexpart = str(ptr).partition("0x")
    try:
        return int(hexpart, 16)
    except ValueError:
        return -1


@dataclass
class _Routing:
    """Where each track's output goes: ``outs[k]`` = [(destination index or None for the
    master, "parent" | I_SENDMODE, destination name)] over live routes; ``muted[k]``."""

    names: list[str]
    muted: list[bool]
    outs: list[list[tuple[int | None, Any]]] = field(default_factory=list)
    ins: list[list[int]] = field(default_factory=list)


def _routing(api, tracks: list[Any], parent: list[int | None]) -> _Routing:
    get = api.GetMediaTrackInfo_Value
    by_addr = {_address(t): k for k, t in enumerate(tracks)}
    names = [api.GetTrackName(t, "", 2048)[2] for t in tracks]
    r = _Routing(names, [bool(get(t, "B_MUTE")) for t in tracks], [[] for _ in tracks], [[] for _ in tracks])
    for k, t in enumerate(tracks):
        if get(t, "B_MAINSEND"):
            r.outs[k].append((parent[k], "parent"))
        for s in range(int(api.GetTrackNumSends(t, 0))):
            info = {p: api.GetTrackSendInfo_Value(t, 0, s, p)
                    for p in ("P_DESTTRACK", "B_MUTE", "I_SRCCHAN", "D_VOL", "I_SENDMODE")}
            dest = by_addr.get(int(info["P_DESTTRACK"]))
            if dest is None or info["B_MUTE"] or info["I_SRCCHAN"] < 0 or info["D_VOL"] <= 0:
                continue
            r.outs[k].append((dest, int(info["I_SENDMODE"])))
    for k, outs in enumerate(r.outs):
        for dest, _ in outs:
            if dest is not None:
                r.ins[dest].append(k)
    return r


def _downstream(r: _Routing, starts: list[int]) -> tuple[set[int], set[int]]:
    """(the unmuted tracks reached from ``starts``, those of them that reach the master)."""
    seen, outlets, todo = set(starts), set(), list(starts)
    while todo:
        k = todo.pop()
        for dest, _ in r.outs[k]:
            if dest is None:
                outlets.add(k)
            elif dest not in seen and not r.muted[dest]:
                seen.add(dest)
                todo.append(dest)
    return seen, outlets


def _upstream(r: _Routing, i: int) -> set[int]:
    """The tracks whose output feeds track ``i`` (folder children, send sources, and theirs)."""
    seen, todo = set(), [i]
    while todo:
        for k in r.ins[todo.pop()]:
            if k not in seen and k != i:
                seen.add(k)
                todo.append(k)
    return seen


def _not_heard(r: _Routing, parent: list[int | None], i: int) -> str:
    if r.muted[i]:
        return "muted (the track): the listener does not hear it"
    main = any(kind == "parent" for _, kind in r.outs[i])
    if not main and not any(kind != "parent" for _, kind in r.outs[i]):
        return "no master/parent send and no send that reaches the master: the listener does not hear it"
    p = parent[i]
    while main and p is not None:
        if r.muted[p]:
            return f"muted (its folder {r.names[p]!r}): the listener does not hear it"
        main = any(kind == "parent" for _, kind in r.outs[p])
        p = parent[p]
    return "no route to the master: its sends lead to muted tracks or to tracks without a master/parent send"


def _one(api, tracks, parent, r: _Routing, i: int) -> dict[str, Any]:
    """The loudness of track ``i`` as heard at the end of its routes (caller restores)."""
    setv = api.SetMediaTrackInfo_Value
    down, outlets = _downstream(r, [i]) if not r.muted[i] else (set(), set())
    if not outlets:
        return {"measured": False, "why": _not_heard(r, parent, i)}
    post = [d for d, kind in r.outs[i] if kind in ("parent", 0)]
    pre = [d for d, kind in r.outs[i] if kind not in ("parent", 0)]
    post_out = _downstream(r, [d for d in post if d is not None and not r.muted[d]])[1] | (
        {i} if None in post else set())
    pre_out = _downstream(r, [d for d in pre if d is not None and not r.muted[d]])[1]
    fader = "all" if not pre_out else ("none" if not post_out else "part")
    pre_names = [r.names[d] for d in pre if d is not None and not r.muted[d] and _downstream(r, [d])[1]]
    sends = [{"to": r.names[d], "mode": _MODES.get(kind, str(kind))} for d, kind in r.outs[i]
             if kind != "parent" and d is not None]
    keep = down | _upstream(r, i) | {i}
    for k, t in enumerate(tracks):
        if k not in keep and not r.muted[k]:
            setv(t, "B_MUTE", 1)
    for a in down - {i}:
        for n in range(int(api.CountTrackMediaItems(tracks[a]))):
            it = api.GetTrackMediaItem(tracks[a], n)
            if not api.GetMediaItemInfo_Value(it, "B_MUTE"):
                api.SetMediaItemInfo_Value(it, "B_MUTE", 1)
    ends = sorted(outlets)
    if len(ends) == 1:
        for k, t in enumerate(tracks):
            setv(t, "I_SELECTED", 1 if k == ends[0] else 0)
        api.Main_OnCommand(DRY_RUN_SELECTED_TRACKS, 0)
        key = str(DRY_RUN_SELECTED_TRACKS)
    else:  # the sum of the top-level tracks it reaches, before the master's FX and fader
        master = api.GetMasterTrack(0)
        setv(master, "I_FXEN", 0)
        setv(master, "D_VOL", 1.0)
        setv(master, "D_PAN", 0.0)
        api.Main_OnCommand(DRY_RUN_MASTER, 0)
        key = str(DRY_RUN_MASTER)
    stats = _first_group(api.GetSetProjectInfo_String(0, "RENDER_STATS", key, False)[3])
    through = "" if ends == [i] else " + ".join(r.names[k] for k in ends)
    if "LUFSI" not in stats:
        return {"measured": False, "why": "the dry run measured nothing"}
    return {"measured": True, "why": "", "through": through, "fader": fader, "pre_fader_sends": pre_names,
            "sends": sends, "sources": [r.names[k] for k in r.ins[i] if parent[k] != i],
            "source_guids": [api.GetSetMediaTrackInfo_String(tracks[k], "GUID", "", False)[3] for k in r.ins[i]
                             if parent[k] != i], **stats}


def _measure(api, track_guids: list[str]) -> list[dict[str, Any]]:
    from reaper_assist.bridge.writes import ApplyError, _track_by_guid

    tracks = [api.GetTrack(0, k) for k in range(api.CountTracks(0))]
    parent = _parents(api, tracks)
    index = {}
    for g in track_guids:
        tr = _track_by_guid(api, g)
        if tr is None:
            raise ApplyError(f"track {g} no longer exists")
        pos = next((k for k, t in enumerate(tracks) if t == tr), None)
        if pos is None:  # the master holds it: not a track heard through routes (master_stats is its dry run)
            raise ApplyError(f"tracks_heard: {g} is the master's GUID, not a track's")
        index[g] = pos
    get, setv = api.GetMediaTrackInfo_Value, api.SetMediaTrackInfo_Value
    routing = _routing(api, tracks, parent)
    selected = [bool(get(t, "I_SELECTED")) for t in tracks]
    muted = list(routing.muted)
    master = api.GetMasterTrack(0)
    master_was = {k: get(master, k) for k in ("I_FXEN", "D_VOL", "D_PAN")}
    items = [(it, bool(api.GetMediaItemInfo_Value(it, "B_MUTE"))) for t in tracks
             for it in (api.GetTrackMediaItem(t, n) for n in range(int(api.CountTrackMediaItems(t))))]

    def one(g: str) -> dict[str, Any]:
        got = {"guid": g, **_one(api, tracks, parent, routing, index[g])}
        _put_back(api, tracks, muted, items)  # the next track starts from the user's mutes
        return got

    try:
        return within_budget(track_guids, one, BUDGET_S, _clock, "dry runs", named=lambda g: {"guid": g})
    finally:
        _put_back(api, tracks, muted, items)
        for k, v in master_was.items():
            if get(master, k) != v:
                setv(master, k, v)
        for t, was in zip(tracks, selected):
            if bool(get(t, "I_SELECTED")) != was:
                setv(t, "I_SELECTED", 1 if was else 0)


def _put_back(api, tracks, muted: list[bool], items) -> None:
    for t, was in zip(tracks, muted):
        if bool(api.GetMediaTrackInfo_Value(t, "B_MUTE")) != was:
            api.SetMediaTrackInfo_Value(t, "B_MUTE", 1 if was else 0)
    for it, was in items:
        if bool(api.GetMediaItemInfo_Value(it, "B_MUTE")) != was:
            api.SetMediaItemInfo_Value(it, "B_MUTE", 1 if was else 0)


def _with_trial(api, track_guids: list[str], trial_ops: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    if not trial_ops:
        return _measure(api, track_guids)
    tid = txn.begin_with(api, trial_ops, _TRIAL_UNDO)
    try:
        txn.steps_with(api, tid, 0, len(trial_ops))
        return _measure(api, track_guids)
    finally:
        txn.abort_with(api, tid)


def tracks_heard_with(api, track_guids: list[str], trial_ops: list[dict[str, Any]] | None = None,
                      trials: list[list[dict[str, Any]]] | None = None) -> list[dict[str, Any]]:
    """Per track ``{"guid", "measured", "why", "through", "fader", "pre_fader_sends", "sends",
    "sources", "source_guids", "LUFSI", "RMSI", "PEAK"}`` (dB / LUFS; -inf for silence), with ``trial_ops`` in place
    during the renders only. ``through``: the top-level tracks where its routes end ("" when only
    itself); ``sources``: the tracks that send to it (not its folder children).

    ``trials`` (instead of ``trial_ops``): one list of trial writes per track, each in place only
    while its own track is measured (compare: every track's own bypass, all tracks in one request).

    More than :data:`MAX_TRACKS` tracks (or trials), or a track named twice, is refused before
    anything runs; once :data:`BUDGET_S` have gone by, the tracks not started yet are not measured
    (``measured`` false, ``why`` naming the budget): REAPER is not kept waiting past it."""
    from reaper_assist.bridge.writes import ApplyError

    refuse_over(f"tracks_heard: {len(track_guids)} tracks", len(track_guids), MAX_TRACKS,
                "each is a dry-run render while REAPER waits")
    if trials is not None:
        refuse_over(f"tracks_heard: {len(trials)} trials", len(trials), MAX_TRACKS,
                    "each is a trial render while REAPER waits")
        if trial_ops or len(trials) != len(track_guids):
            raise ApplyError(f"tracks_heard: {len(trials)} trials for {len(track_guids)} tracks"
                             + (" and trial_ops besides" if trial_ops else ""))
    if len({g.upper() for g in track_guids}) != len(track_guids):
        raise ApplyError("tracks_heard: a track named twice")  # no client doubles REAPER's renders
    if trials is None:
        return _with_trial(api, track_guids, trial_ops)
    return within_budget(list(zip(track_guids, trials)), lambda p: _with_trial(api, [p[0]], p[1])[0],
                         BUDGET_S, _clock, "trial renders", named=lambda p: {"guid": p[0]})


def requests(track_guids: list[str], trial_ops: list[dict[str, Any]] | None = None,
             trials: list[list[dict[str, Any]]] | None = None):
    """The client's side: a press split into ``(track_guids, trial_ops, trials)`` of at most
    :data:`MAX_TRACKS` tracks each (both hosts). Sliced by position, not paired: a count mismatch
    reaches the bridge, which refuses it naming the counts."""
    n = len(track_guids) if trials is None else max(len(track_guids), len(trials))
    for part in spans(n, MAX_TRACKS):
        yield list(track_guids[part]), trial_ops, None if trials is None else [list(t) for t in trials[part]]


def tracks_heard(track_guids, trial_ops=None, trials=None):
    """Entry point called by name through the bridge."""
    return tracks_heard_with(txn._api(), track_guids, trial_ops, trials)
