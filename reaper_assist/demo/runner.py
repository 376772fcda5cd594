"""Run an action through the emulator exactly as a REAPER user would: install into a resource
folder, start the emulated REAPER (whose start-up script, installed by us, starts the bridge),
press the action's shortcut (REAPER's web interface runs the command like a key press), let the
companion do the work, wait for ``last_run``, save the result.

The process that calls :func:`run_through_emulator` connects python-reapy to that emulator (reapy
connects once per process), so call it from a fresh process (the demo command, or a test's
subprocess).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from reaper_assist.app.registry import EXT_SECTION, LAST_RUN_KEY, get_action
from reaper_assist.emulator.launcher import EmulatorProcess
from reaper_assist.errors import ReaperAssistError
from reaper_assist.ports import free_port


@dataclass(frozen=True)
class RunResult:
    record: dict
    before: Path  # the project as the emulator saved it before the action
    after: Path  # ... after the action
    undone: Path | None  # ... after Undo (when asked)
    seconds_to_record: float  # from the key press to the written record
    console: str


class _Emulator(EmulatorProcess):
    def __init__(self, project: Path, resource: Path, console_file: Path):
        # python-reapy's own server runs too, as in a user's REAPER; the console is read from a file
        # (no socket of a third-party server between the run and its result). The web interface
        # binds a port the OS picks and says which in its ready line: a port picked here and bound
        # there could be taken in between by another process (seen in CI with four demos at once).
        super().__init__(["--project", str(project), "--resource-path", str(resource), "--web-port", "0",
                          "--defer-hz", "30", "--quiet", "--console-file", str(console_file)])
        self.web_port = int(self.fields["web_port"])
        self.console_file = console_file

    def console(self) -> str:
        try:
            return self.console_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""

    def press(self, command_id: str) -> None:
        """Run an action as a shortcut would: through REAPER's web interface."""
        urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/_/_{command_id}", timeout=15).read()


def _stop_companion(resource: Path) -> None:
    from reaper_assist.companion import protocol
    from reaper_assist.companion.config import load_config

    try:
        cfg = load_config(resource)
        pid = protocol.request(str(resource), cfg.token, {"action": "ping"}, timeout_s=1)["pid"]
        os.kill(int(pid), signal.SIGTERM)
    except (OSError, ReaperAssistError, KeyError, ValueError):
        pass


def run_through_emulator(project: Path, out_dir: Path, *, action: str = "gain-stage", check_undo: bool = False,
                         timeout_s: float = 60.0) -> RunResult:
    from reaper_assist.install import install

    out_dir.mkdir(parents=True, exist_ok=True)
    resource = out_dir / "resource"
    resource.mkdir(exist_ok=True)
    install(resource, python=sys.executable, web_port=free_port())  # the scripts REAPER loads at start
    console_file = out_dir / "console.txt"
    console_file.unlink(missing_ok=True)
    emu = _Emulator(project, resource, console_file)
    try:
        install(resource, python=sys.executable, web_port=emu.web_port)  # the port the companion falls back to
        from reaper_assist.host.reapy_host import ReapyHost

        host = ReapyHost(resource)
        before = out_dir / "before.rpp"
        host.save(str(before))
        previous = host.get_proj_ext(EXT_SECTION, LAST_RUN_KEY)
        t0 = time.perf_counter()
        emu.press(get_action(action).command_id)
        record = wait_for_record(host, previous, t0, timeout_s)
        elapsed = time.perf_counter() - t0
        console = emu.console()  # REAPER has no API to read its console; the emulator writes it to a file
        if record is None:
            raise ReaperAssistError(f"no result after {timeout_s:g} s; REAPER console: {console[-1000:]}")
        after = out_dir / f"{project.stem}-{action}.rpp"
        host.save(str(after))
        undone = None
        if check_undo and record.get("undo"):
            host.undo()
            undone = out_dir / "undone.rpp"
            host.save(str(undone))
        return RunResult(record, before, after, undone, elapsed, console)
    except ReaperAssistError as exc:
        raise type(exc)(f"{exc}\n{_how_it_ended(emu)}") from None
    finally:
        emu.stop()
        _stop_companion(resource)


def wait_for_record(host, previous: str | None, t0: float, timeout_s: float) -> dict | None:
    """The ``last_run`` record once it differs from ``previous`` (polled every 10 ms from
    ``t0``, a ``time.perf_counter()``), or None after ``timeout_s``."""
    while time.perf_counter() - t0 < timeout_s:
        raw = host.get_proj_ext(EXT_SECTION, LAST_RUN_KEY)
        if raw and raw != previous:
            return json.loads(raw)
        time.sleep(0.01)
    return None


def _how_it_ended(emu: _Emulator) -> str:
    """Whether the emulator was still running when the run failed, and the end of what it printed."""
    alive = emu.proc.poll() is None
    code = emu.stop()
    err = emu.proc.stderr.read() if emu.proc.stderr else ""
    state = "was still running (stopped now)" if alive else f"had exited with code {code}"
    return f"the emulator {state}; its stderr ends: {err[-2000:].strip() or '(nothing)'}"
