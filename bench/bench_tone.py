"""Cost of the auto-EQ analysis per track: the pitch tracking (pYIN, bounded to 30 s of active
audio) against the long-term spectrum it comes beside, on a 3-minute stereo 48 kHz bass line.

Run: ``python bench/bench_tone.py [--minutes 3] [--repeat 3]``. Prints the median seconds of
``long_term_spectrum`` (the reference), ``fundamentals`` (pYIN + lines + events) and the whole
``eq_decision.decide``, each as a ratio to the reference, and the first call of ``fundamentals``
in the process separately (librosa's pYIN compiles with numba on first use: first-press latency).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reaper_assist.analysis.pitch import fundamentals  # noqa: E402
from reaper_assist.analysis.spectrum import find_resonances, long_term_spectrum  # noqa: E402
from reaper_assist.rules import eq_decision  # noqa: E402

SR = 48000


def bass_line(minutes: float) -> np.ndarray:
    rng = np.random.default_rng(1)
    notes = 440.0 * 2 ** ((rng.integers(28, 48, size=int(minutes * 120)) - 69) / 12)
    t = np.arange(SR // 2) / SR
    x = np.concatenate([sum(np.sin(2 * np.pi * k * f * t) / k for k in range(1, 8)) for f in notes])
    x = 0.2 * x / np.max(np.abs(x)) + 0.003 * rng.standard_normal(x.size)
    return np.stack([x, 0.8 * x])


def timed(fn, repeat: int) -> float:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    x = bass_line(args.minutes)
    t0 = time.perf_counter()
    fundamentals(x, SR)
    first = time.perf_counter() - t0
    ref = timed(lambda: long_term_spectrum(x, SR), args.repeat)
    fund = timed(lambda: fundamentals(x, SR), args.repeat)
    spec = long_term_spectrum(x, SR)
    res = find_resonances(spec, min_excess_db=3.0, max_count=12)
    fu = fundamentals(x, SR)
    tf = eq_decision.TrackFundamentals(fu.lowest_hz, fu.highest_hz, fu.source, tuple(fu.note_lines_hz))
    row = {"highpass_hz": 60, "tonal": True, "rumble_drop_db": 6.0, "highpass_max_sections": 3}
    decide = timed(lambda: eq_decision.decide(spec, res, tf, row, 1.0), args.repeat)
    print(f"{args.minutes:g} min stereo 48 kHz, median of {args.repeat}")
    print(f"  long_term_spectrum (reference)     {ref:7.3f} s   1.00")
    print(f"  fundamentals (pYIN <= 30 s + lines) {fund:7.3f} s  {fund / ref:5.2f} x")
    print(f"  eq_decision.decide (rules + loop)   {decide:7.3f} s  {decide / ref:5.2f} x")
    print(f"  first fundamentals call in process  {first:7.3f} s  {first / ref:5.2f} x (numba compile)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
