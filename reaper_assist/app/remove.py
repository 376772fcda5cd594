"""Action "Remove reaper-assist changes from selected tracks": takes the tool's work off the
tracks in one undo step, driven only by what the tool recorded, so every action is covered:

* our tagged FX (the track's tag list), with any parameter envelopes and automation items on them;
* the envelope lanes the tool created (the track's lane list), with their points;
* the takes the tool added (denoise's rendered take; the item's take list), the user's take made
  active again; the rendered file stays in the project's ``reaper-assist/`` folder (an undo of the
  remove plays it again);
* tracks the tool added (their ``reaper_assist_track`` mark);
* volumes and pans the tool changed, from the durable history (app/history.py): put back where the
  value still holds what the tool wrote last; a value the user changed since is left and reported.

The user's FX, lanes, points and values are never touched (the write kinds check the tool's lists
inside REAPER too). The history entries of the values dealt with are dropped, so a second run
changes nothing.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from reaper_assist.app import history
from reaper_assist.app.denoise_hiss import our_takes
from reaper_assist.app.our_fx import owned_lanes
from reaper_assist.app.records import record_for_plan, write_record
from reaper_assist.app.records import error_record as _error_record
from reaper_assist.app.run_action import undo_name
from reaper_assist.errors import ReaperAssistError
from reaper_assist.host import realize, restore
from reaper_assist.host.base import ProjectState, TrackState, parse_tags
from reaper_assist.rules import removal as R
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import RemovePlugin, Step
from reaper_assist.units import amp_to_db

ACTION = "remove"
VOLUME_LANES = ("Volume", "Volume (Pre-FX)", "Trim Volume")  # the lanes the read state shows


def _shown(field: str, v: float) -> str:
    if field.endswith("pan"):
        return f"{v:+.2f}"
    db = amp_to_db(abs(v))
    return "-inf dB" if db == float("-inf") else f"{db:+.2f} dB"


def _label(track: TrackState, key: tuple[str, str, str]) -> str:
    _, item_guid, field = key
    if not item_guid:
        return field
    k = next((it.index for it in track.items if it.guid.upper() == item_guid), None)
    return f"{field} (item {k + 1})" if k is not None else f"{field} (an item since deleted)"


TAKE_FIELDS = ("take volume", "take pan")  # the history's take values (host/restore.py)


def _takes(track: TrackState) -> tuple[dict[str, list[tuple[str, dict[str, Any]]]], list[str]]:
    """Our takes per item GUID (upper) that can go: [(take GUID, listing)], and notes of those left."""
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    notes: list[str] = []
    for it in track.items:
        for g, v in our_takes(it).items():
            if it.take_count < 2 and it.take is not None and it.take.guid.upper() == g:
                notes.append(f"item {it.number}: its {v.get('tag', 'reaper-assist')} take is its only take "
                             "(your take was deleted): left")
                continue
            out.setdefault(it.guid.upper(), []).append((g, v))
    return out, notes


def _values(track: TrackState, by_value: dict[tuple[str, str, str], list[dict[str, Any]]], going: set[str]):
    """RestoreValue steps and the notes of values left alone, the history keys dealt with, and per
    item whose active take (ours) goes, the take values to put back on the user's take then."""
    steps: list[Step] = []
    notes: list[str] = []
    done = []
    on_users_take: dict[str, list[tuple[str, float, tuple[float, ...]]]] = {}
    for key, entries in by_value.items():
        if key[0] != track.guid.upper() or not restore.is_field(key[2]):
            continue
        done.append(key)
        cur = restore.current(track, entries[-1])
        label = _label(track, key)
        if cur is None:
            notes.append(f"{label}: its item or take is gone, nothing to put back")
            continue
        if key[1] in going and key[2] in TAKE_FIELDS:  # the take written to is ours, and it goes
            back = R.take_restore(entries, cur)
            if back is not None:
                on_users_take.setdefault(key[1], []).append((key[2], *back))
            else:
                notes.append(f"{label}: you changed it since on reaper-assist's take ({_shown(key[2], cur)}); "
                             "that take goes, the value on yours is left as it is")
            continue
        r = R.chain_back(entries, cur)
        if r.status == "left":
            notes.append(f"{label}: you changed it since ({_shown(key[2], cur)}; reaper-assist wrote "
                         f"{_shown(key[2], r.wrote)}): left as it is")
        elif r.status == "restore":
            runs = f"{r.runs} run{'s' if r.runs != 1 else ''}"
            steps.append(R.RestoreValue(track_guid=track.guid, track_name=track.name, field=key[2],
                                        item_guid=key[1], value=r.value, expect=cur, label=label,
                                        reason=f"back to {_shown(key[2], r.value)} (before {runs} of "
                                               f"{', '.join(sorted({str(e.get('action')) for e in entries}))})",
                                        evidence={"history_entries": len(entries), "runs_undone": r.runs}))
    return steps, notes, done, on_users_take


