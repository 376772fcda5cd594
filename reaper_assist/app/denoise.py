"""Action "Reduce noise on selected tracks" (``denoise``): mains hum notched on one tagged ReaEQ
("RA Denoise"), only the harmonics that are there, and broadband hiss lowered in a rendered new take
beside each item's original take (app/denoise_hiss.py; docs/denoise.md).

host read -> pre-FX audio (media files) -> hum (analysis.hum: 50/60 Hz +-0.5 Hz, steady) -> notches
(rules.denoise) -> the tagged ReaEQ's step; per item: noise profile and gate (analysis.hiss) -> a
``NewTake`` step -> one undo block -> last_run with the floors before/after and the estimated damage
to the signal. No noise: said so, nothing written (our old ReaEQ, if the hum is gone, taken off).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reaper_assist.analysis.hum import HumResult, find_hum
from reaper_assist.app import assist_common as C
from reaper_assist.app.denoise_hiss import hiss_steps, original_track
from reaper_assist.app.track_audio import pre_fx_audio
from reaper_assist.host.base import ProjectState, TrackState
from reaper_assist.rules import denoise as R
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import BandValue, RemovePlugin, Step
from reaper_assist.units import amp_to_db

ACTION = "denoise"
TITLE = "Reduce noise on"
PLUGIN = "reaeq"
RENAME = "RA Denoise"
TAG = "denoise"
MIN_DURATION_S = 2.0  # shorter audio cannot show a steady hum or a noise floor apart from the signal
USER_WORDS = ("denois", "noise reduc", "dehum", "de-hum", "hum remov", "reafir")


def notch_gain(freqs_hz: np.ndarray, notches: list[R.Notch]) -> np.ndarray:
    """Power gain of the notches at ``freqs_hz`` (analogue prototypes, as rules.denoise designs them)."""
    g = np.ones_like(freqs_hz, dtype=np.float64)
    for n in notches:
        w = np.maximum(freqs_hz, 1e-9) / n.freq_hz
        x = (w * w - 1.0) / w
        iq = np.log(2.0) * n.bw_oct
        g *= x * x / (x * x + iq * iq)
    return g


def _damage_db(audio: np.ndarray, sr: int, hum: HumResult, notches: list[R.Notch]) -> float:
    """The estimated loss of the signal (everything but the hum): its power through the notches,
    with the hum's own bins (+-1 Hz of each harmonic) left out, in dB (<= 0)."""
    x = audio.mean(axis=0)
    p = np.abs(np.fft.rfft(x * np.hanning(x.size))) ** 2
    f = np.fft.rfftfreq(x.size, 1.0 / sr)
    keep = np.ones(f.size, bool)
    for h in hum.harmonics:
        keep &= np.abs(f - h.freq_hz) > 1.0
    total = float(np.sum(p[keep]))
    return float(10 * np.log10(np.sum(p[keep] * notch_gain(f[keep], notches)) / total)) if total > 0 else 0.0


def _bands(notches: list[R.Notch]) -> tuple[BandValue, ...]:
    return tuple(BandValue(k, R.NOTCH, True, n.freq_hz, 0.0, n.bw_oct, {"purpose": "hum notch", **n.evidence})
                 for k, n in enumerate(notches))


