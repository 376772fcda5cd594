"""ruff and mypy, configured in pyproject.toml, run as part of the test suite (so CI, which runs
the README's test command, runs them). Both are in the ``test`` extra; a missing one fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests import background

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_ruff_check_passes_with_the_project_rules():
    out = _run("ruff", "check", "--no-cache", "--output-format", "concise", ".", timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_passes_on_the_package(request):
    """Run ahead on the other core (tests/background.py), or here when that has no result."""
    rc, text = background.result(request.config, "mypy") or background.mypy(ROOT)
    assert rc == 0, text
