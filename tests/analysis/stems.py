"""Labelled instrument stems rendered from real SoundFont material (fluidsynth + mido).

Each stem is one part rendered alone, with its name withheld from the recogniser. The
recogniser is trained by ``scripts/train_recognizer.py`` on the tuning split of the issue-13
corpus (TimGM6mb is one of its sources) and measured on the evaluation split by
``bench/quality.py``; these stems (other MIDI patterns) are a quick check of the audio path.
Run ``python tests/analysis/stems.py --report`` to print the accuracy and confusion.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TIMGM_SF2 = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")
FLUIDR3_SF2 = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
RATE = 48000
TEMPO_BPM = 110
TICKS = 480
APT_HINT = "apt-get install -y fluidsynth timgm6mb-soundfont (see .ci/apt-packages-analysis.txt)"


@dataclass(frozen=True)
class Stem:
    label: str
    part: str  # what was rendered, for reports
    path: Path


# label -> list of (part name, channel, program or None for drums, kind)
PARTS: dict[str, list[tuple[str, int, int | None, str]]] = {
    "kick": [("kick 36", 9, None, "kick36"), ("kick 35", 9, None, "kick35")],
    "snare": [("snare 38", 9, None, "snare38"), ("snare 40", 9, None, "snare40")],
    "hihat": [("hat closed", 9, None, "hat42"), ("hat mixed", 9, None, "hat4246")],
    "tom": [("toms", 9, None, "toms"), ("floor tom", 9, None, "floortom")],
    "drums": [("kit rock", 9, None, "kit"), ("kit half", 9, None, "kithalf")],
    "bass": [
        ("finger bass", 0, 33, "bass"),
        ("pick bass", 0, 34, "bass"),
        ("synth bass", 0, 38, "bass"),
        ("acoustic bass", 0, 32, "bass"),
    ],
    "keys": [
        ("piano", 0, 0, "chords"),
        ("e-piano", 0, 4, "chords"),
        ("organ", 0, 16, "chords"),
        ("bright piano", 0, 1, "chords"),
    ],
    "guitar": [
        ("steel gtr", 0, 25, "strum"),
        ("clean gtr", 0, 27, "strum"),
        ("overdrive gtr", 0, 29, "riff"),
        ("nylon gtr", 0, 24, "strum"),
    ],
    "pad": [
        ("warm pad", 0, 89, "pad"),
        ("polysynth pad", 0, 90, "pad"),
        ("new age pad", 0, 88, "pad"),
    ],
    "strings": [
        ("strings", 0, 48, "pad"),
        ("slow strings", 0, 49, "pad"),
        ("synth strings", 0, 50, "pad"),
    ],
    "synth": [
        ("square lead", 0, 80, "lead"),
        ("saw lead", 0, 81, "lead"),
        ("charang lead", 0, 84, "lead"),
    ],
}


def _midi(kind: str, channel: int, program: int | None, seconds: float, rng) -> object:
    import mido

    mid = mido.MidiFile(ticks_per_beat=TICKS)
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    tr.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(TEMPO_BPM)))
    if program is not None:
        tr.append(mido.Message("program_change", channel=channel, program=program, time=0))
    beats = int(seconds * TEMPO_BPM / 60)
    events: list[tuple[int, int, int, int]] = []  # (tick, note, velocity, length)

    def hit(beat: float, note: int, vel: int, length: float = 0.25) -> None:
        events.append((int(beat * TICKS), note, int(np.clip(vel, 1, 127)), int(length * TICKS)))

    v = lambda base: base + int(rng.integers(-15, 10))
    if kind in ("kick36", "kick35"):
        note = 36 if kind == "kick36" else 35
        offs = [0, 1, 2, 3] if rng.random() < 0.5 else [0, 1.5, 2, 2.75]
        for b in range(0, beats, 4):
            for o in offs:
                hit(b + o, note, v(105))
    elif kind in ("snare38", "snare40"):
        note = 38 if kind == "snare38" else 40
        for b in range(0, beats, 4):
            hit(b + 1, note, v(110))
            hit(b + 3, note, v(110))
            if rng.random() < 0.4:
                hit(b + 3.75, note, v(70))
    elif kind in ("hat42", "hat4246"):
        step = 0.5 if rng.random() < 0.5 else 0.25
        for i in range(int(beats / step)):
            note = 46 if kind == "hat4246" and i % 8 == 7 else 42
            hit(i * step, note, v(85 if i % 2 == 0 else 65))
    elif kind in ("toms", "floortom"):
        notes = [50, 48, 47, 45, 43, 41] if kind == "toms" else [41, 43]
        for b in range(0, beats, 2):
            for i in range(4):
                hit(b + i * 0.25 + 1, notes[int(rng.integers(len(notes)))], v(100))
    elif kind in ("kit", "kithalf"):
        for b in range(0, beats, 4):
            for i in range(8):
                hit(b + i * 0.5, 42, v(80))
            kicks = [0, 2, 2.5] if kind == "kit" else [0, 1.75]
            for k in kicks:
                hit(b + k, 36, v(110))
            for s in [1, 3] if kind == "kit" else [2]:
                hit(b + s, 38, v(110))
            if b % 16 == 0:
                hit(b, 49, v(100))
    elif kind == "bass":
        root = 28 + int(rng.integers(0, 8))
        scale = [0, 3, 5, 7, 10, 12]
        b = 0.0
        while b < beats:
            length = float(rng.choice([0.5, 1.0, 1.0, 2.0]))
            hit(b, root + int(rng.choice(scale)), v(100), length * 0.9)
            b += length
    elif kind in ("chords", "strum", "riff", "pad"):
        roots = [48, 53, 55, 50, 45, 52]
        bar = 4
        for i, b in enumerate(range(0, beats, bar)):
            root = roots[(i + int(rng.integers(0, 3))) % len(roots)]
            chord = [root, root + 4 if rng.random() < 0.5 else root + 3, root + 7, root + 12]
            if kind == "pad":
                for n in chord:
                    hit(b, n, v(90), bar)
            elif kind == "riff":
                for k in range(8):
                    hit(b + k * 0.5, root - 12 + int(rng.choice([0, 7, 12])), v(105), 0.45)
            else:
                offs = [0, 1, 2, 3] if kind == "chords" else [0, 1, 1.5, 2.5, 3]
                for o in offs:
                    for j, n in enumerate(chord):
                        hit(b + o + (0.02 * j if kind == "strum" else 0), n, v(90), 0.9)
    elif kind == "lead":
        scale = [0, 2, 3, 5, 7, 8, 10, 12, 14, 15]
        base = 67 + int(rng.integers(-3, 4))
        b = 0.0
        while b < beats:
            length = float(rng.choice([0.25, 0.5, 0.5, 1.0, 1.5]))
            if rng.random() < 0.85:
                hit(b, base + int(rng.choice(scale)), v(100), length * 0.95)
            b += length
    else:  # pragma: no cover
        raise ValueError(kind)

    msgs = []
    for tick, note, vel, length in events:
        msgs.append((tick, 1, mido.Message("note_on", channel=channel, note=note, velocity=vel)))
        msgs.append(
            (
                tick + max(length, 1),
                0,
                mido.Message("note_off", channel=channel, note=note, velocity=0),
            )
        )
    msgs.sort(key=lambda m: (m[0], m[1]))
    now = 0
    for tick, _, msg in msgs:
        tr.append(msg.copy(time=tick - now))
        now = tick
    return mid


def require_fluidsynth(font: Path = TIMGM_SF2) -> str:
    exe = shutil.which("fluidsynth")
    if exe is None or not font.is_file():
        raise RuntimeError(
            f"instrument stems need fluidsynth and {font} (missing: "
            f"{'fluidsynth' if exe is None else font}); install with: {APT_HINT}"
        )
    return exe


def render_set(
    out_dir: Path,
    *,
    font: Path = TIMGM_SF2,
    seed: int = 2,
    seconds: float = 12.0,
    variants: int = 1,
) -> list[Stem]:
    """Render every part of :data:`PARTS` ``variants`` times into ``out_dir`` (deterministic)."""
    exe = require_fluidsynth(font)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    stems = []
    for label, parts in PARTS.items():
        for part, channel, program, kind in parts:
            for k in range(variants):
                stem = f"{label}-{part.replace(' ', '_')}-{k}"
                mid_path = out_dir / f"{stem}.mid"
                wav_path = out_dir / f"{stem}.wav"
                _midi(kind, channel, program, seconds, rng).save(mid_path)
                subprocess.run(
                    [
                        exe,
                        "-ni",
                        "-q",
                        "-R",
                        "0",
                        "-C",
                        "0",
                        "-r",
                        str(RATE),
                        "-O",
                        "float",
                        "-F",
                        str(wav_path),
                        str(font),
                        str(mid_path),
                    ],
                    check=True,
                    capture_output=True,
                    timeout=120,
                )
                stems.append(Stem(label, part, wav_path))
    return stems


def read(stem: Stem) -> tuple[np.ndarray, int]:
    import soundfile

    data, rate = soundfile.read(stem.path, dtype="float32", always_2d=True)
    return data.T, rate  # soundfile: (frames, channels)


def evaluate(stems: list[Stem]) -> tuple[float, dict[tuple[str, str], int]]:
    """Accuracy of audio-only recognition (no names) and the confusion counts."""
    from reaper_assist.analysis.instruments import recognise

    confusion: dict[tuple[str, str], int] = {}
    right = 0
    for stem in stems:
        audio, rate = read(stem)
        guess = recognise(None, audio, rate)
        confusion[(stem.label, guess.instrument)] = (
            confusion.get((stem.label, guess.instrument), 0) + 1
        )
        right += guess.instrument == stem.label
    return right / len(stems), confusion


HYDROGEN_KITS = Path("/usr/share/hydrogen/data/drumkits")
_HYDROGEN_LABELS = (
    ("kick", r"kick|(^|[^a-z])bd|bassdrum"),
    ("snare", r"snare|(^|[^a-z])sn|(^|[^a-z])sd"),
    ("hihat", r"hat|(^|[^a-z])hh"),
    ("tom", r"tom"),
)


def hydrogen_set(out_dir: Path, seconds: float = 10.0, seed: int = 3) -> list[Stem]:
    """Stems sequenced from the real recorded samples of the hydrogen-drumkits package.

    For every kit and each of kick/snare/hihat/tom, the first sample whose file name says so
    is played in a typical pattern (with velocity variation) and written to ``out_dir``.
    """
    import re

    import soundfile

    rng = np.random.default_rng(seed)
    stems = []
    out_dir.mkdir(parents=True, exist_ok=True)
    patterns = {
        "kick": [0, 1, 2, 3],
        "snare": [1, 3],
        "hihat": [i / 2 for i in range(8)],
        "tom": [2 + i / 4 for i in range(8)],
    }
    for kit in sorted(p for p in HYDROGEN_KITS.iterdir() if p.is_dir()):
        files = sorted(f for f in kit.iterdir() if f.suffix.lower() in (".wav", ".flac", ".aiff"))
        for label, pattern in _HYDROGEN_LABELS:
            match = next((f for f in files if re.search(pattern, f.stem.lower())), None)
            if match is None:
                continue
            data, rate = soundfile.read(match, dtype="float64", always_2d=True)
            sample = data.T  # (channels, frames)
            if sample.shape[0] == 1:
                sample = np.repeat(sample, 2, axis=0)
            sample = sample[:2]
            n = int(seconds * rate)
            out = np.zeros((2, n))
            beat = 60.0 / TEMPO_BPM
            for bar in range(int(seconds / (4 * beat)) + 1):
                for b in patterns[label]:
                    i = int((bar * 4 + b) * beat * rate)
                    if i >= n:
                        continue
                    seg = sample[:, : n - i] * rng.uniform(0.5, 1.0)
                    out[:, i : i + seg.shape[1]] += seg
            path = out_dir / f"{label}-{kit.name.replace(' ', '_')}.wav"
            peak = np.abs(out).max()
            soundfile.write(path, (out / peak * 0.5 if peak > 0 else out).T, rate, subtype="FLOAT")
            stems.append(Stem(label, f"{kit.name}/{match.name}", path))
    return stems


def main(argv: list[str]) -> int:  # pragma: no cover - developer tool
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        if "--hydrogen" in argv:
            stems = hydrogen_set(Path(tmp))
            acc, conf = evaluate(stems)
            print(f"{len(stems)} stems (hydrogen-drumkits samples), accuracy {acc:.3f}")
            for (truth, guess), n in sorted(conf.items()):
                if truth != guess:
                    print(f"  {truth:8s} -> {guess:8s} x{n}")
            return 0
        font = FLUIDR3_SF2 if "--fluidr3" in argv else TIMGM_SF2
        stems = render_set(Path(tmp), font=font, seed=2, variants=2)
        acc, conf = evaluate(stems)
        print(f"{len(stems)} stems ({font.name}), accuracy {acc:.3f}")
        for (truth, guess), n in sorted(conf.items()):
            if truth != guess:
                print(f"  {truth:8s} -> {guess:8s} x{n}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main(sys.argv[1:]))
