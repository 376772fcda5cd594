"""Action "Balance selected tracks around the focus track": each track's fader set so that its
post-FX loudness as heard (through its folders and sends: bridge.heard) sits at its instrument's offset from the focus
(``rules/tables/balance.json``, Diff-MST's hand-set priors). The focus is the first selected
track, or ``focus`` (a name or GUID) in the options; its fader is never moved.

read -> one dry-run render per track (bridge.heard, REAPER's RENDER_STATS) -> instrument
(recogniser) -> fader changes -> trial renders with the planned faders in place (at most
rules.mix_balance.MAX_PASSES; corrects a folder's dynamics) -> the master's dry run with them
(the focus's distance under the mix, reported) -> masking of the focus by each track (reported)
-> ONE undo block "reaper-assist: Balance N tracks" -> last_run with evidence.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reaper_assist.app import assist_common as C
from reaper_assist.app.mix_tracks import (
    MixTrack,
    bus_with_selected_sources,
    folder_with_selected_children,
    heard,
    mix_track,
    pick_focus,
    route_evidence,
)
from reaper_assist.errors import ReaperAssistError
from reaper_assist.host import realize
from reaper_assist.host.base import ProjectState, TrackState
from reaper_assist.rules import mix_balance as rule
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import TrackVolume
from reaper_assist.units import amp_to_db

ACTION = "balance"
TITLE = "Balance"


def _masking(focus: MixTrack, mt: MixTrack, offset_lu: float) -> dict[str, Any]:
    """How much the track masks the focus once it sits ``offset_lu`` from it (pre-FX audio,
    levelled by loudness; reported, nothing is cut: that is `unmask`)."""
    from reaper_assist.analysis.loudness import measure_loudness
    from reaper_assist.analysis.spectrum import masking

    fa, ma = focus.source.audio, mt.source.audio
    if fa is None or ma is None:
        return {"masking": "not measured (no audio)"}
    sr = mt.source.sample_rate
    lf = measure_loudness(fa, sr, true_peak=False).integrated_lufs
    lm = measure_loudness(ma, sr, true_peak=False).integrated_lufs
    if not (np.isfinite(lf) and np.isfinite(lm)):
        return {"masking": "not measured (silent audio)"}
    m = masking(fa, ma * 10 ** ((lf + offset_lu - lm) / 20), sr, names=(focus.track.name, mt.track.name))
    k = int(np.argmax(m.masking_ratio))
    return {"masking_of_focus": float(m.overall_masking), "worst_masking_band_hz": float(m.band_centres_hz[k]),
            "worst_masking_ratio": float(m.masking_ratio[k])}


def _targets(mts: list[MixTrack], focus: MixTrack, table, levels, skip: dict[str, str]):
    """{guid: (offset, heard LUFS)} of the tracks to balance; the others land in ``skip`` with why."""
    out = {}
    for mt in mts:
        g = mt.track.guid.upper()
        if mt is focus or g in skip:
            continue
        h = levels[g]
        if h.lufs is None:
            skip[g] = h.why
        elif h.silent:
            skip[g] = "its post-FX output is silent (the dry run measured -inf LUFS): level kept"
        elif h.fader == "none":
            skip[g] = (f"heard only through pre-fader sends (to {', '.join(map(repr, h.pre_fader_sends))}): its fader "
                       "does not change what the listener hears; level kept (set the send level, or make the send "
                       "post-fader, and run again)")
        else:
            off = rule.offset_from_focus(table, mt.instrument, focus.instrument)
            if off.lu is None:
                skip[g] = f"{mt.instrument_note}; {off.note}"
            else:
                out[g] = (off, h.lufs)
    return out


def _steps(mts: list[MixTrack], targets, faders: dict[str, float]):
    """TrackVolume steps for the faders that move (``faders``: planned dB), and the clamp notes."""
    steps, notes = [], {}
    for mt in mts:
        g = mt.track.guid.upper()
        if g not in targets:
            continue
        off = targets[g][0]
        db, notes[g] = rule.clamp_fader(faders[g], amp_to_db(mt.track.volume))
        if not rule.is_at_target(db - amp_to_db(mt.track.volume)):
            steps.append(TrackVolume(track_guid=mt.track.guid, track_name=mt.track.name, volume_db=db,
                                     reason=off.note, evidence={"offset_lu": off.lu, "source": off.source}))
    return steps, notes


def _focus_step(focus: MixTrack, shift_db: float) -> list[TrackVolume]:
    if shift_db <= 0:
        return []
    db = amp_to_db(focus.track.volume) - shift_db
    return [TrackVolume(track_guid=focus.track.guid, track_name=focus.track.name, volume_db=db,
                        reason=f"focus lowered {shift_db:.1f} dB with every track: the quietest tracks need more "
                               f"than the fader's {rule.MAX_FADER_DB:+g} dB", evidence={"headroom_shift_db": shift_db})]


def _converge(host, state: ProjectState, mts, focus: MixTrack, targets, want: dict[str, float], shift_db: float):
    """Faders from the first estimate (a fader dB moves the heard loudness by a LU), then trial
    renders with them in place, each correcting the miss along the slope seen between the last two
    renders (a compressor on a folder): ``(steps, notes, heard after, renders)``."""
    current = {m.track.guid.upper(): amp_to_db(m.track.volume) for m in mts}
    faders = {g: current[g] + want[g] - lufs for g, (_, lufs) in targets.items()}
    last = {g: (current[g], lufs) for g, (_, lufs) in targets.items()}
    after: dict[str, Any] = {}
    renders = 0
    notes: dict[str, str] = {}
    while True:
        steps, new_notes = _steps(mts, targets, faders)
        notes = {g: notes.get(g) or n for g, n in new_notes.items()}  # the first pass says what was needed
        steps = _focus_step(focus, shift_db) + steps
        trial = realize.ops(realize.realize(state, steps))
        if not trial:
            return steps, notes, {}, renders
        after = heard(host, list(targets), trial)
        renders += 1
        miss = {g: want[g] - h.lufs for g, h in after.items() if h.lufs is not None and np.isfinite(h.lufs)}
        if renders >= rule.MAX_PASSES or all(abs(v) <= rule.CONVERGED_LU for v in miss.values()):
            return steps, notes, after, renders
        for g, m in miss.items():
            now = (rule.clamp_fader(faders[g], 0.0)[0], want[g] - m)
            faders[g] = rule.next_fader(last[g], now, want[g])
            last[g] = now


def plan(host, state: ProjectState, tracks: list[TrackState], raw: dict[str, Any]) -> Plan:
    amount = C.parse_amount(raw, ACTION)
    table = C.table_with_overrides(ACTION, raw)
    focus_tr = pick_focus(tracks, raw.get("focus"))
    mts = [mix_track(t, state.sample_rate) for t in tracks]
    focus = next(m for m in mts if m.track is focus_tr)
    levels = heard(host, [t.guid for t in tracks])
    fh = levels[focus_tr.guid.upper()]
    if fh.lufs is None:
        raise ReaperAssistError(f"the focus track {focus_tr.name!r} cannot be measured: {fh.why}")
    if fh.silent:
        raise ReaperAssistError(f"the focus track {focus_tr.name!r} is silent after its FX (the dry run measured "
                                "-inf LUFS): nothing to balance around; choose another focus with --focus")
    selected = {t.index for t in tracks}
    skip = {t.guid.upper(): "a folder whose tracks are selected too: they are balanced through it; its fader kept"
            for t in tracks if t is not focus_tr and folder_with_selected_children(t, selected)}
    chosen = {t.guid.upper() for t in tracks}
    for t in tracks:
        srcs = bus_with_selected_sources(levels[t.guid.upper()], chosen)
        if t is not focus_tr and srcs and t.guid.upper() not in skip:
            skip[t.guid.upper()] = (f"a bus that selected tracks send to ({', '.join(map(repr, srcs))}): they are "
                                    "balanced through it; its fader kept")
    targets = _targets(mts, focus, table, levels, skip)
    want = {g: rule.target_lufs(lufs, fh.lufs, off.lu, amount) for g, (off, lufs) in targets.items()}
    current = {m.track.guid.upper(): amp_to_db(m.track.volume) for m in mts}
    shift = rule.headroom_shift({g: current[g] + want[g] - lufs for g, (_, lufs) in targets.items()})
    want = {g: v - shift for g, v in want.items()}
    focus_after = fh.lufs - shift
    steps, notes, after, renders = _converge(host, state, mts, focus, targets, want, shift)
    mix = rule.focus_below_mix(focus_after, _mix_lufs(host, realize.ops(realize.realize(state, steps))))
    by_guid = {s.track_guid.upper(): s for s in steps}
    decisions = []
    for mt in mts:
        g = mt.track.guid.upper()
        if mt is focus:
            fs = by_guid.get(g)
            decisions.append(TrackDecision(mt.track.guid, mt.track.name, "changed" if fs else "focus", fh.lufs,
                                           focus_after, -shift, f"focus track ({mt.instrument_note}); "
                                           + (fs.reason if fs else "its fader is kept"),
                                           C.clean({"focus": True, "heard_lufs": fh.lufs, "headroom_shift_db": shift,
                                                    **route_evidence(fh), **mix})))
            continue
        if g in skip:
            decisions.append(C.skipped(mt.track, skip[g], {"heard_lufs": levels[g].lufs, **route_evidence(levels[g])}))
            continue
        off, lufs = targets[g]
        s = by_guid.get(g)
        end = after[g].lufs if s is not None and g in after else lufs
        ev = {"heard_lufs_before": lufs, "heard_lufs_after": end, "target_lufs": want[g], "focus_lufs": fh.lufs,
              "offset_lu": off.lu, "offset_source": off.source, "instrument": mt.instrument,
              **route_evidence(levels[g]), "trial_renders": renders, **_masking(focus, mt, off.lu)}
        note = "; ".join(x for x in (mt.instrument_note, off.note, notes.get(g, ""), _route_note(levels[g])) if x)
        change = (s.volume_db - amp_to_db(mt.track.volume)) if s is not None else 0.0
        decisions.append(TrackDecision(mt.track.guid, mt.track.name, "changed" if s is not None else "at target",
                                       lufs, end, change, note, C.clean(ev)))
    return Plan(ACTION, C.undo_name(TITLE, len(tracks)), tuple(steps), tuple(decisions),
                {"amount": amount * 100.0, "focus": focus_tr.name, **C.clean(mix)})


def _route_note(h) -> str:
    """What the record says of a track heard through sends."""
    if h.fader == "part":
        return (f"part of it reaches the listener through pre-fader sends (to {', '.join(map(repr, h.pre_fader_sends))}), "
                "which its fader does not move: the trial renders measured what the fader does")
    if h.sends and h.through:
        return f"heard through {h.through}"
    return ""


def _mix_lufs(host, trial: list[dict[str, Any]]) -> float:
    from reaper_assist.rules.mastering import parse_render_stats

    return parse_render_stats(host.master_stats(trial or None)).integrated_lufs


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Run the action; returns the ``last_run`` record (also written into the project unless dry run)."""
    return C.run_assistant(host, ACTION, lambda st, trs, raw: plan(host, st, trs, raw), track_guids=track_guids,
                           selected=selected, options=options, dry_run=dry_run, what="balance")
