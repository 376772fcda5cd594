"""Actions "A/B against the reference": the reference file on a muted track of ours ("RA
Reference", the last track), level-matched to the mix's integrated loudness; a toggle that
solos/unsolos it; and its removal in one step.

Level: the mix is measured by a dry-run render of the master without our reference track; then
trial renders with the reference track added unmuted and soloed (what the user hears when the
toggle is on, through the master's FX) set its track volume until the master reads the mix's
loudness (within 0.05 LU, at most 4 renders). The user's media and the reference file are only
read.
"""

from __future__ import annotations

from typing import Any

from reaper_assist.app.master_chain import render_stats, solo_alone, target_guids
from reaper_assist.app.records import clean, error_record, name_added_tracks, record_for_plan, write_record
from reaper_assist.app.run_action import SETTINGS_EXT, settings_of
from reaper_assist.errors import ParameterError, ReaperAssistError
from reaper_assist.host import realize
from reaper_assist.host.base import ProjectState, TrackState
from reaper_assist.media.reference_file import read_reference
from reaper_assist.rules import mastering
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import AddedTrack, RemoveAddedTrack, Step, TrackAudition, TrackVolume
from reaper_assist.units import amp_to_db

ACTION = "ab-reference"
TRACK_NAME = "RA Reference"
TOLERANCE_LU = 0.3
SAME_DB = 0.01  # a volume this close to the one planned is left as it is (idempotence)


def ours(state: ProjectState) -> TrackState | None:
    return next((t for t in state.tracks if t.owner == ACTION), None)


def _file(track: TrackState) -> str:
    take = track.items[0].take if track.items else None
    return take.file if take is not None else ""


