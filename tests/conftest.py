"""Shared fixtures: test data, an emulator process on free ports, a reapy-backed host.

Tests never attach to a real REAPER: the reapy client's web-interface port is preset to the
emulator's before reapy is imported (reaper_assist.host.reapy_ports).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.emulator_proc import EmulatorProcess

DATA = Path(__file__).parent / "data"
RPP_DIR = DATA / "rpp"
RPP_FIXTURES = sorted(p for p in RPP_DIR.iterdir() if p.suffix.lower() == ".rpp")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


class EmulatorProc(EmulatorProcess):
    def __init__(self, tmp: Path, project: Path | None, defer_hz: float = 200.0, extra: list[str] | None = None):
        self.resource = tmp / "resource"
        self.resource.mkdir(parents=True, exist_ok=True)
        super().__init__(["--resource-path", str(self.resource), "--defer-hz", str(defer_hz), "--quiet"]
                         + (["--project", str(project)] if project else []) + (extra or []))
        self.web_port = int(self.fields["web_port"])
        self.bridge_port = int(self.fields["bridge_port"])


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    """One emulator process for the session (reapy connects once per test process)."""
    tmp = tmp_path_factory.mktemp("emulator")
    project = tmp / "project.rpp"
    shutil.copy(RPP_DIR / "rpp-editor_test2.rpp", project)
    emu = EmulatorProc(tmp, project)
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def reapy_host(emulator):
    from reaper_assist.host.reapy_host import ReapyHost

    return ReapyHost(web_port=emulator.web_port)


@pytest.fixture
def live_project(reapy_host, tmp_path):
    """Open a fresh copy of a fixture project in the session's emulator; returns a loader."""
    from reaper_assist.emulator import control

    def load(name: str = "rpp-editor_test2.rpp", src: Path | None = None) -> Path:
        dst = tmp_path / (src.name if src else name)
        shutil.copy(src or (RPP_DIR / name), dst)
        reapy_host.call(control.load_project, str(dst))
        return dst

    return load
