"""Action "Auto-compress selected tracks": one tagged ReaComp ("RA Comp") per track with threshold,
ratio, knee, attack and release from the crest factor, transient density and instrument, aiming at
the instrument's target average gain reduction (rule table ``rules/tables/auto-compress.json``).

host read -> pre-FX audio -> dynamics (crest factor, onsets) + compressor prediction on the audio
-> Plan -> one undo block "reaper-assist: Auto-compress N tracks" -> last_run with evidence.
Make-up: the predicted average reduction is given back through ReaComp's Wet (at most +6 dB);
ReaComp's own auto make-up is left off (it would add the reduction of a 0 dBFS signal).
"""

from __future__ import annotations

import math
from typing import Any

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


def step(tr: TrackState, ours, src: C.TrackSource, table: dict, amount: float) -> tuple[list[Step], TrackDecision]:
    row, known = C.row_for(table, src.instrument)
    dyn = measure_dynamics(src.audio, src.sample_rate, name=tr.name)
    crest = dyn.crest_db if math.isfinite(dyn.crest_db) else 12.0
    cp = R.compressor(src.audio, src.sample_rate, row, crest_db=crest,
                      transient_density_hz=dyn.transient_density_hz, amount=amount)
    reason = (f"{C.instrument_note(src, known)}; crest {crest:.1f} dB, {dyn.transient_density_hz:.1f} onsets/s: "
              f"{cp.threshold_db:+.1f} dB, {cp.ratio:.1f}:1, knee {cp.knee_db:.0f} dB, "
              f"{cp.attack_ms:.1f}/{cp.release_ms:.0f} ms -> average reduction {cp.predicted_gr_db:.1f} dB "
              f"(target {cp.target_gr_db:.1f} dB)")
    ch = C.plugin_steps(tr, ours, plugin=PLUGIN, rename=RENAME, tag=TAG, position=-1, params=comp_values(cp),
                        reason=reason)
    ev = {"instrument": src.instrument, "generic_rules": not known, **cp.evidence}
    return ch, C.decision(tr, ch, reason, ev, before=0.0, after=-cp.predicted_gr_db, change=-cp.predicted_gr_db)


def plan(state: ProjectState, tracks: list[TrackState], raw: dict[str, Any]) -> Plan:
    return C.plan_each_track(state, tracks, raw, action=ACTION, title=TITLE, tag=TAG, user_words=USER_COMP_WORDS,
                             user_kind="compressor", step=step)


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Run the action; returns the ``last_run`` record (also written into the project unless dry run)."""
    return C.run_assistant(host, ACTION, plan, track_guids=track_guids, selected=selected, options=options,
                           dry_run=dry_run, what="compress")