def _finish(host, p: Plan, state: ProjectState, dry_run: bool, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    writes = realize.realize(state, p.steps)
    applied = host.apply(realize.ops(writes), p.undo_name) if writes and not dry_run else None
    record = record_for_plan(p, writes, dry_run=dry_run)
    if applied is not None:
        name_added_tracks(record, realize.added_tracks(writes, applied.results))
    if extra:
        record["reference"] = clean(extra, 2)
    return record


def _level(host, state: ProjectState, path: str, seconds: float, volume_db: float, mix_lufs: float,
           removal: list[dict[str, Any]]) -> tuple[float, float, int]:
    """(track volume in dB, what the soloed reference measured, renders) from trial renders."""
    st = None
    for i in range(mastering.MAX_RENDERS):
        trial = AddedTrack(track_guid="", track_name=TRACK_NAME, reason="trial", owner=ACTION, file=path,
                           length_s=seconds, volume_db=volume_db, audition=True)
        st = render_stats(host, removal + realize.ops(realize.realize(state, [trial])))
        if abs(mix_lufs - st.integrated_lufs) <= mastering.CONVERGED_LU or i == mastering.MAX_RENDERS - 1:
            break
        volume_db += mix_lufs - st.integrated_lufs
    assert st is not None
    if abs(mix_lufs - st.integrated_lufs) > TOLERANCE_LU:
        raise ReaperAssistError(f"the soloed reference reads {st.integrated_lufs:.2f} LUFS through the master, not "
                                f"the mix's {mix_lufs:.2f}: nothing was changed")
    return volume_db, st.integrated_lufs, i + 2


def _solo(state: ProjectState, guids: list[str] | None) -> list[dict[str, Any]]:
    """Trial writes that solo the listed tracks alone (nothing when the mix is the master)."""
    if guids is not None:
        known = {t.guid.upper() for t in state.tracks}
        missing = [g for g in guids if g.upper() not in known]
        if missing:
            raise ReaperAssistError(f"track {missing[0]} is not in the project")
    return solo_alone(state, guids, skip_owner=ACTION)


def _add(host, options: dict[str, Any], dry_run: bool, guids: list[str] | None) -> dict[str, Any]:
    state = host.read_state(ext=[SETTINGS_EXT])  # the settings with the tracks: one request
    raw = settings_of(state, ACTION, options)
    refs = raw.get("reference")
    paths = [refs] if isinstance(refs, str) else list(refs or [])
    if not paths:
        raise ParameterError("ab-reference needs --reference FILE")
    ref = read_reference(str(paths[0]), state.sample_rate)
    mine = ours(state)
    removal = realize.ops(realize.realize(state, [RemoveAddedTrack(
        track_guid=mine.guid, track_name=mine.name, reason="measure the mix without it", owner=ACTION)])) if mine else []
    where = "the master" if guids is None else "the tracks " + ", ".join(
        repr(t.name) for t in state.tracks if t.guid.upper() in {g.upper() for g in guids})
    mix = render_stats(host, removal + _solo(state, guids))
    if mix.silent:
        raise ReaperAssistError(f"{where} is silent (the dry-run render measured -inf LUFS): nothing to match the "
                                "reference to")
    if removal:
        state = host.read_state()
        mine = ours(state)
    volume_db, heard, renders = _level(host, state, ref.path, ref.seconds, mix.integrated_lufs - ref.integrated_lufs,
                                       mix.integrated_lufs, removal)
    if removal:
        state = host.read_state()
        mine = ours(state)
    what = "the mix" if guids is None else where + " (soloed together)"
    reason = f"{ref.name} level-matched to {what} ({mix.integrated_lufs:.2f} LUFS integrated)"
    ev = {"mix_lufs": mix.integrated_lufs, "reference_lufs": ref.integrated_lufs, "soloed_lufs": heard,
          "renders": renders, "file": ref.path, "matched_to": what}
    steps: list[Step] = []
    if mine is not None and _file(mine) == ref.path:
        if abs(amp_to_db(mine.volume) - volume_db) > SAME_DB:
            steps.append(TrackVolume(track_guid=mine.guid, track_name=mine.name, reason=reason, evidence=ev,
                                     volume_db=volume_db))
        guid, name = mine.guid, mine.name
    else:
        if mine is not None:
            steps.append(RemoveAddedTrack(track_guid=mine.guid, track_name=mine.name, reason="another reference",
                                          owner=ACTION))
        steps.append(AddedTrack(track_guid="", track_name=TRACK_NAME, reason=reason, evidence=ev, owner=ACTION,
                                file=ref.path, length_s=ref.seconds, volume_db=volume_db))
        guid, name = "", TRACK_NAME
    d = TrackDecision(guid, name, "changed" if steps else "at target", ref.integrated_lufs, heard, volume_db, reason,
                      ev)
    p = Plan(ACTION, f"reaper-assist: A/B reference {ref.name}", tuple(steps), (d,), {"reference": ref.path})
    return _finish(host, p, state, dry_run, ev)


def _ours_or_refuse(state: ProjectState) -> TrackState:
    mine = ours(state)
    if mine is None:
        raise ReaperAssistError("there is no A/B reference track in this project: run ab-reference --reference FILE "
                                "first")
    return mine


def _toggle(host, dry_run: bool) -> dict[str, Any]:
    state = host.read_state()
    mine = _ours_or_refuse(state)
    on = mine.mute or not mine.solo
    step = TrackAudition(track_guid=mine.guid, track_name=mine.name, on=on,
                         reason="the reference alone" if on else "back to the mix")
    d = TrackDecision(mine.guid, mine.name, "changed", None, None, 0.0, step.reason, {"soloed": on})
    p = Plan("ab-reference-toggle", f"reaper-assist: A/B reference {'on' if on else 'off'}", (step,), (d,), {})
    return _finish(host, p, state, dry_run)


def _remove(host, dry_run: bool) -> dict[str, Any]:
    state = host.read_state()
    mine = _ours_or_refuse(state)
    step = RemoveAddedTrack(track_guid=mine.guid, track_name=mine.name, reason="A/B reference removed", owner=ACTION)
    d = TrackDecision(mine.guid, mine.name, "changed", None, None, 0.0, step.reason, {"file": _file(mine)})
    p = Plan("ab-reference-remove", "reaper-assist: Remove A/B reference", (step,), (d,), {})
    return _finish(host, p, state, dry_run)


def _guarded(name: str, host, dry_run: bool, fn) -> dict[str, Any]:
    try:
        record = fn()
    except ReaperAssistError as exc:
        record = error_record(name, str(exc))
    if not dry_run:
        write_record(host, record)
    return record


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Add (or update) the reference track, level-matched to the master mix, or (tracks given, or
    ``options["selected"]``) to the listed tracks soloed together."""
    opts = dict(options or {})

    def add() -> dict[str, Any]:
        guids = target_guids(host, ACTION, track_guids, opts)
        return _add(host, {k: v for k, v in opts.items() if k not in ("master", "selected")}, dry_run, guids)

    return _guarded(ACTION, host, dry_run, add)


def run_toggle(host, *, track_guids: list[str] | None = None, selected: bool = True,
               options: dict[str, Any] | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Solo the reference (the mix silent) or put it back to rest (muted)."""
    return _guarded("ab-reference-toggle", host, dry_run, lambda: _toggle(host, dry_run))


def run_remove(host, *, track_guids: list[str] | None = None, selected: bool = True,
               options: dict[str, Any] | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Delete our reference track (one undo step)."""
    return _guarded("ab-reference-remove", host, dry_run, lambda: _remove(host, dry_run))

