"""Action "Unmask selected tracks against the focus track": cuts on the other selected tracks in
the third-octave bands where they mask the focus track most (masking-guided subtractive EQ after
Hafezi & Reiss 2015), capped per band, never inside the masker's own fundamental range (its
pitch-tracked notes) and favouring the focus's most important band (a kick's fundamental, a vocal's
presence); one tagged ReaEQ ("RA Unmask", 5 Band-type bands) per masker. The focus is the first selected track, or ``focus`` (a track name or GUID) in the options.

host read -> pre-FX audio of the focus and each masker -> per-band masking measure -> cuts ->
predicted masking after the cuts (before/after in the record) -> one undo block
"reaper-assist: Unmask N tracks" -> last_run with evidence.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.signal import sosfilt

from reaper_assist.analysis.pitch import Fundamentals
from reaper_assist.analysis.spectrum import LongTermSpectrum, long_term_spectrum, masking
from reaper_assist.app import assist_common as C
from reaper_assist.app.mix_tracks import pick_focus
from reaper_assist.errors import ReaperAssistError
from reaper_assist.host.base import ProjectState, TrackState
from reaper_assist.rules import tone
from reaper_assist.rules.plan import Plan
from reaper_assist.rules.steps import Step

ACTION = "unmask"
TITLE = "Unmask"
PLUGIN = "reaeq"
RENAME = "RA Unmask"
TAG = "unmask"


def _apply_cuts(x: np.ndarray, cuts: list[tone.EqBand], sr: int) -> np.ndarray:
    y = x
    for b in cuts:
        y = sosfilt(tone.peaking_sos(b.freq_hz, b.gain_db, b.bw_oct, sr), y, axis=-1)
    return y


def _fundamentals(src: C.TrackSource, name: str) -> tuple[dict[str, Any], Fundamentals | None]:
    """The track's auto-EQ row and its measured fundamentals (pitch tracking: measured once per track)."""
    from reaper_assist.app.auto_eq import measured_fundamentals

    eq_row, _ = C.row_for(C.load_table("auto-eq"), src.instrument)
    return eq_row, measured_fundamentals(src, eq_row, name)


def _fundamental_range(eq_row: dict[str, Any], fu: Fundamentals | None,
                       spec: LongTermSpectrum | None) -> tuple[float, float] | None:
    """The track's own notes (pitch-tracked; drums: their event partials), lowest to highest, Hz.

    A part that can play chords (a tonal row that is not ``monophonic``) is protected up to its
    highest spectral line under 1.2 kHz: a chord's top note cannot be told from a lower note's
    harmonic, and the pitch tracker follows the lowest (tuning split: TimGM6mb and MuseScore
    guitars' top notes at 415-932 Hz, above the tracked range, lost 1.6-2.5 dB to clear a voice)."""
    from reaper_assist.app.auto_eq import fundamentals_for_row

    if fu is None:
        return None
    tf = fundamentals_for_row(fu, eq_row, spec)
    if tf.lowest_hz is None:
        return None
    hi = max(tf.highest_hz or tf.lowest_hz, tf.lowest_hz)
    if eq_row.get("tonal") and not eq_row.get("monophonic") and fu.lines_hz.size:
        hi = max(hi, float(np.max(fu.lines_hz)))
    return tf.lowest_hz, hi


def _key_band(focus_row: dict[str, Any], eq_row: dict[str, Any], fu: Fundamentals | None,
              fspec: LongTermSpectrum) -> tuple[tuple[float, float] | None, float | None]:
    """The focus instrument's most important band (table ``focus_key_band``), Hz, and its centre
    when it is one fundamental; a pitched focus's notes, lowest to highest, +-1/6 octave.

    A single drum's (a kick's) key band is its strongest low partial, +-1/6 octave, where it is
    loudest and so where a masker hides it (auto-EQ's fundamental region reaches down to a kick's
    lowest strong mode, which the high-pass must keep, but clearing all of it would take more of the
    masker than masks), read in its hits and in its long-term spectrum
    (:func:`~reaper_assist.app.auto_eq.drum_peak_readings`); the key band is where both readings'
    regions overlap, centred between them: unsure where the fundamental is, the masker's notes
    beside either reading are spared."""
    from reaper_assist.app.auto_eq import drum_peak_readings

    spec = focus_row.get("focus_key_band")
    if spec is None:
        return None, None
    if spec == "fundamental":
        drum = eq_row.get("unpitched") in ("peak", "lowest_peak")
        readings = drum_peak_readings(fu, fspec) if drum and fu is not None else None
        if readings is not None:
            lo, hi = max(readings) * 2 ** (-1 / 6), min(readings) * 2 ** (1 / 6)
            return (lo, hi), math.sqrt(lo * hi)
        rng = _fundamental_range(eq_row, fu, fspec)
        return (None, None) if rng is None else ((rng[0] * 2 ** (-1 / 6), rng[1] * 2 ** (1 / 6)), None)
    lo, hi = (float(v) for v in spec)
    return (lo, hi), None


