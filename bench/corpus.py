"""The evaluation corpus of issue 13: labelled stems from independent sources, split BY SOURCE.

Sources (Debian packages, .ci/apt-packages-quality.txt):

* General MIDI SoundFonts rendered with fluidsynth (reverb and chorus off, deterministic):
  FluidR3 (fluid-soundfont-gm), TimGM6mb (timgm6mb-soundfont), MuseScore General Lite
  (musescore-general-soundfont-small), csound's GM bank (csound-soundfont);
* sampled drum kits: the hydrogen-drumkits kits and the AVL kits (avldrums.lv2-soundfont);
* espeak-ng voices, speech standing in for a vocal track.

:data:`EVALUATION` names the evaluation sources (FluidR3, the BJA_Pacific hydrogen kit, three
espeak languages in three voice variants that the tuning voices never use); every other source is
tuning material. Nothing may be fitted on the evaluation set: the recogniser's training script and
any rule tuning read ``stems(split="tuning")`` only.

Stems are 8 s (``$REAPER_ASSIST_CORPUS_SECONDS`` for longer ones), stereo, 48 kHz
(``$REAPER_ASSIST_CORPUS_RATE`` for another session rate, e.g. 44100), peak -6 dBFS,
generated deterministically (seeded MIDI parts, byte-identical fluidsynth renders) into a cache
folder outside the repository
(``$REAPER_ASSIST_CORPUS`` or ``$XDG_CACHE_HOME/reaper-assist/quality-corpus``), once; a
manifest lists each stem with its source, split, label, what was played and the fundamentals of
the notes played. Run ``python bench/corpus.py [--split tuning|evaluation]`` to build it and print
a summary.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

# the session rate; REAPER_ASSIST_CORPUS_RATE builds the corpus at another rate (its own cache folder) to ask
# whether the judgement holds in a 44.1 kHz session as in the 48 kHz one everything was tuned in
RATES = (44100, 48000, 88200, 96000)


def _stem_rate() -> int:
    raw = os.environ.get("REAPER_ASSIST_CORPUS_RATE") or "48000"
    if raw.strip() not in {str(r) for r in RATES}:
        raise SystemExit(f"REAPER_ASSIST_CORPUS_RATE={raw!r}: a session rate in Hz, one of "
                         f"{', '.join(map(str, RATES))}")
    return int(raw)


RATE = _stem_rate()


# a stem's length; REAPER_ASSIST_CORPUS_SECONDS builds a longer corpus (its own cache folder) to ask
# how a reading behaves over more notes than 8 s hold (docs/quality.md, "a whole song's length")
def _stem_seconds() -> float:
    raw = os.environ.get("REAPER_ASSIST_CORPUS_SECONDS") or "8"
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 1.0 <= value <= 600.0:  # nan fails too
        raise SystemExit(f"REAPER_ASSIST_CORPUS_SECONDS={raw!r}: a stem's length in seconds, 1-600")
    return value


SECONDS = _stem_seconds()
GAP_S = 3.0  # silence between parts of a one-pass render (release tails end well within it)
PEAK_DBFS = -6.0
HIT_S = 1.0  # single drum hits (gate material) are cut to this length
CORPUS_VERSION = 1
APT_HINT = "apt-get install -y $(cat .ci/apt-packages-quality.txt | grep -v '^#')"

SF2 = Path("/usr/share/sounds/sf2")
SF3 = Path("/usr/share/sounds/sf3")
HYDROGEN = Path("/usr/share/hydrogen/data/drumkits")

# the audio classes of the recogniser (reaper_assist.analysis.instruments)
CLASSES = ("kick", "snare", "hihat", "tom", "drums", "bass", "keys", "guitar", "pad", "strings", "synth", "vocal")
DRUM_CLASSES = ("kick", "snare", "hihat", "tom", "drums")

# GM programs (0-based) per tonal class, and the pattern each plays
GM_PROGRAMS: dict[str, tuple[tuple[int, str], ...]] = {
    "bass": ((32, "bassline"), (33, "bassline"), (34, "bassline"), (35, "bassline"), (36, "bassline"),
             (38, "bassline"), (39, "bassline")),
    "keys": ((0, "comp"), (1, "comp"), (2, "comp"), (4, "comp"), (5, "comp"), (6, "arp"), (7, "comp"),
             (16, "chords"), (17, "comp"), (18, "chords")),
    "guitar": ((24, "strum"), (25, "strum"), (26, "arp"), (27, "strum"), (28, "riff"), (29, "riff"),
               (30, "riff")),
    "strings": ((40, "violin"), (41, "viola"), (42, "cello"), (44, "chords"), (48, "chords"), (49, "chords")),
    "pad": ((88, "pad"), (89, "pad"), (90, "pad"), (92, "pad"), (94, "pad"), (95, "pad")),
    "synth": ((80, "lead"), (81, "lead"), (83, "lead"), (84, "lead"), (86, "lead"), (87, "lead")),
}
# GM drum parts (channel 10): class -> list of (pattern, notes)
GM_DRUMS: dict[str, tuple[tuple[str, tuple[int, ...]], ...]] = {
    "kick": (("kick", (36,)), ("kick", (35,)), ("kick", (36,)), ("kick", (35,)), ("kick", (36,)), ("kick", (35,))),
    "snare": (("snare", (38,)), ("snare", (40,)), ("snare", (38,)), ("snare", (40,)), ("snare", (38,)),
              ("snare", (40,))),
    "hihat": (("hats", (42,)), ("hats", (42, 46)), ("hats", (44, 42)), ("hats", (42,)), ("hats", (42, 46)),
              ("hats", (44, 42))),
    "tom": (("toms", (50, 48, 47, 45, 43, 41)), ("toms", (45, 43, 41)), ("toms", (50, 47, 43)),
            ("toms", (48, 45, 41)), ("toms", (47, 43)), ("toms", (50, 45, 41))),
    "drums": (("kit", (36, 38, 42, 49)), ("kit", (36, 38, 42, 46)), ("kit", (35, 40, 42, 51)),
              ("kit", (36, 38, 44, 49)), ("kit", (36, 40, 42, 46)), ("kit", (35, 38, 42, 51))),
}
GM_HITS = {"kick": 36, "snare": 38, "tom": 45, "hihat": 42}


@dataclass(frozen=True)
class Source:
    """One independent origin of material."""

    name: str  # e.g. "fluidr3", "hydrogen:BJA_Pacific", "espeak:eval"
    kind: str  # "gm" | "kit" | "avl" | "voice"
    split: str  # "tuning" | "evaluation"
    path: str  # SoundFont / kit folder; for voices the espeak-ng voice list, comma-separated
    package: str  # Debian package that provides it


# --- the split (by source) ----------------------------------------------------------------------------
EVAL_KIT = "BJA_Pacific"
EVAL_VOICES = tuple(f"{lang}+{var}" for lang in ("de", "fr", "es") for var in ("m2", "f2", "m5"))
TUNING_VOICES = tuple(f"{lang}+{var}" for lang in ("en", "en-us", "it", "pt", "nl", "pl", "sv")
                      for var in ("m1", "m3", "f1", "f3", "f4"))
# kits of the hydrogen package that have no kick/snare/hat/tom (hand percussion, djembes)
_NOT_A_KIT = ("Gimme A Hand 1.0", "circAfrique v4")


def sources() -> list[Source]:
    """Every source, evaluation first. Missing ones are included (``available`` says)."""
    out = [
        Source("fluidr3", "gm", "evaluation", str(SF2 / "FluidR3_GM.sf2"), "fluid-soundfont-gm"),
        Source(f"hydrogen:{EVAL_KIT}", "kit", "evaluation", str(HYDROGEN / EVAL_KIT), "hydrogen-drumkits"),
        Source("espeak:eval", "voice", "evaluation", ",".join(EVAL_VOICES), "espeak-ng"),
        Source("timgm6mb", "gm", "tuning", str(SF2 / "TimGM6mb.sf2"), "timgm6mb-soundfont"),
        Source("musescore-lite", "gm", "tuning", str(SF3 / "MuseScore_General_Lite.sf3"),
               "musescore-general-soundfont-small"),
        Source("csound-gmbank", "gm", "tuning", str(SF2 / "sf_GMbank.sf2"), "csound-soundfont"),
        Source("avl:black-pearl", "avl", "tuning", str(SF2 / "Black_Pearl_4_LV2.sf2"), "avldrums.lv2-soundfont"),
        Source("avl:red-zeppelin", "avl", "tuning", str(SF2 / "Red_Zeppelin_4_LV2.sf2"), "avldrums.lv2-soundfont"),
        Source("espeak:tuning", "voice", "tuning", ",".join(TUNING_VOICES), "espeak-ng"),
    ]
    if HYDROGEN.is_dir():
        for kit in sorted(p.name for p in HYDROGEN.iterdir() if p.is_dir()):
            if kit != EVAL_KIT and kit not in _NOT_A_KIT:
                out.append(Source(f"hydrogen:{kit}", "kit", "tuning", str(HYDROGEN / kit), "hydrogen-drumkits"))
    return out


def available(src: Source) -> bool:
    if src.kind == "voice":
        return shutil.which("espeak-ng") is not None
    if src.kind in ("gm", "avl") and shutil.which("fluidsynth") is None:
        return False
    return Path(src.path).exists()


def missing_message(src: Source) -> str:
    what = "espeak-ng" if src.kind == "voice" else src.path
    return f"corpus source {src.name} ({src.split}) is missing: {what} (Debian package {src.package}); {APT_HINT}"


@dataclass(frozen=True)
class Stem:
    """One labelled stem of the corpus."""

    id: str
    source: str
    split: str
    label: str  # one of CLASSES
    role: str  # "stem" (8 s part) or "hit" (one drum hit, gate material)
    what: str  # what was played, for reports
    path: str
    fundamentals_hz: tuple[float, ...] = field(default=())  # of the notes played (tonal parts)

    def read(self) -> np.ndarray:
        """``(2, samples)`` float64 at :data:`RATE`."""
        import soundfile as sf

        x, sr = sf.read(self.path, dtype="float64", always_2d=True)
        if sr != RATE:  # pragma: no cover - written by this module at RATE
            raise ValueError(f"{self.path}: {sr} Hz, expected {RATE}")
        return np.ascontiguousarray(x.T)


# --- cache ---------------------------------------------------------------------------------------------
def cache_dir() -> Path:
    env = os.environ.get("REAPER_ASSIST_CORPUS")
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "reaper-assist" / "quality-corpus"


def _source_dir(src: Source) -> Path:
    ident = f"{CORPUS_VERSION}|{src.name}|{src.path}"
    if SECONDS != 8.0:
        ident += f"|{SECONDS:g}s"
    if RATE != 48000:
        ident += f"|{RATE}Hz"
    p = Path(src.path.split(",")[0])
    if p.is_file():
        ident += f"|{p.stat().st_size}"
    digest = hashlib.sha1(ident.encode()).hexdigest()[:10]
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", src.name)
    return cache_dir() / f"v{CORPUS_VERSION}" / f"{safe}-{digest}"


def _seed(*parts: object) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("|".join(map(str, parts)).encode()))


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = np.stack([x, x])
    if x.shape[0] == 1:
        x = np.repeat(x, 2, axis=0)
    x = x[:2]
    peak = float(np.max(np.abs(x)))
    return x * (10 ** (PEAK_DBFS / 20) / peak) if peak > 0 else x


def _write(path: Path, x: np.ndarray) -> None:
    import soundfile as sf

    sf.write(path, np.ascontiguousarray(x.T), RATE, subtype="PCM_24", format="FLAC")


def _resample(x: np.ndarray, rate: int) -> np.ndarray:
    if rate == RATE:
        return x
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(int(rate), RATE)
    return resample_poly(x, RATE // g, int(rate) // g, axis=-1)


def _midi_hz(note: int) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


# --- MIDI parts ----------------------------------------------------------------------------------------
Note = tuple[float, float, int, int]  # (start s, length s, MIDI note, velocity)
BEAT_S = 60.0 / 112.0  # 112 BPM


def tonal_part(pattern: str, rng: np.random.Generator, seconds: float = SECONDS) -> list[Note]:
    """Notes of one tonal part: chords, comping, arpeggios, strums, riffs, bass lines, melodies."""
    b = BEAT_S
    notes: list[Note] = []
    bars = int(seconds / (4 * b)) + 1

    def vel(base: int) -> int:
        return int(np.clip(base + rng.integers(-14, 10), 20, 127))

    progression = [int(x) for x in rng.choice([0, 5, 7, 9, 3, 10], size=bars)]
    key = int(rng.integers(-3, 4))
    for bar in range(bars):
        t0 = bar * 4 * b
        root = 48 + key + progression[bar]
        third = 4 if rng.random() < 0.5 else 3
        chord = [root, root + third, root + 7, root + 12]
        if pattern in ("chords", "pad"):
            for n in chord[: 3 + int(rng.integers(0, 2))]:
                notes.append((t0, 4 * b * 0.98, n + (12 if pattern == "pad" else 0), vel(85)))
        elif pattern == "comp":
            for o in (0, 1, 2, 3) if rng.random() < 0.5 else (0, 1.5, 2, 3.5):
                for n in chord:
                    notes.append((t0 + o * b, 0.8 * b, n, vel(88)))
        elif pattern == "arp":
            for k in range(8):
                notes.append((t0 + k * 0.5 * b, 0.55 * b, chord[k % 4] + 12 * (k // 4), vel(90)))
        elif pattern == "strum":
            for o in (0, 1, 1.5, 2.5, 3):
                for j, n in enumerate(chord + [root - 12 + 7]):
                    notes.append((t0 + o * b + 0.015 * j, 0.9 * b, n, vel(90)))
        elif pattern == "riff":
            for k in range(8):
                r = root - 12 + int(rng.choice([0, 0, 7, 12, 5]))
                notes.append((t0 + k * 0.5 * b, 0.45 * b, r, vel(105)))
                notes.append((t0 + k * 0.5 * b, 0.45 * b, r + 7, vel(95)))
        elif pattern == "bassline":
            t = 0.0
            while t < 4:
                length = float(rng.choice([0.5, 1.0, 1.0, 2.0]))
                n = root - 24 + int(rng.choice([0, 0, 7, 12, 5, 10]))
                notes.append((t0 + t * b, 0.9 * length * b, max(28, n), vel(100)))
                t += length
        elif pattern in ("lead", "violin", "viola", "cello"):
            base = {"lead": 72, "violin": 74, "viola": 64, "cello": 48}[pattern] + key
            scale = [0, 2, 3, 5, 7, 8, 10, 12, 14]
            t = 0.0
            while t < 4:
                length = float(rng.choice([0.5, 1.0, 1.0, 1.5, 2.0] if pattern != "lead" else [0.25, 0.5, 0.5, 1.0]))
                if rng.random() < 0.9:
                    notes.append((t0 + t * b, 0.97 * length * b, base + int(rng.choice(scale)) - 5, vel(95)))
                t += length
        else:  # pragma: no cover
            raise ValueError(pattern)
    return [n for n in notes if n[0] < seconds - 0.05]


def drum_part(pattern: str, kit: tuple[int, ...], rng: np.random.Generator, seconds: float = SECONDS) -> list[Note]:
    """Notes of one drum part (GM drum map numbers)."""
    b = BEAT_S
    notes: list[Note] = []
    bars = int(seconds / (4 * b)) + 1

    def vel(base: int) -> int:
        return int(np.clip(base + rng.integers(-18, 12), 20, 127))

    style = int(rng.integers(0, 3))
    for bar in range(bars):
        t0 = bar * 4 * b
        if pattern == "kick":
            offs = ([0, 2], [0, 1.5, 2, 2.75], [0, 1, 2, 3])[style]
            for o in offs:
                notes.append((t0 + o * b, 0.3, kit[0], vel(110)))
        elif pattern == "snare":
            for o in (1, 3):
                notes.append((t0 + o * b, 0.3, kit[0], vel(110)))
            if rng.random() < 0.5:
                notes.append((t0 + 3.75 * b, 0.2, kit[0], vel(70)))
        elif pattern == "hats":
            step = (0.5, 0.25, 0.5)[style]
            for i in range(int(4 / step)):
                n = kit[1] if len(kit) > 1 and i % 8 == 7 else kit[0]
                notes.append((t0 + i * step * b, 0.2, n, vel(90 if i % 2 == 0 else 65)))
        elif pattern == "toms":
            for i in range(8):
                if rng.random() < 0.8:
                    notes.append((t0 + i * 0.5 * b, 0.3, kit[int(rng.integers(len(kit)))], vel(105)))
        elif pattern == "kit":
            kick, snare, hat, cym = kit
            for i in range(8):
                notes.append((t0 + i * 0.5 * b, 0.2, hat, vel(80)))
            for o in ([0, 2, 2.5], [0, 1.75, 2.5], [0, 2])[style]:
                notes.append((t0 + o * b, 0.3, kick, vel(112)))
            for o in (1, 3):
                notes.append((t0 + o * b, 0.3, snare, vel(110)))
            if bar % 2 == 0:
                notes.append((t0, 0.5, cym, vel(95)))
        else:  # pragma: no cover
            raise ValueError(pattern)
    return [n for n in notes if n[0] < seconds - 0.05]


def _write_midi(path: Path, segments: list[tuple[int, int | None, list[Note]]], slot_s: float) -> None:
    """One MIDI file holding each (channel, program, notes) segment at ``i * slot_s``."""
    import mido

    tpb = 960
    tempo = 500000  # 120 BPM: 1 s = 2 beats = 1920 ticks
    mid = mido.MidiFile(ticks_per_beat=tpb)
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    tr.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))

    def tick(s: float) -> int:
        return round(s * 2 * tpb)

    events: list[tuple[int, int, object]] = []
    for i, (ch, program, notes) in enumerate(segments):
        t0 = i * slot_s
        if program is not None:
            events.append((tick(t0), 0, mido.Message("program_change", channel=ch, program=program)))
        for start, length, note, velocity in notes:
            events.append((tick(t0 + start), 2, mido.Message("note_on", channel=ch, note=note, velocity=velocity)))
            events.append((tick(t0 + start + length), 1, mido.Message("note_off", channel=ch, note=note, velocity=0)))
    events.sort(key=lambda e: (e[0], e[1]))
    now = 0
    for t, _, msg in events:
        tr.append(msg.copy(time=t - now))
        now = t
    mid.save(path)


def _fluidsynth(font: str, mid: Path, wav: Path) -> np.ndarray:
    import soundfile as sf

    subprocess.run(["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-r", str(RATE), "-O", "float", "-F", str(wav),
                    font, str(mid)], check=True, capture_output=True, timeout=900)
    x, sr = sf.read(wav, dtype="float64", always_2d=True)
    assert sr == RATE
    return x.T


def _render_segments(font: str, segments: list[tuple[int, int | None, list[Note]]], seconds: float,
                     tmp: Path) -> list[np.ndarray]:
    slot = seconds + GAP_S
    _write_midi(tmp / "all.mid", segments, slot)
    x = _fluidsynth(font, tmp / "all.mid", tmp / "all.wav")
    n, hop = int(seconds * RATE), int(slot * RATE)
    out = []
    for i in range(len(segments)):
        seg = x[:, i * hop: i * hop + n]
        if seg.shape[1] < n:
            seg = np.pad(seg, ((0, 0), (0, n - seg.shape[1])))
        out.append(seg)
    return out


# --- builders per kind -----------------------------------------------------------------------------------
def _build_gm(src: Source, tmp: Path) -> list[tuple[dict, np.ndarray]]:
    drum_ch = 0 if src.kind == "avl" else 9  # the AVL fonts hold one kit on bank 0, program 0
    segments: list[tuple[int, int | None, list[Note]]] = []
    meta: list[dict] = []
    if src.kind == "gm":
        for label, programs in GM_PROGRAMS.items():
            for program, pattern in programs:
                rng = _seed(src.name, label, program)
                notes = tonal_part(pattern, rng)
                segments.append((0, program, notes))
                meta.append({"label": label, "role": "stem", "what": f"GM program {program + 1} ({pattern})",
                             "fundamentals_hz": sorted({round(_midi_hz(n[2]), 2) for n in notes})})
    variants = 6 if src.kind == "gm" else 3
    for label, parts in GM_DRUMS.items():
        for k, (pattern, kit) in enumerate(parts[:variants]):
            rng = _seed(src.name, label, k)
            segments.append((drum_ch, 0 if drum_ch == 0 else None, drum_part(pattern, kit, rng)))
            meta.append({"label": label, "role": "stem", "what": f"{pattern} {kit}", "fundamentals_hz": []})
    stems = _render_segments(src.path, segments, SECONDS, tmp)
    hits_seg = [(drum_ch, 0 if drum_ch == 0 else None, [(0.0, 0.5, note, 120)]) for note in GM_HITS.values()]
    hits = _render_segments(src.path, hits_seg, HIT_S, tmp)
    out = list(zip(meta, stems))
    for (label, note), x in zip(GM_HITS.items(), hits):
        out.append(({"label": label, "role": "hit", "what": f"GM drum note {note}", "fundamentals_hz": []}, x))
    return out


_KIT_LABELS = (
    ("kick", re.compile(r"kick|bass ?drum|(^|[^a-z])bd([^a-z]|$)", re.IGNORECASE)),
    ("snare", re.compile(r"snare(?!.*(rim|roll))", re.IGNORECASE)),
    ("hihat", re.compile(r"(hi.?hat|(^|[^a-z])hh)(?!.*(open|pedal|swish|choke|free))", re.IGNORECASE)),
    ("tom", re.compile(r"tom", re.IGNORECASE)),
)


def kit_instruments(kit: Path) -> dict[str, Path]:
    """label -> the loudest layer's sample of the first instrument of that kind in drumkit.xml."""
    text = (kit / "drumkit.xml").read_text(encoding="utf-8", errors="replace")
    found: dict[str, Path] = {}
    for block in re.findall(r"<instrument>(.*?)</instrument>", text, re.DOTALL):
        name = re.search(r"<name>([^<]*)</name>", block)
        files = re.findall(r"<filename>([^<]*)</filename>", block)
        if not name or not files:
            continue
        for label, pattern in _KIT_LABELS:
            if label not in found and pattern.search(name.group(1)) and "stick" not in name.group(1).lower():
                path = kit / files[0]  # the first layer is the loudest in these kits (highest min velocity)
                if path.is_file():
                    found[label] = path
                break
    return found


