"""The demo session processed by every action (the acceptance project of issue 18), built once."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from reaper_assist.app.registry import run_action
from reaper_assist.demo.session import build
from reaper_assist.emulator.project import Project
from reaper_assist.host.inprocess import InProcessHost
from tests import background

# every action of the registry that writes into the project (app/registry.py), denoise first (its
# take is then the one gain-stage writes); not here: remove, compare and report themselves, and
# ab-reference-remove (a removal: tests/reference); compare and report are run on the result in the tests.
# records: each action's last record
ALL_ACTIONS = ("denoise", "gain-stage", "auto-eq", "unmask", "auto-compress", "auto-gate", "ride", "dip-gaps", "de-ess",
               "balance", "auto-pan", "master", "match-reference", "ab-reference", "ab-reference-toggle",
               "ab-reference-toggle")  # toggled on and off again: the reference soloed would silence the mix
HISSY = "Lead Synth"  # white hiss at -60 dBFS RMS added to its media: denoise's new take


@dataclass(frozen=True)
class Processed:
    original: Path  # the session as the emulator saves it before any action
    processed: Path  # after every action
    records: dict


def body(path: Path) -> str:
    """The project file without its ExtState (the tool's last_run record and history live there)."""
    p = Project.load(str(path))
    p.root.children = [c for c in p.root.children if getattr(c, "tag", None) != "EXTSTATE"]
    return p.dumps()


@pytest.fixture(scope="session")
def processed(tmp_path_factory, request) -> Processed:
    """Run ahead by tests/background.py, or here when that has no result."""
    return background.result(request.config, "report-processed") or build_processed(tmp_path_factory.mktemp("session"))


def build_processed(d: Path) -> Processed:
    s = build(d, bars=2)
    wav = next((d / "Media").glob(f"* {HISSY}.wav"))
    x, sr = sf.read(wav, always_2d=True)
    sf.write(wav, x + 10 ** (-60 / 20) * np.random.default_rng(7).standard_normal(x.shape), sr, subtype="FLOAT")
    ref = d / "reference.wav"  # a reference for match-reference and ab-reference: pink-ish noise, 12 s
    n = 12 * sr
    spec = np.fft.rfft(np.random.default_rng(3).standard_normal((n, 2)), axis=0)
    spec /= np.sqrt(np.maximum(np.fft.rfftfreq(n, 1 / sr), 20.0))[:, None]
    y = np.fft.irfft(spec, n, axis=0)
    sf.write(ref, 0.2 * y / np.max(np.abs(y)), sr, subtype="FLOAT")
    host = InProcessHost.open(str(s.project))
    host.save(str(d / "original.rpp"))
    options = {"match-reference": {"reference": [str(ref)]}, "ab-reference": {"reference": [str(ref)]}}
    records = {a: run_action(a, host, options=options.get(a)) for a in ALL_ACTIONS}
    host.save(str(d / "processed.rpp"))
    return Processed(d / "original.rpp", d / "processed.rpp", records)


def copy(p: Processed, tmp: Path) -> Path:
    """A fresh copy of the processed project (its media stay where they are: paths are relative)."""
    out = p.processed.parent / f"{tmp.name}.rpp"
    shutil.copyfile(p.processed, out)
    return out
