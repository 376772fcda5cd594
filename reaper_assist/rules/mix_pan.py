"""Auto-pan decisions, pure, in the spirit of Perez-Gonzalez & Reiss 2010 (table
``rules/tables/auto-pan.json``): the focus and the low end centred; spectrally similar sources in
pairs on opposite sides at mirrored positions; the others alternated to the lighter side; wider
for higher (spectral centroid) and less important sources; stereo sources kept where they are.

The app estimates the mono compatibility of the panned mix with :data:`PAN_LAW`
(docs/unverified.md) and :mod:`reaper_assist.analysis.stereo`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MIN_WIDTH = 0.3  # the narrowest side position (-1..1 pan units) of a source that is not centred
MAX_WIDTH = 0.7  # the widest: a balance-law pan of 0.7 folds down to mono 1.1 dB quieter (< 3 dB)
CENTROID_HZ = (250.0, 4000.0)  # centroids mapped onto the width range (log scale)
SIMILAR_DB = 10.0  # RMS difference of two spectra's shapes (spectral_distance_db) under which they pair
SPECTRUM_RANGE_DB = 40.0  # the part of a spectrum compared: within this of its loudest band
STEREO_SIDE_DB = -20.0  # side/mid energy above this: a stereo source (kept)
PAN_TOL = 0.005  # a pan change under this is "at target"
PAN_LAW = "balance, 0 dB centre, linear taper (the emulator's; REAPER's default is not published)"


@dataclass(frozen=True)
class PanSource:
    guid: str
    name: str
    instrument: str
    centroid_hz: float
    band_db: np.ndarray  # third-octave levels, dB
    side_db: float  # side/mid energy ratio of its pre-FX audio, dB
    weight: float  # linear energy, for balancing the sides
    focus: bool = False


@dataclass
class PanChoice:
    pan: float | None  # None: kept as it is
    why: str
    evidence: dict[str, Any] = field(default_factory=dict)


def _width(src: PanSource, row: dict[str, Any]) -> float:
    lo, hi = (math.log2(f) for f in CENTROID_HZ)
    c = min(max((math.log2(max(src.centroid_hz, 1.0)) - lo) / (hi - lo), 0.0), 1.0)
    imp = min(max(float(row.get("importance", 0.5)), 0.0), 1.0)
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * (0.5 * c + 0.5 * (1.0 - imp))


def spectral_distance_db(a: np.ndarray, b: np.ndarray) -> float:
    """RMS difference of two third-octave spectra's shapes, dB: each floored at
    :data:`SPECTRUM_RANGE_DB` under its loudest band (bands where neither plays do not count),
    and levelled by its mean over the bands where either plays."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if not (np.any(np.isfinite(a)) and np.any(np.isfinite(b))):
        return math.inf
    fa = np.maximum(np.nan_to_num(a, neginf=-300.0), np.nanmax(a[np.isfinite(a)]) - SPECTRUM_RANGE_DB)
    fb = np.maximum(np.nan_to_num(b, neginf=-300.0), np.nanmax(b[np.isfinite(b)]) - SPECTRUM_RANGE_DB)
    on = (fa > fa.min()) | (fb > fb.min())
    if not np.any(on):
        return math.inf
    d = (fa[on] - fa[on].mean()) - (fb[on] - fb[on].mean())
    return float(np.sqrt(np.mean(d**2)))


def plan_pans(sources: list[PanSource], table: dict[str, dict[str, Any]], amount: float) -> dict[str, PanChoice]:
    """{guid: PanChoice}: centred, kept (stereo) or placed at a side."""
    out: dict[str, PanChoice] = {}
    free: list[PanSource] = []
    for s in sources:
        row = {**table.get("generic", {}), **table.get(s.instrument, {})}
        if s.focus or row.get("centre"):
            out[s.guid] = PanChoice(0.0, "the focus: centred" if s.focus else f"{s.instrument}: centred (low end/lead)")
        elif s.side_db > STEREO_SIDE_DB:
            out[s.guid] = PanChoice(None, f"a stereo source (side {s.side_db:.1f} dB under mid): its pan is kept",
                                    {"side_to_mid_db": s.side_db})
        else:
            free.append(s)
    rows = {s.guid: {**table.get("generic", {}), **table.get(s.instrument, {})} for s in free}
    pairs = []
    cand = sorted(((spectral_distance_db(a.band_db, b.band_db), i, j) for i, a in enumerate(free)
                   for j, b in enumerate(free) if i < j), key=lambda x: x[0])
    used: set[int] = set()
    for d, i, j in cand:
        if d <= SIMILAR_DB and i not in used and j not in used:
            pairs.append((d, free[i], free[j]))
            used |= {i, j}
    load = {-1: 0.0, 1: 0.0}
    for d, a, b in pairs:
        w = 0.5 * (_width(a, rows[a.guid]) + _width(b, rows[b.guid])) * amount
        for s, side, other in ((a, -1, b), (b, 1, a)):
            out[s.guid] = PanChoice(side * w, f"{s.instrument}: mirrored with {other.name!r} (spectra {d:.1f} dB "
                                    f"apart), {'left' if side < 0 else 'right'} {w:.2f}",
                                    {"pair": other.name, "spectral_distance_db": d, "width": w,
                                     "centroid_hz": s.centroid_hz})
            load[side] += s.weight
    for s in sorted((s for k, s in enumerate(free) if k not in used), key=lambda s: -s.weight):
        side = -1 if load[-1] <= load[1] else 1
        w = _width(s, rows[s.guid]) * amount
        out[s.guid] = PanChoice(side * w, f"{s.instrument}: no similar partner; to the lighter side, "
                                f"{'left' if side < 0 else 'right'} {w:.2f}", {"width": w, "centroid_hz": s.centroid_hz})
        load[side] += s.weight
    return out


def pan_gains(pan: float) -> tuple[float, float]:
    """Left/right gains under :data:`PAN_LAW`."""
    p = min(max(pan, -1.0), 1.0)
    return (1.0 - max(p, 0.0), 1.0 + min(p, 0.0))