def plan_track(track: TrackState, by_value) -> tuple[list[Step], list[Step], TrackDecision, list]:
    """(value steps, removal steps, decision, history keys dealt with) of one track."""
    if track.owner:
        steps: list[Step] = [R.RemoveTrack(track_guid=track.guid, track_name=track.name, owner=track.owner,
                                           reason=f"the track {track.owner} added")]
        done = [k for k in by_value if k[0] == track.guid.upper()]
        return [], steps, TrackDecision(track.guid, track.name, "changed", None, None, 0.0,
                                        f"deleted: {track.owner} added this track", {}), done
    takes, take_notes = _takes(track)
    going = {it.guid.upper() for it in track.items if it.take is not None and it.guid.upper() in takes
             and it.take.guid.upper() in {g for g, _ in takes[it.guid.upper()]}}
    values, notes, done, on_users_take = _values(track, by_value, going)
    notes += take_notes
    tags = parse_tags(track.tags)
    removal: list[Step] = []
    for it in track.items:
        for g, v in takes.get(it.guid.upper(), []):
            active = it.take is not None and it.take.guid.upper() == g
            removal.append(R.RemoveTake(
                track_guid=track.guid, track_name=track.name, item_guid=it.guid, item_index=it.index, take_guid=g,
                tag=str(v.get("tag", "")), original_take=str(v.get("original_take", "")),
                restore=tuple(on_users_take.get(it.guid.upper(), ())) if active else (),
                reason=f"added by {v.get('tag', 'reaper-assist')}" + ("; your take active again" if active else ""),
                evidence={"rendered_file_left": it.take.file if active and it.take else "",
                          "original": v.get("original", "")}))
    for fx in track.fx:
        tag = tags.get(fx.guid.upper())
        if tag is not None:
            removal.append(RemovePlugin(track_guid=track.guid, track_name=track.name, fx_guid=fx.guid,
                                         label=fx.renamed_name or fx.name, reason=f"added by {tag}"))
    lanes = owned_lanes(track)
    for name, v in lanes.items():
        seen = (track.envelopes.get(name) or {}).get("guid", "")
        if name in VOLUME_LANES and str(seen).upper() != str(v["guid"]).upper():
            notes.append(f"the {name} lane of {v.get('owner', 'reaper-assist')} is gone already")
            continue
        removal.append(R.RemoveLane(track_guid=track.guid, track_name=track.name, envelope=name,
                                    lane_guid=str(v["guid"]), owner=str(v.get("owner", "")),
                                    reason=f"created by {v.get('owner', 'reaper-assist')}"))
    if tags or track.env_tags or track.compare:
        removal.append(R.ForgetOwnership(track_guid=track.guid, track_name=track.name, fx=bool(track.tags),
                                         lanes=bool(track.env_tags), compare=bool(track.compare),
                                         reason="nothing of reaper-assist's left"))
    what = [s.label if isinstance(s, RemovePlugin) else f"the {s.envelope} lane" if isinstance(s, R.RemoveLane)
            else f"the {s.tag} take of item {s.item_index + 1}" for s in removal
            if isinstance(s, (RemovePlugin, R.RemoveLane, R.RemoveTake))]
    parts = ([f"removed {', '.join(what)}"] if what else []) + \
            [f"{s.label} {s.reason}" for s in values if isinstance(s, R.RestoreValue)] + notes
    status = "changed" if values or removal else "at target"
    reason = "; ".join(parts) if parts else "nothing of reaper-assist's on this track"
    return values, removal, TrackDecision(track.guid, track.name, status, None, None, 0.0, reason,
                                          {"left": notes}), done


