"""Tone rules: corrective EQ of one track (auto-EQ) and masking cuts against a focus track
(unmask). Pure: analysis results and rule-table rows in, EQ bands in Hz/dB/octaves out.

Band layout written to ReaEQ (its 5 default bands, unused ones switched off with BANDENABLEDx).
Auto-EQ may go past 5, up to :data:`MAX_BANDS`, for measured resonances only: the high-pass
sections and the low-mid band never take a band beyond the fifth, a resonance cut that would find
none gets one added (ReaEQ keeps any number of bands in its state, its "Add band"; a first run
writes such a state through ``vst_chunk``, :func:`reaper_assist.plugins.reaeq.with_bands`, a
re-run needing another count rewrites our instance's state, ``host/realize._rewrite``;
docs/unverified.md). The per-instrument cut count of :mod:`reaper_assist.rules.eq_decision`
still holds.

* auto-EQ: band 1 High Pass (BANDTYPE 4; bands 1-2 or 1-3 when the slope is steepened by
  stacking sections), then Band (BANDTYPE 8): the low-mid correction when one is needed, then
  resonance cuts in the remaining bands. The decision is :mod:`reaper_assist.rules.eq_decision`.
* unmask: bands 1-5 Band (BANDTYPE 8), one per masking cut (at most ``max_bands``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from reaper_assist.dsp import rbj_sos

HIGH_PASS = 4  # ReaEQ BANDTYPE codes (plugins.reaeq.BANDTYPE_NAMES)
BAND = 8
N_BANDS = 5  # ReaEQ's factory band count: every layout has at least these
#: The most bands auto-EQ writes: a stacked high-pass (up to 4 sections on a kit), the low-mid band
#: and the cuts (at most the row's ``max_cuts``, 4) fit in 8 only with the kit's fourth cut left out;
#: a ReaEQ of 8 bands is what match-reference writes too. The bands past :data:`N_BANDS` hold cuts of
#: measured resonances, each with ``band_added`` in its evidence.
MAX_BANDS = 8
HP_BW_OCT = 1.9  # RBJ Q ~ 0.71 at low frequencies: a Butterworth 12 dB/oct high-pass
BW_MIN_OCT, BW_MAX_OCT = 0.05, 4.0
IDLE_FREQ_HZ = 1000.0  # where an unused (disabled) band is parked, for a stable layout


@dataclass(frozen=True)
class EqBand:
    """One ReaEQ band in real units; ``purpose`` and ``evidence`` go into the record."""

    band_type: int
    enabled: bool
    freq_hz: float
    gain_db: float
    bw_oct: float
    purpose: str = "unused"
    evidence: dict[str, Any] = field(default_factory=dict)


def idle_band(band_type: int = BAND) -> EqBand:
    return EqBand(band_type, False, IDLE_FREQ_HZ, 0.0, 1.0)


def q_to_bw_oct(q: float) -> float:
    """Bandwidth in octaves of a peaking filter of quality ``q`` (RBJ cookbook, analogue form)."""
    return float(np.clip(2.0 / math.log(2.0) * math.asinh(1.0 / (2.0 * q)), BW_MIN_OCT, BW_MAX_OCT))


def smooth_db(freqs_hz: np.ndarray, power_db: np.ndarray, width_oct: float) -> np.ndarray:
    """Power-average ``power_db`` over a sliding ``width_oct`` window in log frequency."""
    f = np.asarray(freqs_hz, dtype=np.float64)
    p = 10.0 ** (np.asarray(power_db, dtype=np.float64) / 10.0)
    ok = f > 0
    lf = np.log2(np.where(ok, f, 1.0))
    c = np.concatenate([[0.0], np.cumsum(p)])
    lo = np.searchsorted(lf, lf - width_oct / 2, side="left")
    hi = np.searchsorted(lf, lf + width_oct / 2, side="right")
    mean = (c[hi] - c[lo]) / np.maximum(hi - lo, 1)
    return 10.0 * np.log10(np.maximum(mean, 1e-30))


def resonance_cuts(resonances, row: dict[str, Any], amount: float, slots: int) -> list[EqBand]:
    """Narrow cuts for measured resonances, deepest first, at most ``slots`` (<= 4).

    Depth = the measured excess over the octave-smoothed spectrum x amount, capped at
    ``resonance_max_cut_db`` (the per-instrument limits of :mod:`reaper_assist.rules.eq_decision`
    then apply). On tonal parts a harmonic is a narrow peak too (docs/analysis.md), so only
    peaks broader than a single partial (``q <= tonal_max_q``) are cut, at most
    ``tonal_max_cuts`` of them and no deeper than ``tonal_max_cut_db``.
    """
    tonal = bool(row.get("tonal"))
    min_excess = float(row.get("min_excess_db", 6.0))
    cap = float(row.get("resonance_max_cut_db", row.get("max_cut_db", 12.0)))
    lo, hi = float(row.get("resonance_min_hz", 150.0)), float(row.get("resonance_max_hz", 10000.0))
    if tonal:
        cap = min(cap, float(row.get("tonal_max_cut_db", 4.0)))
        slots = min(slots, int(row.get("tonal_max_cuts", 2)))
    out: list[EqBand] = []
    for r in resonances:
        if len(out) >= slots or amount <= 0.0:
            break
        if not (lo <= r.freq_hz <= hi) or r.excess_db < min_excess:
            continue
        if tonal and r.q > float(row.get("tonal_max_q", 16.0)):
            continue
        if any(abs(math.log2(r.freq_hz / b.freq_hz)) < float(row.get("min_spacing_oct", 1.0 / 3.0)) for b in out):
            continue
        # a little past the smoothed spectrum: the peak's own measurement noise would leave it standing
        depth = min(cap, r.excess_db + (0.0 if tonal else float(row.get("overcut_db", 1.0)))) * amount
        # a little wider than measured: the measured centre can be 1/20 octave off (1/96-octave grid, smoothing)
        q = min(max(r.q * float(row.get("q_widen", 1.0)), 0.7), float(row.get("max_q", 12.0)))
        out.append(EqBand(BAND, True, r.freq_hz, -depth, q_to_bw_oct(q),
                          f"resonance at {r.freq_hz:.0f} Hz, {r.excess_db:.1f} dB above the smoothed spectrum "
                          f"(Q {r.q:.1f}): cut {depth:.1f} dB",
                          {"resonance_hz": r.freq_hz, "excess_db": r.excess_db, "q": r.q, "cut_db": depth,
                           "cap_db": cap, "tonal_rule": tonal}))
    return out


def bands_response_db(bands: list[EqBand], freqs_hz: np.ndarray, sample_rate: float) -> np.ndarray:
    """Magnitude response (dB) of the enabled peaking bands at ``freqs_hz`` (the high-pass is left
    out: it shapes only the bottom octave, where no resonance is cut)."""
    from scipy.signal import sosfreqz

    f = np.asarray(freqs_hz, dtype=np.float64)
    out = np.zeros_like(f)
    for b in bands:
        if b.enabled and b.band_type == BAND and b.gain_db != 0.0:
            _, h = sosfreqz(peaking_sos(b.freq_hz, b.gain_db, b.bw_oct, sample_rate), worN=f, fs=sample_rate)
            out += 20.0 * np.log10(np.maximum(np.abs(h), 1e-12))
    return out


def refine_cuts(cuts: list[EqBand], remaining, row: dict[str, Any], amount: float, slots: int) -> list[EqBand]:
    """One pass of the closed loop: ``remaining`` are the resonances found in the spectrum as the
    planned cuts would leave it. A cut with a peak left within 1/12 octave goes deeper (cap kept);
    a peak elsewhere that passes the rules gets a cut of its own while bands are free."""
    if amount <= 0.0 or not cuts and not remaining:
        return cuts
    cap = float(row.get("max_cut_db", 6.0))
    if row.get("tonal"):
        cap = min(cap, float(row.get("tonal_max_cut_db", 4.0)))
    out = list(cuts)
    fresh = []
    for r in remaining:
        near = [i for i, b in enumerate(out) if abs(math.log2(r.freq_hz / b.freq_hz)) <= 1.0 / 12.0]
        if near:
            i = near[0]
            b = out[i]
            if r.excess_db >= 1.0 and -b.gain_db < cap * amount:
                depth = min(cap * amount, -b.gain_db + r.excess_db * amount)
                ev = {**b.evidence, "cut_db": depth, "refined_from_db": -b.gain_db, "left_after_first_cut_db": r.excess_db}
                out[i] = EqBand(b.band_type, b.enabled, b.freq_hz, -depth, b.bw_oct,
                                b.purpose.rsplit(": cut", 1)[0] + f": cut {depth:.1f} dB", ev)
        else:
            fresh.append(r)
    for r in fresh:  # more than 1/12 octave from every cut: a peak of its own, or the skirt of a cut
        skirt = any(abs(math.log2(r.freq_hz / b.freq_hz)) <= 0.15 for b in out)
        new = resonance_cuts([r], {**row, "min_excess_db": 2.0} if skirt else row, amount, 1)
        if not new:
            continue
        if len(out) < slots:
            out.append(new[0])
            continue
        # no band free: a larger peak left standing takes the band of the weakest cut
        weakest = min(range(len(out)), key=lambda i: out[i].evidence.get("excess_db", 0.0))
        if r.excess_db > out[weakest].evidence.get("excess_db", 0.0) + 1.0:
            out[weakest] = new[0]
    return out


def low_mid_share_db(band_centres_hz: np.ndarray, band_levels_db: np.ndarray, above_hz: float) -> float:
    """Power in the 200-500 Hz bands relative to the power of the bands above ``above_hz`` (dB):
    the low-mid share of what remains after the high-pass (rumble must not make a part look thin)."""
    c = np.asarray(band_centres_hz, dtype=np.float64)
    p = 10.0 ** (np.asarray(band_levels_db, dtype=np.float64) / 10.0)
    total = float(p[c >= above_hz].sum())
    lm = float(p[(c >= 200.0) & (c <= 500.0)].sum())
    if total <= 0.0 or lm <= 0.0:
        return -math.inf
    return 10.0 * math.log10(lm / total)


def low_mid_correction(low_mid_db: float, row: dict[str, Any], amount: float) -> EqBand | None:
    """A broad band toward the instrument's 200-500 Hz share (cut <= 4 dB, boost <= 2 dB)."""
    target = row.get("low_mid_target_db")
    if target is None or not math.isfinite(low_mid_db) or amount <= 0.0:
        return None
    err = low_mid_db - float(target)
    tol = float(row.get("low_mid_tolerance_db", 3.0))
    if abs(err) <= tol:
        return None
    gain = float(np.clip(-(abs(err) - tol) * math.copysign(1.0, err) * 0.7, -4.0, 2.0)) * amount
    if abs(gain) < 0.2:
        return None
    hz = float(row.get("low_mid_hz", 300.0))
    return EqBand(BAND, True, hz, gain, 1.5,
                  f"low-mid {low_mid_db:.1f} dB vs the {target:g} dB profile: {gain:+.1f} dB at {hz:.0f} Hz",
                  {"low_mid_db": low_mid_db, "profile_db": target, "tolerance_db": tol, "gain_db": gain})


