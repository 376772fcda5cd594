"""Action "Pan selected tracks": track pans (D_PAN) by rule (rules/mix_pan.py, table
``rules/tables/auto-pan.json``): the focus and the low end centred, spectrally similar tracks
mirrored, the others to the lighter side, wider for higher and less important ones; stereo
sources kept. The focus is the first selected track, or ``focus`` (a name or GUID) in the options.

read -> each track's pre-FX audio (media) and instrument -> long-term spectrum, side/mid ratio ->
pans -> mono-compatibility estimate of the panned tracks (channel correlation, fold-down loss per
octave band; reported, a warning when a band loses 3 dB or more) -> ONE undo block
"reaper-assist: Auto-pan N tracks" -> last_run with evidence.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reaper_assist.analysis.spectrum import long_term_spectrum
from reaper_assist.analysis.stereo import mono_fold_down, side_to_mid_db
from reaper_assist.app import assist_common as C
from reaper_assist.app.mix_tracks import MixTrack, folder_with_selected_children, mix_track, pick_focus
from reaper_assist.errors import ReaperAssistError
from reaper_assist.host.base import ProjectState, TrackState
from reaper_assist.rules import mix_pan as rule
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import TrackPan

ACTION = "auto-pan"
TITLE = "Auto-pan"
MONO_LOSS_WARN_DB = -3.0  # a band that folds down this much quieter is named in the message


def _source(mt: MixTrack, focus: TrackState) -> rule.PanSource:
    x = mt.source.audio
    assert x is not None
    spec = long_term_spectrum(x, mt.source.sample_rate, name=mt.track.name)
    return rule.PanSource(mt.track.guid, mt.track.name, mt.instrument, float(spec.centroid_hz),
                          np.asarray(spec.band_levels_db), side_to_mid_db(x),
                          float(np.mean(x**2)) * mt.track.volume**2, focus=mt.track is focus)


def _mono(mts: list[MixTrack], pans: dict[str, float]) -> dict[str, Any]:
    """The panned tracks summed with :data:`rule.PAN_LAW` (pre-FX audio x fader): correlation and
    fold-down loss per octave band."""
    mix = None
    for mt in mts:
        x = mt.source.audio
        if x is None or mt.track.guid not in pans:
            continue
        x2 = x if x.shape[0] >= 2 else np.repeat(x[:1], 2, axis=0)
        gl, gr = rule.pan_gains(pans[mt.track.guid])
        y = x2[:2] * np.array([[gl], [gr]]) * mt.track.volume
        mix = y if mix is None else mix[:, : min(mix.shape[1], y.shape[1])] + y[:, : min(mix.shape[1], y.shape[1])]
    if mix is None:
        return {}
    return {**mono_fold_down(mix, mts[0].source.sample_rate), "pan_law": rule.PAN_LAW}


def plan(state: ProjectState, tracks: list[TrackState], raw: dict[str, Any]) -> Plan:
    amount = C.parse_amount(raw, ACTION)
    table = C.table_with_overrides(ACTION, raw)
    focus = pick_focus(tracks, raw.get("focus"))
    selected = {t.index for t in tracks}
    skip: dict[str, str] = {}
    mts: list[MixTrack] = []
    for t in tracks:
        if folder_with_selected_children(t, selected) and t is not focus:
            skip[t.guid] = "a folder whose tracks are selected too: they are panned; its pan kept"
        elif t.mute:
            skip[t.guid] = "muted: the listener does not hear it; its pan kept"
        else:
            mt = mix_track(t, state.sample_rate)
            if mt.source.audio is None:
                skip[t.guid] = f"cannot be analysed: {mt.source.why_not}; its pan kept"
            else:
                mts.append(mt)
    if focus.guid in skip:
        raise ReaperAssistError(f"the focus track {focus.name!r} cannot be panned around: {skip[focus.guid]}")
    choices = rule.plan_pans([_source(m, focus) for m in mts], table, amount)
    steps, decisions = [], []
    pans: dict[str, float] = {}
    for m in mts:
        chosen = choices[m.track.guid].pan
        pans[m.track.guid] = m.track.pan if chosen is None else chosen
    mono = _mono(mts, pans)
    for t in tracks:
        if t.guid in skip:
            decisions.append(C.skipped(t, skip[t.guid]))
            continue
        mt = next(m for m in mts if m.track is t)
        ch = choices[t.guid]
        ev = {"instrument": mt.instrument, "pan_before": t.pan, "pan_after": pans[t.guid], **ch.evidence}
        why = f"{mt.instrument_note}; {ch.why}"
        if ch.pan is not None and abs(ch.pan - t.pan) > rule.PAN_TOL:
            steps.append(TrackPan(track_guid=t.guid, track_name=t.name, pan=round(ch.pan, 4), reason=ch.why,
                                  evidence=C.clean(ev)))
            decisions.append(TrackDecision(t.guid, t.name, "changed", None, None, 0.0, why, C.clean(ev)))
        else:
            decisions.append(TrackDecision(t.guid, t.name, "kept" if ch.pan is None else "at target", None, None,
                                           0.0, why, C.clean(ev)))
    return Plan(ACTION, C.undo_name(TITLE, len(tracks)), tuple(steps), tuple(decisions),
                {"amount": amount * 100.0, "focus": focus.name, "mono_compatibility": C.clean(mono)},
                note=_mono_note(mono))


def _mono_note(mono: dict[str, Any]) -> str:
    """What the record says of the mono fold-down of the planned pans."""
    if not mono:
        return ""
    note = (f"mono fold-down: worst octave band {mono['worst_band_loss_db']:+.1f} dB, "
            f"correlation {mono['correlation']:+.2f}")
    if mono["worst_band_loss_db"] <= MONO_LOSS_WARN_DB:
        note += " (a band loses 3 dB or more in mono: narrow the pans)"
    return note


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Run the action; returns the ``last_run`` record (also written into the project unless dry run)."""
    return C.run_assistant(host, ACTION, plan, track_guids=track_guids, selected=selected, options=options,
                           dry_run=dry_run, what="pan")
