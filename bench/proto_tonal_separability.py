"""Can a tonal stem's injected resonance be told from the stem's own peaks? (issue 13 point 2, a record)

Run: ``python bench/proto_tonal_separability.py [--per-class 3] [--source NAME ...]`` (tuning split only:
the defaults are the slice of docs/quality.md's 2026-12-03 section). Not product code: nothing here is
used by ``reaper_assist``; it keeps the figures of a prototype that was not landed reproducible.

For the tonal stems of the slice it draws the same injections as ``bench/quality.py``'s eq scenario
(same seed, same order: +8..10 dB, Q 6..10, 200 Hz-6 kHz) and computes, on the injected stem and on
the dry stem, three "fixed resonance" profiles (dB over the stem's own local level, per frequency):

* ``ltas``: the long-term spectrum (Welch, 16384) power-averaged over 13 points of a 1/96-octave grid
  (0.135 octave), over its one-octave running median;
* ``partials``: per STFT frame (8192, hop 2048) the spectral lines (>= 8 dB over a 31-bin median,
  within 60 dB of the frame's strongest), each line's level over the mean of its two harmonic
  neighbours (the lines one spacing ``d`` below and above, with ``f / d`` a whole number k >= 3, d >=
  40 Hz: the same note's partials k-1 and k+1; the strongest such series), collected on a 1/48-octave
  grid; the median over the frames with a line there (>= 3), averaged over +-1 grid bin;
* ``partials-p25``: the same with the 25th percentile over the lines of +-1 bin (>= 10 lines): most of
  the notes raised, not just the median;
* ``both``: a ``ltas`` peak >= T counts only where ``partials`` within 1/32 octave is >= 5 dB (or has no
  lines).

For each threshold T it prints, per region of the injection's centre, how many injections read >= T
within +-1/24 octave of their centre (found) against how many **dry** stems read >= T anywhere in that
region (a false detection: a cut deeper than the tonal cap there would be a false cut). A detector
that could land needs found well above dry at some T; ``bench/quality.py`` then also needs the depth
within 2 dB.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from scipy.ndimage import median_filter, uniform_filter1d
from scipy.signal import find_peaks, welch

from bench import corpus as K
from bench import quality as Q

SLICE = ("timgm6mb", "musescore-lite", "csound-gmbank", "espeak:tuning")
RATE = K.RATE
LT_GRID = 150.0 * 2 ** np.arange(0, math.log2(9000 / 150), 1 / 96)
P_GRID = 150.0 * 2 ** np.arange(0, math.log2(9000 / 150), 1 / 48)
REGIONS = ((190.0, 650.0), (650.0, 1500.0), (1500.0, 6300.0))
THRESHOLDS = (4.0, 6.0, 8.0, 10.0)


def injections(per_class: int, names: tuple[str, ...]) -> list[tuple[K.Stem, float, float, float]]:
    """The tonal stems of the slice with the eq scenario's injection (same rng draws, same order)."""
    out = []
    for src in K.sources():
        if src.name not in names or src.split != "tuning":
            continue
        stems = Q.pick([s for s in K.build_source(src) if s.role == "stem"], per_class)
        out += [inj for inj in Q.eq_injections(stems, Q.source_rng(src.name)) if inj[0].label in Q.TONAL]
    return out


def ltas_profile(x: np.ndarray) -> np.ndarray:
    f, p = welch(x, fs=RATE, nperseg=16384, axis=-1)
    lv = 10 * np.log10(np.maximum(np.interp(LT_GRID, f, p.mean(axis=0)), 1e-30))
    env = 10 * np.log10(np.maximum(uniform_filter1d(10 ** (lv / 10), size=13), 1e-30))
    return env - median_filter(env, size=97, mode="nearest")


