"""Action "Auto-gate selected tracks": one tagged ReaGate ("RA Gate") on drums and noisy tracks,
threshold between the noise floor and the hits, hold and release read from the events (up to the
instrument's values in the rule table ``rules/tables/auto-gate.json``). Sustained parts (keys, pads, strings) and clean tracks are left
alone and reported.

host read -> pre-FX audio (RA Gate goes first in the chain) -> the noise floor in the gaps between
events (steady, broadband, audible; never the quiet parts of the signal) and the hit level -> Plan -> one undo block
"reaper-assist: Auto-gate N tracks" -> last_run with evidence.

The closed gate turns the track down by ``range_db`` x amount: ReaGate Dry = -range, Wet = 1 - Dry
(so the open gate stays at unity).
"""

from __future__ import annotations

from typing import Any

from reaper_assist.analysis.dynamics import gap_noise_floor
from reaper_assist.app import assist_common as C
from reaper_assist.host.base import ProjectState, TrackState
from reaper_assist.rules import dynamics_rules as R
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import ParamValue, Step
from reaper_assist.units import amp_to_db, db_to_amp

ACTION = "auto-gate"
TITLE = "Auto-gate"
PLUGIN = "reagate"
RENAME = "RA Gate"
TAG = "auto-gate"
USER_GATE_WORDS = ("gate", "expander")
DRUMS = ("kick", "snare", "tom", "percussion", "hihat", "drums")
def gate_values(gp: R.GatePlan) -> tuple[ParamValue, ...]:
    """ReaGate's parameters for a gate plan: the closed gate at -range (Dry), the open one at unity
    with the dry signal (Wet = 1 - Dry, linear, so 0 dB range gives Wet -inf dB)."""
    ev = {k: getattr(gp, k) for k in ("threshold_db", "attack_ms", "hold_ms", "release_ms", "preopen_ms", "rms_ms",
                                      "range_db", "noise_floor_db", "hit_level_db")}
    wet_db = amp_to_db(1.0 - db_to_amp(-gp.range_db))
    return tuple(ParamValue(k, v, label, ev) for k, v, label in (
        ("threshold_db", gp.threshold_db, f"Threshold ({gp.threshold_db:+.1f} dB)"),
        ("attack_ms", gp.attack_ms, f"Attack ({gp.attack_ms:.1f} ms)"),
        ("release_ms", gp.release_ms, f"Release ({gp.release_ms:.0f} ms)"),
        ("preopen_ms", gp.preopen_ms, f"Pre-open ({gp.preopen_ms:.1f} ms)"),
        ("hold_ms", gp.hold_ms, f"Hold ({gp.hold_ms:.0f} ms)"),
        ("dry_db", -gp.range_db, f"Dry (closed: {-gp.range_db:.0f} dB)"),
        ("wet_db", wet_db, "Wet (open: unity with the dry)"),
        ("rms_ms", gp.rms_ms, f"RMS size ({gp.rms_ms:.1f} ms)"),
    ))


def step(tr: TrackState, ours, src: C.TrackSource, table: dict, amount: float) -> tuple[list[Step], TrackDecision]:
    row, known = C.row_for(table, src.instrument)
    floor = gap_noise_floor(src.audio, src.sample_rate, min_gap_s=float(row.get("min_pause_ms", 0.0)) / 1000.0)
    gp, why = R.gate(src.audio, src.sample_rate, row, named_drum=known and src.instrument in DRUMS, amount=amount,
                     floor=floor)
    note = C.instrument_note(src, known)
    if gp is None:
        return [], C.decision(tr, [], f"{note}; no gate: {why}", {"instrument": src.instrument})
    reason = (f"{note}; noise floor {gp.noise_floor_db:.1f} dB, hits {gp.hit_level_db:.1f} dB: threshold "
              f"{gp.threshold_db:+.1f} dB, hold {gp.hold_ms:.0f} ms, release {gp.release_ms:.0f} ms, "
              f"range {gp.range_db:.0f} dB")
    ch = C.plugin_steps(tr, ours, plugin=PLUGIN, rename=RENAME, tag=TAG, position=0, params=gate_values(gp),
                        reason=reason)
    ev = {"instrument": src.instrument, "generic_rules": not known, **gp.evidence}
    return ch, C.decision(tr, ch, reason, ev, before=gp.noise_floor_db, after=gp.noise_floor_db - gp.range_db,
                          change=-gp.range_db)


def plan(state: ProjectState, tracks: list[TrackState], raw: dict[str, Any]) -> Plan:
    return C.plan_each_track(state, tracks, raw, action=ACTION, title=TITLE, tag=TAG, user_words=USER_GATE_WORDS,
                             user_kind="gate", step=step)


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Run the action; returns the ``last_run`` record (also written into the project unless dry run)."""
    return C.run_assistant(host, ACTION, plan, track_guids=track_guids, selected=selected, options=options,
                           dry_run=dry_run, what="gate")
