"""Dynamics speed: what reading the crest factor from the true peak costs auto-compress.

Run ``python bench/bench_dynamics.py``. ``analysis.dynamics.measure_dynamics`` reads the crest
from the true peak (BS.1770-4 Annex 2, since the crest from the sample peak depended on the session
rate); the reference, in the same process, is the same loudness pass with the sample peak only.
Prints seconds (median of 5 runs) for a 4-minute stereo signal at 44.1, 48 and 96 kHz and the
ratio true peak / sample peak (1.0 = free).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_tone import timed  # noqa: E402
from reaper_assist.analysis.dynamics import dynamics_from_granules, measure_dynamics  # noqa: E402
from reaper_assist.analysis.loudness import measure_loudness_stream  # noqa: E402

SECONDS = 240
RUNS = 5


def _median_s(fn) -> float:
    fn()  # compile / warm up
    return timed(fn, RUNS)


def main() -> int:
    for rate in (44100, 48000, 96000):
        x = np.random.default_rng(1).standard_normal((2, rate * SECONDS)) * 0.1

        def sample_peak_only(x=x, rate=rate):
            loud, gran = measure_loudness_stream([x], rate, true_peak=False, granule_peaks=True)
            dynamics_from_granules(gran, loud)

        ref = _median_s(sample_peak_only)
        ours = _median_s(lambda x=x, rate=rate: measure_dynamics(x, rate))
        print(f"{rate} Hz, {SECONDS} s stereo: sample peak {ref:.3f} s, true peak (measure_dynamics) {ours:.3f} s, "
              f"ratio {ours / ref:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
