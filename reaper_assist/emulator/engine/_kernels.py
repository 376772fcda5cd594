"""The engine's per-sample loops, compiled with numba (``njit``, ``cache=True``).

Each kernel is the plain loop of the numpy/Python code it replaced, operation for operation in the
same order (transcendental functions are left to numpy, after the loop, as before), so the
numbers are the numpy code's: ``tests/engine/test_engine_kernels.py`` checks each against a
straightforward Python loop on random signals. A kernel compiles on its first call (a few seconds, once per
machine: numba caches the machine code next to this file, or in its user cache when that is not
writable). Import this module through :func:`._dyn.kernels`, which turns a missing numba or a
failed compile into :class:`KernelError` naming the kernel and the cause.

Per-sample settings are passed as float64 arrays of length 1 (constant) or ``n`` (one value per
sample); ``_at(a, i)`` reads either.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_jit = njit(cache=True, nogil=True)
_BLOCK = 4096  # samples per block of the biquad cascade


@_jit
def _at(a, i):
    return a[i] if a.shape[0] > 1 else a[0]


@_jit
def mean_square(x, w):
    """Detector power per sample (see :func:`._dyn.level_db`): channels linked by the loudest;
    the mean square over a causal window of ``w`` samples (the running sum of squares minus its
    value ``w`` samples earlier, as differences of cumulative sums), the first ``w - 1`` samples
    averaged over what exists so far; ``w <= 1``: the largest square."""
    nch, n = x.shape
    out = np.empty(n)
    if w <= 1:
        for i in range(n):
            p = -np.inf
            for c in range(nch):
                v = x[c, i] * x[c, i]
                if v > p:
                    p = v
            out[i] = p
        return out
    acc = np.zeros(nch)  # running cumulative sum of squares per channel
    ring = np.zeros((nch, w))  # the cumulative sums of the last w samples
    head = min(w - 1, n)
    k = 0  # i % w
    for i in range(n):
        p = -np.inf
        for c in range(nch):
            acc[c] += x[c, i] * x[c, i]
            s = acc[c] - ring[c, k] if i >= w else acc[c]
            ring[c, k] = acc[c]
            if s > p:
                p = s
        p /= w
        if i < head:
            p *= w / (i + 1)
        out[i] = p if p > 0.0 else 0.0  # cumulative-sum round-off
        k = k + 1 if k + 1 < w else 0
    return out


@_jit
def _reduction(lv, t, r, kn):
    """Static gain reduction (dB) of one sample (see :func:`._dyn.static_reduction_db`)."""
    over = lv - t
    keep = 1.0 - 1.0 / r
    if kn > 0.0 and 2.0 * abs(over) <= kn:
        d = over + kn / 2.0
        v = keep * (d * d) / (2.0 * kn)
    else:
        v = (over if over > 0.0 else 0.0) * keep
    return v if math.isfinite(v) else 0.0


@_jit
def gain_reduction(level, look, thr, ratio, knee, step, up, down):
    """ReaComp's gain reduction (dB) per sample from the detector level: the static curve on the
    level ``look`` samples ahead (the end held), then the attack/release recursion at the control
    rate ``step``: each step the output moves the fraction ``1 - c`` of the way to the step's
    largest reduction, ``c = up[b]`` while that is above the output (attack), ``down[b]``
    otherwise (release); linear interpolation between the step ends."""
    n = level.shape[0]
    out = np.empty(n)
    y = 0.0
    for a in range(0, n, step):
        b = min(a + step, n)
        tb = -np.inf
        for i in range(a, b):
            j = i + look
            v = _reduction(level[j] if j < n else level[n - 1], _at(thr, i), _at(ratio, i), _at(knee, i))
            if v > tb:
                tb = v
        blk = a // step
        prev = y
        y = tb + (y - tb) * (_at(up, blk) if tb > y else _at(down, blk))
        if step == 1:
            out[a] = y
        else:
            for i in range(a, b):
                out[i] = prev + (y - prev) * ((i - a + 1) / step)
    return out


@_jit
def gate_smooth(state, ca, cr):
    """One-pole on the gate's 0/1 target, exact run by run: over a run of constant target ``t``
    the output is ``t + (y - t) c^k`` at its ``k``-th sample (``c`` the attack coefficient while
    opening, the release one while closing; 0 = instant)."""
    n = state.shape[0]
    out = np.empty(n)
    y = 0.0
    a = 0
    while a < n:
        b = a + 1
        while b < n and state[b] == state[a]:
            b += 1
        t = 1.0 if state[a] else 0.0
        c = ca if t > y else cr
        for k in range(1, b - a + 1):
            out[a + k - 1] = t + (y - t) * c ** float(k) if c > 0 else t
        y = out[b - 1]
        a = b
    return out


@_jit
def biquads(x, sos, nsec, bounds, reset, gain):
    """Cascaded biquads (transposed direct form II, as ``scipy.signal.sosfilt``) whose
    coefficients change at segment bounds: segment ``s`` runs samples ``bounds[s]:bounds[s+1]``
    through the first ``nsec[s]`` sections of ``sos[s]`` (rows ``[b0, b1, b2, 1, a1, a2]``) and
    scales by ``gain[s]``; the state carries over, zeroed where ``reset[s]``.

    Section by section over blocks of ``_BLOCK`` samples (the output holds the intermediate
    signal), two channels side by side (two independent recursions keep the CPU busy; a lone
    last channel runs as both, with the same numbers), the state in registers."""
    nch, n = x.shape
    out = np.empty((nch, n))
    z = np.zeros((nch, sos.shape[1], 2))
    for s in range(sos.shape[0]):
        if reset[s]:
            z[:, :, :] = 0.0
        m, g = nsec[s], gain[s]
        for a in range(bounds[s], bounds[s + 1], _BLOCK):  # blocks that stay in cache
            b = min(a + _BLOCK, bounds[s + 1])
            for c in range(0, nch, 2):
                d = c + 1 if c + 1 < nch else c
                if m == 0:
                    for i in range(a, b):
                        out[c, i] = x[c, i] * g
                        out[d, i] = x[d, i] * g
                src = x
                for k in range(m):
                    b0, b1, b2 = sos[s, k, 0], sos[s, k, 1], sos[s, k, 2]
                    a1, a2 = sos[s, k, 4], sos[s, k, 5]
                    gk = g if k == m - 1 else 1.0  # the global gain with the last section
                    p0, p1, q0, q1 = z[c, k, 0], z[c, k, 1], z[d, k, 0], z[d, k, 1]
                    for i in range(a, b):
                        v, u = src[c, i], src[d, i]
                        yv = b0 * v + p0
                        yu = b0 * u + q0
                        p0 = b1 * v - a1 * yv + p1
                        q0 = b1 * u - a1 * yu + q1
                        p1 = b2 * v - a2 * yv
                        q1 = b2 * u - a2 * yu
                        out[c, i] = yv * gk
                        out[d, i] = yu * gk
                    z[c, k, 0], z[c, k, 1], z[d, k, 0], z[d, k, 1] = p0, p1, q0, q1
                    src = out
    return out
