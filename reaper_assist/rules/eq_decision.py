"""The auto-EQ decision for one track: high-pass (stacked where rumble sits close below the lowest
note), low-mid correction, resonance cuts refined in a closed loop, and the musical limits that no
refinement can break. Pure: analysis results and a rule-table row in, ReaEQ bands out.

Limits (per instrument row, docs/assistants.md):

* depth: a cut is at most ``max_cut_db`` deep; deeper (at most ``resonance_max_cut_db``, as the
  closed loop measures what is left) only for a measured resonance that stands taller than that
  cap, and the evidence says so (``deeper_than_cap``);
* count: at most ``max_cuts`` cuts (``tonal_max_cuts`` on tonal parts);
* spacing: cuts at least ``min_spacing_oct`` apart;
* octave loss: the EQ (cuts + low-mid) takes at most ``max_octave_loss_db`` off the power of any
  one-octave band, except where a narrow measured resonance cut is the cause (stated);
* the track's own fundamentals: a cut within 1/6 octave of its fundamental range is at most
  ``fundamental_max_cut_db``; on tonal parts no cut may take more than ``note_max_loss_db`` off
  any played note's partial below 1.2 kHz (those are the notes, not resonances).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.signal import sosfreqz

from reaper_assist.analysis.spectrum import (
    LongTermSpectrum,
    Resonance,
    excess_over_smoothed,
    find_resonances,
)
from reaper_assist.dsp import rbj_sos
from reaper_assist.rules import tone
from reaper_assist.rules.tone import HIGH_PASS, HP_BW_OCT, EqBand

REFINE_PASSES = 3
#: Rumble (traffic, handling, air conditioning, stands) lives below this; the power between it and
#: the note is the instrument's own (a tom's body below its strongest partial), and choosing the
#: number of stacked high-pass sections on it picked one gentle section for toms whose rumble at
#: 30-36 Hz then dropped 9-11.7 dB (tuning split, bench/quality.py --split tuning --scenario rumble).
RUMBLE_MAX_HZ = 50.0
#: The fewest stacked sections are chosen whose *predicted* drop beats the row's target by this
#: much: the prediction averages all the power below the note, so a choice that "just" reached the
#: target left tuning toms, kits and a guitar at 11.0-11.8 dB of a 12 dB target (bench/quality.py
#: --split tuning --scenario rumble).
RUMBLE_MARGIN_DB = 2.0
NOTE_LINES_MAX_HZ = 1200.0  # fundamentals of played notes lie below this (a lead's top notes)
NOTE_MOVE_MARGIN_DB = 0.2  # the low-mid band keeps played notes this far inside note_max_loss_db


@dataclass(frozen=True)
class TrackFundamentals:
    """What the rules need to know of a track's notes (from :mod:`reaper_assist.analysis.pitch`)."""

    lowest_hz: float | None = None
    highest_hz: float | None = None
    source: str = "none"
    note_lines_hz: tuple[float, ...] = ()


@dataclass(frozen=True)
class AutoEqDecision:
    bands: list[EqBand]
    highpass: list[EqBand]
    low_mid: EqBand | None
    cuts: list[EqBand]
    low_mid_db: float
    evidence: dict[str, Any] = field(default_factory=dict)


def _row_f(row: dict[str, Any], key: str, default: float) -> float:
    v = row.get(key, default)
    return float(default if v is None else v)


# --- high-pass ------------------------------------------------------------------------------------


def butterworth_bw_oct(sections: int) -> list[float]:
    """Bandwidths (octaves) of ``sections`` stacked RBJ high-pass bands that make one Butterworth
    high-pass of order 2 x sections: section i has Q = 1 / (2 cos((2i - 1) pi / (4 sections)))
    (one section: Q 0.707, BW 1.9 oct), BW = 2/ln2 asinh(1 / (2 Q)) (RBJ cookbook). A maximally
    flat slope keeps the note while the steepness grows with each section."""
    out = []
    for i in range(1, sections + 1):
        q = 1.0 / (2.0 * math.cos((2 * i - 1) * math.pi / (4 * sections)))
        out.append(2.0 / math.log(2.0) * math.asinh(1.0 / (2.0 * q)))
    return out


