"""Fixtures for the installer and companion tests: fake REAPER resource folders and an emulator
process started with the *installed* bridge start-up (and python-reapy's own server for the test
driver)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.emulator_proc import REPO, EmulatorProcess, free_port  # noqa: F401 - free_port: for the tests

HERE = Path(__file__).parent
SITE = HERE / "site"
RPP = REPO / "tests" / "data" / "rpp" / "rpp-editor_test2.rpp"

REAPER_INI = "[REAPER]\r\nlastproject=\r\ncsurf_cnt=1\r\ncsurf_0=OSC 0 8000 '' ''\r\npythonlibpath64=C:\\Python39\r\n\r\n[verchk]\r\nlast=0\r\n"
KB_INI = 'SCR 4 0 RS0123 "Custom: mine.lua" "my scripts/mine.lua"\nKEY 1 65 _RS0123 0'  # no final newline


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes), plus the folders (-> b"<dir>")."""
    out = {}
    for p in sorted(root.rglob("*")):
        out[p.relative_to(root).as_posix()] = p.read_bytes() if p.is_file() else b"<dir>"
    return out


@pytest.fixture
def resource(tmp_path) -> Path:
    """A REAPER resource folder with user content (CRLF reaper.ini, a kb.ini without final newline,
    a user __startup.lua)."""
    r = tmp_path / "REAPER res"  # a space, as on macOS
    (r / "Scripts").mkdir(parents=True)
    (r / "reaper.ini").write_bytes(REAPER_INI.encode())
    (r / "reaper-kb.ini").write_bytes(KB_INI.encode())
    (r / "Scripts" / "__startup.lua").write_bytes(b"reaper.ShowConsoleMsg('user startup')")
    return r


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SITE), str(REPO)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["RA_TEST_ACTIONS"] = "1"
    env.update(extra)
    return env


class Emulator(EmulatorProcess):
    def __init__(self, resource: Path, project: Path, web_port: int, env: dict[str, str]):
        self.resource, self.web_port = resource, web_port
        super().__init__(["--resource-path", str(resource), "--project", str(project), "--web-port", str(web_port),
                          "--defer-hz", "200", "--quiet"], env=env)

    def press(self, command_id: str) -> None:
        """Run an action as a shortcut would (the web interface's /_/<command>)."""
        urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/_/_{command_id}", timeout=15).read()

    def probe(self, previous: str = "", timeout_s: float = 20.0) -> dict:
        out = subprocess.run([sys.executable, str(HERE / "probe.py"), str(self.resource), str(self.web_port), previous,
                              str(timeout_s)],
                             capture_output=True, text=True, timeout=timeout_s + 30, cwd=str(REPO),
                             env={k: v for k, v in child_env().items() if k != "RA_TEST_ACTIONS"})
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def project(tmp_path) -> Path:
    p = tmp_path / "song.rpp"
    shutil.copy(RPP, p)
    return p
