"""The emulator is a separate wing (issue 12 point 5): nothing in ``reaper_assist.emulator``
imports the product's analysis, media, rules or dsp code, directly, lazily inside a function, or
through another module, so that a render measured by our analysis compares two implementations."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import reaper_assist.emulator

FORBIDDEN = ("reaper_assist.analysis", "reaper_assist.media", "reaper_assist.rules", "reaper_assist.dsp")
EMULATOR_DIR = Path(reaper_assist.emulator.__file__).parent


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def test_no_emulator_source_file_names_a_product_module_in_any_import():
    found = []
    for path in sorted(EMULATOR_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                if node.module == "reaper_assist":
                    names += [f"reaper_assist.{a.name}" for a in node.names]
            found += [f"{path.relative_to(EMULATOR_DIR)}:{node.lineno} {n}" for n in names if _forbidden(n)]
    assert found == []


# Imports every emulator module (the CLI entry __main__ excepted: it runs the command), then runs
# a render and the dry-run meter so lazy imports happen too, and prints what got loaded.
_PROBE = """
import importlib, json, pkgutil, sys, tempfile
import numpy as np, soundfile as sf
import reaper_assist.emulator as e
for m in pkgutil.walk_packages(e.__path__, "reaper_assist.emulator."):
    if not m.name.endswith("__main__"):
        importlib.import_module(m.name)
from reaper_assist.emulator.engine import dry_run, render
from reaper_assist.emulator.project import Project
d = tempfile.mkdtemp()
sf.write(d + "/a.wav", 0.1 * np.ones((48000, 2)), 48000, subtype="FLOAT")
p = Project.new(sample_rate=48000)
tr = p.add_track(0, name="A")
p.add_item(tr, position=0.0, length=1.0, file=d + "/a.wav")
p.root.set("SELECTION", 0, 0.0, fill=[0.0, 0.0]); p.root.set("SELECTION", 1, 1.0)
render(p)
dry_run(p, 42441)
print(json.dumps(sorted(k for k in sys.modules if k.startswith("reaper_assist"))))
"""


def test_importing_and_running_the_emulator_loads_no_product_analysis_media_rules_or_dsp():
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert "reaper_assist.emulator.engine.items" in loaded  # the probe really rendered
    assert [m for m in loaded if _forbidden(m)] == []