def highpass_response_db(corner_hz: float, sections: int, freqs_hz: np.ndarray, sample_rate: float) -> np.ndarray:
    """Magnitude (dB) of ``sections`` stacked ReaEQ High Pass bands (RBJ, Butterworth bandwidths
    of :func:`butterworth_bw_oct`) at ``freqs_hz``."""
    f = np.asarray(freqs_hz, dtype=np.float64)
    out = np.zeros_like(f)
    for bw in butterworth_bw_oct(sections):
        _, h = sosfreqz(rbj_sos("highpass", corner_hz, 0.0, bw, sample_rate)[None, :], worN=f, fs=sample_rate)
        out += 20.0 * np.log10(np.maximum(np.abs(h), 1e-12))
    return out


def _region_loss_db(corner_hz: float, sections: int, region_hz: np.ndarray, sample_rate: float) -> float:
    """Power lost over the frequencies ``region_hz`` (dB, from their mean power gain)."""
    g = 10.0 ** (highpass_response_db(corner_hz, sections, region_hz, sample_rate) / 10.0)
    return float(-10.0 * math.log10(max(float(np.mean(g)), 1e-30)))


def fundamental_region_hz(lowest_hz: float, source: str) -> np.ndarray:
    """Where the lowest note lives: a played note's fundamental +-1/6 octave (the tracked pitch
    wavers and a bass note's energy spreads), or for a drum's events the frequency itself (it is
    already the lower edge of its region, the strongest partial - 1/6 octave)."""
    if source != "pitch":
        return np.array([lowest_hz])
    return lowest_hz * 2.0 ** np.linspace(-1.0 / 6.0, 1.0 / 6.0, 9)


def _corner_for_loss(lowest_hz: float, sections: int, max_loss_db: float, sample_rate: float,
                     source: str = "pitch") -> float:
    """The highest corner whose ``sections`` take at most ``max_loss_db`` off the lowest note's
    fundamental region (:func:`fundamental_region_hz`)."""
    region = fundamental_region_hz(lowest_hz, source)
    lo, hi = 10.0, lowest_hz
    for _ in range(40):
        mid = math.sqrt(lo * hi)
        if _region_loss_db(mid, sections, region, sample_rate) <= max_loss_db:
            lo = mid
        else:
            hi = mid
    return lo


def _rumble_drop_db(spec: LongTermSpectrum, below_hz: float, corner_hz: float, sections: int) -> tuple[float, float]:
    """(power below ``below_hz`` relative to the whole track, dB; how much the high-pass lowers it, dB)."""
    f = spec.freqs_hz
    sel = (f >= 10.0) & (f < below_hz)
    p = 10.0 ** (spec.power_db[sel] / 10.0)
    total = float(np.sum(10.0 ** (spec.power_db / 10.0)))
    if p.sum() <= 0 or total <= 0:
        return -math.inf, 0.0
    g = 10.0 ** (highpass_response_db(corner_hz, sections, f[sel], spec.sample_rate) / 10.0)
    return 10.0 * math.log10(p.sum() / total), -10.0 * math.log10(max(float((p * g).sum() / p.sum()), 1e-30))


