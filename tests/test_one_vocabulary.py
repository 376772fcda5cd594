"""One class per concept (issue 12, "small things"): the product's media reader and the emulator
report media problems with the same record, and only one class is named EqBand."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import reaper_assist
from reaper_assist.emulator import project
from reaper_assist.errors import MediaProblem
from reaper_assist.media import MediaProblem as MediaMediaProblem

PACKAGE = Path(reaper_assist.__file__).parent


def _classes_named(name: str) -> list[str]:
    return [f"{p.relative_to(PACKAGE)}" for p in sorted(PACKAGE.rglob("*.py"))
            for node in ast.walk(ast.parse(p.read_text())) if isinstance(node, ast.ClassDef) and node.name == name]


def test_one_media_problem_record_for_the_product_and_the_emulator():
    assert _classes_named("MediaProblem") == ["errors.py"]
    assert MediaMediaProblem is MediaProblem and project.MediaProblem is MediaProblem
    assert importlib.import_module("reaper_assist.emulator.engine.render").MediaProblem is MediaProblem
    p = MediaProblem("Kick", 2, "/x/kick.wav", "missing", track_index=0)
    assert str(p) == "track 1 'Kick', item 2: missing media (/x/kick.wav)"
    assert str(MediaProblem("Pad", 0, None, "empty")) == "track 'Pad', item 0: empty item, no source"


def test_one_class_named_eq_band():
    assert _classes_named("EqBand") == ["rules/tone.py"]
