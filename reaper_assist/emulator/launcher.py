"""The emulator as a child process: start ``python -m reaper_assist.emulator``, wait for its
``ready`` line, stop it. Used by ``reaper-assist demo``, the benchmarks and the tests."""

from __future__ import annotations

import subprocess
import sys
import time

from reaper_assist.errors import HostUnavailableError

READY_TIMEOUT_S = 30.0


class EmulatorProcess:
    """``[*prefix, python, -m, reaper_assist.emulator, *args]``.

    ``fields`` holds the ``key=value`` pairs of the ready line (``web_port``, ``reapy_port``,
    ``pid``), ``startup_output`` everything printed up to and including it.

    Raises
    ------
    HostUnavailableError
        The process exited, or did not print ``ready`` within :data:`READY_TIMEOUT_S`.
    """

    def __init__(self, args: list[str], *, env: dict[str, str] | None = None, prefix: list[str] | None = None,
                 cwd: str | None = None):
        cmd = [*(prefix or []), sys.executable, "-m", "reaper_assist.emulator", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                     cwd=cwd)
        assert self.proc.stdout is not None and self.proc.stderr is not None  # both PIPE above
        deadline = time.monotonic() + READY_TIMEOUT_S
        line = ""
        self.startup_output = ""
        while "ready" not in line:
            line = self.proc.stdout.readline()
            self.startup_output += line
            if not line and self.proc.poll() is not None:
                raise HostUnavailableError(f"the emulator exited: {self.proc.stderr.read()[-2000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise HostUnavailableError(f"the emulator was not ready in {READY_TIMEOUT_S:g} s")
        self.ready_line = line
        self.fields = dict(kv.split("=") for kv in line.split() if "=" in kv)

    def stop(self) -> int:
        """SIGTERM, then SIGKILL after 10 s; the exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                return self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        return self.proc.returncode