def _hum_part(tr: TrackState, audio: np.ndarray, sr: int, amount: float) -> tuple[list[Step], dict[str, Any], str]:
    """The hum notches' step (or our old ReaEQ off when the hum is gone), evidence and words."""
    hum = find_hum(audio, sr, name=tr.name)
    ours = C.our_fx(tr, TAG)
    hev = [{"harmonic": h.k, "freq_hz": h.freq_hz, "level_dbfs": h.level_dbfs, "excess_db": h.excess_db,
            "spread_db": h.spread_db} for h in hum.harmonics]
    ev: dict[str, Any] = {"hum_found": hum.found, "mains_hz": hum.mains_hz, "f0_hz": hum.f0_hz, "harmonics": hev}
    notches = R.hum_notches(hum.harmonics, hum.f0_hz, amount) if hum.found and hum.f0_hz else []
    if not notches:
        why = hum.why if not hum.found else f"every hum line asks less than {R.MIN_DEPTH_DB:g} dB at this amount"
        if ours is None:
            return [], ev, why
        step = RemovePlugin(track_guid=tr.guid, track_name=tr.name, reason=f"the hum is gone ({why})", evidence=ev,
                            fx_guid=ours.guid, label=C.fx_label(ours))
        return [step], ev, step.reason
    strongest = max(hum.harmonics, key=lambda h: h.level_dbfs)
    after = max(h.level_dbfs - n.depth_db for h, n in zip(sorted(hum.harmonics, key=lambda h: h.k), notches))
    ev.update({"hum_floor_before_dbfs": strongest.level_dbfs, "hum_floor_after_dbfs": after,
               "signal_damage_db": _damage_db(audio, sr, hum, notches),
               "notches": [{"freq_hz": n.freq_hz, "bw_oct": n.bw_oct, "depth_db": n.depth_db} for n in notches]})
    reason = (f"{hum.why}; {len(notches)} notch{'es' if len(notches) != 1 else ''}: strongest hum line "
              f"{strongest.level_dbfs:.1f} -> <= {after:.1f} dBFS, signal change {ev['signal_damage_db']:.2f} dB")
    return C.plugin_steps(tr, ours, plugin=PLUGIN, rename=RENAME, tag=TAG, position=0, bands=_bands(notches),
                          reason=reason), ev, reason


def plan_track(tr: TrackState, sr: int, amount: float, project_file: str = "") -> tuple[list[Step], TrackDecision]:
    own = C.users_own(tr, TAG, USER_WORDS, "noise reduction")
    if own is not None:
        return [], own
    orig = original_track(tr)  # where our denoised take plays, the original take's audio is analysed
    pre = pre_fx_audio(orig, sr)
    why = pre.why_not(tr, "analyse")
    if why or pre.audio is None:
        return [], C.skipped(tr, why or "no audio to analyse")
    audio = np.asarray(pre.audio.audio, dtype=np.float64)
    dur = audio.shape[-1] / sr
    if dur < MIN_DURATION_S:
        return [], C.skipped(tr, f"too short: {dur:.2f} s of audio, at least {MIN_DURATION_S:g} s needed to tell "
                             "a steady hum or hiss from the signal")
    hum_steps, ev, hum_words = _hum_part(tr, audio, sr, amount)
    take_steps, item_evs, hiss_words = hiss_steps(tr, project_file, amount)
    steps = hum_steps + take_steps
    ev["signal_rms_dbfs"] = amp_to_db(float(np.sqrt(np.mean(audio ** 2))))
    ev["hiss"] = item_evs
    reason = "; ".join([hum_words, *hiss_words])
    if not steps:
        return [], C.decision(tr, [], f"no noise found, nothing changed: {reason}", ev)
    before, after = ev.get("hum_floor_before_dbfs"), ev.get("hum_floor_after_dbfs")
    return steps, C.decision(tr, steps, reason, ev, before=before, after=after,
                             change=(after - before) if before is not None and after is not None else 0.0)


def plan(state: ProjectState, tracks: list[TrackState], raw: dict[str, Any]) -> Plan:
    amount = C.parse_amount(raw, ACTION)
    steps: list[Step] = []
    decisions = []
    for tr in tracks:
        st, d = plan_track(tr, state.sample_rate, amount, state.project_file)
        steps += st
        decisions.append(d)
    return Plan(ACTION, C.undo_name(TITLE, len(tracks)), tuple(steps), tuple(decisions), {"amount": amount * 100.0})


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Run the action; returns the ``last_run`` record (also written into the project unless dry run)."""
    return C.run_assistant(host, ACTION, plan, track_guids=track_guids, selected=selected, options=options,
                           dry_run=dry_run, what="denoise")