def _read_sample(path: Path) -> np.ndarray:
    import soundfile as sf

    x, sr = sf.read(path, dtype="float64", always_2d=True)
    x = x.T
    if x.shape[0] == 1:
        x = np.repeat(x, 2, axis=0)
    return _resample(x[:2], sr)


def _sequence(sample: np.ndarray, onsets_s: list[float], gains: list[float], seconds: float) -> np.ndarray:
    n = int(seconds * RATE)
    out = np.zeros((2, n))
    for t, g in zip(onsets_s, gains):
        i = int(t * RATE)
        if i < n:
            seg = sample[:, : n - i]
            out[:, i: i + seg.shape[1]] += g * seg
    return out


def _build_kit(src: Source, tmp: Path) -> list[tuple[dict, np.ndarray]]:
    inst = kit_instruments(Path(src.path))
    samples = {label: _read_sample(p) for label, p in inst.items()}
    out: list[tuple[dict, np.ndarray]] = []
    for label, x in samples.items():
        for k in range(3):
            rng = _seed(src.name, label, k)
            pattern = {"kick": "kick", "snare": "snare", "hihat": "hats", "tom": "toms"}[label]
            notes = drum_part(pattern, (0, 1), rng)
            y = _sequence(x, [n[0] for n in notes], [n[3] / 127 for n in notes], SECONDS)
            out.append(({"label": label, "role": "stem", "what": f"{inst[label].name} ({pattern})",
                         "fundamentals_hz": []}, y))
        hit = x[:, : int(HIT_S * RATE)]
        out.append(({"label": label, "role": "hit", "what": inst[label].name, "fundamentals_hz": []},
                    np.pad(hit, ((0, 0), (0, int(HIT_S * RATE) - hit.shape[1])))))
    if {"kick", "snare", "hihat"} <= set(samples):
        for k in range(3):
            rng = _seed(src.name, "drums", k)
            notes = drum_part("kit", (0, 1, 2, 3), rng)
            y = np.zeros((2, int(SECONDS * RATE)))
            for code, label in ((0, "kick"), (1, "snare"), (2, "hihat")):
                sel = [n for n in notes if n[2] == code]
                y += _sequence(samples[label], [n[0] for n in sel], [n[3] / 127 for n in sel], SECONDS)
            out.append(({"label": "drums", "role": "stem", "what": "kit (kick, snare, hat samples)",
                         "fundamentals_hz": []}, y))
    return out


