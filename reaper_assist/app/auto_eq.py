"""Action "Auto-EQ selected tracks": one tagged ReaEQ ("RA EQ") per track with a high-pass below
the instrument's useful range and below the lowest played note (pitch-tracked; stacked where
rumble sits close below it), narrow cuts for measured resonances within the musical limits, and a
broad low-mid correction toward the instrument's profile. The decision is
:mod:`reaper_assist.rules.eq_decision`; this module orchestrates.

host read -> pre-FX audio (media files) -> long-term spectrum, resonances, pitch, instrument -> rules ->
Plan -> one undo block "reaper-assist: Auto-EQ N tracks" -> last_run with evidence per change.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from reaper_assist.analysis.pitch import Fundamentals, fundamentals
from reaper_assist.analysis.spectrum import (LongTermSpectrum, find_resonances, long_term_spectrum, lowest_peak_hz,
                                             peak_hz)
from reaper_assist.app import assist_common as C
from reaper_assist.host.base import ProjectState, TrackState
from reaper_assist.rules import eq_decision, tone
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import BandValue, Step

ACTION = "auto-eq"
TITLE = "Auto-EQ"
PLUGIN = "reaeq"
RENAME = "RA EQ"
TAG = "auto-eq"
USER_EQ_WORDS = ("eq", "equaliz", "pro-q", "filter")


def band_values(bands: list[tone.EqBand]) -> tuple[BandValue, ...]:
    """The band layout as typed band values, band k of the layout on ReaEQ band k."""
    return tuple(BandValue(k, b.band_type, b.enabled, b.freq_hz, b.gain_db, b.bw_oct,
                           {"purpose": b.purpose, **b.evidence}) for k, b in enumerate(bands))


def measured_fundamentals(src: C.TrackSource, row: dict, name: str) -> Fundamentals | None:
    """:func:`~reaper_assist.analysis.pitch.fundamentals` of the track as its row reads it (None
    for rows without musical lows of their own, ``"fundamentals": false``: a hi-hat)."""
    if row.get("fundamentals") is False:
        return None
    return fundamentals(src.audio, src.sample_rate, monophonic=bool(row.get("monophonic")), name=name)


def track_fundamentals(src: C.TrackSource, row: dict, name: str,
                       spec: LongTermSpectrum | None = None) -> eq_decision.TrackFundamentals:
    """The track's own notes (:func:`fundamentals_for_row` of its measured fundamentals)."""
    fu = measured_fundamentals(src, row, name)
    if fu is None:  # the table's corner stands
        return eq_decision.TrackFundamentals(None, None, "none", ())
    return fundamentals_for_row(fu, row, spec)


def _long_term_reading(f_ev: float, spec: LongTermSpectrum | None, below_oct: float, above_oct: float, *,
                       lowest_within_db: float | None = None) -> float:
    """The long-term spectrum's peak from ``below_oct`` under ``f_ev`` (the events' reading) to
    ``above_oct`` over it; ``f_ev`` itself without ``spec`` or a bin there. With
    ``lowest_within_db``: the lowest peak there within that many dB of the strongest, where it
    stands higher than the window's lower edge (not a ripple on rumble rising below); ``f_ev``
    where there is none."""
    if spec is None:
        return f_ev
    lo, hi = f_ev * 2 ** -below_oct, f_ev * 2 ** above_oct
    f, y = np.asarray(spec.freqs_hz), np.asarray(spec.power_db)
    if lowest_within_db is None:
        f_lt = peak_hz(f, y, lo, hi)
        return f_ev if f_lt is None else f_lt
    f_low = lowest_peak_hz(f, y, lo, hi, lowest_within_db)
    if f_low is None or not float(np.interp(f_low, f, y)) > float(np.interp(lo, f, y)):
        return f_ev
    return f_low


def drum_peak_readings(fu: Fundamentals, spec: LongTermSpectrum | None) -> tuple[float, float] | None:
    """A single drum's fundamental read twice: the strongest low partial of its hits (the events,
    which rumble between the hits does not move) and the long-term spectrum's peak within 1/6
    octave of it (where its energy sits). A kick's pitch falls from the attack to the tail, so the
    two can be 1/20-1/8 octave apart (tuning split, hydrogen kits' kicks). Without ``spec`` the
    events' reading twice; None without an events' reading."""
    if fu.event_peak_hz is None:
        return None
    f_ev = float(fu.event_peak_hz)
    return f_ev, _long_term_reading(f_ev, spec, 1 / 6, 1 / 6)


KIT_TAIL_SEARCH_OCT = 0.5  # how far under its hits' reading a kit's kick may sit in the long-term spectrum
LOWEST_MODE_DB = 6.0  # a kick's lowest long-term peak this close to the strongest near it is its fundamental


