"""Denoise rules, hum part: one narrow notch per measured hum harmonic, on one tagged ReaEQ.

Why notches (ReaEQ BANDTYPE 6) and not peaking cuts: a peaking cut of D dB is wide at its skirts by
``10^(D/40)`` times its nominal width (RBJ cookbook), so a 30-40 dB cut at 50 Hz even at ReaEQ's
narrowest 0.01 oct (facts 2.1) takes 1-3 dB off a semitone away; and its depth rests on ReaEQ's
disputed gain curve (facts Q1). A notch is infinitely deep at its centre and needs no gain.

The measured excess sets how wide the notch is: the hum must fall at least ``excess x amount`` dB
not only at the measured frequency but over the frequency's uncertainty (``FREQ_TOL_HZ`` plus
``FREQ_TOL_PER_K_HZ`` per harmonic number: the fundamental's error grows with k), while a semitone
away the notch takes at most ``SEMITONE_LOSS_DB`` off. The notch is the analogue prototype
``H(s) = (s^2 + 1) / (s^2 + s/Q + 1)`` (RBJ), ``1/Q ~= ln2 x BW`` (octaves) at low frequencies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

NOTCH = 6  # ReaEQ BANDTYPE code of Notch (plugins.reaeq.BANDTYPE_NAMES)
BW_MIN_OCT = 0.01  # ReaEQ's narrowest band (facts 2.1: 0.01..4 oct, SECONDARY)
SEMITONE_LOSS_DB = 0.25  # at most this off a semitone from a notch (issue 19: < 0.5 dB)
FREQ_TOL_HZ = 0.02  # mains drifts: the notch holds its depth this far off the measured frequency
FREQ_TOL_PER_K_HZ = 0.01  # and this much more per harmonic number (the fundamental's error times k)
MAX_DEPTH_DB = 40.0  # the depth asked of the notch's edge (beyond that its width stops growing)
MIN_DEPTH_DB = 3.0  # a harmonic asking less than this gets no band


@dataclass(frozen=True)
class Notch:
    freq_hz: float
    bw_oct: float
    depth_db: float  # what the notch takes off over the whole uncertainty window, at least
    evidence: dict[str, Any] = field(default_factory=dict)


def _inv_q(bw_oct: float) -> float:
    return math.log(2.0) * bw_oct


def notch_loss_db(bw_oct: float, offset_ratio: float) -> float:
    """What a notch of ``bw_oct`` takes off at ``f0 x offset_ratio`` (dB, positive)."""
    w = offset_ratio
    x = (w * w - 1.0) / w
    iq = _inv_q(bw_oct)
    return float(10.0 * math.log10(1.0 + iq * iq / (x * x))) if x else math.inf


def max_bw_oct() -> float:
    """The widest notch that takes at most :data:`SEMITONE_LOSS_DB` off a semitone away."""
    w = 2.0 ** (1.0 / 12.0)
    x = (w * w - 1.0) / w
    return x * math.sqrt(10.0 ** (SEMITONE_LOSS_DB / 10.0) - 1.0) / math.log(2.0)


def notch_for(freq_hz: float, k: int, excess_db: float, amount: float) -> Notch | None:
    """The notch for harmonic ``k`` at ``freq_hz`` that is ``excess_db`` over its floor, or None."""
    depth = min(MAX_DEPTH_DB, excess_db * amount)
    if depth < MIN_DEPTH_DB:
        return None
    tol = FREQ_TOL_HZ + FREQ_TOL_PER_K_HZ * k
    w = 1.0 + tol / freq_hz
    x = (w * w - 1.0) / w
    need = x * math.sqrt(10.0 ** (depth / 10.0) - 1.0) / math.log(2.0)
    bw = min(max(need, BW_MIN_OCT), max_bw_oct())
    held = notch_loss_db(bw, w)
    ev = {"harmonic": k, "excess_db": excess_db, "depth_asked_db": depth, "tolerance_hz": tol,
          "depth_at_tolerance_db": held, "semitone_loss_db": notch_loss_db(bw, 2.0 ** (1.0 / 12.0))}
    return Notch(freq_hz, bw, min(depth, held), ev)


def hum_notches(harmonics, f0_hz: float, amount: float) -> list[Notch]:
    """One notch per harmonic (``.k``, ``.excess_db``) at ``k x f0_hz`` (the comb fitted to every
    harmonic is more precise than one peak), in harmonic order."""
    out = []
    for h in sorted(harmonics, key=lambda h: h.k):
        n = notch_for(h.k * f0_hz, h.k, h.excess_db, amount)
        if n is not None:
            out.append(n)
    return out
