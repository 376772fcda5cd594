"""Projects for the assistant tests, runs through the in-process host, and measurements of the
emulator's renders that do not use the product's analysis code."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy.ndimage import median_filter
from scipy.signal import welch

from reaper_assist.emulator.engine import render
from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper
from reaper_assist.host.inprocess import InProcessHost
from tests.assistants.assist_material import RATE, write_stereo


class Session:
    """A project of stereo WAV items; ``host()`` opens it for an action, ``render_track`` measures."""

    def __init__(self, tmp: Path, name: str = "song"):
        self.tmp = tmp
        self.project = Project.new(sample_rate=RATE)
        self.path = tmp / f"{name}.rpp"
        self.project.path = str(self.path)

    def track(self, name: str, audio: np.ndarray, *, selected: bool = True, position: float = 0.0):
        tr = self.project.add_track(len(self.project.tracks), name=name)
        f = write_stereo(self.tmp / f"{name.replace(' ', '_')}-{len(self.project.tracks)}.wav", audio)
        self.project.add_item(tr, position=position, length=audio.shape[1] / RATE, file=str(f))
        tr.selected = selected
        return tr

    def add_user_fx(self, track_index: int, name: str, rename: str | None = None) -> None:
        api = Reaper(self.project).rpr_functions()
        tr = api["RPR_GetTrack"](0, track_index)
        k = api["RPR_TrackFX_AddByName"](tr, name, False, -1)
        if rename:
            api["RPR_TrackFX_SetNamedConfigParm"](tr, k, "renamed_name", rename)

    def save(self) -> Path:
        self.project.save(str(self.path))
        return self.path


def open_host(path: Path) -> InProcessHost:
    return InProcessHost.open(str(path))


def run(action_run, path: Path, out: Path | None = None, **kw):
    """Run an action on the project at ``path``; save to ``out``; return (record, host)."""
    host = open_host(path)
    kw.setdefault("selected", True)
    record = action_run(host, **kw)
    if out is not None:
        host.save(str(out))
    return record, host


def render_track(project: Project, name: str) -> np.ndarray:
    tr = next(t for t in project.tracks if t.name == name)
    return render(project, track=tr).audio


def render_file(path: Path, name: str) -> np.ndarray:
    return render_track(Project.load(str(path)), name)


# --- measurements (independent of reaper_assist.analysis) -------------------------------------------
def psd_db(x: np.ndarray, sr: int = RATE) -> tuple[np.ndarray, np.ndarray]:
    f, p = welch(np.asarray(x, dtype=np.float64), fs=sr, nperseg=16384, axis=-1)
    return f, 10 * np.log10(np.maximum(p.mean(axis=0), 1e-30))


def band_power_db(x: np.ndarray, lo_hz: float, hi_hz: float, sr: int = RATE) -> float:
    f, p = welch(np.asarray(x, dtype=np.float64), fs=sr, nperseg=32768, axis=-1)
    sel = (f >= lo_hz) & (f <= hi_hz)
    return 10 * math.log10(max(float(p.mean(axis=0)[sel].sum()), 1e-30))


def excess_over_smoothed_db(x: np.ndarray, freq_hz: float, sr: int = RATE) -> float:
    """Height of the spectrum around ``freq_hz`` (1/20-octave smoothed, max within +-1/24 octave, the injected Q 8 peak's own width)
    above its one-octave running median: "distance to the smoothed spectrum"."""
    f, pdb = psd_db(x, sr)
    grid = 2 ** np.arange(np.log2(40.0), np.log2(16000.0), 1 / 96)
    p = 10 ** (pdb / 10)
    level = 10 * np.log10(np.maximum(np.interp(grid, f, p), 1e-30))
    light = np.convolve(level, np.ones(5) / 5, mode="same")
    base = median_filter(level, size=97, mode="nearest")
    sel = np.abs(np.log2(grid / freq_hz)) <= 1 / 24
    return float(np.max(light[sel] - base[sel]))


def granule_db(x: np.ndarray, sr: int = RATE, ms: float = 10.0) -> np.ndarray:
    n = int(sr * ms / 1000)
    m = x.shape[1] // n * n
    e = (np.asarray(x[:, :m], dtype=np.float64) ** 2).reshape(x.shape[0], -1, n).mean(axis=(0, 2))
    return 10 * np.log10(np.maximum(e, 1e-30))
