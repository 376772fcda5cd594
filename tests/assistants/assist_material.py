"""Real test material for the tone/dynamics assistants: SoundFont stems rendered with fluidsynth
(TimGM6mb, the MIDI patterns of tests/analysis/stems.py) and sampled drum hits from
hydrogen-drumkits, plus the signal edits the acceptance tests inject (a resonance, rumble, noise).

Everything is deterministic (seeded MIDI, byte-identical fluidsynth renders) and short (8 s)."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import butter, sosfilt

from tests.analysis.stems import RATE, TIMGM_SF2, _midi, require_fluidsynth

SECONDS = 8.0
HYDROGEN = Path("/usr/share/hydrogen/data/drumkits")

# part -> (channel, program or None, pattern kind of tests/analysis/stems.py)
PARTS = {
    "kick": (9, None, "kick36"),
    "snare": (9, None, "snare38"),
    "toms": (9, None, "toms"),
    "drums": (9, None, "kit"),
    "bass": (0, 33, "bass"),
    "keys": (0, 0, "chords"),
    "guitar": (0, 25, "strum"),
    "pad": (0, 89, "pad"),
    "strings": (0, 48, "pad"),
    "lead": (0, 81, "lead"),
}


def render_part(part: str, out_dir: Path, *, seconds: float = SECONDS, seed: int = 7) -> np.ndarray:
    """``(2, samples)`` float64 at 48 kHz of one part rendered alone, cut to ``seconds``."""
    exe = require_fluidsynth(TIMGM_SF2)
    channel, program, kind = PARTS[part]
    rng = np.random.default_rng(seed)
    mid = out_dir / f"{part}-{seed}.mid"
    wav = out_dir / f"{part}-{seed}.wav"
    _midi(kind, channel, program, seconds + 1.0, rng).save(mid)
    subprocess.run([exe, "-ni", "-q", "-R", "0", "-C", "0", "-r", str(RATE), "-O", "float", "-F", str(wav),
                    str(TIMGM_SF2), str(mid)], check=True, capture_output=True, timeout=120)
    x, sr = sf.read(wav, dtype="float64", always_2d=True)
    assert sr == RATE
    return np.ascontiguousarray(x[: int(seconds * RATE)].T)


def played_notes_hz(part: str, *, seconds: float = SECONDS, seed: int = 7) -> list[float]:
    """Fundamentals (Hz, equal temperament) of the notes ``render_part`` plays within ``seconds``:
    the same seeded MIDI, read back."""
    channel, program, kind = PARTS[part]
    mid = _midi(kind, channel, program, seconds + 1.0, np.random.default_rng(seed))
    t, notes = 0.0, set()
    for msg in mid:
        t += msg.time
        if msg.type == "note_on" and msg.velocity > 0 and t < seconds - 0.25:
            notes.add(msg.note)
    return [440.0 * 2 ** ((n - 69) / 12) for n in sorted(notes)]


def hydrogen_hit(kind: str = "snare") -> tuple[np.ndarray, Path]:
    """The first recorded drum sample whose file name contains ``kind`` (mono, 48 kHz), from a
    hydrogen kit, and its file."""
    import librosa

    kit = HYDROGEN / "ColomboAcousticDrumkit"
    files = sorted(p for p in kit.iterdir() if p.suffix.lower() in (".wav", ".flac") and kind.lower() in p.name.lower())
    if not files:
        raise RuntimeError(f"no {kind} sample in {kit}: apt-get install hydrogen-drumkits")
    x, sr = sf.read(files[0], dtype="float64", always_2d=True)
    x = x.mean(axis=1)
    if sr != RATE:
        x = librosa.resample(x, orig_sr=sr, target_sr=RATE)
    return x, files[0]


def hits_with_noise(hit: np.ndarray, *, every_s: float = 0.5, seconds: float = SECONDS, noise_dbfs: float = -50.0,
                    seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """A drum track: ``hit`` every ``every_s`` over steady noise (amp/bleed hiss) at ``noise_dbfs`` RMS.

    Returns the stereo track and the onset sample indices."""
    n = int(seconds * RATE)
    hit = np.array(hit[: int(1.0 * RATE)], dtype=np.float64)  # at most 1 s, faded out over 50 ms
    fade = min(hit.size, int(0.05 * RATE))
    hit[-fade:] *= np.linspace(1.0, 0.0, fade)
    x = np.zeros(n)
    onsets = np.arange(int(0.1 * RATE), n - hit.size, int(every_s * RATE))
    for i in onsets:
        x[i:i + hit.size] += hit[: n - i]
    x *= 10 ** (-6 / 20) / np.max(np.abs(x))
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(n)
    noise *= 10 ** (noise_dbfs / 20) / np.sqrt(np.mean(noise**2))
    return np.stack([x + noise, 0.8 * x + noise]), onsets


def peaking(x: np.ndarray, freq_hz: float, gain_db: float, q: float, sr: int = RATE) -> np.ndarray:
    """RBJ-cookbook peaking filter (the injected resonance), independent of the product code."""
    a = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * freq_hz / sr
    alpha = math.sin(w0) / (2 * q)
    b = np.array([1 + alpha * a, -2 * math.cos(w0), 1 - alpha * a])
    den = np.array([1 + alpha / a, -2 * math.cos(w0), 1 - alpha / a])
    sos = np.concatenate([b / den[0], den / den[0]])[None, :]
    return sosfilt(sos, x, axis=-1)


def rumble(n: int, level_dbfs: float, *, seed: int = 5, sr: int = RATE) -> np.ndarray:
    """Band-limited noise 20-40 Hz (handling noise, HVAC, stage rumble) at ``level_dbfs`` RMS."""
    rng = np.random.default_rng(seed)
    sos = butter(4, [20, 40], btype="bandpass", fs=sr, output="sos")
    r = sosfilt(sos, rng.standard_normal(n))
    r *= 10 ** (level_dbfs / 20) / np.sqrt(np.mean(r**2))
    return np.stack([r, r])


def write_stereo(path: Path, x: np.ndarray) -> Path:
    sf.write(path, x.T, RATE, subtype="FLOAT")
    return path