def scale_gains(bands: list[EqBand], amount: float) -> list[EqBand]:
    """The amount setting: every band's gain x amount (the high-pass stays; amount 0 switches all
    bands off). The rules plan at 100 % first, so a partial amount is exactly that share."""
    out = []
    for b in bands:
        if amount <= 0.0:
            out.append(EqBand(b.band_type, False, b.freq_hz, 0.0, b.bw_oct, "off (amount 0 %)", b.evidence))
        elif b.band_type == BAND and b.enabled and amount < 1.0:
            ev = dict(b.evidence)
            for k in ("cut_db", "gain_db"):
                if k in ev:
                    ev[k] = ev[k] * amount
            ev["amount"] = amount
            out.append(EqBand(b.band_type, True, b.freq_hz, b.gain_db * amount, b.bw_oct,
                              f"{b.purpose} (x {amount:.0%})", ev))
        else:
            out.append(b)
    return out


def auto_eq_layout(hp: list[EqBand], low_mid: EqBand | None, cuts: list[EqBand]) -> list[EqBand]:
    """Bands 1.. the high-pass (one, or stacked sections); then the low-mid correction (if any)
    and the cuts by frequency; at least :data:`N_BANDS` (idle ones off), at most :data:`MAX_BANDS`.
    A cut past the fifth band says in its evidence why the band was added."""
    peaks = ([low_mid] if low_mid else []) + sorted(cuts, key=lambda b: b.freq_hz)
    bands = list(hp) + peaks[: MAX_BANDS - len(hp)]
    held = f"{len(hp)} high-pass band{'s' if len(hp) != 1 else ''}" + (" and the low-mid band" if low_mid else "")
    for k in range(N_BANDS, len(bands)):
        b = bands[k]
        why = (f"band {k + 1} added to ReaEQ's {N_BANDS}: the {held} and the other cuts hold those, and this "
               f"measured resonance ({b.evidence.get('excess_db', 0.0):.1f} dB above the smoothed spectrum at "
               f"{b.freq_hz:.0f} Hz) would otherwise go uncut")
        bands[k] = replace(b, evidence={**b.evidence, "band_added": why})
    while len(bands) < N_BANDS:
        bands.append(idle_band())
    return bands