SENTENCES = (
    "I walked along the river in the morning light, and the city slowly woke around me.",
    "Hold on to the feeling, we can make it through the night if we sing it together.",
    "Seven bright stars were shining over the quiet harbour when the boats came home.",
    "Tell me what you want to hear, and I will play it one more time for you.",
    "The rain keeps falling on the window, but tomorrow the sun will shine again.",
)


def _espeak(voice: str, text: str, pitch: int, speed: int, tmp: Path) -> np.ndarray:
    import soundfile as sf

    wav = tmp / "voice.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(wav), text],
                   check=True, capture_output=True, timeout=60)
    x, sr = sf.read(wav, dtype="float64", always_2d=True)
    return _resample(x.T, sr)


def _build_voice(src: Source, tmp: Path) -> list[tuple[dict, np.ndarray]]:
    out = []
    n = int(SECONDS * RATE)
    for voice in src.path.split(","):
        rng = _seed(src.name, voice)
        pitch, speed = int(rng.integers(25, 75)), int(rng.integers(130, 180))
        parts, total = [], 0
        order = rng.permutation(len(SENTENCES))
        for k in np.tile(order, max(1, math.ceil(SECONDS / 16.0))):  # ~20 s of speech per round
            x = _espeak(voice, SENTENCES[int(k)], pitch, speed, tmp)
            parts.append(x[:1])
            parts.append(np.zeros((1, int(rng.uniform(0.2, 0.5) * RATE))))
            total += x.shape[1]
            if total >= n:
                break
        y = np.concatenate(parts, axis=1)[:, :n]
        y = np.pad(y, ((0, 0), (0, n - y.shape[1])))
        out.append(({"label": "vocal", "role": "stem", "what": f"espeak-ng -v {voice} -p {pitch} -s {speed}",
                     "fundamentals_hz": []}, np.repeat(y, 2, axis=0)))
    return out


