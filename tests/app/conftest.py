"""Projects with media of known level for the action tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from reaper_assist.emulator.project import Project

SR = 48000


def sine(amp: float, seconds: float = 3.0, freq: float = 220.0, sr: int = SR, channels: int = 2) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    x = amp * np.sin(2 * np.pi * freq * t)
    # asymmetric stereo: the right channel is 0.7x, so a transposition cannot pass
    return np.stack([x * (1.0 if c == 0 else 0.7) for c in range(channels)], axis=1)


def bursts(amp: float, seconds: float = 4.0, sr: int = SR, every_s: float = 1.0, burst_s: float = 0.25) -> np.ndarray:
    """A sparse track (like toms): sine bursts separated by digital silence."""
    n = int(seconds * sr)
    x = np.zeros(n)
    t = np.arange(int(burst_s * sr)) / sr
    for k in range(int(seconds / every_s)):
        i = int(k * every_s * sr)
        x[i:i + t.size] = amp * np.sin(2 * np.pi * 110 * t)
    return np.stack([x, x], axis=1)


class Builder:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.project = Project.new(sample_rate=SR)
        self.project.path = str(tmp / "song.rpp")

    def track(self, name: str, *signals: np.ndarray, selected: bool = True, position: float = 0.0,
              subtype: str = "FLOAT", sr: int = SR, gap: float = 0.5):
        tr = self.project.add_track(len(self.project.tracks), name=name)
        pos = position
        for k, sig in enumerate(signals):
            f = self.tmp / f"{name}-{k}.wav"
            sf.write(f, sig, sr, subtype=subtype)
            self.project.add_item(tr, position=pos, length=sig.shape[0] / sr, file=str(f))
            pos += sig.shape[0] / sr + gap
        tr.selected = selected
        return tr

    def save(self) -> Path:
        self.project.save(self.project.path)
        return Path(self.project.path)


@pytest.fixture
def builder(tmp_path):
    return Builder(tmp_path)


def measured_pre_fx(project_path: Path, track_name: str) -> tuple[float, float]:
    """Independent of the product code: (RMS dBFS over non-silent 10 ms blocks, sample peak dBFS)
    of a track's items, from the media files and the item/take volumes written in the saved file."""
    p = Project.load(project_path)
    tr = next(t for t in p.tracks if t.name == track_name)
    chunks = []
    for item in tr.items:
        take = item.active_take
        x, _ = sf.read(p.resolve_media(take.source.file), dtype="float64", always_2d=True)
        chunks.append(x * item.volume * take.volume)
    x = np.concatenate(chunks, axis=0)
    blocks = x[: x.shape[0] // 480 * 480].reshape(-1, 480, x.shape[1])
    ms = (blocks**2).mean(axis=(1, 2))
    active = ms > 10 ** (-60 / 10)
    return 10 * np.log10(ms[active].mean()), 20 * np.log10(np.abs(x).max())
