"""The emulator as a child process, shared by the fixtures of tests/, tests/bridge and tests/install:
start ``python -m reaper_assist.emulator``, wait for its ``ready`` line, stop it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmulatorProcess:
    """``[*prefix, python, -m, reaper_assist.emulator, *args]`` run from the repository.

    ``fields`` holds the ``key=value`` pairs of the ready line (``web_port``, ``bridge_port``,
    ``pid``), ``startup_output`` everything printed up to and including it.
    """

    def __init__(self, args: list[str], *, env: dict[str, str] | None = None, prefix: list[str] | None = None):
        cmd = [*(prefix or []), sys.executable, "-m", "reaper_assist.emulator", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                     cwd=str(REPO))
        deadline = time.monotonic() + READY_TIMEOUT_S
        line = ""
        self.startup_output = ""
        while "ready" not in line:
            line = self.proc.stdout.readline()
            self.startup_output += line
            if not line and self.proc.poll() is not None:
                raise RuntimeError(f"emulator exited: {self.proc.stderr.read()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"emulator not ready in {READY_TIMEOUT_S:g} s")
        self.ready_line = line
        self.fields = dict(kv.split("=") for kv in line.split() if "=" in kv)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                return self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        return self.proc.returncode
