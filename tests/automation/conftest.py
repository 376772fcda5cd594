"""Projects for the automation actions: a voice (espeak-ng phrases at uneven levels, a noise floor,
breaths) over a music bed, and a meter independent of the product (pyloudnorm's K-weighting)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

from reaper_assist.emulator.engine import render
from reaper_assist.emulator.project import Project
from tests.automation.material import HAVE_ESPEAK, SR, Voice, bed, voice

if not HAVE_ESPEAK:  # a missing dependency must fail loudly, not skip: it is in .ci/apt-packages-envelopes.txt
    raise RuntimeError("espeak-ng is not installed (Debian package espeak-ng): the automation tests need it")

POSITION_S = 1.0  # the voice item's position on the timeline


def build(tmp: Path, v: Voice, *, offset_s: float = 0.0, playrate: float = 1.0, name: str = "Vox") -> Path:
    p = Project.new(sample_rate=SR)
    p.path = str(tmp / "song.rpp")
    tr = p.add_track(0, name=name)
    sf.write(tmp / "vox.wav", v.audio, SR, subtype="FLOAT")
    length = (v.audio.size / SR - offset_s) / playrate
    it = p.add_item(tr, position=POSITION_S, length=length, file=str(tmp / "vox.wav"))
    it.chunk.set("SOFFS", 0, offset_s)
    it.chunk.set("PLAYRATE", 0, playrate)
    it.chunk.set("PLAYRATE", 1, 0)  # no pitch preservation: a plain resample
    tr.selected = True
    b = p.add_track(1, name="Bed")
    sf.write(tmp / "bed.wav", bed(length + 2 * POSITION_S), SR, subtype="FLOAT")
    p.add_item(b, position=0.0, length=length + 2 * POSITION_S, file=str(tmp / "bed.wav"))
    p.save(p.path)
    return Path(p.path)


def timeline(v: Voice, spans, *, offset_s: float = 0.0, playrate: float = 1.0):
    """File-time spans on the project timeline."""
    return [(POSITION_S + (a - offset_s) / playrate, POSITION_S + (b - offset_s) / playrate) for a, b in spans]


@pytest.fixture(scope="module")
def vox() -> Voice:
    return voice()


def render_track(path: Path, name: str = "Vox") -> tuple[np.ndarray, float]:
    """The track's post-fader render (mono sum) and the time of its first sample."""
    p = Project.load(path)
    tr = next(t for t in p.tracks if t.name == name)
    r = render(p, track=tr, start_s=0.0)
    return r.audio.mean(axis=0), r.start_s


def k_weighted(x: np.ndarray) -> np.ndarray:
    """pyloudnorm's BS.1770 K-weighting (the oracle is not the product's meter)."""
    meter = pyloudnorm.Meter(SR)
    y = x.copy()
    for f in meter._filters.values():
        y = f.apply_filter(y)
    return y


def momentary(x: np.ndarray, centres_s: np.ndarray) -> np.ndarray:
    """BS.1770 momentary loudness (400 ms) centred at each time (mono)."""
    y = k_weighted(x) ** 2
    c = np.concatenate([[0.0], np.cumsum(y)])
    h = int(0.2 * SR)
    i = (centres_s * SR).astype(int)
    ms = (c[i + h] - c[i - h]) / (2 * h)
    return -0.691 + 10 * np.log10(ms)


def energy_db(x: np.ndarray, t0: float, t1: float) -> float:
    seg = x[int(round(t0 * SR)):int(round(t1 * SR))]
    return 10 * np.log10(np.mean(seg**2))


def body(path: Path) -> str:
    """The project file without its ExtState (where the tool keeps its last_run record)."""
    p = Project.load(path)
    p.root.children = [c for c in p.root.children if getattr(c, "tag", None) != "EXTSTATE"]
    return p.dumps()