def highpass_bands(row: dict[str, Any], fund: TrackFundamentals, spec: LongTermSpectrum) -> list[EqBand]:
    """One or more stacked high-pass bands: the table's corner, lowered so that the lowest played
    note's fundamental region (pitch-tracked note +-1/6 octave, or the drums' lowest event
    partial) loses at most ``fundamental_max_loss_db`` of its power; where there is rumble below the note (the power more than
    ``rumble_gap_oct`` (half an octave) below it above ``rumble_floor_db`` of the track), up to ``highpass_max_sections``
    sections are stacked as one Butterworth high-pass of twice that order, the count that lowers the
    rumble most (``rumble_drop_db`` is the target stated in the evidence; ``sections_for_target``
    the fewest whose prediction reaches the target itself, ``margin_sections`` those the margin adds:
    they do not yield to resonance cuts, see :func:`decide`)."""
    hz = row.get("highpass_hz")
    if hz is None:
        return [EqBand(HIGH_PASS, False, 20.0, 0.0, HP_BW_OCT, "high-pass off",
                       {"rule": "no high-pass for this instrument"})]
    table_hz = float(hz)
    rate = spec.sample_rate
    lowest = fund.lowest_hz
    max_loss = _row_f(row, "fundamental_max_loss_db", 0.5)
    target = _row_f(row, "rumble_drop_db", 12.0)
    ev: dict[str, Any] = {"table_highpass_hz": table_hz, "lowest_note_hz": lowest, "lowest_note_source": fund.source}
    if lowest is None:
        corner, sections = table_hz, 1
        why = f"high-pass at {corner:.0f} Hz (below the instrument's useful range; no played note measured)"
    else:
        max_sections = int(row.get("highpass_max_sections", 2))
        below = min(lowest * 2.0 ** -_row_f(row, "rumble_gap_oct", 0.5), RUMBLE_MAX_HZ)
        floor = _row_f(row, "rumble_floor_db", -30.0)
        options = []
        for k in range(1, max_sections + 1):
            c = min(table_hz, _corner_for_loss(lowest, k, max_loss, rate, fund.source))
            share_db, drop = _rumble_drop_db(spec, below, c, k)
            options.append((c, k, share_db, drop))
        # no rumble below the note: one section; rumble: the fewest sections that lower it by the
        # target and the margin (each extra section takes a band a resonance cut could use: on the tuning split a
        # third section for snares' own lows cost their resonance cuts), else the steepest drop
        enough = [o for o in options if o[3] >= target + RUMBLE_MARGIN_DB]
        chosen = (options[0] if options[0][2] < floor else enough[0] if enough
                  else max(options, key=lambda o: (round(o[3], 1), -o[1])))
        # the fewest sections that reach the target itself: any beyond them are the margin's
        reach = [o for o in options if o[3] >= target and o[1] <= chosen[1]]
        needed = chosen[1] if options[0][2] < floor or not reach else reach[0][1]
        corner, sections, share_db, drop = chosen
        ev.update({"energy_below_lowest_note_db": share_db, "predicted_rumble_drop_db": drop,
                   "rumble_drop_target_db": target, "rumble_drop_margin_db": RUMBLE_MARGIN_DB,
                   "sections_for_target": needed, "margin_sections": sections - needed})
        why = (f"high-pass at {max(corner, 20.0):.0f} Hz"
               + (f" x{sections} (stacked, Butterworth order {2 * sections}: rumble close below the note)"
                  if sections > 1 else "")
               + f", below the lowest played note ({lowest:.0f} Hz, {fund.source})")
    corner = max(corner, 20.0)
    if lowest is not None:
        ev["attenuation_at_lowest_note_db"] = float(-highpass_response_db(corner, sections, np.array([lowest]), rate)[0])
        ev["fundamental_region_loss_db"] = _region_loss_db(corner, sections, fundamental_region_hz(lowest, fund.source),
                                                           rate)
    ev["rumble_attenuation_at_30hz_db"] = float(-highpass_response_db(corner, sections, np.array([30.0]), rate)[0])
    ev["sections"] = sections
    ev["order"] = 2 * sections
    return [EqBand(HIGH_PASS, True, corner, 0.0, bw, why, ev) for bw in butterworth_bw_oct(sections)]


# --- limits ---------------------------------------------------------------------------------------


def _caps(row: dict[str, Any]) -> tuple[float, float, int]:
    """(default depth cap, cap for a measured resonance taller than it, max count)."""
    cap = _row_f(row, "max_cut_db", 6.0)
    hard = _row_f(row, "resonance_max_cut_db", 12.0)
    count = int(row.get("max_cuts", 4))
    if row.get("tonal"):
        cap = min(cap, _row_f(row, "tonal_max_cut_db", 4.0))
        hard = min(hard, _row_f(row, "tonal_max_cut_db", 4.0))
        count = min(count, int(row.get("tonal_max_cuts", 2)))
    return cap, hard, count


