"""Can a bass line's sub-harmonic pitch runs be told from its notes by their own partials? (issue 13 point 3, a record)

Run: ``python bench/proto_subharmonic_runs.py`` (tuning split only; with ``REAPER_ASSIST_CORPUS_SECONDS=32``
and ``REAPER_ASSIST_CORPUS`` for the 32 s stems). Not product code: it measures an idea before any
wiring (docs/quality.md, "2026-12-07 (eleventh part)").

On the 32 s tuning stems two monophonic bass lines read their lowest note three or four semitones
under the lowest one they play: pYIN held 32.7 or 34.7 Hz for 4-9 frames, at voicing probabilities
over the 5 % floor. The idea tested: a tracker's /3 error has no energy of its own at 2 f0, where a
played note has its second partial (the runs turned out to be octave errors instead: their 2 f0 is
a played note, and only their f0 is missing). Here, for every held run of
``pitch.pitch_track`` (``pitch.held_runs``: 3 frames or more within a semitone, the runs
``fundamentals`` takes its notes from) on
every bass stem with MIDI notes, the run's median level at f0 and at 2 f0 (the largest bin within
1/24 octave, Hann frames of pYIN's own 1024 samples at 8 kHz, zero-padded to 8192, no pre-filter),
each over the frame's strongest bin in 30-400 Hz. Runs within a semitone of a MIDI note are
"notes"; runs more than a semitone from every MIDI note are "errors". Printed: the percentiles of
each reading per group, every error run, and how many note runs have a fundamental as weak as an
error run's.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import librosa
import numpy as np

from bench import corpus as K
from reaper_assist.analysis import pitch as P

PAD = 8192


def levels(frames: np.ndarray, f_hz: float) -> np.ndarray:
    """Each frame's largest bin within 1/24 octave of ``f_hz`` over its strongest in 30-400 Hz, dB."""
    spec = np.abs(np.fft.rfft(frames * np.hanning(P.FRAME_LENGTH + 1)[:-1], n=PAD, axis=-1)) ** 2
    freqs = np.fft.rfftfreq(PAD, 1.0 / P.ANALYSIS_RATE)
    near = np.abs(np.log2(np.maximum(freqs, 1e-9) / f_hz)) <= 1 / 24
    band = (freqs >= 30.0) & (freqs <= 400.0)
    return 10 * np.log10(np.maximum(spec[:, near].max(axis=1), 1e-30) / np.maximum(spec[:, band].max(axis=1), 1e-30))


def main() -> int:
    groups: dict[str, dict[str, list[float]]] = {"notes": {"f0": [], "2f0": []}, "errors": {"f0": [], "2f0": []}}
    hop = int(P.HOP_S * P.ANALYSIS_RATE)
    for st in K.stems("tuning"):
        if st.label != "bass" or not st.fundamentals_hz:
            continue
        x = st.read()
        track = P.pitch_track(x, K.RATE, min_voiced_probability=P.MONOPHONIC_MIN_VOICED_PROBABILITY)
        mono = x.mean(axis=0)
        y = librosa.resample(mono, orig_sr=K.RATE, target_sr=P.ANALYSIS_RATE)
        y = P.active_excerpt(y, P.ANALYSIS_RATE, max_seconds=30.0)  # the frames pitch_track read
        for a, b in P.held_runs(track.f0_hz):
            f = float(np.median(track.f0_hz[a:b]))
            idx = (np.arange(a, b) * hop)[:, None] + np.arange(P.FRAME_LENGTH)
            frames = y[idx[idx[:, -1] < y.size]]
            if not frames.size:
                continue
            near_note = min(abs(12 * math.log2(f / n)) for n in st.fundamentals_hz) <= 1.0
            g = groups["notes" if near_note else "errors"]
            l1, l2 = float(np.median(levels(frames, f))), float(np.median(levels(frames, 2 * f)))
            g["f0"].append(l1)
            g["2f0"].append(l2)
            if not near_note:
                print(f"{st.id}: run of {b - a} frames at {f:.1f} Hz (lowest MIDI {min(st.fundamentals_hz):.1f}): "
                      f"f0 {l1:.1f} dB, 2 f0 {l2:.1f} dB under the frame's strongest", flush=True)
    if groups["errors"]["f0"]:
        top = max(groups["errors"]["f0"])
        weak = [v for v in groups["notes"]["f0"] if v <= top]
        print(f"{K.RATE} Hz, note runs whose f0 is as weak as an error's or weaker (<= {top:.1f} dB): {len(weak)} of "
              f"{len(groups['notes']['f0'])}")
    for name, g in groups.items():
        for k, v in g.items():
            print(f"{K.RATE} Hz, {name} ({len(v)} runs), level at {k} (dB under the strongest), percentiles "
                  "0 / 5 / 25 / 50 / 95 / 100: " + (" / ".join(f"{p:.1f}" for p in np.percentile(v, [0, 5, 25, 50, 95, 100]))
                                                     if v else "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