def kit_kick_readings(fu: Fundamentals, spec: LongTermSpectrum | None) -> tuple[float, float] | None:
    """A kit's or a kick's fundamental read twice: the top of its hits' lowest strong partial (the
    events) and the long-term spectrum's lowest peak within ``LOWEST_MODE_DB`` of the strongest from
    half an octave under it to 1/6 octave over it. On a kit the kick's tail sounds through the other
    drums' hits, so the events' steady floor holds it and they read the attack's higher pitch
    (tuning split: HardElectro1 kits' events 65-71 Hz, their kick's long-term peak 56 Hz, the
    high-pass took 2-4 dB off it; Red Zeppelin's 43 Hz against 36 Hz); a kick's lowest mode can
    stand 2-5 dB under its shell's (MuseScore's 41 Hz under 53 and 100, Colombo's 62 under 97), and
    read from the strongest the table's 60 Hz corner took 2.4-9.7 dB off it. None without an
    events' reading."""
    if fu.event_lowest_peak_hz is None:
        return None
    f_ev = float(fu.event_lowest_peak_hz)
    # down to where the hits' lowest strong partial starts, where that lies further under: at the
    # hits' 5.9 Hz bins a kick's mode can be a shoulder on the slope up to a louder drum's, and the
    # climb to the partial's top runs past it (tuning split: Colombo's kits, a 62 Hz kick under a
    # 94 Hz partial that starts at 59 Hz)
    below = KIT_TAIL_SEARCH_OCT
    if fu.event_lowest_hz is not None and 0.0 < fu.event_lowest_hz < f_ev:
        below = max(below, math.log2(f_ev / float(fu.event_lowest_hz)))
    return f_ev, _long_term_reading(f_ev, spec, below, 1 / 6, lowest_within_db=LOWEST_MODE_DB)


def fundamentals_for_row(fu: Fundamentals, row: dict, spec: LongTermSpectrum | None = None
                         ) -> eq_decision.TrackFundamentals:
    """What the rules protect: pitch-tracked notes for pitched parts, the events for drums (the kit:
    from its lowest event partial; a single drum, ``unpitched: "peak"``: its strongest one; a kit or
    a kick, ``unpitched: "lowest_peak"``: the top of its lowest strong one, the kick's fundamental). A tonal
    part whose pitch could not be tracked keeps every spectral line below 1.2 kHz as a possible
    note: unsure which lines are the notes, no cut may take one (tuning split: a MuseScore organ
    comping part, read from its events, got -3 dB at 157 Hz, its lowest note's fundamental)."""
    lo: float | None
    hi: float | None
    if row.get("unpitched") == "peak" and fu.event_peak_hz is not None:
        # a single drum's fundamental region: its strongest low partial, +-1/6 octave; where its two
        # readings disagree, from the lower one (unsure where it is, the high-pass spares both)
        readings = drum_peak_readings(fu, spec)
        lo, hi, source = min(readings) * 2 ** (-1 / 6), max(readings), "events"
    elif row.get("unpitched") == "lowest_peak" and fu.event_lowest_peak_hz is not None:
        # a kit or a kick: its lowest strong partial is the kick's fundamental (the strongest is
        # often the snare's or a tom's body, or the kick's shell); its region, the peak +-1/6
        # octave, from the lower of its two readings
        readings = kit_kick_readings(fu, spec)
        lo, hi, source = min(readings) * 2 ** (-1 / 6), fu.event_peak_hz, "events"
    elif row.get("unpitched"):
        lo, hi, source = fu.event_lowest_hz, fu.event_peak_hz, "events"
    else:
        lo, hi, source = fu.lowest_hz, fu.highest_hz, fu.source
        if source == "events" and row.get("tonal") and fu.lowest_line_hz is not None and lo is not None:
            # a tonal part whose pitch was not tracked: its lowest sounding line with partials of
            # its own is a note too (tuning split: MuseScore's organ sounds two octaves under its
            # keys, its 29 Hz line 3 dB under the strongest; read from its events at 82 Hz, the
            # high-pass took 42 dB off it)
            lo = min(lo, fu.lowest_line_hz)
    if lo is None:
        source = "none"
    if source == "pitch":
        lines = tuple(float(f) for f in fu.note_lines_hz)
    elif row.get("tonal"):
        lines = tuple(float(f) for f in fu.lines_hz)
    else:
        lines = ()
    return eq_decision.TrackFundamentals(lo, hi, source, lines)


def analyse(src: C.TrackSource, row: dict, name: str, amount: float):
    """What auto-EQ measures on one track's audio and decides from it, with ``row``'s rules:
    ``(spectrum, resonances, fundamentals, decision)`` (``bench/eq_misses.py`` reads the same)."""
    spec = long_term_spectrum(src.audio, src.sample_rate, name=name)
    res = find_resonances(spec, min_excess_db=3.0, max_count=12, width_oct=row.get("resonance_width_oct"))
    fund = track_fundamentals(src, row, name, spec)
    return spec, res, fund, eq_decision.decide(spec, res, fund, row, amount)


def decide_track(tr: TrackState, src: C.TrackSource, table: dict, amount: float) -> tuple[list[tone.EqBand], str, dict]:
    """The band layout for one analysed track, its summary reason and evidence."""
    row, known = C.row_for(table, src.instrument)
    spec, res, fund, d = analyse(src, row, tr.name, amount)
    hp = d.highpass[0]
    parts = [C.instrument_note(src, known)]
    if hp.enabled:
        parts.append(hp.purpose)
    if d.low_mid:
        parts.append(d.low_mid.purpose)
    parts.append(f"{len(d.cuts)} resonance cut{'s' if len(d.cuts) != 1 else ''}" +
                 (" (tonal part: harmonics and played notes are not cut)" if row.get("tonal") else ""))
    ev = {"instrument": src.instrument, "instrument_source": src.instrument_source,
          "instrument_confidence": src.instrument_confidence, "generic_rules": not known,
          "low_mid_db": d.low_mid_db, "low_end_db": spec.low_end_db, "lowest_note_hz": fund.lowest_hz,
          "highest_note_hz": fund.highest_hz, "fundamental_source": fund.source, **d.evidence,
          "resonances": [{"freq_hz": r.freq_hz, "excess_db": r.excess_db, "q": r.q} for r in res[:8]]}
    return d.bands, "; ".join(parts), ev


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