def allowed_depth_db(row: dict[str, Any], excess_db: float, freq_hz: float, fund: TrackFundamentals) -> tuple[float, str]:
    """The deepest cut the limits allow for a resonance measured ``excess_db`` tall, and why."""
    cap, hard, _ = _caps(row)
    depth = min(cap, hard)
    why = f"cap {cap:g} dB"
    if excess_db > cap:
        depth = hard
        why = (f"measured resonance {excess_db:.1f} dB above the smoothed spectrum: may go deeper than the "
               f"{cap:g} dB cap, to {hard:g} dB")
    if _in_fundamental_range(freq_hz, fund):
        fcap = _row_f(row, "fundamental_max_cut_db", 3.0)
        if depth > fcap:
            depth, why = fcap, f"within the track's own fundamentals: at most {fcap:g} dB"
    return depth, why


def _in_fundamental_range(freq_hz: float, fund: TrackFundamentals) -> bool:
    if fund.lowest_hz is None:
        return False
    hi = fund.highest_hz or fund.lowest_hz
    return fund.lowest_hz * 2 ** (-1 / 6) <= freq_hz <= hi * 2 ** (1 / 6)


def _loss_at(bands: list[EqBand], freqs_hz: np.ndarray, sample_rate: float) -> np.ndarray:
    return -tone.bands_response_db(bands, np.asarray(freqs_hz, dtype=np.float64), sample_rate)


def _hits_notes(cut: EqBand, row: dict[str, Any], fund: TrackFundamentals, sample_rate: float) -> bool:
    if not row.get("tonal") or not fund.note_lines_hz:
        return False
    lines = np.array([f for f in fund.note_lines_hz if f <= NOTE_LINES_MAX_HZ])
    if lines.size == 0:
        return False
    return bool(np.max(_loss_at([cut], lines, sample_rate)) > _row_f(row, "note_max_loss_db", 1.0))


_OCTAVE_GRID = 40.0 * 2.0 ** (np.arange(0, math.log2(16000.0 / 40.0), 1.0 / 24.0))
_OCTAVE_WIN = 24  # one octave of the 1/24-octave grid
#: Where the narrow cuts of measured resonances already take more than the octave-loss limit off
#: an octave (allowed, stated), the broad bands may add at most this much more there.
BROAD_OVER_NARROW_DB = 0.25


def octave_losses_db(bands: list[EqBand], sample_rate: float) -> np.ndarray:
    """Power loss of every one-octave band (sliding on a 1/24-octave grid, 40 Hz-16 kHz), dB."""
    g = 10.0 ** (tone.bands_response_db(bands, _OCTAVE_GRID, sample_rate) / 10.0)
    mean = np.convolve(g, np.ones(_OCTAVE_WIN) / _OCTAVE_WIN, mode="valid")
    return -10.0 * np.log10(np.maximum(mean, 1e-30))


