"""Action "Compare reaper-assist changes": on the selected tracks, switch all of the tool's work
between on and bypassed, at equal loudness.

Off: our tagged FX bypassed, our lanes inactive, and a tagged ``RA Compare`` gain at the end of the
chain making up the loudness difference, measured by two dry-run renders of the track as heard
(bridge/heard.py, REAPER's ``RENDER_STATS``: integrated loudness with our work on, and with the same
bypass as trial writes).
The track remembers what was switched off (``P_EXT:reaper_assist_compare``). On again: exactly
that comes back and the make-up gain goes. Work written with ``--preview`` (all of it bypassed, no
record of compare's) is switched on: that is how a preview is kept (``remove`` discards it).
The values the tool changed (take, item and track volumes and pans: gain-stage, balance, auto-pan)
are switched too: the user's own value off (from the durable history, app/history.py), ours on, by
compare's own write kinds (not recorded in the history, which ``remove`` walks back). The master's
gain is an FX (RA Master Gain) and is bypassed with the others.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from reaper_assist.app import history
from reaper_assist.app.our_fx import owned_lanes, plugin_steps
from reaper_assist.app.records import error_record, record_for_plan, write_record
from reaper_assist.app.run_action import SETTINGS_EXT, clean, run_assistant, undo_name
from reaper_assist.app.denoise_hiss import our_takes
from reaper_assist.app.remove import TAKE_FIELDS, _label
from reaper_assist.errors import ReaperAssistError
from reaper_assist.host import realize, restore
from reaper_assist.host.base import ProjectState, TrackState, parse_tags
from reaper_assist.rules import comparison as C
from reaper_assist.rules import removal as R
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import RemovePlugin
from reaper_assist.rules.steps import ParamValue, Step

ACTION = "compare"


def _lanes(track: TrackState) -> list[tuple[str, str, bool]]:
    """Our lanes that exist now: (name, GUID, active)."""
    out = []
    for name, v in owned_lanes(track).items():
        seen = track.envelopes.get(name) or {}
        if str(seen.get("guid", "")).upper() == str(v["guid"]).upper():
            out.append((name, str(v["guid"]), bool(seen.get("active", True))))
    return out


def _ours(track: TrackState):
    tags = parse_tags(track.tags)
    return [fx for fx in track.fx if tags.get(fx.guid.upper()) not in (None, C.COMPARE_TAG)], \
        [fx for fx in track.fx if tags.get(fx.guid.upper()) == C.COMPARE_TAG]


def _switch(track: TrackState, fx_guids, lanes, on: bool, why: str) -> list[Step]:
    labels = {fx.guid.upper(): fx.renamed_name or fx.name for fx in track.fx}
    steps: list[Step] = [C.SetFxEnabled(track_guid=track.guid, track_name=track.name, fx_guid=g, enabled=on,
                                        label=labels.get(g.upper(), g), reason=why) for g in fx_guids]
    steps += [C.SetLaneActive(track_guid=track.guid, track_name=track.name, envelope=n, lane_guid=g, active=on,
                              reason=why) for n, g in lanes]
    return steps


def _back_on(track: TrackState, mark: dict[str, Any], comp) -> tuple[list[Step], TrackDecision]:
    present = {fx.guid.upper() for fx in track.fx}
    fx = [g for g in mark.get("fx", []) if str(g).upper() in present]
    lanes = [(n, g) for n, g, _ in _lanes(track) if g in mark.get("lanes", [])]
    steps = _switch(track, fx, lanes, True, "compare: reaper-assist's changes on again")
    steps += [RemovePlugin(track_guid=track.guid, track_name=track.name, fx_guid=f.guid, label=C.COMPARE_RENAME,
                          reason="compare: the make-up gain goes with the bypass") for f in comp]
    if comp and len(comp) == len(track.fx) and track.index >= 0:  # it was the chain's only FX
        steps.append(C.DropEmptyChain(track_guid=track.guid, track_name=track.name,
                                      reason="compare: the chain is as it was before the make-up gain"))
    notes, back = [], 0
    for field, item_guid, users, ours_v, label in mark.get("values", []):
        cur = restore.current(track, {"field": field, "item_guid": item_guid})
        if cur is not None and R.same(cur, float(users)):
            steps.append(C.SetValue(track_guid=track.guid, track_name=track.name, field=field, item_guid=item_guid,
                                    value=float(ours_v), expect=cur, label=f"{label}: reaper-assist's value again",
                                    reason="compare: reaper-assist's changes on again"))
            back += 1
        else:
            notes.append(f"{label}: you changed it while compared off: left as it is")
    takes = 0
    items = {it.guid.upper(): it for it in track.items}
    for item_guid, ours_g, orig in mark.get("takes", []):
        it = items.get(str(item_guid).upper())
        if it is None or it.take is None or it.take.guid.upper() != str(orig).upper() or \
                str(ours_g).upper() not in our_takes(it):
            notes.append(f"item {it.index + 1 if it else '?'}: you changed its takes while compared off: left as it is")
            continue
        steps.append(C.SwitchTake(track_guid=track.guid, track_name=track.name, item_guid=it.guid,
                                  item_index=it.index, take_guid=str(ours_g), active_now=str(orig),
                                  reason="compare: reaper-assist's take plays again"))
        takes += 1
    steps.append(C.CompareMark(track_guid=track.guid, track_name=track.name, text="", reason="compare: on again"))
    return steps, TrackDecision(track.guid, track.name, "changed", None, None, 0.0,
                                "; ".join([f"reaper-assist's changes on again ({len(fx)} FX, {len(lanes)} lanes, "
                                           f"{back} values, {takes} takes)", *notes]), {})


def _values(track: TrackState, by_value, switched: frozenset[str] = frozenset()) -> list[tuple[str, str, float, float, str]]:
    """The values the tool changed on the track that still hold its last write: (field, item
    GUID, the user's value, ours, label), from the durable history (rules/removal.py chain_back).
    Not the take values of the items in ``switched`` (their user take plays: :func:`_take_steps`)."""
    out = []
    for key, entries in by_value.items():
        if key[0] != track.guid.upper() or not restore.is_field(key[2]):
            continue
        if key[1] in switched and key[2] in TAKE_FIELDS:
            continue
        cur = restore.current(track, entries[-1])
        if cur is None:
            continue
        r = R.chain_back(entries, cur)
        if r.status == "restore" and not R.same(r.value, cur):
            out.append((key[2], key[1], r.value, cur, _label(track, key)))
    return out


def _switched_takes(track: TrackState) -> tuple[list[tuple[Any, str, str]], list[str]]:
    """The items whose active take is one the tool added (denoise's): (item, our take, the user's
    take it was made from), and notes for those whose user take was deleted since (left playing)."""
    out, notes = [], []
    for it in track.items:
        if it.take is None:
            continue
        mine = our_takes(it).get(it.take.guid.upper())
        if not mine:
            continue
        orig = str(mine.get("original_take", "")).upper()
        if not orig or it.take_count < 2:
            notes.append(f"item {it.index + 1}: your take was deleted, reaper-assist's {mine.get('tag', '')} take "
                         "keeps playing")
            continue
        out.append((it, it.take.guid.upper(), orig))
    return out, notes


def _take_steps(track: TrackState, takes, by_value) -> list[Step]:
    """Compared off: the user's take active again, with the user's take values where the tool's
    writes left them (the history of that item's take values, as ``remove`` puts them back)."""
    steps: list[Step] = []
    for it, ours_g, orig in takes:
        restore_vals = []
        for field in TAKE_FIELDS:
            entries = (by_value or {}).get((track.guid.upper(), it.guid.upper(), field))
            cur = restore.current(track, entries[-1]) if entries else None
            r = R.take_restore(entries, cur) if entries and cur is not None else None
            if r is not None:
                restore_vals.append((field, r[0], r[1]))
        steps.append(C.SwitchTake(track_guid=track.guid, track_name=track.name, item_guid=it.guid,
                                  item_index=it.index, take_guid=orig, active_now=ours_g,
                                  restore=tuple(restore_vals), reason="compare: your own take plays"))
    return steps


def _heard(host, track: TrackState, trial: list[dict[str, Any]] | None) -> dict[str, Any]:
    """RENDER_STATS of the track as heard (its dry-run render), or of the master, ``trial`` in place."""
    if track.index < 0:  # the master: its own dry-run render
        from reaper_assist.rules import mastering

        return {"LUFSI": mastering.parse_render_stats(host.master_stats(trial or None)).integrated_lufs}
    return host.tracks_heard([track.guid], trial)[0]


@dataclass(frozen=True)
class _Bypass:
    """A track whose work is to be switched off: the steps, and the trial writes of them that its
    two measurements (on, and bypassed) need."""

    track: TrackState
    off: list[Step]
    trial: list[dict[str, Any]]
    comp: list[Any]
    on_fx: list[str]
    on_lanes: list[tuple[str, str]]
    values: list[Any]
    takes: list[Any]
    take_notes: list[str]


def _prepare(state: ProjectState, track: TrackState, by_value=None) -> tuple[list[Step], TrackDecision] | _Bypass:
    """The track's steps and decision, or (its work is on) the bypass still to be measured."""
    ours, comp = _ours(track)
    lanes = _lanes(track)
    takes, take_notes = _switched_takes(track) if not track.compare else ([], [])
    values = _values(track, by_value or {}, frozenset(it.guid.upper() for it, _, _ in takes)) \
        if not track.compare else []
    if track.compare:
        try:
            mark = json.loads(track.compare)
        except ValueError:
            mark = {}
        return _back_on(track, mark if isinstance(mark, dict) else {}, comp)
    on_fx = [fx.guid for fx in ours if fx.enabled]
    on_lanes = [(n, g) for n, g, a in lanes if a]
    if not ours and not lanes and not values and not takes:
        return [], TrackDecision(track.guid, track.name, "at target", None, None, 0.0,
                                 "; ".join(["nothing of reaper-assist's on this track", *take_notes]), {})
    if (ours or lanes) and not on_fx and not on_lanes:  # a preview (or all switched off by hand): keep it
        steps = _switch(track, [fx.guid for fx in ours], [(n, g) for n, g, _ in lanes], True,
                        "compare: the preview's changes on (kept)")
        return steps, TrackDecision(track.guid, track.name, "changed", None, None, 0.0,
                                    f"the preview's changes on: kept ({len(ours)} FX, {len(lanes)} lanes)", {})
    off = _switch(track, on_fx, on_lanes, False, "compare: reaper-assist's changes bypassed")
    off += [C.SetValue(track_guid=track.guid, track_name=track.name, field=f, item_guid=it, value=users, expect=cur,
                       label=f"{label}: your value", reason="compare: reaper-assist's changes bypassed")
            for f, it, users, cur, label in values]
    off += _take_steps(track, takes, by_value)
    return _Bypass(track, off, realize.ops(realize.realize(state, off)), comp, on_fx, on_lanes, values, takes,
                   take_notes)


def _bypassed(b: _Bypass, on_st: dict[str, Any], off_st: dict[str, Any]) -> tuple[list[Step], TrackDecision]:
    """The bypass with its make-up gain, from the track heard with its work on and bypassed."""
    track, on_fx, on_lanes, values, takes = b.track, b.on_fx, b.on_lanes, b.values, b.takes
    unheard = next((str(st.get("why", "")) for st in (on_st, off_st) if st.get("measured") is False), "")
    gain, why = (None, unheard) if unheard else C.makeup_db(on_st.get("LUFSI", float("-inf")),
                                                           off_st.get("LUFSI", float("-inf")))
    ev = clean({"on_lufs": on_st.get("LUFSI"), "bypassed_lufs": off_st.get("LUFSI"), "makeup_db": gain})
    steps = list(b.off)
    if gain is not None:
        steps += plugin_steps(track, b.comp[0] if b.comp else None, plugin="js_volume", rename=C.COMPARE_RENAME,
                              tag=C.COMPARE_TAG, position=-1, reason="compare: the same loudness bypassed",
                              params=(ParamValue("gain_db", gain, f"Adjustment ({gain:+.2f} dB)"),
                                      ParamValue("passes_db", C.MAX_MAKEUP_DB, "Max Volume (dB)")),
                              evidence=ev)
    mark = json.dumps({"fx": on_fx, "lanes": [g for _, g in on_lanes], "makeup_db": ev["makeup_db"],
                       "values": [list(v) for v in values],
                       "takes": [[it.guid.upper(), ours_g, orig] for it, ours_g, orig in takes]}, sort_keys=True)
    steps.append(C.CompareMark(track_guid=track.guid, track_name=track.name, text=mark, reason="compare: bypassed"))
    level = f"made up {gain:+.2f} dB" if gain is not None else f"not level-matched: {why}"
    return steps, TrackDecision(track.guid, track.name, "changed", on_st.get("LUFSI"), off_st.get("LUFSI"),
                                gain or 0.0, "; ".join([f"reaper-assist's changes bypassed ({len(on_fx)} FX, "
                                f"{len(on_lanes)} lanes, {len(values)} values at yours, {len(takes)} of your "
                                f"takes playing), {level}", *b.take_notes]), ev)


def plan_tracks(host, state: ProjectState, tracks: list[TrackState],
                by_value=None) -> list[tuple[list[Step], TrackDecision]]:
    """Every track's steps and decision; the tracks are heard with their work on in one request and
    each with its own bypass in another, whatever their number (issue 20 point 4)."""
    prepared = [_prepare(state, tr, by_value) for tr in tracks]
    pending = [b for b in prepared if isinstance(b, _Bypass) and b.track.index >= 0]
    heard: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    if pending:
        guids = [b.track.guid for b in pending]
        on = host.tracks_heard(guids)
        off = host.tracks_heard(guids, trials=[b.trial for b in pending])
        heard = {b.track.guid: (a, o) for b, a, o in zip(pending, on, off, strict=True)}
    out = []
    for b in prepared:
        if not isinstance(b, _Bypass):
            out.append(b)
        elif b.track.guid in heard:
            out.append(_bypassed(b, *heard[b.track.guid]))
        else:  # the master: its own dry-run renders
            out.append(_bypassed(b, _heard(host, b.track, None), _heard(host, b.track, b.trial)))
    return out


#: The durable history, read with the tracks (``state.ext[1]``; ``state.ext[0]`` is the settings).
HISTORY_EXT = (history.EXT_SECTION, history.HISTORY_KEY)


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    def plan(state: ProjectState, tracks: list[TrackState], raw: dict[str, Any]) -> Plan:
        steps: list[Step] = []
        decisions = []
        by_value = R.group(history.parse(state.ext[1] if len(state.ext) > 1 else None))
        for s, d in plan_tracks(host, state, tracks, by_value):
            steps += s
            decisions.append(d)
        n = sum(d.status == "changed" for d in decisions)
        return Plan(ACTION, undo_name("Compare reaper-assist changes on", n), tuple(steps), tuple(decisions), {})

    if (options or {}).get("master"):
        return _run_master(host, plan, dry_run)
    return run_assistant(host, ACTION, plan, track_guids=track_guids, selected=selected, options=options,
                         dry_run=dry_run, what="compare", ext=[HISTORY_EXT])


def _run_master(host, plan, dry_run: bool) -> dict[str, Any]:
    """Compare on the master track (``--master``): its tagged FX (master, match-reference) off at
    the same loudness, or back on; a master ``--preview`` kept."""
    try:
        state = host.read_state(master=True, ext=[SETTINGS_EXT, HISTORY_EXT])
        if not state.tracks:
            raise ReaperAssistError("the project has no master track to read")
        p = plan(state, list(state.tracks), {})
        writes = realize.realize(state, p.steps)
        if writes and not dry_run:
            host.apply(realize.ops(writes), p.undo_name)
        record = record_for_plan(p, writes, dry_run=dry_run)
    except ReaperAssistError as exc:
        record = error_record(ACTION, str(exc))
    if not dry_run:
        write_record(host, record)
    return record
