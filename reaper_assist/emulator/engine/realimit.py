"""ReaLimit model: gain by (ceiling - threshold), then a brickwall lookahead limiter to the ceiling.

Gain computer: the gain each sample needs (``ceiling / |x|``, channels linked, on the
oversampled signal of :func:`.meter.true_peak` in true-peak mode) -> sliding minimum over the
lookahead window -> moving average over the lookahead (attack; never above what any sample in
reach needs) -> exponential release toward unity gain. The output is latency-compensated. In
true-peak mode the result is measured again and the ceiling lowered by any overshoot, so the
output true peak stays within ``ceiling + LIMIT_TP_TOLERANCE_DB``. Choices: :mod:`.uncertain`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from reaper_assist.emulator.engine import _dyn
from reaper_assist.emulator.engine import uncertain as U
from reaper_assist.emulator.engine.meter import true_peak
from reaper_assist.plugins import uncertain as PU
from reaper_assist.plugins.realimit import LimitSettings
from reaper_assist.units import db_to_amp_array

__all__ = ["process", "sliding_min", "true_peak"]

_INTERP_SPAN = 8  # samples around a sample that an inter-sample peak can depend on


def _check(s: LimitSettings) -> None:
    _dyn.check_ranges("ReaLimit", (
        ("threshold_db", s.threshold_db, PU.LIMIT_THRESHOLD_MIN_DB, PU.LIMIT_THRESHOLD_MAX_DB, "dB"),
        ("ceiling_db", s.ceiling_db, PU.LIMIT_CEILING_MIN_DB, PU.LIMIT_CEILING_MAX_DB, "dB"),
        ("release_ms", s.release_ms, 0.0, PU.LIMIT_RELEASE_MAX_MS, "ms")))


def sliding_min(g: np.ndarray, before: int, after: int) -> np.ndarray:
    """``out[n] = min(g[n-before : n+after+1])`` (clipped at the ends), by doubling."""
    w = before + after + 1
    m = g.copy()
    span = 1
    while span < w:
        s = min(span, w - span)
        m[:-s] = np.minimum(m[:-s], m[s:])
        span += s
    # m[n] now covers g[n : n+w]; shift so it covers g[n-before : n+after+1]
    if before:
        m = np.concatenate([np.full(before, m[0]), m[:-before]])
    return m


def _gain(peak: np.ndarray, ceil_lin, look: int, release_ms: float, sample_rate: float) -> np.ndarray:
    # the gain needed is ceiling / peak only where the peak is over the ceiling: dividing by a
    # near-silent (denormal) peak elsewhere would overflow for nothing
    over = peak > ceil_lin
    need = np.ones_like(peak, dtype=np.float64)
    np.divide(ceil_lin, peak, out=need, where=over)
    m = sliding_min(need, _INTERP_SPAN, look)
    if look > 0:
        c = np.cumsum(np.concatenate(([0.0], m)))
        k = np.arange(1, m.shape[0] + 1)
        lo = np.maximum(k - (look + 1), 0)
        m = (c[k] - c[lo]) / (k - lo)
    u = 1.0 - m  # reduction; released exponentially: r[n] = max(u[n], a r[n-1])
    a = _dyn.one_pole_coef(release_ms, sample_rate)
    if a > 0 and np.any(u > 0):
        la = math.log(a)
        ramp = np.arange(u.shape[0]) * la
        with np.errstate(divide="ignore"):
            lu = np.log(np.maximum(u, 0.0)) - ramp
        np.maximum.accumulate(lu, out=lu)
        r = np.exp(lu + ramp)
        u = np.maximum(u, r)
    return np.minimum(1.0 - u, m)


def process(audio: np.ndarray, sample_rate: float, segments: Sequence[tuple[int, LimitSettings]]) -> np.ndarray:
    """Limit ``audio`` ``(channels, samples)``; ``segments`` as in :func:`.reaeq.process`."""
    x = np.asarray(audio, dtype=np.float64)
    n = x.shape[1]
    for _, s in segments:
        _check(s)
    first = segments[0][1]
    thr = _dyn.field(segments, "threshold_db", n)
    ceil_db = _dyn.field(segments, "ceiling_db", n)
    y0 = x * db_to_amp_array(np.asarray(ceil_db) - np.asarray(thr))
    look = int(round(U.LIMIT_LOOKAHEAD_MS * sample_rate / 1000.0))
    ceil_lin = db_to_amp_array(ceil_db)
    if not first.truepeak:
        peak = np.abs(y0).max(axis=0) if n else np.zeros(0)
        y = y0 * _gain(peak, ceil_lin, look, first.release_ms, sample_rate)
        return np.clip(y, -ceil_lin, ceil_lin)
    peak = true_peak(y0, sample_rate)
    target = ceil_lin
    limit = ceil_lin * 10.0 ** (U.LIMIT_TP_TOLERANCE_DB / 2.0 / 20.0)
    for _ in range(4):
        y = y0 * _gain(peak, target, look, first.release_ms, sample_rate)
        tp = true_peak(y, sample_rate)
        over = tp > limit
        if not over.any():
            break
        # lower the target where the output still overshoots (and around it)
        worst = np.where(over, limit / np.maximum(tp, 1e-300), 1.0)
        target = target * sliding_min(worst, look + _INTERP_SPAN, look + _INTERP_SPAN) * 0.999
    return y