# ------------------------------------------------------------------------------------------------
# unmask (Hafezi & Reiss 2015: masking-guided subtractive EQ on the maskers)
# ------------------------------------------------------------------------------------------------
KEY_BAND_FLOOR_HZ = 20.0  # the bottom of hearing: no cut below it, whatever the focus measured


def unmask_cuts(band_centres_hz: np.ndarray, masking_ratio: np.ndarray, masker_to_target_db: np.ndarray,
                focus_band_db: np.ndarray, row: dict[str, Any], amount: float, *,
                protect_hz: tuple[float, float] | None = None, key_band_hz: tuple[float, float] | None = None,
                key_centre_hz: float | None = None, sample_rate: float = 48000.0) -> list[EqBand]:
    """Cuts on a masker in the third-octave bands where it masks the focus track most.

    A band is a candidate when the masker's share there is at least ``min_masking`` and the focus
    is within ``focus_range_db`` of its strongest band (it matters there). Score = share x the
    focus's relative power; in the focus's key band (``key_band_hz``: the kick's fundamental, a
    vocal's 2-5 kHz presence) every band with enough share is a candidate and its score counts
    ``key_band_weight`` times. The best ``max_bands``, at least ``min_spacing_oct`` apart, are cut
    by ``base_cut_db + cut_per_db x (masker - focus dB)``, capped at ``max_cut_db``, x amount.

    The masker's own fundamental range (``protect_hz``: its lowest to highest played note) never
    loses more than ``protect_max_loss_db`` to all the cuts together (checked every 1/24 octave):
    a cut whose skirt would reach further into it is narrowed (down to ``min_bw_oct``) or dropped.
    Only in the focus's key band may a cut reach into it: at most ``key_band_max_cut_db`` deep, at
    ``key_centre_hz`` when the key band is one fundamental (a kick's), narrowed (down to
    ``key_band_min_bw_oct``) and then made shallower (down to ``key_band_min_cut_db``) until the
    range outside the key band still keeps within the loss; the evidence says so.
    """
    c = np.asarray(band_centres_hz, dtype=np.float64)
    share = np.nan_to_num(np.asarray(masking_ratio, dtype=np.float64), nan=0.0)
    m2t = np.nan_to_num(np.asarray(masker_to_target_db, dtype=np.float64), nan=-99.0)
    focus = np.asarray(focus_band_db, dtype=np.float64)
    inrange = (c >= float(row["min_hz"])) & (c <= float(row["max_hz"]))
    fmax = np.max(np.where(inrange & np.isfinite(focus), focus, -np.inf)) if np.any(inrange) else -np.inf
    if not np.isfinite(fmax) or amount <= 0.0:
        return []
    weight = 10.0 ** ((np.where(np.isfinite(focus), focus, -300.0) - fmax) / 10.0)
    key = np.zeros(c.shape, dtype=bool) if key_band_hz is None else (c >= key_band_hz[0]) & (c <= key_band_hz[1])
    if key_centre_hz:  # a key band narrower than the analysis bands may hold no band's centre: the one it lies in
        key |= np.arange(c.size) == int(np.argmin(np.abs(np.log2(c / float(key_centre_hz)))))
    matters = focus >= fmax - float(row["focus_range_db"])
    # the key band is the focus's own measured band: reachable even under min_hz (a kick at 41 Hz)
    cand = (inrange & (share >= float(row["min_masking"])) & matters) | (
        key & (c >= KEY_BAND_FLOOR_HZ) & (share >= float(row.get("key_band_min_masking", row["min_masking"]))))
    # in the key band the focus's own level decides less than how much of it is masked
    score = np.where(cand, share * np.where(key, float(row.get("key_band_weight", 4.0)), weight), -1.0)
    guard = None if protect_hz is None else _Guard(protect_hz, key_band_hz, row, amount, sample_rate)
    out: list[EqBand] = []
    for i in np.argsort(-score, kind="stable"):
        if score[i] <= 0 or len(out) >= min(int(row["max_bands"]), N_BANDS):
            break
        if any(abs(math.log2(c[i] / b.freq_hz)) < float(row["min_spacing_oct"]) for b in out):
            continue
        depth = min(float(row["max_cut_db"]), float(row["base_cut_db"]) + float(row["cut_per_db"]) * max(m2t[i], 0.0))
        depth *= amount
        freq, bw = float(c[i]), float(row["bw_oct"])
        ev: dict[str, Any] = {"band_hz": c[i], "masking_ratio_before": share[i], "masker_to_focus_db": m2t[i],
                              "focus_band_db": focus[i], "focus_key_band": bool(key[i])}
        if guard is not None:
            ev["masker_fundamental_range_hz"] = [float(guard.pts[0]), float(guard.pts[-1])]
            fitted = guard.fit(out, freq, -depth, bw, float(row.get("min_bw_oct", 0.33)))
            if fitted is not None:
                bw = fitted
            elif key[i]:
                depth = min(depth, float(row.get("key_band_max_cut_db", 3.0)) * amount)
                freq = float(key_centre_hz) if key_centre_hz else freq
                fitted = None
                # a key band too narrow for the cut at the narrowest bandwidth (its readings disagree): shallower
                for shallower in _shrinking(depth, float(row.get("key_band_min_cut_db", 1.5)) * amount):
                    fitted = guard.fit(out, freq, -shallower, bw, float(row.get("key_band_min_bw_oct", 0.15)),
                                       inside_key=True)
                    if fitted is not None:
                        depth = shallower
                        break
                if fitted is None:
                    continue
                bw = fitted
                ev["inside_own_fundamentals"] = ("allowed in the focus's key band, capped; the range outside it "
                                                 f"keeps within {guard.limit:.1f} dB")
            else:
                continue
        ev["cut_db"] = depth
        ev["cut_hz"] = freq
        out.append(EqBand(BAND, True, freq, -depth, bw,
                          f"masks the focus at {c[i]:.0f} Hz (share {share[i]:.2f}, {m2t[i]:+.1f} dB vs the focus"
                          f"{', its key band' if key[i] else ''}): cut {depth:.1f} dB at {freq:.0f} Hz", ev))
    return sorted(out, key=lambda b: b.freq_hz)


