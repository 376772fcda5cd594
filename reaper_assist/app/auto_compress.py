"""Action "Auto-compress selected tracks": one tagged ReaComp ("RA Comp") per track with threshold,
ratio, knee, attack and release from the crest factor, transient density and instrument, aiming at
the instrument's target average gain reduction (rule table ``rules/tables/auto-compress.json``).

host read -> pre-FX audio -> the level at ReaComp's insertion point (after the user's plugins: a
dry-run render of the track with and without them, :mod:`reaper_assist.bridge.insertion`) ->
dynamics (crest factor, onsets) + compressor prediction on the audio as it arrives there -> Plan
-> one undo block "reaper-assist: Auto-compress N tracks" -> last_run with evidence.
Make-up: the predicted average reduction is given back through ReaComp's Wet (at most +6 dB);
ReaComp's own auto make-up is left off (it would add the reduction of a 0 dBFS signal).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from reaper_assist.analysis.dynamics import measure_dynamics
from reaper_assist.app import assist_common as C
from reaper_assist.host.base import ProjectState, TrackState
from reaper_assist.rules import dynamics_rules as R
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import ParamValue, Step

ACTION = "auto-compress"
TITLE = "Auto-compress"
PLUGIN = "reacomp"
RENAME = "RA Comp"
TAG = "auto-compress"
USER_COMP_WORDS = ("comp", "1176", "la-2a", "leveler", "leveller")


def comp_values(cp: R.CompPlan) -> tuple[ParamValue, ...]:
    """ReaComp's parameters for a compressor plan (make-up through Wet; auto make-up off)."""
    ev = {k: getattr(cp, k) for k in ("threshold_db", "ratio", "knee_db", "attack_ms", "release_ms", "rms_ms",
                                      "makeup_db", "predicted_gr_db", "target_gr_db")}
    ev.update(cp.evidence)
    return tuple(ParamValue(k, v, label, ev) for k, v, label in (
        ("threshold_db", cp.threshold_db, f"Threshold ({cp.threshold_db:+.1f} dB)"),
        ("ratio", cp.ratio, f"Ratio ({cp.ratio:.1f}:1)"),
        ("attack_ms", cp.attack_ms, f"Attack ({cp.attack_ms:.1f} ms)"),
        ("release_ms", cp.release_ms, f"Release ({cp.release_ms:.0f} ms)"),
        ("wet_db", cp.makeup_db, f"Wet (make-up {cp.makeup_db:+.1f} dB)"),
        ("rms_ms", cp.rms_ms, f"RMS size ({cp.rms_ms:.1f} ms)"),
        ("knee_db", cp.knee_db, f"Knee ({cp.knee_db:.1f} dB)"),
        ("auto_makeup", 0.0, "Auto Make Up Gain (off)"),
    ))


LevelAt = Callable[[TrackState, int], dict[str, Any]]


def insertion_offset_db(tr: TrackState, ours, level_at: LevelAt | None) -> tuple[float, dict[str, Any]]:
    """How many dB the user's plugins before our ReaComp move the track's level (its RMS in a dry
    run with them minus without them), and the evidence. Our ReaComp goes at the end of the chain,
    or stays where it is when it is being updated."""
    stop = ours.index if ours is not None else len(tr.fx)
    if level_at is None or stop == 0:
        why = "no plugin before the insertion point" if stop == 0 else "the host cannot dry-run"
        return 0.0, {"insertion_offset_db": 0.0, "insertion_level": why}
    m = level_at(tr, stop)
    if not m.get("measured"):
        return 0.0, {"insertion_offset_db": 0.0, "insertion_level": m.get("why", "not measured")}
    with_db, without_db = m["with_fx"].get("RMSI", -math.inf), m["without_fx"].get("RMSI", -math.inf)
    if not (math.isfinite(with_db) and math.isfinite(without_db)):
        return 0.0, {"insertion_offset_db": 0.0, "insertion_level": "silent in the dry run"}
    off = with_db - without_db
    return off, {"insertion_offset_db": off, "insertion_level": f"dry run: {with_db:.1f} dB RMS after the "
                 f"{stop} plugin(s) before it, {without_db:.1f} dB without them"}


