"""Test material for denoise (issue 19): real stems (espeak-ng speech, a fluidsynth bass playing A1 and
a piano) with mains hum (50 or 60 Hz and harmonics, fundamental at -40 dBFS) or hiss (white or pink,
-50 dBFS RMS) added. Every component is kept apart, so the tests know the right answer."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from tests.analysis.stems import require_fluidsynth
from tests.automation.material import say

SR = 48000
SECONDS = 6.0
HUM_DBFS = -40.0  # the fundamental's RMS (issue 19)
HISS_DBFS = -50.0  # RMS (issue 19)
# harmonic k -> its level against the fundamental (odd ones stronger: a rectifier's buzz)
HUM_SHAPE_DB = {1: 0.0, 2: -6.0, 3: -3.0, 4: -12.0, 5: -8.0, 6: -18.0, 7: -14.0, 8: -24.0}


def _fit(x: np.ndarray, n: int) -> np.ndarray:
    return np.pad(x, (0, max(0, n - x.size)))[:n]


def speech(seconds: float = SECONDS) -> np.ndarray:
    """espeak-ng phrases with pauses between them, the first phrase at -20 dBFS RMS."""
    gap = np.zeros(int(0.6 * SR))
    parts = [gap[: int(0.3 * SR)]]
    for text in ("She sells sea shells by the sea shore.", "The mist is passing slowly.",
                 "Fresh fish sizzles on the stove."):
        parts += [say(text), gap]
    x = _fit(np.concatenate(parts), int(seconds * SR))
    return x * 10 ** (-20 / 20) / np.sqrt(np.mean(x[x != 0] ** 2))


def _fluidsynth(notes: list[tuple[float, int, float]], program: int, seconds: float) -> np.ndarray:
    """``notes`` (start beat at 120 bpm, MIDI note, length in beats) played by GM ``program``."""
    import mido

    mid = mido.MidiFile(ticks_per_beat=480)
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    tr.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(120)))
    tr.append(mido.Message("program_change", program=program, time=0))
    ev = sorted([(int(b * 480), 1, n) for b, n, _ in notes] + [(int((b + d) * 480), 0, n) for b, n, d in notes])
    now = 0
    for tick, on, n in ev:
        tr.append(mido.Message("note_on" if on else "note_off", note=n, velocity=100 if on else 0, time=tick - now))
        now = tick
    exe = require_fluidsynth()
    with tempfile.TemporaryDirectory() as d:
        m, w = Path(d) / "p.mid", Path(d) / "p.wav"
        mid.save(m)
        subprocess.run([exe, "-ni", "-q", "-R", "0", "-C", "0", "-r", str(SR), "-O", "float", "-F", str(w),
                        "/usr/share/sounds/sf2/TimGM6mb.sf2", str(m)], check=True, capture_output=True, timeout=60)
        x, _ = sf.read(w, dtype="float64", always_2d=True)
    y = _fit(x.mean(axis=1), int(seconds * SR))
    return y * 10 ** (-20 / 20) / np.sqrt(np.mean(y ** 2))


def bass_a1(seconds: float = SECONDS) -> np.ndarray:
    """A finger bass playing A1 (55 Hz) mostly, with E2 and G1 between: a played harmonic series at 55 Hz."""
    seq = [33, 33, 40, 33, 31, 33, 33, 40, 33, 33, 31, 33]
    return _fluidsynth([(i * 1.0, n, 0.9) for i, n in enumerate(seq)], 33, seconds)


def piano(seconds: float = SECONDS) -> np.ndarray:
    """Piano chords, each held 1.6 beats then a rest: pauses in which only hiss would sound."""
    chords = [(48, 52, 55, 60), (53, 57, 60, 65), (55, 59, 62, 67), (48, 52, 55, 60)]
    notes = [(3.0 * i, n, 1.6) for i, c in enumerate(chords) for n in c]
    return _fluidsynth(notes, 0, seconds)


def hum(f0: float, n: int, level_dbfs: float = HUM_DBFS, seed: int = 5) -> np.ndarray:
    t = np.arange(n) / SR
    ph = np.random.default_rng(seed).uniform(0, 2 * np.pi, len(HUM_SHAPE_DB) + 1)
    return sum(np.sqrt(2) * 10 ** ((level_dbfs + a) / 20) * np.sin(2 * np.pi * k * f0 * t + ph[k])
               for k, a in HUM_SHAPE_DB.items())


def hiss(n: int, color: str = "white", level_dbfs: float = HISS_DBFS, seed: int = 7) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal(n)
    if color == "pink":  # 1/f power: -3 dB per octave
        f = np.fft.rfftfreq(n, 1 / SR)
        x = np.fft.irfft(np.fft.rfft(x) / np.sqrt(np.maximum(f, 20.0)), n)
    return x * 10 ** (level_dbfs / 20) / np.sqrt(np.mean(x ** 2))
