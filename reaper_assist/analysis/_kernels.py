"""The loudness meter's per-sample loops, compiled with numba (``njit``, ``nogil``, ``cache=True``).

Two kernels, each the numpy path of :mod:`.loudness` fused into one pass (and, for the dynamics
rules, :func:`one_pole`):

* :func:`granules` -- K-weighting (the two BS.1770-4 biquads, transposed direct form II in
  float64 as ``scipy.signal.sosfilt``, state carried across calls), the per-10 ms-granule sums of
  squares of the weighted signal (per channel) and of the raw signal (over channels), granule
  peaks, per-channel sample peaks and the clipped-sample count, over one float32 chunk;
* :func:`true_peak` -- the Annex 2 interpolator on the 256-output spans of a chunk that can
  raise the true peak, loudest span first, stopping at the first span whose bound cannot.

They hold no state of their own and release the GIL, so two threads meter two files at once.
``tests/analysis/test_loudness_kernels.py`` checks them against the numpy path (which stays the
reference and the fallback: ``REAPER_ASSIST_NO_KERNELS=1``, or numba missing). Numba compiles
them on their first call once per machine and caches the machine code next to this file (or in
its user cache when that is not writable); :func:`warm` loads them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# explicit signatures, arrays in any layout ("A"): compiled (or loaded from the cache) at import
def _both(sig: str) -> list[str]:
    """The signature for float32 and for float64 samples (``X``): any layout ("A")."""
    return [sig.replace("X", t) for t in ("float32[:, :]", "float64[:, :]")]


_GRANULES = _both("int64(X, float64[:, :], float64[:, :, :], intp[:], float64[:, :], float64[:], float64[:, :], "
                  "float64[:], float64, float32[:, :], int64)")
_PAIR = _both("int64(X, int64, int64, float64[:, :], float64[:, :, :], intp[:], float64[:, :], float64[:], "
              "float64[:, :], float64[:], float64, float32[:, :], int64)")
_SPAN = "int64(float32[::1], int64, int64, float32[:, ::1], float32[::1], float64, float64, float64[:])"
_ONE_POLE = "float64[::1](float64[::1], float64, float64, float64)"
_TRUE_PEAK = "void(float32[:, ::1], intp[:], int64, float32[:, ::1], float64[:, :], float64[:], float64[:], float64[:])"


@njit(_PAIR, cache=True, nogil=True, fastmath={"contract"})
def _pair(x, c0, c1, sos, zi, starts, w_out, raw_out, pk_out, ch_peak, clip_level, copy, at):  # pragma: no cover - compiled
    """:func:`granules` for channels ``c0`` and ``c1`` (``c1 == c0``: that one channel)."""
    n = x.shape[1]
    nseg = starts.shape[0]
    two = c1 != c0
    # coefficients and state in locals, so the recursions stay in registers
    b00, b01, b02, a01, a02 = sos[0, 0], sos[0, 1], sos[0, 2], sos[0, 4], sos[0, 5]
    b10, b11, b12, a11, a12 = sos[1, 0], sos[1, 1], sos[1, 2], sos[1, 4], sos[1, 5]
    p00, p01, p10, p11 = zi[c0, 0, 0], zi[c0, 0, 1], zi[c0, 1, 0], zi[c0, 1, 1]
    q00, q01, q10, q11 = zi[c1, 0, 0], zi[c1, 0, 1], zi[c1, 1, 0], zi[c1, 1, 1]
    peak0, peak1 = ch_peak[c0], ch_peak[c1]
    clipped = 0
    for g in range(nseg):
        a = starts[g]
        b = starts[g + 1] if g + 1 < nseg else n
        w0 = w1 = r0 = r1 = 0.0
        k0 = k1 = 0.0
        for i in range(a, b):
            u = np.float64(x[c0, i])
            v = np.float64(x[c1, i])
            if at >= 0:
                copy[c0, at + i] = np.float32(x[c0, i])
                copy[c1, at + i] = np.float32(x[c1, i])
            r0 += u * u
            r1 += v * v
            k0 = max(k0, abs(u))
            k1 = max(k1, abs(v))
            y = b00 * u + p00
            p00 = b01 * u - a01 * y + p01
            p01 = b02 * u - a02 * y
            z = b10 * y + p10
            p10 = b11 * y - a11 * z + p11
            p11 = b12 * y - a12 * z
            w0 += z * z
            y = b00 * v + q00
            q00 = b01 * v - a01 * y + q01
            q01 = b02 * v - a02 * y
            z = b10 * y + q10
            q10 = b11 * y - a11 * z + q11
            q11 = b12 * y - a12 * z
            w1 += z * z
        if not two:
            k1 = 0.0
            r1 = 0.0
        w_out[c0, g] = w0
        raw_out[g] += r0 + r1
        if two:
            w_out[c1, g] = w1
        pk_out[c0, g] = k0
        if two:
            pk_out[c1, g] = k1
        peak0 = max(peak0, k0)
        peak1 = max(peak1, k1)
        for c, k in ((c0, k0), (c1, k1)):
            if k >= clip_level and (c == c0 or two):
                for i in range(a, b):
                    if abs(np.float64(x[c, i])) >= clip_level:
                        clipped += 1
    zi[c0, 0, 0], zi[c0, 0, 1], zi[c0, 1, 0], zi[c0, 1, 1] = p00, p01, p10, p11
    ch_peak[c0] = peak0
    if two:
        zi[c1, 0, 0], zi[c1, 0, 1], zi[c1, 1, 0], zi[c1, 1, 1] = q00, q01, q10, q11
        ch_peak[c1] = peak1
    return clipped


@njit(_GRANULES, cache=True, nogil=True)
def granules(x, sos, zi, starts, w_out, raw_out, pk_out, ch_peak, clip_level, copy, at):  # pragma: no cover - compiled
    """One chunk ``x`` (channels, n) of float32 or float64, any layout, through the two sections ``sos``.

    ``starts`` are the granule segments' first samples in the chunk (``starts[0] == 0``); the
    segment ``g`` ends where ``g + 1`` starts (the last at ``n``). Writes ``w_out`` (channels,
    segments): sum of squares of the K-weighted channel; ``raw_out`` (segments,): sum over
    channels of the squared samples; ``pk_out`` (channels, segments): largest |sample|.
    Raises ``ch_peak`` (channels,) to each channel's largest |sample|; carries ``zi``
    (channels, 2, 2). Copies the samples as float32 into ``copy[:, at:at + n]`` unless ``at``
    < 0 (for :func:`true_peak`, which wants them contiguous). Returns the samples at or above
    ``clip_level`` in magnitude.
    """
    nch = x.shape[0]
    for g in range(starts.shape[0]):
        raw_out[g] = 0.0
    clipped = 0
    for c in range(0, nch, 2):  # two channels at a time: their recursions overlap in the CPU
        clipped += _pair(x, c, min(c + 1, nch - 1), sos, zi, starts, w_out, raw_out, pk_out, ch_peak,
                         clip_level, copy, at)
    return clipped


@njit(_SPAN, cache=True, nogil=True)
def _span(row, base, m, phases, acc, above, peak, gains):  # pragma: no cover - compiled
    """The interpolator's outputs ``base .. base + m - 1`` of ``row`` (output ``j`` reads
    ``row[j - 11 .. j]``), float32 multiply-adds in tap order, phase after phase: with
    ``above`` >= 0, how many are larger than ``above`` in magnitude (a phase whose gain bound
    ``gains[p]`` times the inputs' ``peak`` is not above it is skipped: it has none); with
    ``above`` < 0, the phases' outputs are left in ``acc`` (phases x m) and 0 is returned."""
    # one slice per tap, indexed from 0, the taps in locals, no reduction but a count: the loop
    # over outputs vectorizes
    x0, x1, x2, x3 = row[base:base + m], row[base - 1:base - 1 + m], row[base - 2:base - 2 + m], row[base - 3:base - 3 + m]
    x4, x5, x6, x7 = row[base - 4:base - 4 + m], row[base - 5:base - 5 + m], row[base - 6:base - 6 + m], row[base - 7:base - 7 + m]
    x8, x9, x10, x11 = row[base - 8:base - 8 + m], row[base - 9:base - 9 + m], row[base - 10:base - 10 + m], row[base - 11:base - 11 + m]
    count = 0
    for p in range(phases.shape[0]):
        t0, t1, t2, t3, t4, t5 = phases[p, 0], phases[p, 1], phases[p, 2], phases[p, 3], phases[p, 4], phases[p, 5]
        t6, t7, t8, t9, t10, t11 = phases[p, 6], phases[p, 7], phases[p, 8], phases[p, 9], phases[p, 10], phases[p, 11]
        if above >= 0.0:
            if peak * gains[p] <= above:
                continue
            for i in range(m):
                v = (x0[i] * t0 + x1[i] * t1 + x2[i] * t2 + x3[i] * t3 + x4[i] * t4 + x5[i] * t5 + x6[i] * t6
                     + x7[i] * t7 + x8[i] * t8 + x9[i] * t9 + x10[i] * t10 + x11[i] * t11)
                count += (v > above) | (v < -above)
        else:
            out = acc[p * m : (p + 1) * m]
            for i in range(m):
                out[i] = (x0[i] * t0 + x1[i] * t1 + x2[i] * t2 + x3[i] * t3 + x4[i] * t4 + x5[i] * t5 + x6[i] * t6
                          + x7[i] * t7 + x8[i] * t8 + x9[i] * t9 + x10[i] * t10 + x11[i] * t11)
    return count


@njit(_TRUE_PEAK, cache=True, nogil=True)
def true_peak(seg, starts, n, phases, seg_peak, hist_peak, gains, floor):  # pragma: no cover - compiled
    """Raise ``floor`` (channels,) to the true peak of a chunk's ``n`` outputs per channel.

    ``seg`` (channels, taps - 1 + n) float32 C-contiguous: the previous chunk's last ``taps - 1``
    samples, then the chunk. The outputs are taken in the granule segments of :func:`granules`
    (``starts``, with their per-channel peaks ``seg_peak``; ``hist_peak``: the peak of the
    previous chunk's last ``taps - 1`` samples): a segment's outputs read its own samples and
    the 11 before, so phase ``p``'s cannot exceed ``gains[p]`` (the sum of its |taps|) times
    the largest peak of the segments (or history) those lie in. Segments are interpolated loudest bound first, and the search stops at
    the first whose bound is not above the peak found so far: the exact result of
    interpolating everything. Most segments then only count outputs above the floor (none);
    the few that raise it are interpolated again to find by how much.
    """
    nch = seg.shape[0]
    h = phases.shape[1] - 1
    nseg = starts.shape[0]
    reach = np.empty(nseg)
    inputs_peak = np.empty(nseg)
    gain_bound = gains.max()
    longest = 0
    for g in range(nseg):
        longest = max(longest, (starts[g + 1] if g + 1 < nseg else n) - starts[g])
    acc = np.empty(phases.shape[0] * longest, dtype=np.float32)
    for c in range(nch):
        row = seg[c]
        for g in range(nseg):
            mx = seg_peak[c, g]
            need = starts[g] - h  # the first sample segment g's outputs read, in chunk frames
            gg = g - 1
            while gg >= 0 and starts[gg + 1] > need:  # segments (short ones too) that reach in
                mx = max(mx, seg_peak[c, gg])
                gg -= 1
            if need < 0:
                mx = max(mx, hist_peak[c])
            inputs_peak[g] = mx
            reach[g] = mx * gain_bound
        order = np.argsort(-reach)
        fl = floor[c]
        for q in range(nseg):
            g = order[q]
            if reach[g] <= fl:
                break
            a = starts[g]
            m = (starts[g + 1] if g + 1 < nseg else n) - a
            if _span(row, h + a, m, phases, acc, fl, inputs_peak[g], gains) == 0:
                continue
            _span(row, h + a, m, phases, acc, -1.0, inputs_peak[g], gains)
            for i in range(phases.shape[0] * m):
                fl = max(fl, abs(np.float64(acc[i])))
        floor[c] = fl


@njit(_ONE_POLE, cache=True, nogil=True)
def one_pole(target, attack, release, initial):  # pragma: no cover - compiled
    """:func:`reaper_assist.dsp.attack_release` with float coefficients, the same operations in
    the same order (no fastmath), so the same float64 results: ``y = t + (y - t) * c`` with ``c``
    the attack coefficient while the target is above the output, else the release one. The
    compressor rule runs it over a track's 1 ms reduction series once per threshold it tries
    (about 10 per track): 3.6 million steps for an hour."""
    out = np.empty_like(target)
    y = initial
    for i in range(target.shape[0]):
        t = target[i]
        y = t + (y - t) * (attack if t > y else release)
        out[i] = y
    return out


#: The compiled functions (``reaper-assist install`` compiles them and reports numba's cache for each).
COMPILED = ("granules", "_pair", "_span", "true_peak", "one_pole")


def warm() -> None:
    """Run every kernel once on a few samples (numba loads them from its cache at import)."""
    sos = np.array([[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]] * 2)
    starts = np.zeros(1, np.intp)
    peaks = np.zeros((2, 1))
    for x in (np.zeros((2, 8), np.float32), np.zeros((2, 8))):
        granules(x, sos, np.zeros((2, 2, 2)), starts, np.zeros((2, 1)), np.zeros(1), peaks, np.zeros(2), 1.0,
                 np.zeros((2, 19), np.float32), 11)
    true_peak(np.zeros((2, 19), np.float32), starts, 8, np.ones((4, 12), np.float32), peaks + 1.0, np.zeros(2),
              np.full(4, 12.0), np.zeros(2))
    one_pole(np.zeros(2), 0.5, 0.5, 0.0)
