"""Action "De-ess selected tracks": per voice, the sibilance band (2-12 kHz) and its sibilant
events, written as ONE tagged ReaEQ ("RA De-ess") with one band at that frequency whose gain
envelope dips by each event's measured excess (capped) only while it lasts.

host (read) -> pre-FX audio as the items play (positions, offsets, playrate) -> phrases ->
analysis.sibilance (events, band) -> rules.de_ess (dip per event, band gain per dip, points on
the project timeline) -> one ``AutomatedPlugin`` step (the ReaEQ and its band-gain envelope) per
track -> one undo block. The ReaEQ goes first in the chain: it works on the audio it was measured on.
"""

from __future__ import annotations

import numpy as np

from reaper_assist.analysis.sibilance import SIB_HI_HZ, SIB_LO_HZ, find_sibilance
from reaper_assist.app.automation import envelope_action, track_phrases
from reaper_assist.app.our_fx import our_fx, users_own
from reaper_assist.app.run_action import clean
from reaper_assist.host import realize
from reaper_assist.host.base import TrackState
from reaper_assist.rules import de_ess as rule
from reaper_assist.rules.plan import TrackDecision
from reaper_assist.rules.steps import AutomatedPlugin, BandValue, ParamEnvelope, Step, TaggedPlugin

ACTION = "de-ess"
TAG = "de-ess"
RENAME = "RA De-ess"
PLUGIN = "reaeq"
USER_WORDS = ("de-ess", "deess", "de ess", "sibil")


def _plan_track(tr: TrackState, sample_rate: int, s: rule.DeEssSettings) -> tuple[list[Step], TrackDecision]:
    kept = users_own(tr, TAG, USER_WORDS, "de-esser")
    if kept is not None:
        return [], kept
    tp, why = track_phrases(tr, sample_rate, "de-ess")
    if tp is None:
        return [], TrackDecision(tr.guid, tr.name, "skipped", None, None, 0.0, why)
    sib = find_sibilance(tp.audio, tp.sample_rate, voiced=tp.phrases.voiced, voiced_frame_s=tp.phrases.frame_s,
                         min_ratio_db=s.min_ratio_db, name=tr.name)
    if not sib.events:
        return [], TrackDecision(tr.guid, tr.name, "at target", None, None, 0.0,
                                 f"no sibilance found: no part of its {len(tp.phrases.spans)} phrases has more "
                                 f"energy in {SIB_LO_HZ / 1000:g}-{SIB_HI_HZ / 1000:g} kHz than under 2 kHz "
                                 f"(by {s.min_ratio_db:g} dB); nothing to de-ess",
                                 {"phrases": len(tp.phrases.spans)})
    band = rule.band_for(sib.lo_hz, sib.hi_hz, s.shape, tp.sample_rate)
    k = s.amount / 100.0
    level = sib.energy_db(band.lo_hz, band.hi_hz)
    reference = sib.reference_db(band.lo_hz, band.hi_hz)
    dips, excesses = [], []
    for a, b in rule.merge_events(list(sib.events), s):
        fr = sib.frames(a, b)
        if not fr.size:
            continue
        excess = float(10 * np.log10(np.mean(10 ** (level[fr] / 10)))) - reference
        fall = min(max(excess, 0.0), s.reduction_db) * k
        if fall < rule.MIN_DIP_DB:
            continue
        spectrum = sib.power[:, fr].mean(axis=1)
        g = rule.gain_for_fall(band, fall, sib.freqs, spectrum, tp.sample_rate, s.max_depth_db)
        dips.append((tp.start_s + a, tp.start_s + b, g))
        excesses.append(excess)
    ev = {"sibilant_events": len(sib.events), "dips": len(dips), "peak_hz": sib.peak_hz,
          "band_lo_hz": band.lo_hz, "band_hi_hz": band.hi_hz, "freq_hz": band.freq_hz, "bw_oct": band.bw_oct,
          "shape": s.shape, "voice_band_level_db": reference,
          "excess_median_db": float(np.median(excesses)) if excesses else None,
          "gain_min_db": min((g for *_, g in dips), default=0.0)}
    if not dips:
        return [], TrackDecision(tr.guid, tr.name, "at target", None, None, 0.0,
                                 f"its {len(sib.events)} sibilant events stand less than {rule.MIN_DIP_DB:g} dB over "
                                 f"the voice at {band.lo_hz:.0f}-{band.hi_hz:.0f} Hz: nothing to de-ess", clean(ev))
    points = rule.dip_points(dips, s)
    dur = max(tp.end_s - tp.start_s, 1e-9)
    ev["points"] = len(points)
    ev["points_per_s"] = len(points) / dur
    ev = clean(ev)
    reason = (f"de-ess {len(dips)} sibilant events at {band.freq_hz:.0f} Hz ({band.lo_hz:.0f}-{band.hi_hz:.0f} Hz): "
              f"band energy down {s.reduction_db * k:g} dB while they last (band gain down to "
              f"{ev['gain_min_db']:.1f} dB), {len(points)} points")
    ours = our_fx(tr, TAG)
    plugin = TaggedPlugin(track_guid=tr.guid, track_name=tr.name, reason=reason, evidence=ev, plugin=PLUGIN,
                          rename=RENAME, tag=TAG, position=0, existing_guid=ours.guid if ours is not None else None,
                          bands=(BandValue(0, band.band_type, True, band.freq_hz, 0.0, band.bw_oct, ev),))
    step = AutomatedPlugin(track_guid=tr.guid, track_name=tr.name, reason=reason, evidence=ev, plugin=plugin,
                           envelopes=(ParamEnvelope(0, "gain", points),))
    fall = -s.reduction_db * k
    if not realize.track_writes(tr, [step]):
        return [], TrackDecision(tr.guid, tr.name, "at target", 0.0, fall, 0.0,
                                 f"its {RENAME} already holds this de-ess ({len(points)} points)", ev)
    return [step], TrackDecision(tr.guid, tr.name, "changed", 0.0, fall, fall, reason, ev)


plan, run = envelope_action(ACTION, "De-ess", rule.DeEssSettings.parse, _plan_track)
