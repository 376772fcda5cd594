"""Multitrack material for the master action's tests: a project of three tracks (kick-like
bursts, a bass line, a noise pad) rendered by the emulator, scaled so that the master mix reads a
chosen integrated loudness. (Imported by name: keep this file name unique.)"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile as sf
from scipy.signal import resample_poly

from reaper_assist.emulator.engine.render import render
from reaper_assist.emulator.project import Project

SR = 48000
SECONDS = 6.0


def _stems(seed: int = 16) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = int(SR * SECONDS)
    t = np.arange(n) / SR
    kick = np.zeros(n)
    env = np.exp(-np.arange(int(0.25 * SR)) / (0.05 * SR))
    hit = np.sin(2 * np.pi * 60 * np.arange(env.size) / SR * (1 + 2 * env)) * env
    for start in range(0, n - env.size, SR // 2):
        kick[start:start + env.size] += hit
    bass = 0.5 * np.sin(2 * np.pi * 55 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.5 * t) ** 2)
    pad = rng.standard_normal(n)
    pad = np.convolve(pad, np.ones(8) / 8, mode="same") * 0.15 * (0.5 + 0.5 * np.sin(2 * np.pi * 0.1 * t))
    return {"Kick": np.vstack([kick, kick]), "Bass": np.vstack([bass, bass]),
            "Pad": np.vstack([pad, np.roll(pad, 37)])}


def true_peak_dbtp(audio: np.ndarray) -> float:
    """True peak measured independently of the product and the emulator's meter: 4x oversampling
    with scipy's polyphase resampler (BS.1770-4 Annex 2 asks for at least 4x)."""
    up = resample_poly(np.asarray(audio, dtype=np.float64), 4, 1, axis=-1)
    return float(20 * np.log10(np.max(np.abs(up))))


def integrated_lufs(audio: np.ndarray) -> float:
    return float(pyloudnorm.Meter(SR).integrated_loudness(np.asarray(audio).T))


def build(tmp: Path, lufs: float, *, limiter_on_master: bool = False, silent: bool = False) -> Path:
    """A project whose master mix reads ``lufs`` (within 0.01 LU), saved as ``tmp/mix.rpp``."""
    stems = _stems()
    p = Project.new(sample_rate=SR)
    for i, (name, audio) in enumerate(stems.items()):
        path = tmp / f"{name}.wav"
        sf.write(path, (audio * (0.0 if silent else 1.0)).T, SR, subtype="FLOAT")
        tr = p.add_track(i, name=name)
        p.add_item(tr, position=0.0, length=SECONDS, file=str(path))
    p.path = str(tmp / "mix.rpp")
    if not silent:
        measured = integrated_lufs(render(p).audio)
        gain = 10 ** ((lufs - measured) / 20)
        for name, audio in stems.items():
            sf.write(tmp / f"{name}.wav", (audio * gain).T, SR, subtype="FLOAT")
    if limiter_on_master:
        from reaper_assist.emulator import fxchain_ops

        fxchain_ops.add_by_name(p.master, "ReaLimit", -1, resource_path=str(tmp))
        p.master.fxchain.flush()
    p.save(p.path)
    return Path(p.path)


def render_file(path: Path) -> np.ndarray:
    return render(Project.load(str(path))).audio