def plan(state: ProjectState, tracks: list[TrackState], entries: list[dict[str, Any]]) -> tuple[Plan, list]:
    by_value = R.group(entries)
    values: list[Step] = []
    removal: list[Step] = []
    deletes: list[Step] = []
    decisions, done = [], []
    for tr in tracks:
        v, r, d, k = plan_track(tr, by_value)
        values += v
        (deletes if any(isinstance(s, R.RemoveTrack) for s in r) else removal).extend(r)
        decisions.append(d)
        done += k
    n = sum(d.status == "changed" for d in decisions)
    p = Plan(ACTION, undo_name("Remove reaper-assist changes from", n), tuple(values + removal + deletes),
             tuple(decisions), {})
    return p, done


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Remove the tool's work from the tracks (``options["master"]``: from the master track, and the
    tracks the master actions added: ab-reference's "RA Reference")."""
    master = bool((options or {}).get("master"))
    also: list[tuple[str, str]] = []  # the history and kept records, written with the record (one request)
    # the history and the kept records come with the read (one request, issue 20 point 4)
    stored = [(history.EXT_SECTION, history.HISTORY_KEY), (history.EXT_SECTION, history.RECORDS_KEY)]
    try:
        if master:  # the master's FX, and the tracks the master actions added for the mix (the A/B reference)
            from reaper_assist.app.registry import MASTER_ACTIONS, REFERENCE_ACTIONS

            state = host.read_state(master=True, ext=stored)
            added = tuple(t for t in host.read_state().tracks if t.owner in MASTER_ACTIONS | REFERENCE_ACTIONS)
            state = dataclasses.replace(state, tracks=state.tracks + added)
        else:
            state = host.read_state(track_guids=track_guids, selected_only=selected and not track_guids, ext=stored)
        history_text, records_text = state.ext
        tracks = list(state.tracks)
        if not tracks:
            raise ReaperAssistError("no tracks selected: select the tracks to remove reaper-assist's changes from")
        entries = history.parse(history_text)
        p, done = plan(state, tracks, entries)
        writes = realize.realize(state, p.steps)
        if writes and not dry_run:
            host.apply(realize.ops(writes), p.undo_name)
        record = record_for_plan(p, writes, dry_run=dry_run)
        record.pop("restore", None)  # remove's own writes are no history to restore
        if not writes:
            record["message"] = "nothing of reaper-assist's to remove"
        if not dry_run and done:
            gone = set(done)
            also.append((history.HISTORY_KEY, history.dumps(
                [e for e in entries if (str(e["track_guid"]).upper(), str(e.get("item_guid") or "").upper(),
                                        e["field"]) not in gone])))
        if writes and not dry_run:  # the report no longer shows what was taken off
            kept = history.without_tracks(records_text, {d.guid.upper() for d in p.decisions if d.status == "changed"})
            if kept is not None:
                also.append((history.RECORDS_KEY, kept))
    except ReaperAssistError as exc:
        record = _error_record(ACTION, str(exc))
    record["time"] = record.get("time") or time.strftime("%Y-%m-%dT%H:%M:%S%z")
    if not dry_run:
        write_record(host, record, also)
    return record
