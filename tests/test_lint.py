"""ruff and mypy, configured in pyproject.toml, run as part of the test suite (so CI, which runs
the README's test command, runs them). Both are in the ``test`` extra; a missing one fails."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BACKGROUND = pytest.StashKey["Background | None"]()


def _run(*args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_ruff_check_passes_with_the_project_rules():
    out = _run("ruff", "check", "--no-cache", "--output-format", "concise", ".", timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr


MYPY = ("mypy", "--no-error-summary", "reaper_assist")
MYPY_TEST = "test_mypy_passes_on_the_package"


class Background:
    """A command started when the session's tests are collected (tests/conftest.py), so it runs on
    the machine's other core while the tests before its own run; its test waits for it."""

    def __init__(self, *args: str):
        self.out = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, stdout=self.out,
                                     stderr=subprocess.STDOUT, text=True)

    def result(self, timeout: float) -> tuple[int, str]:
        rc = self.proc.wait(timeout=timeout)
        self.out.seek(0)
        return rc, self.out.read()

    def stop(self) -> None:
        if self.proc.poll() is None:  # the session ended before its test (-x, a selection)
            self.proc.kill()
            self.proc.wait()
        self.out.close()


def start_in_background(items) -> Background | None:
    """mypy, started if its test is among the session's ``items``."""
    return Background(*MYPY) if any(i.nodeid.endswith(f"test_lint.py::{MYPY_TEST}") for i in items) else None


def test_mypy_passes_on_the_package(request):
    started = request.config.stash.get(BACKGROUND, None) or Background(*MYPY)
    rc, text = started.result(timeout=900)
    assert rc == 0, text
