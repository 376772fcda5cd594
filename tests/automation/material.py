"""Realistic test material for the automation actions: phrases of espeak-ng speech with
sibilants at deliberately uneven levels, a noise floor, breaths in some pauses, a music bed.

Every phrase's true start and end come from the clean speech (frames within 40 dB of the phrase's
loudest frame), so the tests judge the product against where the speech really is.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import butter, resample_poly, sosfilt

SR = 48000
PHRASES = ("She sells sea shells by the sea shore.", "Six sisters sit in silence.",
           "The mist is passing slowly.", "Sam sees his sister's scissors.",
           "Steady sunshine, says the forecast.", "Fresh fish sizzles on the stove.")
LEVELS_DB = (0.0, -7.0, 4.0, -5.0, 3.0, -8.0)  # each phrase against the first: uneven on purpose
GAP_S = 0.9
NOISE_DBFS = -60.0  # RMS of the noise floor
PHRASE_DBFS = -20.0  # RMS of the first phrase's voiced part
HAVE_ESPEAK = shutil.which("espeak-ng") is not None


@dataclass(frozen=True)
class Voice:
    audio: np.ndarray  # (samples,) mono: speech + breaths + noise
    speech: np.ndarray  # the speech alone
    noise: np.ndarray  # the noise floor alone
    spans: tuple[tuple[float, float], ...]  # true phrase spans, seconds from the first sample
    breaths: tuple[tuple[float, float], ...]


def say(text: str) -> np.ndarray:
    """espeak-ng's rendering of ``text`` at 48 kHz, trimmed to the speech."""
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "s.wav"
        subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(f), text], check=True, capture_output=True)
        x, sr = sf.read(f, dtype="float64")
    y = resample_poly(x, SR, sr) if sr != SR else x
    a, b = _extent(y)
    return y[a:b]


def _extent(y: np.ndarray) -> tuple[int, int]:
    n = 480
    fr = (y[: y.size // n * n].reshape(-1, n) ** 2).mean(axis=1)
    on = np.flatnonzero(fr > fr.max() * 1e-4)  # within 40 dB of the loudest frame
    return int(on[0] * n), int((on[-1] + 1) * n)


def _rms_db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(x**2))


def voice(seed: int = 1, levels=LEVELS_DB, phrases=PHRASES, breaths: bool = True, noise_dbfs=NOISE_DBFS,
          lead_s: float = 0.8) -> Voice:
    rng = np.random.default_rng(seed)
    parts, spans, breath_spans = [], [], []
    t = lead_s
    pos = [np.zeros(int(lead_s * SR))]
    for k, (text, lv) in enumerate(zip(phrases, levels)):
        s = say(text)
        s = s * 10 ** ((PHRASE_DBFS + lv - _rms_db(s)) / 20)
        pos.append(s)
        spans.append((t, t + s.size / SR))
        t += s.size / SR
        gap = np.zeros(int(GAP_S * SR))
        if breaths and k % 2 == 0:  # a breath in the middle of every other pause, 35 dB under the voice
            b = sosfilt(butter(2, [300, 3000], "bandpass", fs=SR, output="sos"), rng.standard_normal(int(0.2 * SR)))
            b *= np.hanning(b.size) * 10 ** ((PHRASE_DBFS - 35 - _rms_db(b)) / 20)
            i = (gap.size - b.size) // 2
            gap[i:i + b.size] = b
            breath_spans.append((t + i / SR, t + (i + b.size) / SR))
        pos.append(gap)
        t += GAP_S
        parts.append(s)
    speech = np.concatenate(pos)
    noise = sosfilt(butter(1, 4000, fs=SR, output="sos"), rng.standard_normal(speech.size))
    noise *= 10 ** ((noise_dbfs - _rms_db(noise)) / 20) if noise_dbfs is not None else 0.0
    return Voice(speech + noise, speech, noise, tuple(spans), tuple(breath_spans))


def bed(seconds: float, dbfs: float = -26.0) -> np.ndarray:
    """A music bed: three detuned chord tones with a slow swell, stereo."""
    t = np.arange(int(seconds * SR)) / SR
    x = sum(np.sin(2 * np.pi * f * t + p) for f, p in ((110.0, 0.0), (164.8, 1.0), (220.5, 2.0)))
    x = x * (1 + 0.3 * np.sin(2 * np.pi * 0.2 * t))
    x *= 10 ** ((dbfs - _rms_db(x)) / 20)
    return np.stack([x, 0.8 * x], axis=1)
