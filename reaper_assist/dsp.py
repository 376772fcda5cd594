"""Signal models shared by the emulator's audio engine and the rules that predict its result.

The engine renders a project through ReaEQ/ReaComp models; the assistants' rules predict what
those plugins will do to a track before writing them. Both must use the same curves, so the
curves live here, once. Pure numpy: no I/O, no reapy.
"""

from __future__ import annotations

import math

import numpy as np

RBJ_KINDS = ("peak", "lowshelf", "highshelf", "lowpass", "highpass", "bandpass", "notch", "allpass")


def rbj_sos(kind: str, freq_hz: float, gain_db: float, bw_oct: float, sample_rate: float, *,
            nyquist_fraction: float = 0.49) -> np.ndarray:
    """One RBJ-cookbook biquad as a second-order section ``[b0, b1, b2, 1, a1, a2]``.

    R. Bristow-Johnson, "Cookbook formulae for audio EQ biquad filter coefficients", with the
    bandwidth in octaves for every kind: ``alpha = sin w0 * sinh(ln2/2 * BW * w0/sin w0)``. The
    frequency is clamped to ``nyquist_fraction`` of the sample rate; a peaking gain of -inf dB
    is a notch.
    """
    if kind not in RBJ_KINDS:
        raise ValueError(f"unknown biquad kind {kind!r}; one of {', '.join(RBJ_KINDS)}")
    f = min(freq_hz, nyquist_fraction * sample_rate)
    w0 = 2.0 * math.pi * f / sample_rate
    cw, sw = math.cos(w0), math.sin(w0)
    alpha = sw * math.sinh(math.log(2.0) / 2.0 * bw_oct * w0 / sw)
    A = 10.0 ** (gain_db / 40.0) if math.isfinite(gain_db) else 0.0
    if kind == "peak":
        if A > 0:
            b, a = (1 + alpha * A, -2 * cw, 1 - alpha * A), (1 + alpha / A, -2 * cw, 1 - alpha / A)
        else:  # -inf dB: a notch
            b, a = (1.0, -2 * cw, 1.0), (1 + alpha, -2 * cw, 1 - alpha)
    elif kind in ("lowshelf", "highshelf"):
        A = A or 1e-8
        sA = 2.0 * math.sqrt(A) * alpha
        s = 1.0 if kind == "lowshelf" else -1.0
        b = (A * ((A + 1) - s * (A - 1) * cw + sA),
             s * 2 * A * ((A - 1) - s * (A + 1) * cw),
             A * ((A + 1) - s * (A - 1) * cw - sA))
        a = ((A + 1) + s * (A - 1) * cw + sA,
             -s * 2 * ((A - 1) + s * (A + 1) * cw),
             (A + 1) + s * (A - 1) * cw - sA)
    elif kind == "lowpass":
        b, a = ((1 - cw) / 2, 1 - cw, (1 - cw) / 2), (1 + alpha, -2 * cw, 1 - alpha)
    elif kind == "highpass":
        b, a = ((1 + cw) / 2, -(1 + cw), (1 + cw) / 2), (1 + alpha, -2 * cw, 1 - alpha)
    elif kind == "bandpass":  # constant 0 dB peak gain
        b, a = (alpha, 0.0, -alpha), (1 + alpha, -2 * cw, 1 - alpha)
    elif kind == "notch":
        b, a = (1.0, -2 * cw, 1.0), (1 + alpha, -2 * cw, 1 - alpha)
    else:  # allpass
        b, a = (1 - alpha, -2 * cw, 1 + alpha), (1 + alpha, -2 * cw, 1 - alpha)
    a0 = a[0]
    return np.array([b[0] / a0, b[1] / a0, b[2] / a0, 1.0, a[1] / a0, a[2] / a0])


def static_gain_reduction_db(level_db: np.ndarray, threshold_db, ratio, knee_db) -> np.ndarray:
    """Gain reduction (>= 0 dB) of a compressor's static curve at a detector level, with a
    quadratic soft knee of width ``knee_db`` (Giannoulis, Massberg & Reiss, JAES 2012, eq. 4).
    ``threshold_db``, ``ratio``, ``knee_db`` may be scalars or per-sample arrays; ratio inf is a
    limiter."""
    over = np.asarray(level_db, dtype=np.float64) - threshold_db
    slope = 1.0 - 1.0 / np.asarray(ratio, dtype=np.float64)
    if np.ndim(knee_db) == 0 and knee_db == 0:  # hard knee: the common, fast case
        gr = np.maximum(over, 0.0)
        gr *= slope
        return gr
    w = np.asarray(knee_db, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        hard = np.where(over > 0, over * slope, 0.0)
        wsafe = np.where(w > 0, w, 1.0)
        soft = slope * (over + w / 2.0) ** 2 / (2.0 * wsafe)
        in_knee = (w > 0) & (np.abs(over) <= w / 2.0)
    gr = np.where(in_knee, soft, hard)
    return np.nan_to_num(gr, nan=0.0, neginf=0.0)


def attack_release(target: list, attack_coef, release_coef, initial: float = 0.0) -> list:
    """The one-pole attack/release recursion on Python floats (about 0.14 us per step):
    ``y += (t - y) * (1 - c)`` with ``c`` the attack coefficient while the target rises above the
    output and the release coefficient otherwise. Coefficients are floats or per-step lists
    (``exp(-step / tau)``)."""
    y = float(initial)
    out = [0.0] * len(target)
    if isinstance(attack_coef, float) and isinstance(release_coef, float):
        for i, ti in enumerate(target):
            y = ti + (y - ti) * (attack_coef if ti > y else release_coef)
            out[i] = y
        return out
    cal = attack_coef if isinstance(attack_coef, list) else [attack_coef] * len(target)
    crl = release_coef if isinstance(release_coef, list) else [release_coef] * len(target)
    for i, ti in enumerate(target):
        y = ti + (y - ti) * (cal[i] if ti > y else crl[i])
        out[i] = y
    return out