def plan(state: ProjectState, tracks: list[TrackState], raw: dict[str, Any]) -> Plan:
    from reaper_assist.app.auto_eq import band_values

    amount = C.parse_amount(raw, ACTION)
    table = C.table_with_overrides(ACTION, raw)
    focus = pick_focus(tracks, raw.get("focus"))
    changes: list[Step] = []
    decisions = []
    fsrc = C.track_source(focus, state.sample_rate)
    if fsrc.audio is None:
        raise ReaperAssistError(f"the focus track {focus.name!r} cannot be analysed: {fsrc.why_not}")
    fspec = long_term_spectrum(fsrc.audio, fsrc.sample_rate, name=focus.name)
    frow = C.row_for(table, fsrc.instrument)[0]
    fmeasured = _fundamentals(fsrc, focus.name) if frow.get("focus_key_band") == "fundamental" else ({}, None)
    key_band, key_centre = _key_band(frow, *fmeasured, fspec)
    for tr in tracks:
        if tr is focus:
            decisions.append(C.decision(tr, [], f"focus track ({C.instrument_note(fsrc, True)})",
                                        {"focus": True}, no_change_status="focus"))
            continue
        src = C.track_source(tr, state.sample_rate)
        if src.audio is None:
            decisions.append(C.skipped(tr, src.why_not))
            continue
        row, known = C.row_for(table, src.instrument)
        m = masking(fsrc.audio, src.audio, src.sample_rate, names=(focus.name, tr.name))
        lf = np.log2(np.asarray(fspec.band_centres_hz))
        focus_db = np.interp(np.log2(m.band_centres_hz), lf, np.asarray(fspec.band_levels_db))
        eq_row, fu = _fundamentals(src, tr.name)
        # a drum's second fundamental reading needs its long-term spectrum; other rows never read it
        spec = long_term_spectrum(src.audio, src.sample_rate, name=tr.name) if eq_row.get("unpitched") else None
        protect = _fundamental_range(eq_row, fu, spec)
        cuts = tone.unmask_cuts(m.band_centres_hz, m.masking_ratio, m.masker_to_target_db, focus_db, row, amount,
                                protect_hz=protect, key_band_hz=key_band, key_centre_hz=key_centre,
                                sample_rate=src.sample_rate)
        if cuts:
            after = masking(fsrc.audio, _apply_cuts(src.audio, cuts, src.sample_rate), src.sample_rate)
            for b in cuts:
                k = int(np.argmin(np.abs(np.log2(after.band_centres_hz / b.freq_hz))))
                b.evidence["masking_ratio_after_predicted"] = float(after.masking_ratio[k])
            overall_after = after.overall_masking
        else:
            overall_after = m.overall_masking
        bands = band_values(tone.unmask_layout(cuts))
        note = C.instrument_note(src, known)
        reason = (f"{note}; masks {focus.name!r}: overall masking {m.overall_masking:.3f} -> "
                  f"{overall_after:.3f} (predicted) with {len(cuts)} cut{'s' if len(cuts) != 1 else ''}")
        ours = C.our_fx(tr, TAG)
        if not cuts and ours is None:
            decisions.append(C.decision(tr, [], f"{note}; does not mask {focus.name!r} enough to cut",
                                        {"overall_masking_before": m.overall_masking}))
            continue
        ch = C.plugin_steps(tr, ours, plugin=PLUGIN, rename=RENAME, tag=TAG, position=-1, bands=bands, reason=reason)
        changes.extend(ch)
        ev = {"focus": focus.name, "focus_guid": focus.guid, "overall_masking_before": m.overall_masking,
              "overall_masking_after_predicted": overall_after, "generic_rules": not known,
              "own_fundamental_range_hz": None if protect is None else list(protect),
              "focus_key_band_hz": None if key_band is None else list(key_band),
              "bands": [b.evidence for b in cuts]}
        decisions.append(C.decision(tr, ch, reason, ev, before=None, after=None,
                                    change=min((b.gain_db for b in cuts), default=0.0)))
    return Plan(ACTION, C.undo_name(TITLE, len(tracks)), tuple(changes), tuple(decisions),
                {"amount": amount * 100.0, "focus": focus.name})


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Run the action; returns the ``last_run`` record (also written into the project unless dry run)."""
    return C.run_assistant(host, ACTION, plan, track_guids=track_guids, selected=selected, options=options,
                           dry_run=dry_run, what="unmask")
