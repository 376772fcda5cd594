"""Action "Auto-EQ selected tracks": one tagged ReaEQ ("RA EQ") per track with a high-pass below
the instrument's useful range (never into the fundamental of kick, bass, toms), narrow cuts for
measured resonances (at most 4, depth from the measured excess, capped) and a broad low-mid
correction toward the instrument's profile. Band layout: :mod:`reaper_assist.rules.tone`.

host read -> pre-FX audio (media files) -> long-term spectrum, resonances, instrument -> rules ->
Plan -> one undo block "reaper-assist: Auto-EQ N tracks" -> last_run with evidence per change.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from reaper_assist.analysis.spectrum import find_resonances, long_term_spectrum
from reaper_assist.app import assist_common as C
from reaper_assist.host.base import ProjectState, TrackState
from reaper_assist.rules import tone
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import BandValue, Step

ACTION = "auto-eq"
TITLE = "Auto-EQ"
PLUGIN = "reaeq"
RENAME = "RA EQ"
TAG = "auto-eq"
REFINE_PASSES = 3
USER_EQ_WORDS = ("eq", "equaliz", "pro-q", "filter")


def band_values(bands: list[tone.EqBand]) -> tuple[BandValue, ...]:
    """The band layout as typed band values, band k of the layout on ReaEQ band k."""
    return tuple(BandValue(k, b.band_type, b.enabled, b.freq_hz, b.gain_db, b.bw_oct,
                           {"purpose": b.purpose, **b.evidence}) for k, b in enumerate(bands))


def decide_track(tr: TrackState, src: C.TrackSource, table: dict, amount: float) -> tuple[list[tone.EqBand], str, dict]:
    """The band layout for one analysed track, its summary reason and evidence."""
    row, known = C.row_for(table, src.instrument)
    spec = long_term_spectrum(src.audio, src.sample_rate, name=tr.name)
    res = find_resonances(spec, min_excess_db=3.0, max_count=12)
    fund = tone.fundamental_hz(spec.freqs_hz, spec.power_db) if row.get("protect_fundamental") else None
    hp = tone.highpass(row, fund, 1.0)
    low_mid_db = tone.low_mid_share_db(spec.band_centres_hz, spec.band_levels_db, hp.freq_hz if hp.enabled else 20.0)
    lm = tone.low_mid_correction(low_mid_db, row, 1.0)
    slots = 4 if lm is None else 3
    cuts = tone.resonance_cuts(res, row, 1.0, slots=slots)
    for _ in range(REFINE_PASSES):  # closed loop: what would the cuts leave?
        if not cuts:
            break
        after = dataclasses.replace(spec, power_db=spec.power_db + tone.bands_response_db(cuts, spec.freqs_hz,
                                                                                           src.sample_rate))
        left = find_resonances(after, min_excess_db=1.0, max_count=12)
        new = tone.refine_cuts(cuts, left, row, 1.0, slots)
        if new == cuts:
            break
        cuts = new
    bands = tone.scale_gains(tone.auto_eq_layout(hp, lm, cuts), amount)
    parts = [C.instrument_note(src, known)]
    if hp.enabled:
        parts.append(hp.purpose)
    if lm:
        parts.append(lm.purpose)
    parts.append(f"{len(cuts)} resonance cut{'s' if len(cuts) != 1 else ''}" +
                 (" (tonal part: harmonics are not cut)" if row.get("tonal") else ""))
    ev = {"instrument": src.instrument, "instrument_source": src.instrument_source,
          "instrument_confidence": src.instrument_confidence, "generic_rules": not known,
          "low_mid_db": low_mid_db, "low_end_db": spec.low_end_db, "fundamental_hz": fund,
          "resonances": [{"freq_hz": r.freq_hz, "excess_db": r.excess_db, "q": r.q} for r in res[:8]]}
    return bands, "; ".join(parts), ev


def step(tr: TrackState, ours, src: C.TrackSource, table: dict, amount: float) -> tuple[list[Step], TrackDecision]:
    bands, reason, ev = decide_track(tr, src, table, amount)
    ch = C.plugin_steps(tr, ours, plugin=PLUGIN, rename=RENAME, tag=TAG, position=0, bands=band_values(bands),
                        reason=reason)
    cut = min((b.gain_db for b in bands if b.enabled and b.band_type == tone.BAND), default=0.0)
    return ch, C.decision(tr, ch, reason, ev, change=cut)


def plan(state: ProjectState, tracks: list[TrackState], raw: dict[str, Any]) -> Plan:
    return C.plan_each_track(state, tracks, raw, action=ACTION, title=TITLE, tag=TAG, user_words=USER_EQ_WORDS,
                             user_kind="EQ", step=step)


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Run the action; returns the ``last_run`` record (also written into the project unless dry run)."""
    return C.run_assistant(host, ACTION, plan, track_guids=track_guids, selected=selected, options=options,
                           dry_run=dry_run, what="auto-EQ")