def octave_loss_db(bands: list[EqBand], sample_rate: float) -> tuple[float, float]:
    """(largest power loss over any one-octave band, 40 Hz-16 kHz, dB; its centre, Hz)."""
    loss = octave_losses_db(bands, sample_rate)
    i = int(np.argmax(loss))
    return float(loss[i]), float(_OCTAVE_GRID[i + _OCTAVE_WIN // 2])


def _broad_shares(narrow: list[EqBand], broad: list[EqBand], limit: float, sample_rate: float) -> list[float]:
    """The largest share of each broad band's gain that keeps every octave within ``limit``, or,
    where the narrow cuts alone take more, within :data:`BROAD_OVER_NARROW_DB` of what they take:
    each band is limited where it acts (a 5 kHz band is not scaled for an octave at 640 Hz), then
    all of them together by one more common share if they overlap."""
    allowed = np.maximum(limit, octave_losses_db(narrow, sample_rate) + BROAD_OVER_NARROW_DB) + 1e-9

    def fits(trial: list[EqBand]) -> bool:
        return bool(np.all(octave_losses_db(narrow + trial, sample_rate) <= allowed))

    def largest(scale) -> float:
        lo, hi = 0.0, 1.0
        if fits(scale(1.0)):
            return 1.0
        for _ in range(20):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if fits(scale(mid)) else (lo, mid)
        return lo

    shares = [largest(lambda s, b=b: [_scaled(b, s)]) for b in broad]
    common = largest(lambda s: [_scaled(b, s * sh) for b, sh in zip(broad, shares)])
    return [sh * common for sh in shares]


def limit_cuts(cuts: list[EqBand], low_mid: EqBand | None, row: dict[str, Any], fund: TrackFundamentals,
               sample_rate: float, slots: int) -> tuple[list[EqBand], EqBand | None, dict[str, Any]]:
    """Apply the musical limits to planned cuts (deepest measured first): depth, notes, spacing,
    count, then the octave-loss limit on the broad bands. Returns (cuts, low_mid, what was limited)."""
    _, _, max_count = _caps(row)
    spacing = _row_f(row, "min_spacing_oct", 1.0 / 3.0)
    kept: list[EqBand] = []
    dropped: list[str] = []
    for b in sorted(cuts, key=lambda b: -float(b.evidence.get("excess_db", 0.0))):
        excess = float(b.evidence.get("excess_db", 0.0))
        depth, why = allowed_depth_db(row, excess, b.freq_hz, fund)
        if -b.gain_db > depth:
            b = _with_depth(b, depth, {"limited_by": why})
        elif -b.gain_db > _caps(row)[0]:
            b = _with_depth(b, -b.gain_db, {"deeper_than_cap": why})
        if _hits_notes(b, row, fund, sample_rate):
            dropped.append(f"{b.freq_hz:.0f} Hz (would take > {_row_f(row, 'note_max_loss_db', 1.0):g} dB off a played note)")
            continue
        close = [i for i, k in enumerate(kept) if abs(math.log2(b.freq_hz / k.freq_hz)) < spacing]
        if close:
            # one resonance measured twice (a cut slightly off-centre leaves its skirt standing):
            # one wider cut over both, never two cuts closer than the spacing
            i = close[0]
            kept[i] = _merge(kept[i], b)
            dropped.append(f"{b.freq_hz:.0f} Hz (within {spacing:.2f} octave of the {kept[i].freq_hz:.0f} Hz cut: merged)")
            continue
        if len(kept) >= min(max_count, slots):
            dropped.append(f"{b.freq_hz:.0f} Hz (at most {min(max_count, slots)} cuts)")
            continue
        kept.append(b)
    limit = _row_f(row, "max_octave_loss_db", 3.0)
    narrow = [b for b in kept if b.bw_oct < 0.5]
    broad = [b for b in kept if b.bw_oct >= 0.5] + ([low_mid] if low_mid and low_mid.gain_db < 0 else [])
    loss, centre = octave_loss_db(kept + ([low_mid] if low_mid else []), sample_rate)
    info: dict[str, Any] = {"octave_loss_db": loss, "octave_loss_centre_hz": centre, "octave_loss_limit_db": limit,
                            "dropped": dropped}
    if loss > limit and broad:
        shares = _broad_shares(narrow, broad, limit, sample_rate)
        scaled = {id(b): _scaled(b, sh, {"limited_by": f"octave-loss limit {limit:g} dB"}) if sh < 1.0 else b
                  for b, sh in zip(broad, shares)}
        kept = [scaled.get(id(b), b) for b in kept]
        if low_mid is not None and id(low_mid) in scaled:
            low_mid = scaled[id(low_mid)]
        loss, centre = octave_loss_db(kept + ([low_mid] if low_mid else []), sample_rate)
        info.update({"octave_loss_db": loss, "octave_loss_centre_hz": centre,
                     "broad_bands_scaled_to": {f"{b.freq_hz:.0f} Hz": sh for b, sh in zip(broad, shares)}})
    if loss > limit:
        info["octave_loss_allowed_because"] = "narrow cuts of measured resonances"
    return kept, low_mid, info


def _merge(a: EqBand, b: EqBand) -> EqBand:
    """One cut covering two close ones: centre weighted by depth (log frequency), bandwidth
    spanning both, the deeper depth."""
    wa, wb = max(-a.gain_db, 1e-6), max(-b.gain_db, 1e-6)
    centre = 2.0 ** ((wa * math.log2(a.freq_hz) + wb * math.log2(b.freq_hz)) / (wa + wb))
    span = abs(math.log2(a.freq_hz / b.freq_hz))
    bw = float(min(max(a.bw_oct, b.bw_oct) + span, tone.BW_MAX_OCT))
    depth = max(wa, wb)
    ev = {**a.evidence, "merged_with_hz": b.freq_hz, "centre_moved_from_hz": a.freq_hz, "cut_db": depth,
          "fitted": False}
    return dataclasses.replace(a, freq_hz=float(centre), gain_db=-depth, bw_oct=bw,
                               purpose=f"{a.purpose.rsplit(': cut', 1)[0]} (merged with {b.freq_hz:.0f} Hz): cut {depth:.1f} dB",
                               evidence=ev)


def _with_depth(b: EqBand, depth: float, extra: dict[str, Any]) -> EqBand:
    ev = {**b.evidence, "cut_db": depth, **extra}
    return dataclasses.replace(b, gain_db=-depth, purpose=b.purpose.rsplit(": cut", 1)[0] + f": cut {depth:.1f} dB",
                               evidence=ev)


def _scaled(b: EqBand, share: float, extra: dict[str, Any] | None = None) -> EqBand:
    ev = {**b.evidence, **(extra or {})}
    for k in ("cut_db", "gain_db"):
        if k in ev:
            ev[k] = ev[k] * share
    purpose = b.purpose  # a cut's text says the depth it has, not the one it was planned at
    if ": cut " in purpose and b.gain_db < 0:
        purpose = purpose.rsplit(": cut", 1)[0] + f": cut {-b.gain_db * share:.1f} dB"
    return dataclasses.replace(b, gain_db=b.gain_db * share, purpose=purpose, evidence=ev)


# --- the closed loop and the whole decision -------------------------------------------------------


def refine(spec: LongTermSpectrum, cuts: list[EqBand], row: dict[str, Any], fund: TrackFundamentals,
           slots: int, *, passes: int = REFINE_PASSES) -> list[EqBand]:
    """Closed loop: search the spectrum the planned cuts would leave and deepen / add cuts
    (:func:`reaper_assist.rules.tone.refine_cuts`), every pass inside the limits."""
    for _ in range(passes):
        if not cuts:
            break
        after = dataclasses.replace(spec, power_db=spec.power_db
                                    + tone.bands_response_db(cuts, spec.freqs_hz, spec.sample_rate))
        left = find_resonances(after, min_excess_db=1.0, max_count=12, width_oct=row.get("resonance_width_oct"))
        new = tone.refine_cuts(cuts, left, _loop_row(row, fund), 1.0, slots)
        new, _, _ = limit_cuts(new, None, row, fund, spec.sample_rate, slots)
        new = [fit_cut(spec, new, i, row, fund) if "merged_with_hz" in b.evidence and not b.evidence.get("fitted")
               else b for i, b in enumerate(new)]
        if new == cuts:
            break
        cuts = new
    return cuts


def fit_cut(spec: LongTermSpectrum, cuts: list[EqBand], i: int, row: dict[str, Any],
            fund: TrackFundamentals) -> EqBand:
    """Centre, width and depth of cut ``i`` (a merged one) fitted on the spectrum the other cuts
    leave: the smallest peak left within 1/6 octave, plus half of any hole dug below the smoothed
    spectrum; the depth stays within the limits."""
    b = cuts[i]
    rate = spec.sample_rate
    others = [c for j, c in enumerate(cuts) if j != i]
    base = dataclasses.replace(spec, power_db=spec.power_db + tone.bands_response_db(others, spec.freqs_hz, rate))
    lo, hi = b.freq_hz * 2 ** -0.5, b.freq_hz * 2 ** 0.5
    allowed, _ = allowed_depth_db(row, float(b.evidence.get("excess_db", 0.0)), b.freq_hz, fund)
    best, best_score = b, math.inf
    for k in range(-4, 5):
        centre = b.freq_hz * 2.0 ** (0.02 * k)
        for wf in (0.6, 0.8, 1.0):
            for df in (0.6, 0.8, 1.0):
                trial = dataclasses.replace(b, freq_hz=centre, bw_oct=max(tone.BW_MIN_OCT, b.bw_oct * wf),
                                            gain_db=-allowed * df)
                after = dataclasses.replace(base, power_db=base.power_db
                                            + tone.bands_response_db([trial], spec.freqs_hz, rate))
                grid, excess = excess_over_smoothed(after, min_freq_hz=lo / 2, max_freq_hz=hi * 2)
                near = np.abs(np.log2(grid / b.freq_hz)) <= 1.0 / 6.0
                if not np.any(near):
                    return b
                score = max(0.0, float(excess[near].max())) + 0.5 * max(0.0, -float(excess[near].min()))
                if score < best_score - 1e-9:
                    best, best_score = trial, score
    return _with_depth(best, -best.gain_db, {"fitted": True, "fit_left_db": best_score})


def _loop_row(row: dict[str, Any], fund: TrackFundamentals) -> dict[str, Any]:
    """The row the refinement deepens within: its deepest allowed cut (limit_cuts then applies
    the per-resonance depth, which depends on what was measured)."""
    _, hard, _ = _caps(row)
    return {**row, "max_cut_db": max(_caps(row)[0], hard), "tonal_max_cut_db": max(_caps(row)[0], hard)
            if row.get("tonal") else row.get("tonal_max_cut_db", 4.0)}


def _low_mid_within_notes(lm: EqBand | None, row: dict[str, Any], fund: TrackFundamentals,
                          sample_rate: float) -> EqBand | None:
    """On a tonal part the broad low-mid band changes the level of every note it covers: at most
    ``note_max_loss_db`` less :data:`NOTE_MOVE_MARGIN_DB` anywhere over the played range (lowest to
    highest note, and the note lines), scaled down if it would take more (stated). On the tuning
    split this band alone moved chord and lead notes at 260-350 Hz by 1.0-1.9 dB (bench/quality.py
    --split tuning --scenario eq, TimGM6mb)."""
    if lm is None or not row.get("tonal") or fund.lowest_hz is None:
        return lm
    hi = max([fund.highest_hz or fund.lowest_hz, *fund.note_lines_hz])
    hi = min(hi, NOTE_LINES_MAX_HZ)
    if hi < fund.lowest_hz:
        return lm
    grid = fund.lowest_hz * 2.0 ** np.arange(0.0, math.log2(hi / fund.lowest_hz) + 1e-9, 1.0 / 48.0)
    move = float(np.max(np.abs(tone.bands_response_db([lm], grid, sample_rate))))
    limit = _row_f(row, "note_max_loss_db", 1.0) - NOTE_MOVE_MARGIN_DB
    if move <= limit:
        return lm
    share = lo = 0.0
    hi_s = 1.0
    for _ in range(20):  # the largest share of its gain that keeps every played note within the limit
        share = (lo + hi_s) / 2
        trial = _scaled(lm, share)
        if float(np.max(np.abs(tone.bands_response_db([trial], grid, sample_rate)))) <= limit:
            lo = share
        else:
            hi_s = share
    if abs(lm.gain_db * lo) < 0.2:
        return None
    out = _scaled(lm, lo, {"limited_by": f"played notes {fund.lowest_hz:.0f}-{hi:.0f} Hz move at most {limit:g} dB"})
    return dataclasses.replace(out, purpose=out.purpose.rsplit(":", 1)[0] + f": {out.gain_db:+.1f} dB at {out.freq_hz:.0f} Hz"
                               f" (limited: played notes move < {limit + NOTE_MOVE_MARGIN_DB:g} dB)")


def _planned_cuts(spec: LongTermSpectrum, resonances: tuple[Resonance, ...], fund: TrackFundamentals,
                  row: dict[str, Any], slots: int) -> tuple[list[EqBand], dict[str, Any]]:
    """The first cuts for the measured resonances in ``slots`` bands, within the limits."""
    cuts = tone.resonance_cuts(resonances, {**row, "min_spacing_oct": _row_f(row, "min_spacing_oct", 1 / 3)},
                               1.0, slots=slots)
    cuts, _, first = limit_cuts(cuts, None, row, fund, spec.sample_rate, slots)
    return cuts, first


def _layout(spec: LongTermSpectrum, resonances: tuple[Resonance, ...], fund: TrackFundamentals,
            row: dict[str, Any], hp: list[EqBand]) -> tuple[EqBand | None, float, int, list[EqBand], dict[str, Any]]:
    """Given the high-pass: (the low-mid band, its share, bands left for cuts, first cuts, limits)."""
    above = hp[0].freq_hz if hp[0].enabled else 20.0
    low_mid_db = tone.low_mid_share_db(spec.band_centres_hz, spec.band_levels_db, above)
    lm = _low_mid_within_notes(tone.low_mid_correction(low_mid_db, row, 1.0), row, fund, spec.sample_rate)
    used = sum(1 for b in hp if b.enabled) if hp[0].enabled else 1
    slots = max(0, tone.MAX_BANDS - used - (1 if lm else 0))  # bands past ReaEQ's 5 for cuts only (tone.py)
    cuts, first = _planned_cuts(spec, resonances, fund, row, slots)
    return lm, low_mid_db, slots, cuts, first


def decide(spec: LongTermSpectrum, resonances: tuple[Resonance, ...], fund: TrackFundamentals,
           row: dict[str, Any], amount: float) -> AutoEqDecision:
    """The whole auto-EQ layout for one track at ``amount`` (planned at 100 %, then scaled)."""
    hp = highpass_bands(row, fund, spec)
    lm, low_mid_db, slots, cuts, first = _layout(spec, resonances, fund, row, hp)
    lm_out: dict[str, Any] | None = None
    if lm is not None and not row.get("tonal") and len(hp) > 1:
        # a measured resonance outranks the broad low-mid profile band when the stacked high-pass
        # took the band its cut would use; the high-pass keeps all its sections, margin included:
        # on the tuning kicks the margin's section given to a cut let 28 Hz rumble under a 44 Hz
        # kick drop 3.9 dB instead of 6.2 (bench/quality.py --split tuning --scenario rumble)
        more, more_first = _planned_cuts(spec, resonances, fund, row, slots + 1)
        taken = sorted(more, key=lambda b: -float(b.evidence.get("excess_db", 0.0)))[slots:]
        if taken and float(taken[0].evidence.get("excess_db", 0.0)) > abs(lm.gain_db):
            r = taken[0]
            lm_out = {"low_mid_left_out": lm.purpose, "low_mid_gain_db": lm.gain_db,
                      "for_resonance_hz": r.freq_hz, "resonance_excess_db": r.evidence.get("excess_db"),
                      "why": (f"the measured resonance at {r.freq_hz:.0f} Hz "
                              f"({r.evidence.get('excess_db', 0.0):.1f} dB above the smoothed spectrum) outranks "
                              f"the low-mid profile band ({lm.gain_db:+.1f} dB at {lm.freq_hz:.0f} Hz): "
                              f"the stacked high-pass holds the other bands")}
            lm, slots, cuts, first = None, slots + 1, more, more_first  # the plan with that band for cuts
    # the bands past ReaEQ's five hold resonances measured in the track's own spectrum: the closed
    # loop deepens those but adds none there (on the tuning kits its added skirt cuts merged into
    # the measured ones, and the merged broad band then lost its depth to the octave-loss limit)
    within_five = slots - (tone.MAX_BANDS - tone.N_BANDS)  # the cut slots inside ReaEQ's factory bands
    cuts = refine(spec, cuts, row, fund, min(slots, max(len(cuts), within_five)))
    cuts, lm, limits = limit_cuts(cuts, lm, row, fund, spec.sample_rate, slots)
    limits["dropped"] = first["dropped"] + [d for d in limits["dropped"] if d not in first["dropped"]]
    if lm_out is not None:
        cuts = [_yielded(b, lm_out) if abs(math.log2(b.freq_hz / lm_out["for_resonance_hz"])) < 1 / 6 else b
                for b in cuts]
    bands = tone.scale_gains(tone.auto_eq_layout(hp, lm, cuts), amount)
    return AutoEqDecision(bands, hp, lm, cuts, low_mid_db,
                          {"limits": limits, **({"low_mid_yielded": lm_out} if lm_out else {})})


def _yielded(b: EqBand, lm_out: dict[str, Any]) -> EqBand:
    """The cut that got the low-mid band's slot: its evidence and text say so."""
    return dataclasses.replace(b, purpose=f"{b.purpose} (in the low-mid band's place: {lm_out['why']})",
                               evidence={**b.evidence, "band_of_low_mid": lm_out["why"]})
