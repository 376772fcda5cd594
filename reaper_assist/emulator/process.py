"""The emulated REAPER as a process: project, defer loop, web interface, reapy server, actions.

``python -m reaper_assist.emulator --project FILE.RPP --resource-path DIR --web-port N
--reapy-port M --defer-hz H`` loads the project, registers the resource folder's actions
(``reaper-kb.ini``), runs ``Scripts/__startup.py`` if present (as REAPER does: with reaper-assist
installed, that starts reaper-assist's bridge in the user's private directory), starts
python-reapy's unmodified server script in the defer loop on its own port M, published under the
ExtState ``reapy/server_port`` as stock reapy does (what test drivers use:
:mod:`reaper_assist.emulator.driver`; off with ``--no-reapy-server``), answers the web-interface
requests reapy makes, prints one line containing ``ready`` and serves until SIGTERM/SIGINT.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reaper_assist.emulator import pyshim, scripts
from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper
from reaper_assist.emulator.web import WebInterface
from reaper_assist.ports import free_port

DEFAULT_DEFER_HZ = 30.0  # REAPER's defer timer runs at about 30 Hz (reapy_behaviour 5)


class _Stop(BaseException):
    """Raised by the signal handler to unwind out of any loop, including a held reapy batch."""


class EmulatorProcess:
    current: EmulatorProcess | None = None

    def __init__(self, *, project: str | None, resource_path: str, web_port: int = 0, reapy_port: int = 0,
                 defer_hz: float = DEFAULT_DEFER_HZ, reapy_server: bool = True, host: str = "127.0.0.1",
                 echo_console: bool = True, console_file: str | None = None):
        self.project_path = project
        self.resource_path = str(Path(resource_path).resolve())
        self.web_port = web_port
        self._reapy_port_given = bool(reapy_port)
        self.reapy_port = (reapy_port or free_port(host)) if reapy_server else 0
        self.defer_hz = defer_hz
        self.reapy_server = reapy_server
        self.host = host
        self.echo_console = echo_console
        self.console_file = console_file
        # work the web interface hands to REAPER's main thread: (callable, done event, result box)
        self.main_queue: queue.Queue[tuple[Callable[[], Any], threading.Event, list]] = queue.Queue()
        self.reaper: Reaper | None = None
        self.cycles = 0

    # -----------------------------------------------------------------------------------------
    def setup(self) -> None:
        Path(self.resource_path, "Scripts").mkdir(parents=True, exist_ok=True)
        project = Project.load(self.project_path) if self.project_path else Project.new()
        for problem in project.media_problems():
            sys.stderr.write(f"emulator: media: {problem}\n")
        self.reaper = reaper = Reaper(project, resource_path=self.resource_path)
        reaper.console_echo = self.echo_console
        reaper.console_file = self.console_file
        self.defer = pyshim.DeferQueue()
        self.main, self.ns = pyshim.install_main(reaper, self.defer)
        self.scripts = scripts.ScriptHost(self.ns, self.defer)
        reaper.script_runner = self.scripts.run_action
        for action in scripts.read_kb_ini(self.resource_path):
            if action.section == 0:
                reaper.register_script(action.command_id, action.path, action.description, flags=action.flags)
        EmulatorProcess.current = self

        # reapy inside "REAPER": __main__.obj is set, reaper_python is importable
        import reapy
        import reapy.config

        if self.reapy_server:
            reapy.config.REAPY_SERVER_PORT = self.reapy_port
        pyshim.patch_reapy(reaper)
        from reaper_assist.emulator import audio_actions

        audio_actions.install(reaper)

        self.web = WebInterface(
            self.host, self.web_port,
            get_ext=lambda s, k: reaper.ext_state.get((s.lower(), k.lower())),
            set_ext=lambda s, k, v: reaper.SetExtState(s, k, v, False),
            run_on_main=self._run_on_main,
            get_proj_ext=lambda sec, k: self._on_main(lambda: reaper.project.get_ext_state(sec, k)),
            set_proj_ext=lambda sec, k, v: self._on_main(lambda: reaper.project.set_ext_state(sec, k, v)),
        )
        self.web_port = self.web.port
        self.web.start()

        startup = Path(self.resource_path, "Scripts", "__startup.py")
        if startup.is_file():
            self.scripts.run(str(startup))
        if self.reapy_server:
            self._start_reapy_server()

    REAPY_START_TRIES = 5

    def _start_reapy_server(self) -> None:
        """Run reapy's unmodified activation script. Stock reapy publishes its configured port, then
        binds it (0.0.0.0, no port 0), so the port is picked free beforehand; if something else took
        it in between (the script then fails binding and sets no ``SERVER``), pick another and run
        the script again, unless the caller asked for that port."""
        import reapy.config
        import reapy.reascripts.activate_reapy_server as act

        for _ in range(1 if self._reapy_port_given else self.REAPY_START_TRIES):
            self.ns.pop("SERVER", None)
            self.scripts.run(act.__file__)
            if self.ns.get("SERVER") is not None:
                return
            self.reapy_port = free_port(self.host)
            reapy.config.REAPY_SERVER_PORT = self.reapy_port
        raise RuntimeError(f"emulator: python-reapy's server could not bind a port (last tried {self.reapy_port})")

    def _on_main(self, fn: Callable[[], Any], timeout_s: float = 10.0) -> Any:
        """Run ``fn`` on the main thread (between defer cycles, as REAPER does) and return its result."""
        done, box = threading.Event(), []  # type: tuple[threading.Event, list[Any]]
        self.main_queue.put((fn, done, box))
        done.wait(timeout_s)
        return box[0] if box else None

    def _run_on_main(self, command: str) -> None:
        def run():
            r = self.reaper
            cmd = int(command) if command.isdigit() else r.NamedCommandLookup(command)
            if cmd:
                r.run_command(cmd)

        self._on_main(run)

    def _drain_main_queue(self) -> None:
        while True:
            try:
                fn, done, box = self.main_queue.get_nowait()
            except queue.Empty:
                return
            try:
                box.append(fn())
            except Exception as exc:  # an action failing must not stop REAPER
                assert self.reaper is not None  # set up before the first cycle
                self.reaper.ShowConsoleMsg(f"web interface request failed: {exc!r}\n")
            finally:
                done.set()

    def cycle(self) -> None:
        self._drain_main_queue()
        self.defer.run_cycle(self.ns)
        self.cycles += 1

    def serve(self) -> None:
        period = 1.0 / self.defer_hz if self.defer_hz > 0 else 0.0
        next_t = time.monotonic()
        while True:
            self.cycle()
            if period:
                next_t += period
                delay = next_t - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                else:
                    next_t = time.monotonic()

    def shutdown(self) -> None:
        try:
            if hasattr(self, "defer"):
                self.defer.run_exit(self.ns)
        finally:
            if hasattr(self, "web"):
                self.web.stop()

    def run(self) -> int:
        def on_signal(signum, frame):
            raise _Stop()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        try:
            self.setup()
            print(f"reaper-assist emulator ready web_port={self.web_port} reapy_port={self.reapy_port} "
                  f"pid={os.getpid()}", flush=True)
            self.serve()
        except _Stop:
            pass
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            self.shutdown()
        return 0
