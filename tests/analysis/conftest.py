"""Fixtures of the analysis tests; shared helpers live in analysis_helpers.py."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

EBU_DIR = Path(__file__).resolve().parents[1] / "data" / "ebu"


@pytest.fixture
def rng() -> np.random.Generator:
    """A freshly seeded generator: every test sees the same noise."""
    return np.random.default_rng(20240505)


@pytest.fixture(scope="session")
def ebu_dir() -> Path:
    assert EBU_DIR.is_dir(), f"EBU test files missing: {EBU_DIR}"
    return EBU_DIR


@pytest.fixture(scope="session")
def read_ebu(ebu_dir):
    """Read an EBU file as (channels, samples) float64 plus its rate."""
    import soundfile

    def read(stem: str):
        data, rate = soundfile.read(ebu_dir / f"{stem}.flac", dtype="float64", always_2d=True)
        return data.T, rate  # soundfile gives (frames, channels)

    return read


@pytest.fixture(autouse=True)
def _no_reapy(monkeypatch):
    """The analysis layer must never import reapy (style.md rule 1)."""
    monkeypatch.setitem(sys.modules, "reapy", None)


@pytest.fixture(scope="session")
def rendered_stems(tmp_path_factory):
    """One labelled stem per part of stems.PARTS, rendered once per session with fluidsynth
    from the TimGM6mb SoundFont. Missing fluidsynth is a failure (see
    .ci/apt-packages-analysis.txt), not a skip: recognition accuracy must be measured."""
    from stems import render_set, require_fluidsynth

    try:
        require_fluidsynth()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    return render_set(tmp_path_factory.mktemp("stems"), variants=1)
