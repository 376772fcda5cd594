"""Can a voice's injected resonance be told from its own formants by their movement? (issue 13 point 2)

Run: ``python bench/proto_voice_resonance.py [--source espeak:tuning]`` (tuning split only). Not
product code: a prototype's figures kept reproducible.

A resonance stays at one frequency; a voice's formants move with every vowel and its harmonics with
the pitch. Reading ``frames``: per active STFT frame (2048 points, hop 512 at 48 kHz) the power
spectrum on a 1/48-octave grid, smoothed over +-1/24 octave (a Q 6-10 resonance's width), over that
frame's own one-octave running median; then the median over the frames. What moves averages away,
what stays in every frame is left. ``ltas`` for comparison: the same on the long-term spectrum.
Per threshold T: injections read >= T within 1/24 octave of their centre (found) / dry stems with a
reading >= T anywhere in 190-6300 Hz (false).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from scipy.ndimage import median_filter, uniform_filter1d

from bench import corpus as K
from bench import quality as Q

RATE = K.RATE
GRID = 150.0 * 2 ** np.arange(0, math.log2(9000 / 150), 1 / 48)
THRESHOLDS = (3.0, 4.0, 5.0, 6.0, 7.0)
REGION = (190.0, 6300.0)


def injections(names: tuple[str, ...]) -> list[tuple[K.Stem, float, float, float]]:
    out = []
    for src in K.sources():
        if src.name not in names or src.split != "tuning":
            continue
        stems = [s for s in K.build_source(src) if s.role == "stem"]
        out += [inj for inj in Q.eq_injections(stems, Q.source_rng(src.name)) if inj[0].label == "vocal"]
    return out


def frame_levels(x: np.ndarray, n_fft: int = 2048, hop: int = 512) -> np.ndarray:
    mono = x.mean(axis=0)
    n = 1 + (mono.size - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n)[:, None]
    spec = np.abs(np.fft.rfft(mono[idx] * np.hanning(n_fft), axis=1)) ** 2
    e = spec.sum(axis=1)
    spec = spec[e > e.max() * 10 ** (-40 / 10)]  # active frames, within 40 dB of the loudest
    f = np.fft.rfftfreq(n_fft, 1 / RATE)
    # power on the 1/48-octave grid: mean of the bins within +-1/96 octave (at least the nearest)
    out = np.empty((spec.shape[0], GRID.size))
    for i, g in enumerate(GRID):
        sel = np.abs(np.log2(np.maximum(f, 1e-9) / g)) <= 1 / 96
        out[:, i] = spec[:, sel].mean(axis=1) if sel.any() else spec[:, int(np.argmin(np.abs(f - g)))]
    return out


def relative(p: np.ndarray) -> np.ndarray:
    """dB over the one-octave running median, after +-1/24-octave smoothing (along the last axis)."""
    sm = uniform_filter1d(p, size=5, axis=-1, mode="nearest")
    db = 10 * np.log10(np.maximum(sm, 1e-30))
    return db - median_filter(db, size=(1, 49) if db.ndim == 2 else 49, mode="nearest")


def profiles(x: np.ndarray) -> dict[str, np.ndarray]:
    p = frame_levels(x)
    r = relative(p)
    return {"frames": np.median(r, axis=0), "frames-p25": np.percentile(r, 25, axis=0),
            "ltas": relative(p.mean(axis=0))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", action="append", default=None)
    a = ap.parse_args(argv)
    inj = injections(tuple(a.source or ("espeak:tuning",)))
    region = (GRID >= REGION[0]) & (GRID < REGION[1])
    found: dict[str, list[float]] = {}
    dry: dict[str, list[float]] = {}
    for st, f0, g, q in inj:
        x = st.read()
        near = np.abs(np.log2(GRID / f0)) <= 1 / 24
        for k, prof in profiles(Q.peaking(x, f0, g, q)).items():
            found.setdefault(k, []).append(float(prof[near].max()))
        for k, prof in profiles(x).items():
            dry.setdefault(k, []).append(float(prof[region].max()))
        print(f"  {st.id}: {f0:.0f} Hz +{g:.1f} Q {q:.1f}: " + " ".join(
            f"{k} {found[k][-1]:.1f}/{dry[k][-1]:.1f}" for k in found), file=sys.stderr)
    print(f"{len(inj)} voice stems; injections found (>= T at the centre) / dry stems >= T in "
          f"{REGION[0]:.0f}-{REGION[1]:.0f} Hz")
    for k in found:
        cells = [f"T {t:g}: {sum(h >= t for h in found[k]):2d}/{sum(h >= t for h in dry[k]):2d}" for t in THRESHOLDS]
        print(f"  {k:11s} " + "   ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