def _harmonic_relative(f: np.ndarray, lev: np.ndarray) -> np.ndarray:
    """Per line (sorted by frequency): level over the mean of its harmonic neighbours (NaN: none)."""
    out = np.full(f.size, np.nan)
    d = f[:, None] - f[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = f[:, None] / np.where(d > 0, d, np.nan)
    k = np.rint(ratio)
    ok = (d >= 40.0) & (k >= 3) & (np.abs(ratio - k) <= 0.1)
    for i in np.nonzero(ok.any(axis=1))[0]:
        best_ref = -np.inf
        for j in np.nonzero(ok[i])[0]:
            want = f[i] + d[i, j]
            m = int(np.searchsorted(f, want))
            for c in (m - 1, m):
                if 0 <= c < f.size and c != i and abs(f[c] - want) <= max(0.02 * d[i, j], 3.0):
                    ref = 0.5 * (lev[j] + lev[c])
                    if ref > best_ref:  # the strongest series through this line
                        best_ref, out[i] = ref, lev[i] - ref
    return out


def partial_values(x: np.ndarray) -> np.ndarray:
    """(frames, P_GRID) relative levels of the lines (NaN where a frame has none there)."""
    mono = x.mean(axis=0)
    n_fft, hop = 8192, 2048
    n = 1 + (mono.size - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n)[:, None]
    spec = np.abs(np.fft.rfft(mono[idx] * np.hanning(n_fft), axis=1)) ** 2
    e = spec.sum(axis=1)
    db = 10 * np.log10(np.maximum(spec[e > np.percentile(e, 95) * 1e-3], 1e-30))
    floor = median_filter(db, size=(1, 31), mode="nearest")
    g_lo = math.log2(P_GRID[0])
    vals = np.full((db.shape[0], P_GRID.size), np.nan)
    for t in range(db.shape[0]):
        row = db[t]
        k = np.arange(3, row.size - 3)
        k = k[(row[k] > row[k - 1]) & (row[k] >= row[k + 1]) & (row[k] >= row[k - 2]) & (row[k] >= row[k + 2])
              & (row[k] - floor[t, k] >= 8.0)]
        if k.size < 3:
            continue
        a, b, c = row[k - 1], row[k], row[k + 1]
        den = a - 2 * b + c
        off = np.where(den < 0, 0.5 * (a - c) / np.where(den < 0, den, -1.0), 0.0)
        f, lev = (k + off) * RATE / n_fft, b - 0.25 * (a - c) * off
        keep = lev >= lev.max() - 60.0
        f, lev = f[keep], lev[keep]
        r = _harmonic_relative(f, lev)
        gi = np.rint((np.log2(f) - g_lo) * 48).astype(int)
        for i in np.nonzero(np.isfinite(r) & (gi >= 0) & (gi < P_GRID.size))[0]:
            if not vals[t, gi[i]] >= r[i]:
                vals[t, gi[i]] = r[i]
    return vals


def partials_profile(vals: np.ndarray, stat: str) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if stat == "median":
            m = np.nanmedian(vals, axis=0)
            m[np.sum(np.isfinite(vals), axis=0) < 3] = np.nan
            pad = np.pad(m, 1, constant_values=np.nan)
            s = np.nanmean(np.stack([pad[:-2], pad[1:-1], pad[2:]]), axis=0)
            s[~np.isfinite(m)] = np.nan
            return s
        out = np.full(P_GRID.size, np.nan)
        for i in range(P_GRID.size):
            v = vals[:, max(0, i - 1):i + 2]
            v = v[np.isfinite(v)]
            if v.size >= 10:
                out[i] = np.percentile(v, 25)
        return out


def both_profile(lt: np.ndarray, part: np.ndarray) -> np.ndarray:
    """The ltas profile at its peaks, where the partials do not contradict it (>= 5 dB or no lines)."""
    out = np.full(LT_GRID.size, -99.0)
    pk, _ = find_peaks(lt)
    for i in pk:
        v = part[np.abs(np.log2(P_GRID / LT_GRID[i])) <= 1 / 32]
        if not np.any(np.isfinite(v)) or np.nanmax(v) >= 5.0:
            out[i] = lt[i]
    return out


def _max(profile: np.ndarray, sel: np.ndarray) -> float:
    v = profile[sel]
    return float(np.nanmax(v)) if np.any(np.isfinite(v)) else -99.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-class", type=int, default=3)
    ap.add_argument("--source", action="append", default=None)
    ap.add_argument("--first", type=float, default=None,
                    help="read only each stem's first FIRST seconds (a long corpus against its own start)")
    a = ap.parse_args(argv)
    inj = injections(a.per_class, tuple(a.source or SLICE))
    names = ("ltas", "partials", "partials-p25", "both")
    found: dict[str, list[tuple[float, float]]] = {k: [] for k in names}  # (centre Hz, height at it)
    dry: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {k: [] for k in names}  # (grid, profile)
    for st, f0, g, q in inj:
        x = st.read()
        if a.first:
            x = x[:, :int(a.first * RATE)]
        for tag, y in (("wet", Q.peaking(x, f0, g, q)), ("dry", x)):
            lt = ltas_profile(y)
            vals = partial_values(y)
            pm, pp = partials_profile(vals, "median"), partials_profile(vals, "p25")
            profs = {"ltas": (LT_GRID, lt), "partials": (P_GRID, pm), "partials-p25": (P_GRID, pp),
                     "both": (LT_GRID, both_profile(lt, pm))}
            for k, (grid, p) in profs.items():
                if tag == "wet":
                    found[k].append((f0, _max(p, np.abs(np.log2(grid / f0)) <= 1 / 24)))
                else:
                    dry[k].append((grid, p))
        print(f"  {st.id}: {f0:.0f} Hz +{g:.1f} dB Q {q:.1f}", file=sys.stderr)
    print(f"{len(inj)} tonal stems; per cell: injections found (>= T within 1/24 octave of the centre) / "
          f"dry stems with a reading >= T in the region")
    for k in names:
        print(f"\n{k}")
        for lo, hi in ((*REGIONS[0][:1], REGIONS[-1][1]),) + REGIONS:
            n_inj = sum(1 for f0, _ in found[k] if lo <= f0 < hi)
            cells = []
            for t in THRESHOLDS:
                hit = sum(1 for f0, h in found[k] if lo <= f0 < hi and h >= t)
                false = sum(1 for grid, p in dry[k] if _max(p, (grid >= lo) & (grid < hi)) >= t)
                cells.append(f"T {t:g}: {hit:2d}/{false:2d}")
            print(f"  {lo:5.0f}-{hi:5.0f} Hz ({n_inj:2d} injections)  " + "   ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
