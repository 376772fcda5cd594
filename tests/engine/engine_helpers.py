"""Helpers of the audio-engine tests: WAV writers, levels, and a Session that builds test
projects through the RPR_* functions. (Imported by name: keep this file name unique.)"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper

SR = 48000


def write_wav(path: Path, data: np.ndarray, sr: int = SR) -> Path:
    """Write ``(channels, samples)`` as 32-bit float WAV (exact samples)."""
    sf.write(path, np.atleast_2d(data).T, sr, subtype="FLOAT")
    return path


def sine(freq_hz: float, seconds: float, amp: float, sr: int = SR, channels: int = 2) -> np.ndarray:
    t = np.arange(int(round(seconds * sr))) / sr
    x = amp * np.sin(2 * np.pi * freq_hz * t)
    return np.tile(x, (channels, 1))


def rms_dbfs(x: np.ndarray) -> float:
    """RMS level in dB re full scale of the whole array: a sine of peak 1 reads -3.01 dBFS
    (the convention of analysis.measure_loudness.rms_dbfs)."""
    return 10 * math.log10(float(np.mean(np.asarray(x) ** 2)))


def assert_db_close(actual: float, expected: float, tol_db: float) -> None:
    assert abs(actual - expected) <= tol_db, f"{actual:.3f} dB, expected {expected:.3f} +- {tol_db} dB"


@dataclass
class Session:
    """A project, its emulated REAPER (with the dry-run actions) and the RPR_* functions."""

    project: Project
    reaper: Reaper
    f: dict
    tmp: Path

    def add_track(self, name: str, audio: np.ndarray | None = None, *, position: float = 0.0,
                  file: str | None = None):
        """Append a track with one item playing ``audio`` (or ``file``); returns its pointer."""
        idx = len(self.project.tracks)
        tr = self.project.add_track(idx, name=name)
        if audio is not None:
            path = write_wav(self.tmp / f"{name}_{idx}.wav", audio)
            self.project.add_item(tr, position=position, length=audio.shape[1] / SR, file=str(path))
        elif file is not None:
            self.project.add_item(tr, position=position, length=1.0, file=file)
        return self.f["RPR_GetTrack"](0, idx)

    def add_fx(self, track_ptr, name: str) -> int:
        k = self.f["RPR_TrackFX_AddByName"](track_ptr, name, False, -1)
        assert k >= 0, name
        return k

    def set_param(self, track_ptr, fx: int, param: int, native: float) -> None:
        assert self.f["RPR_TrackFX_SetParam"](track_ptr, fx, param, native)

    def track(self, name: str):
        return next(t for t in self.project.tracks if t.name == name)
