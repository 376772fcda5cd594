"""Projects for the denoise tests and an independent meter (the emulator renders; numpy measures)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from reaper_assist.emulator.engine import render
from reaper_assist.emulator.project import Project
from reaper_assist.host.inprocess import InProcessHost
from tests.denoise import material as M


def build(tmp: Path, audio: np.ndarray, *, name: str = "Vox", file: str = "in.wav") -> Path:
    """One selected track holding one item of ``audio`` (mono, at 0 s) in ``file``."""
    p = Project.new(sample_rate=M.SR)
    p.path = str(tmp / "song.rpp")
    tr = p.add_track(0, name=name)
    sf.write(tmp / file, audio, M.SR, subtype="FLOAT")
    p.add_item(tr, position=0.0, length=audio.size / M.SR, file=str(tmp / file))
    tr.selected = True
    p.save(p.path)
    return Path(p.path)


def run(path: Path, **options):
    host = InProcessHost.open(str(path))
    from reaper_assist.app import denoise

    rec = denoise.run(host, options=options)
    out = path.with_name(path.stem + "-out.rpp")
    host.save(str(out))
    return rec, out, host


def render_track(path: Path, name: str = "Vox") -> np.ndarray:
    """The track's post-fader render through the emulator (mono sum), from 0 s."""
    p = Project.load(path)
    tr = next(t for t in p.tracks if t.name == name)
    return render(p, track=tr, start_s=0.0).audio.mean(axis=0)


def with_source(path: Path, old: str, new: str) -> Path:
    """A copy of the project with the media file ``old`` swapped for ``new`` (same folder)."""
    out = path.with_name(path.stem + f"-{Path(new).stem}.rpp")
    out.write_text(path.read_text().replace(old, new))
    return out


def line_db(x: np.ndarray, f_hz: float, t0_s: float = 1.5) -> float:
    """The level (dB RMS) of the component at exactly ``f_hz`` from ``t0_s`` on (Hann-windowed
    demodulation; the first ``t0_s`` let a narrow notch settle)."""
    seg = x[int(t0_s * M.SR):]
    w = np.hanning(seg.size)
    t = np.arange(seg.size) / M.SR
    z = np.sum(w * seg * np.exp(-2j * np.pi * f_hz * t))
    return float(10 * np.log10(np.abs(z) ** 2 * 2 / np.sum(w) ** 2 + 1e-30))


def local_db(x: np.ndarray, f_hz: float, half_hz: float = 1.0) -> float:
    """Power (dB) of ``x`` within +-``half_hz`` of ``f_hz`` on its whole-length Hann spectrum."""
    w = np.hanning(x.size)
    p = np.abs(np.fft.rfft(x * w)) ** 2 * 2 / np.sum(w) ** 2
    f = np.fft.rfftfreq(x.size, 1 / M.SR)
    return float(10 * np.log10(np.sum(p[np.abs(f - f_hz) <= half_hz]) + 1e-30))


@pytest.fixture(scope="module")
def stems():
    return {"speech": M.speech(), "bass": M.bass_a1(), "piano": M.piano()}
