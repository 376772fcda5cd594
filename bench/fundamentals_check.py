"""How well ``analysis.pitch.fundamentals`` reads a part's lowest note, and what auto-EQ's high-pass
then takes off a voice's own low pitch (issue 13 point 3).

Run: ``python bench/fundamentals_check.py [--source NAME ...]`` (default: the tuning split's GM fonts
and espeak voices; the evaluation split is never used to choose anything). Not product code: the
figures of docs/quality.md's 2026-12-07 section kept reproducible.

* tonal stems with MIDI notes: the lowest fundamental read (source "pitch" only; the row's
  ``monophonic`` flag) against the lowest MIDI note: within a semitone, more than a semitone
  above (the dangerous side: a high-pass can reach the note), below, or untracked;
* voices (no MIDI): the loss through auto-EQ's decided high-pass bands at the voice's own low
  pitch (10th percentile of librosa's pYIN, 50-400 Hz, on the dry stem), each band taken as an
  analogue second-order high-pass whose Q follows the band's bandwidth as the RBJ cookbook's.
"""

from __future__ import annotations

import argparse
import collections
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench import corpus as K
from reaper_assist.analysis.pitch import fundamentals
from reaper_assist.app import auto_eq
from reaper_assist.app.assist_common import TrackSource, load_table, row_for
from reaper_assist.rules.tone import HIGH_PASS

DEFAULT_SOURCES = ("timgm6mb", "musescore-lite", "csound-gmbank", "espeak:tuning")
DRUMS = ("kick", "snare", "tom", "hihat", "drums")


def lowest_reading(st: K.Stem, row: dict) -> str:
    fu = fundamentals(st.read(), K.RATE, monophonic=bool(row.get("monophonic")))
    if fu.source != "pitch" or fu.lowest_hz is None:
        return "untracked"
    semis = 12 * math.log2(fu.lowest_hz / min(st.fundamentals_hz))
    return "within a semitone" if abs(semis) <= 1 else ("above" if semis > 0 else "below")


def highpass_loss_db(bands, freq_hz: float) -> float:
    total = 0.0
    for b in bands:
        if b.enabled and b.band_type == HIGH_PASS:
            q = 1 / (2 * math.sinh(math.log(2) / 2 * b.bw_oct))
            r = freq_hz / b.freq_hz
            total += -20 * math.log10(r * r / math.sqrt((1 - r * r) ** 2 + (r / q) ** 2))
    return total


def voice_loss_db(st: K.Stem, row: dict) -> float | None:
    import librosa

    x = st.read()
    f0, voiced, _ = librosa.pyin(x.mean(axis=0), fmin=50.0, fmax=400.0, sr=K.RATE, frame_length=4096)
    if np.count_nonzero(voiced) < 20:
        return None
    _, _, _, d = auto_eq.analyse(TrackSource(x.astype(np.float32), K.RATE, "", st.label), row, st.id, 1.0)
    return highpass_loss_db(d.bands, float(np.percentile(f0[voiced], 10)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", action="append", help="corpus sources (repeatable)")
    args = ap.parse_args(argv)
    table = load_table("auto-eq")
    counts: collections.Counter = collections.Counter()
    losses: list[float] = []
    for name in args.source or DEFAULT_SOURCES:
        src = next(s for s in K.sources() if s.name == name)
        for st in K.build_source(src):
            if st.role != "stem" or st.label in DRUMS:
                continue
            row, _ = row_for(table, st.label)
            if st.fundamentals_hz:
                counts[lowest_reading(st, row)] += 1
            elif st.label == "vocal" and (loss := voice_loss_db(st, row)) is not None:
                losses.append(loss)
    n = sum(counts.values())
    print(f"lowest note read, {n} tonal stems with MIDI notes: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if losses:
        print(f"voices: high-pass loss at their 10th-percentile pitch, {len(losses)} voices: "
              f"> 1 dB on {sum(v > 1.0 for v in losses)}, largest {max(losses):.2f} dB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
