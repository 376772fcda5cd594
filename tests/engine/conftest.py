"""Fixtures for the audio-engine tests (helpers live in engine_helpers.py)."""

from __future__ import annotations

import pytest
from engine_helpers import SR, Session

from reaper_assist.emulator import audio_actions
from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper


@pytest.fixture
def session(tmp_path) -> Session:
    p = Project.new(sample_rate=SR)
    p.path = str(tmp_path / "test.rpp")
    r = Reaper(p, resource_path=str(tmp_path))
    audio_actions.install(r)
    return Session(p, r, r.rpr_functions(), tmp_path)