#: The guard keeps the protected range this far inside ``protect_max_loss_db``, where the limit is a
#: note moving *less* than 1 dB: fitted to the limit itself, cuts rendered 1.00-1.01 dB at two
#: leads' top notes (tuning split, 32 s stems, unmask in a mix). Chosen there: 0.05 and 0.1 dB keep
#: every unmask line; 0.2 (auto-EQ's low-mid margin) narrowed a keys part's cut in a vocal's
#: presence band to 0.87 dB (key band >= 1 dB, 99 %).
PROTECT_MARGIN_DB = 0.1


class _Guard:
    """The masker's protected range, every 1/24 octave: what all cuts together may take off it
    (``protect_max_loss_db`` less :data:`PROTECT_MARGIN_DB`; inside the focus's key band up to
    ``key_band_max_cut_db``)."""

    def __init__(self, protect_hz: tuple[float, float], key_band_hz: tuple[float, float] | None,
                 row: dict[str, Any], amount: float, sample_rate: float):
        lo, hi = protect_hz
        n = max(2, int(math.ceil(24 * math.log2(max(hi, lo * 1.001) / lo))) + 1)
        pts = np.exp(np.linspace(math.log(lo), math.log(max(hi, lo * 1.001)), n))
        if key_band_hz is not None:  # the key band's edges are the first protected notes beside it
            pts = np.union1d(pts, [f for f in key_band_hz if lo <= f <= hi])
        self.pts = pts
        self.limit = float(row.get("protect_max_loss_db", 1.0))
        self.in_key = (np.zeros(self.pts.shape, dtype=bool) if key_band_hz is None else
                       (self.pts > key_band_hz[0]) & (self.pts < key_band_hz[1]))
        self.key_limit = max(self.limit, float(row.get("key_band_max_cut_db", 3.0)) * amount)
        self.sample_rate = sample_rate

    def fit(self, made: list[EqBand], freq_hz: float, gain_db: float, bw_oct: float, min_bw: float, *,
            inside_key: bool = False) -> float | None:
        """The widest bandwidth (<= ``bw_oct``, >= ``min_bw``) at which the cut, with those ``made``,
        keeps the range within its limits; None if none does. The key band counts as protected as
        the rest until a cut is allowed in it (``inside_key``, or one already made)."""
        inside_key = inside_key or any("inside_own_fundamentals" in b.evidence for b in made)
        limits = np.where(self.in_key & inside_key, self.key_limit, max(0.0, self.limit - PROTECT_MARGIN_DB))
        base = bands_response_db(made, self.pts, self.sample_rate)
        for bw in _shrinking(bw_oct, min_bw):
            probe = EqBand(BAND, True, freq_hz, gain_db, bw)
            if np.all(-(base + bands_response_db([probe], self.pts, self.sample_rate)) <= limits + 1e-9):
                return bw
        return None


def _shrinking(start: float, floor: float, *, step: float = 0.8, most: int = 16) -> list[float]:
    """``start``, ``start x step``, ... while >= ``floor``, at most ``most`` values (down to 2.8 % of
    ``start``): a settings file's floor of 0 or below never yields a hair-thin bell nor an endless search."""
    out: list[float] = []
    v = start
    while v >= floor - 1e-9 and len(out) < most:
        out.append(v)
        v *= step
    return out


def unmask_layout(cuts: list[EqBand]) -> list[EqBand]:
    bands = list(cuts[:N_BANDS])
    while len(bands) < N_BANDS:
        bands.append(idle_band())
    return bands


def peaking_sos(freq_hz: float, gain_db: float, bw_oct: float, sample_rate: float) -> np.ndarray:
    """ReaEQ's Band (RBJ peaking biquad, bandwidth in octaves) as one SOS row, the same model the
    emulator renders with: used to predict the effect of planned cuts for the record."""
    return rbj_sos("peak", freq_hz, gain_db, bw_oct, sample_rate)[None, :]
