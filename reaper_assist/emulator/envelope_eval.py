"""Envelope value at a time, for every point shape (facts 1.5: 0 linear, 1 square, 2 slow
start/end, 3 fast start, 4 fast end, 5 bezier with tension -1..1).

Values are the stored (chunk) values; the caller converts to fader scaling where needed.
The curve formulas for shapes 2-5 are REAPER's documented *character* ("slow start/end" etc.);
their exact polynomials are not published [UNCERTAIN]: smoothstep, quadratic ease-out/in and a
tension-weighted quadratic Bezier are used and kept here, in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def shape_fraction(shape: int, x: np.ndarray | float, tension: float = 0.0):
    """Fraction 0..1 of the way from one point's value to the next, at position x in 0..1."""
    x = np.clip(x, 0.0, 1.0)
    if shape == 1:  # square: holds until the next point
        return np.zeros_like(x) if isinstance(x, np.ndarray) else 0.0
    if shape == 2:  # slow start/end
        return x * x * (3.0 - 2.0 * x)
    if shape == 3:  # fast start
        return 1.0 - (1.0 - x) ** 2
    if shape == 4:  # fast end
        return x * x
    if shape == 5:  # bezier: tension bends the curve toward fast start (-1) or fast end (+1)
        t = float(np.clip(tension, -1.0, 1.0))
        c = 0.5 * (1.0 + t)  # control point height of a quadratic Bezier over x
        return 2.0 * (1.0 - x) * x * (1.0 - c) + x * x if t else x
    return x  # linear


def evaluate(points: Sequence, time: float, *, default: float = 0.0) -> float:
    """Stored value at ``time`` (before the first point: its value; after the last: its value).
    :func:`evaluate_array` at one time, so the API (Envelope_Evaluate) and the audio engine
    cannot disagree."""
    return float(evaluate_array(points, np.array([float(time)]), default=default)[0])


def evaluate_array(points: Sequence, times: np.ndarray, *, default: float = 0.0) -> np.ndarray:
    """Vectorised :func:`evaluate` (used by the audio engine): grouped by point shape, so the cost
    is O(samples x shapes), not O(samples x points)."""
    times = np.asarray(times, dtype=np.float64)
    if not points:
        return np.full(times.shape, default)
    pt = np.array([p.time for p in points])
    pv = np.array([p.value for p in points])
    out = np.empty_like(times)
    idx = np.searchsorted(pt, times, side="right") - 1
    out[idx < 0] = pv[0]
    out[idx >= len(points) - 1] = pv[-1]
    inner = (idx >= 0) & (idx < len(points) - 1)
    if not inner.any():
        return out
    i = idx[inner]
    span = pt[i + 1] - pt[i]
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(span > 0, (times[inner] - pt[i]) / np.where(span > 0, span, 1.0), 1.0)
    frac = np.empty_like(x)
    shapes = np.array([p.shape for p in points])
    tens = np.array([p.tension if p.shape == 5 else 0.0 for p in points])
    for shape, tension in {(p.shape, p.tension if p.shape == 5 else 0.0) for p in points[:-1]}:
        m = (shapes[i] == shape) & (tens[i] == tension)
        if m.any():
            frac[m] = shape_fraction(shape, x[m], tension)
    frac = np.where(span > 0, frac, 1.0)
    out[inner] = pv[i] + (pv[i + 1] - pv[i]) * frac
    return out
