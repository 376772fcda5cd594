"""Realistic instrument stems, offline: General MIDI parts rendered with fluidsynth and a SoundFont
when those are installed (Debian: fluidsynth, timgm6mb-soundfont), synthesised otherwise.

Rendering is deterministic (fluidsynth with reverb and chorus off), so a stem rendered twice is
byte-identical (material.md).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

SOUNDFONTS = ("/usr/share/sounds/sf2/TimGM6mb.sf2", "/usr/share/sounds/sf2/FluidR3_GM.sf2",
              "/usr/share/sounds/sf2/default-GM.sf2")
BPM = 120.0
BEAT_S = 60.0 / BPM


@dataclass(frozen=True)
class Part:
    name: str  # track name
    program: int | None  # GM program (0-based); None = drums on channel 10
    notes: tuple[tuple[float, float, int, int], ...]  # (start beat, length beats, note, velocity)


def _bars(pattern, bars: int, beats_per_bar: int = 4):
    out = []
    for b in range(bars):
        for start, length, note, vel in pattern:
            out.append((b * beats_per_bar + start, length, note, vel))
    return tuple(out)


def song_parts(bars: int) -> list[Part]:
    kick = _bars([(0, 0.5, 36, 120), (1.5, 0.5, 36, 100), (2, 0.5, 36, 120)], bars)
    snare = _bars([(1, 0.5, 38, 110), (3, 0.5, 38, 115)], bars)
    hats = _bars([(i * 0.5, 0.25, 42, 70 + (i % 2) * 20) for i in range(8)], bars)
    toms = tuple((b * 4 + 3 + k * 0.25, 0.25, n, 105) for b in range(3, bars, 4) for k, n in enumerate((50, 47, 45, 43)))
    roots = [40, 45, 43, 38]  # E A G D
    bass = _bars([], 0) + tuple((b * 4 + s, 0.45, roots[b % 4], 100) for b in range(bars) for s in (0, 1, 2, 2.5, 3))
    chords = {40: (52, 55, 59), 45: (57, 60, 64), 43: (55, 59, 62), 38: (50, 54, 57)}
    keys = tuple((b * 4 + s, 0.9, n, 80) for b in range(bars) for s in (0, 2) for n in chords[roots[b % 4]])
    pad = tuple((b * 4, 4.0, n + 12, 70) for b in range(bars) for n in chords[roots[b % 4]])
    melody = [64, 67, 69, 67, 64, 62, 64, 59]
    lead = tuple((b * 4 + k * 0.5, 0.45, melody[(b + k) % 8] + 12, 95) for b in range(bars) for k in range(8) if k % 3 != 2)
    return [
        Part("Kick", None, kick), Part("Snare", None, snare), Part("HH", None, hats), Part("Toms", None, toms),
        Part("Bass", 33, bass), Part("Keys", 0, keys), Part("Pad", 89, pad), Part("Lead Synth", 81, lead),
    ]


def soundfont() -> str | None:
    if shutil.which("fluidsynth") is None:
        return None
    return next((f for f in SOUNDFONTS if Path(f).is_file()), None)


def _write_midi(part: Part, path: Path) -> None:
    import mido

    mid = mido.MidiFile(ticks_per_beat=480)
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    ch = 9 if part.program is None else 0
    tr.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(BPM), time=0))
    if part.program is not None:
        tr.append(mido.Message("program_change", program=part.program, channel=ch, time=0))
    events = []
    for start, length, note, vel in part.notes:
        events.append((int(start * 480), 1, mido.Message("note_on", note=note, velocity=vel, channel=ch)))
        events.append((int((start + length) * 480), 0, mido.Message("note_off", note=note, velocity=0, channel=ch)))
    events.sort(key=lambda e: (e[0], e[1]))
    now = 0
    for tick, _, msg in events:
        tr.append(msg.copy(time=tick - now))
        now = tick
    mid.save(path)


def render_part(part: Part, path: Path, *, sample_rate: int = 48000, seconds: float) -> str:
    """Write the part as a stereo float WAV of exactly ``seconds``; returns how it was made."""
    font = soundfont()
    n = int(round(seconds * sample_rate))
    if font is not None:
        with tempfile.TemporaryDirectory() as d:
            mid = Path(d) / "part.mid"
            raw = Path(d) / "raw.wav"
            _write_midi(part, mid)
            subprocess.run(["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "1.0", "-r", str(sample_rate),
                            "-O", "float", "-T", "wav", "-F", str(raw), font, str(mid)],
                           check=True, capture_output=True, timeout=120)
            x, _ = sf.read(raw, dtype="float64", always_2d=True)
        how = f"fluidsynth + {Path(font).name}"
    else:
        x = synthesise(part, sample_rate, seconds)
        how = "synthesised (fluidsynth/SoundFont not installed)"
    out = np.zeros((n, 2))
    m = min(n, x.shape[0])
    out[:m] = x[:m, :2] if x.shape[1] >= 2 else np.repeat(x[:m], 2, axis=1)
    sf.write(path, out, sample_rate, subtype="FLOAT")
    return how


def synthesise(part: Part, sr: int, seconds: float) -> np.ndarray:
    """A plain stand-in when no SoundFont is available: decaying partials or noise bursts."""
    n = int(round(seconds * sr))
    x = np.zeros(n)
    rng = np.random.default_rng(zlib.crc32(part.name.encode()))  # stable across runs (hash() is salted)
    for start, length, note, vel in part.notes:
        i0 = int(start * BEAT_S * sr)
        if i0 >= n:
            continue
        dur = int(min(length * BEAT_S, 2.0) * sr)
        t = np.arange(min(dur, n - i0)) / sr
        a = vel / 127.0
        if part.program is None:
            if note == 36:
                sig = np.sin(2 * np.pi * (50 + 80 * np.exp(-t * 30)) * t) * np.exp(-t * 8)
            elif note in (38, 42):
                sig = rng.standard_normal(t.size) * np.exp(-t * (20 if note == 38 else 60))
            else:
                sig = np.sin(2 * np.pi * 440 * 2 ** ((note - 69) / 12) * t) * np.exp(-t * 6)
        else:
            f0 = 440 * 2 ** ((note - 69) / 12)
            sig = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in (1, 2, 3)) * np.exp(-t * 1.5)
        x[i0:i0 + t.size] += a * sig
    peak = np.max(np.abs(x)) or 1.0
    x = 0.5 * x / peak
    return np.stack([x, x], axis=1)
