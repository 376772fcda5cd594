"""Every UNCERTAIN value mapping of the stock plugins, in one place.

Nothing here was measured on a running REAPER. Each curve names its sources (tags of
``shared/reaper/facts.md``: S12 ReaAssist tables, S13 reaperiem, S14 the decoded fresh-instance
chunk, Q1/Q3/Q4 the facts addendum; INFER = our own inference) and, where sources compete,
the alternative hypotheses. :func:`reaper_assist.plugins.calibrate.calibrate` sweeps every
parameter that uses one of these curves against ``TrackFX_FormatParamValueNormalized`` of a
live REAPER and reports where the prediction is wrong; when it is, change the curve *here*.

All functions map the *native* value (what ``TrackFX_GetParam`` returns) to real units and back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from reaper_assist.units import amp_to_db, db_to_amp

INF = math.inf

__all__ = ["UncertainMapping", "UNCERTAIN"]


@dataclass(frozen=True)
class UncertainMapping:
    """A curve we could not settle, with its evidence.

    ``alternatives`` maps a hypothesis name to its ``native -> units`` function, so that
    calibration can say which hypothesis REAPER's display text supports.
    """

    id: str
    plugin: str
    params: tuple[str, ...]
    unit: str
    to_units: Callable[[float], float]
    from_units: Callable[[float], float]
    sources: tuple[str, ...]
    confidence: str  # "medium-high", "low", "guess"
    comment: str
    alternatives: dict[str, Callable[[float], float]] = field(default_factory=dict)


# --- ReaEQ band gain (facts 2.1 "DISPUTED", addendum Q1) -----------------------------------
# Chosen: native (= normalized, 0..1) = linear gain / 4, so 0.25 = 0 dB and 1.0 = +12.04 dB.
# The chunk stores linear gain 1.0 for a fresh band (S14) while S12 and S13 read the fresh
# normalized gain as 0.25; a third code base writes 0.25*10^(dB/20) "established by sweeping";
# it is also VST3's kVolumeTypeID convention. Competing: 0.5 = 0 dB (S12 table, MPL 2018).
REAEQ_GAIN_LINEAR_PER_NATIVE = 4.0


def reaeq_gain_native_to_linear(native: float) -> float:
    return REAEQ_GAIN_LINEAR_PER_NATIVE * native


def reaeq_gain_linear_to_native(linear: float) -> float:
    return linear / REAEQ_GAIN_LINEAR_PER_NATIVE


def reaeq_gain_db(native: float) -> float:
    return amp_to_db(reaeq_gain_native_to_linear(native))


def reaeq_gain_native(gain_db: float) -> float:
    return reaeq_gain_linear_to_native(db_to_amp(gain_db))


def _reaeq_gain_db_half_is_unity(native: float) -> float:
    return amp_to_db(2.0 * native)


# --- ReaComp / ReaGate time constants (facts 2.2, addendum Q3) ------------------------------
# Attack = native x 500 ms, Release = native x 5000 ms: the stored defaults 0.006 / 0.02 show
# as 3 ms / 100 ms in S12's ReaGate table. S12's ReaComp prose ("0.005 = 5 ms") disagrees.
ATTACK_MS_PER_NATIVE = 500.0
RELEASE_MS_PER_NATIVE = 5000.0


def attack_ms(native: float) -> float:
    return native * ATTACK_MS_PER_NATIVE


def attack_native(ms: float) -> float:
    return ms / ATTACK_MS_PER_NATIVE


def release_ms(native: float) -> float:
    return native * RELEASE_MS_PER_NATIVE


def release_native(ms: float) -> float:
    return ms / RELEASE_MS_PER_NATIVE


# --- ReaComp ratio (facts 2.2, Q3) ----------------------------------------------------------
# ratio = 1 + 99 x native; the default 0.030303 = 3/99 is 4:1 and 1.0 shows as infinity (S12).
# Rejected alternative: native = 1 - 1/ratio (contradicts the stored default).
RATIO_SPAN = 99.0


def ratio(native: float) -> float:
    if native >= 1.0:
        return INF
    return 1.0 + RATIO_SPAN * native


def ratio_native(value: float) -> float:
    if value == INF:
        return 1.0
    return (value - 1.0) / RATIO_SPAN


def _ratio_one_minus_inverse(native: float) -> float:
    return INF if native >= 1.0 else 1.0 / (1.0 - native)


# --- RMS size (ReaComp 13, ReaGate 14) ------------------------------------------------------
# Native range 0..10 (S12); the default 0.05 displays "5.0" (a third-party test), so
# ms = native x 100 (INFER from that single point).
RMS_MS_PER_NATIVE = 100.0


def rms_ms(native: float) -> float:
    return native * RMS_MS_PER_NATIVE


def rms_native(ms: float) -> float:
    return ms / RMS_MS_PER_NATIVE


# --- ReaComp knee and pre-comp: no source at all (facts Q3 "nothing settled") ---------------
# Guesses with the plausible UI ranges: knee 0..24 dB linear, pre-comp 0..250 ms linear.
KNEE_DB_PER_NATIVE = 24.0
PRECOMP_MS_PER_NATIVE = 250.0


def knee_db(native: float) -> float:
    return native * KNEE_DB_PER_NATIVE


def knee_native(db: float) -> float:
    return db / KNEE_DB_PER_NATIVE


def precomp_ms(native: float) -> float:
    return native * PRECOMP_MS_PER_NATIVE


def precomp_native(ms: float) -> float:
    return ms / PRECOMP_MS_PER_NATIVE


# --- ReaGate Hold and Pre-open (facts 2.3 lists them; no source gives a curve) --------------------
# Guess: linear, hold = native x 1000 ms, pre-open = native x 250 ms (pre-open like ReaComp's
# pre-comp). The emulator's gate model and the auto-gate action both use these.
GATE_HOLD_MS_PER_NATIVE = 1000.0
GATE_PREOPEN_MS_PER_NATIVE = 250.0


def gate_hold_ms(native: float) -> float:
    return native * GATE_HOLD_MS_PER_NATIVE


def gate_hold_native(ms: float) -> float:
    return ms / GATE_HOLD_MS_PER_NATIVE


def gate_preopen_ms(native: float) -> float:
    return native * GATE_PREOPEN_MS_PER_NATIVE


def gate_preopen_native(ms: float) -> float:
    return ms / GATE_PREOPEN_MS_PER_NATIVE


# --- ReaLimit (facts 2.4, Q4: "not settled") ------------------------------------------------
# Threshold: linear in dB over -60..+12 so that the default 0.8333 shows +0.00 (S12; INFER).
# Ceiling: linear in dB over -60..0 so that the default 1.0 shows 0 dB (S12 default; range INFER).
# Release: the only anchor is S12's default 0.3548 -> "15.0" ms; we assume a power law up to
# 1000 ms through that point (guess). The chunk stores threshold and ceiling as plain dB
# doubles and the release as a double whose ^0.6 equals the default normalized value
# (0.177828^0.6 = 0.354813; INFER from one fresh chunk, S14).
LIMIT_THRESHOLD_MIN_DB, LIMIT_THRESHOLD_MAX_DB = -60.0, 12.0
LIMIT_CEILING_MIN_DB, LIMIT_CEILING_MAX_DB = -60.0, 0.0
LIMIT_RELEASE_MAX_MS = 1000.0
LIMIT_RELEASE_DEFAULT_NATIVE = 0.3548
LIMIT_RELEASE_DEFAULT_MS = 15.0
LIMIT_RELEASE_EXPONENT = math.log(LIMIT_RELEASE_DEFAULT_MS / LIMIT_RELEASE_MAX_MS) / math.log(
    LIMIT_RELEASE_DEFAULT_NATIVE
)
LIMIT_RELEASE_STORED_EXPONENT = 0.6  # native = stored ** 0.6


def limit_threshold_db(native: float) -> float:
    return LIMIT_THRESHOLD_MIN_DB + native * (LIMIT_THRESHOLD_MAX_DB - LIMIT_THRESHOLD_MIN_DB)


def limit_threshold_native(db: float) -> float:
    return (db - LIMIT_THRESHOLD_MIN_DB) / (LIMIT_THRESHOLD_MAX_DB - LIMIT_THRESHOLD_MIN_DB)


def limit_ceiling_db(native: float) -> float:
    return LIMIT_CEILING_MIN_DB + native * (LIMIT_CEILING_MAX_DB - LIMIT_CEILING_MIN_DB)


def limit_ceiling_native(db: float) -> float:
    return (db - LIMIT_CEILING_MIN_DB) / (LIMIT_CEILING_MAX_DB - LIMIT_CEILING_MIN_DB)


def limit_release_ms(native: float) -> float:
    return LIMIT_RELEASE_MAX_MS * native**LIMIT_RELEASE_EXPONENT


def limit_release_native(ms: float) -> float:
    return (ms / LIMIT_RELEASE_MAX_MS) ** (1.0 / LIMIT_RELEASE_EXPONENT)


def limit_release_native_from_stored(stored: float) -> float:
    return max(stored, 0.0) ** LIMIT_RELEASE_STORED_EXPONENT


def limit_release_stored_from_native(native: float) -> float:
    return native ** (1.0 / LIMIT_RELEASE_STORED_EXPONENT)


UNCERTAIN: dict[str, UncertainMapping] = {
    m.id: m
    for m in (
        UncertainMapping(
            "reaeq_gain", "reaeq", ("Gain-*",), "dB", reaeq_gain_db, reaeq_gain_native,
            ("S14 chunk", "S12", "S13", "Q1 web-control bridge", "VST3 kVolumeTypeID"),
            "medium-high",
            "native = linear/4 (0.25 = 0 dB, 1.0 = +12.04 dB); competing 0.5 = 0 dB",
            {"linear_over_4": reaeq_gain_db, "half_is_unity": _reaeq_gain_db_half_is_unity},
        ),
        UncertainMapping(
            "comp_ratio", "reacomp", ("Ratio",), "ratio", ratio, ratio_native,
            ("S14 default 0.030303", "S12 1.0 = inf", "Q3"), "low",
            "ratio = 1 + 99*native, 1.0 = inf",
            {"one_plus_99x": ratio, "one_minus_inverse": _ratio_one_minus_inverse},
        ),
        UncertainMapping(
            "attack", "reacomp/reagate", ("Attack",), "ms", attack_ms, attack_native,
            ("S12 ReaGate display 3ms", "S14 default 0.006", "Q3"), "low",
            "ms = native*500",
        ),
        UncertainMapping(
            "release", "reacomp/reagate", ("Release",), "ms", release_ms, release_native,
            ("S12 ReaGate display 100ms", "S14 default 0.02", "Q3"), "low",
            "ms = native*5000",
        ),
        UncertainMapping(
            "rms_size", "reacomp/reagate", ("RMS size",), "ms", rms_ms, rms_native,
            ("S12 range 0..10", "third-party test 0.05 -> '5.0'"), "low",
            "ms = native*100",
        ),
        UncertainMapping(
            "comp_knee", "reacomp", ("Knee",), "dB", knee_db, knee_native, ("INFER",), "guess",
            "dB = native*24; no source",
        ),
        UncertainMapping(
            "comp_precomp", "reacomp", ("Pre-comp",), "ms", precomp_ms, precomp_native,
            ("INFER",), "guess", "ms = native*250; no source",
        ),
        UncertainMapping(
            "gate_hold", "reagate", ("Hold",), "ms", gate_hold_ms, gate_hold_native, ("INFER",), "guess",
            "ms = native*1000; no source",
        ),
        UncertainMapping(
            "gate_preopen", "reagate", ("Pre-open",), "ms", gate_preopen_ms, gate_preopen_native, ("INFER",),
            "guess", "ms = native*250 (like ReaComp's pre-comp); no source",
        ),
        UncertainMapping(
            "limit_threshold", "realimit", ("Threshold",), "dB", limit_threshold_db,
            limit_threshold_native, ("S12 default 0.8333 = +0.00", "Q4 INFER"), "low",
            "dB linear over -60..+12",
        ),
        UncertainMapping(
            "limit_ceiling", "realimit", ("Ceiling",), "dB", limit_ceiling_db,
            limit_ceiling_native, ("S12 default 1.0 = 0 dB", "INFER range"), "guess",
            "dB linear over -60..0",
        ),
        UncertainMapping(
            "limit_release", "realimit", ("Release",), "ms", limit_release_ms,
            limit_release_native, ("S12 default 0.3548 = 15.0 ms", "S14 chunk 0.1778", "INFER"),
            "guess", "ms = 1000*native^p through (0.3548, 15 ms); stored = native^(1/0.6)",
        ),
    )
}