def step(tr: TrackState, ours, src: C.TrackSource, table: dict, amount: float, *,
         level_at: LevelAt | None = None) -> tuple[list[Step], TrackDecision]:
    row, known = C.row_for(table, src.instrument)
    offset, where = insertion_offset_db(tr, ours, level_at)
    audio = src.audio * 10.0 ** (offset / 20.0) if offset else src.audio  # as it arrives at ReaComp
    dyn = measure_dynamics(np.asarray(audio), src.sample_rate, name=tr.name)
    crest = dyn.crest_db if math.isfinite(dyn.crest_db) else 12.0
    cp = R.compressor(audio, src.sample_rate, row, crest_db=crest,
                      transient_density_hz=dyn.transient_density_hz, amount=amount)
    cp = dataclasses.replace(cp, evidence={**cp.evidence, **where})
    at = f"; {offset:+.1f} dB from your plugins before it" if offset else ""
    reason = (f"{C.instrument_note(src, known)}; crest {crest:.1f} dB, {dyn.transient_density_hz:.1f} onsets/s{at}: "
              f"{cp.threshold_db:+.1f} dB, {cp.ratio:.1f}:1, knee {cp.knee_db:.0f} dB, "
              f"{cp.attack_ms:.1f}/{cp.release_ms:.0f} ms -> average reduction {cp.predicted_gr_db:.1f} dB "
              f"(target {cp.target_gr_db:.1f} dB)")
    ch = C.plugin_steps(tr, ours, plugin=PLUGIN, rename=RENAME, tag=TAG, position=-1, params=comp_values(cp),
                        reason=reason)
    ev = {"instrument": src.instrument, "generic_rules": not known, **cp.evidence}
    return ch, C.decision(tr, ch, reason, ev, before=0.0, after=-cp.predicted_gr_db, change=-cp.predicted_gr_db)


def _stop(tr: TrackState) -> int:
    """Where our ReaComp goes: where it is when it is being updated, else the chain's end."""
    ours = C.our_fx(tr, TAG)
    return ours.index if ours is not None else len(tr.fx)


def batched(measure_many: Callable[[list[tuple[str, int]]], list[dict[str, Any]]],
            tracks: list[TrackState]) -> LevelAt:
    """A :data:`LevelAt` that measures every track that has plugins before its insertion point in
    one request, the first time any is asked for (a press stays a fixed number of requests)."""
    got: dict[tuple[str, int], dict[str, Any]] = {}
    wanted = [p for p in ((t.guid, _stop(t)) for t in tracks) if p[1] > 0]

    def level_at(tr: TrackState, stop: int) -> dict[str, Any]:
        if (tr.guid, stop) not in got:
            points = [p for p in wanted if p not in got]
            if (tr.guid, stop) not in points:
                points.append((tr.guid, stop))
            got.update(zip(points, measure_many(points)))
        return got[(tr.guid, stop)]

    return level_at


def plan(state: ProjectState, tracks: list[TrackState], raw: dict[str, Any], *,
         level_at: LevelAt | None = None, measure_many=None) -> Plan:
    if measure_many is not None:
        level_at = batched(measure_many, tracks)
    return C.plan_each_track(state, tracks, raw, action=ACTION, title=TITLE, tag=TAG, user_words=USER_COMP_WORDS,
                             user_kind="compressor", step=partial(step, level_at=level_at))


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Run the action; returns the ``last_run`` record (also written into the project unless dry run)."""
    measure_many = getattr(host, "insertion_levels", None)
    return C.run_assistant(host, ACTION, partial(plan, measure_many=measure_many), track_guids=track_guids,
                           selected=selected, options=options, dry_run=dry_run, what="compress")
