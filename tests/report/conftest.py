"""The demo session processed by every action (the acceptance project of issue 18), built once."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from reaper_assist.app.registry import run_action
from reaper_assist.demo.session import build
from reaper_assist.emulator.project import Project
from reaper_assist.host.inprocess import InProcessHost

ALL_ACTIONS = ("gain-stage", "auto-eq", "unmask", "auto-compress", "auto-gate", "ride", "dip-gaps", "de-ess", "balance",
               "auto-pan", "master")


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
def processed(tmp_path_factory) -> Processed:
    d = tmp_path_factory.mktemp("session")
    s = build(d, bars=2)
    host = InProcessHost.open(str(s.project))
    host.save(str(d / "original.rpp"))
    records = {a: run_action(a, host) for a in ALL_ACTIONS}
    host.save(str(d / "processed.rpp"))
    return Processed(d / "original.rpp", d / "processed.rpp", records)


def copy(p: Processed, tmp: Path) -> Path:
    """A fresh copy of the processed project (its media stay where they are: paths are relative)."""
    out = p.processed.parent / f"{tmp.name}.rpp"
    shutil.copyfile(p.processed, out)
    return out
