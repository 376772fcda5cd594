"""Can a riff's low note without a spectral line be kept by its pYIN runs? (issue 13 point 3, a record)

Run: ``python bench/proto_riff_runs.py`` (tuning split only; with ``REAPER_ASSIST_CORPUS_SECONDS``,
``REAPER_ASSIST_CORPUS_RATE`` and ``REAPER_ASSIST_CORPUS`` for the other corpora). Not product code:
nothing here is used by ``reaper_assist``; it keeps the figures of docs/quality.md's "2026-12-08"
section reproducible.

On the 32 s tuning stems at 44.1 kHz two overdriven riffs lose 1.3-1.4 dB at their lowest notes,
which have no line of their own; pYIN holds runs at those notes, and the chord correction moves
them up to their lowest partial that is a line. The idea measured: for a chord part read from its
pitch, the lowest note is no higher than the lowest held run of the *uncorrected* pYIN track that
lies at or over a floor (Hz) and whose 2x and 3x are spectral lines. Per floor, on every tonal tuning
stem with MIDI notes, dry and under one seeded rumble (``proto_line_precision``'s draw), the
lowest note auto-EQ would keep against the lowest MIDI note: within a semitone, above (the dangerous
side), below, or the rumble read as a note. ``none`` is the product as it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench import corpus as K
from bench import quality as Q
from bench.proto_line_precision import _rumbled, tally_readings
from reaper_assist.analysis import pitch as P
from reaper_assist.app import auto_eq
from reaper_assist.app.assist_common import load_table, row_for

FLOORS = (None, 50.0, 55.0, 60.0, 65.0)


def kept_lowest(sig: np.ndarray, row: dict, floor: float | None) -> float | None:
    """The lowest note auto-EQ keeps (``auto_eq.fundamentals_for_row``), with the idea applied over
    ``floor`` (None: as it is)."""
    fu = P.fundamentals(sig, K.RATE, monophonic=bool(row.get("monophonic")))
    lo = auto_eq.fundamentals_for_row(fu, row).lowest_hz
    if floor is not None and fu.source == "pitch" and not row.get("monophonic") and lo is not None:
        f0 = fu.pitch.f0_hz
        for a, b in P.held_runs(f0):
            m = float(np.median(f0[a:b]))
            if floor <= m < lo * 2 ** (-1 / 24) and P._has_line(fu.lines_hz, 2 * m) and P._has_line(fu.lines_hz, 3 * m):
                lo = m
    return lo


def main() -> int:
    table = load_table("auto-eq")
    rng = np.random.default_rng(7)
    tally = {f: dict.fromkeys(("within", "above", "below", "untracked", "rumble read"), 0) for f in FLOORS}
    for st in K.stems("tuning"):
        if st.label not in Q.TONAL or not st.fundamentals_hz:
            continue
        row, _ = row_for(table, st.label)
        x = st.read()
        low = min(st.fundamentals_hz)
        y, fc = _rumbled(x, rng)
        tally_readings(st.id, (x, y, fc), low, {f: (lambda sig, f=f, r=row: kept_lowest(sig, r, f)) for f in FLOORS},
                       tally)
    print(f"\n{K.RATE} Hz, lowest note kept (dry and rumbled stems), per floor")
    for floor, t in tally.items():
        print(f"  {floor}: " + ", ".join(f"{k} {v}" for k, v in t.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