_BUILDERS = {"gm": _build_gm, "avl": _build_gm, "kit": _build_kit, "voice": _build_voice}


def build_source(src: Source) -> list[Stem]:
    """The stems of one source, generated into the cache once (then read from its manifest)."""
    d = _source_dir(src)
    manifest = d / "manifest.json"
    if manifest.is_file():
        return [Stem(**{**s, "fundamentals_hz": tuple(s["fundamentals_hz"])})
                for s in json.loads(manifest.read_text())["stems"]]
    if not available(src):
        raise RuntimeError(missing_message(src))
    d.mkdir(parents=True, exist_ok=True)
    stems: list[Stem] = []
    with tempfile.TemporaryDirectory() as t:
        counts: dict[str, int] = {}
        for meta, x in _BUILDERS[src.kind](src, Path(t)):
            if not np.any(x):
                continue  # a patch missing from a font renders silence: not a stem
            k = counts.get(f"{meta['role']}-{meta['label']}", 0)
            counts[f"{meta['role']}-{meta['label']}"] = k + 1
            sid = f"{src.name}/{meta['role']}-{meta['label']}-{k}"
            path = d / f"{meta['role']}-{meta['label']}-{k}.flac"
            _write(path, _normalise(x))
            stems.append(Stem(sid, src.name, src.split, meta["label"], meta["role"], meta["what"], str(path),
                              tuple(meta["fundamentals_hz"])))
    tmp_manifest = manifest.with_suffix(".tmp")
    tmp_manifest.write_text(json.dumps({"source": asdict(src), "stems": [asdict(s) for s in stems]}, indent=1))
    tmp_manifest.replace(manifest)
    return stems


def stems(split: str | None = None, *, role: str | None = "stem", sources_: Iterable[Source] | None = None,
          strict: bool = True) -> list[Stem]:
    """Stems of the corpus (built on first use). ``strict``: a missing source raises (with the
    apt-get hint) instead of being left out."""
    out: list[Stem] = []
    for src in sources_ if sources_ is not None else sources():
        if split is not None and src.split != split:
            continue
        if not available(src):
            if strict:
                raise RuntimeError(missing_message(src))
            continue
        out.extend(s for s in build_source(src) if role is None or s.role == role)
    return out


def main(argv: list[str]) -> int:  # pragma: no cover - developer tool
    split = argv[argv.index("--split") + 1] if "--split" in argv else None
    for src in sources():
        if split and src.split != split:
            continue
        if not available(src):
            print(f"{src.name:28s} {src.split:10s} MISSING ({src.package})")
            continue
        ss = build_source(src)
        by = {}
        for s in ss:
            by[f"{s.role}:{s.label}"] = by.get(f"{s.role}:{s.label}", 0) + 1
        print(f"{src.name:28s} {src.split:10s} {len(ss):4d}  " + " ".join(f"{k}={v}" for k, v in sorted(by.items())))
    print(f"cache: {cache_dir()}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
