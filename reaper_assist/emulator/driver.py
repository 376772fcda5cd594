"""A test driver for the emulator: python-reapy's own protocol against python-reapy's unmodified
server, which the emulator runs on its own port (published under the ExtState
``reapy/server_port``, as stock reapy does) unless started with ``--no-reapy-server``.

Tests, benchmarks and the demo use it to inspect and steer the emulated REAPER (the functions of
:mod:`reaper_assist.emulator.control`: load a project, the project's text, the console, run an
action). It is never the product's way in: reaper-assist's bridge serves only its own operations,
through its private directory (docs/bridge.md). The requests are reapy's (a callable named by
module and qualified name); reapy's client class is not used because importing reapy binds one
process-wide connection, and a test process drives several emulators.
"""

from __future__ import annotations

import json
import socket
import urllib.request
from typing import Any

from reaper_assist.errors import HostError, HostUnavailableError


class ReapyDriver:
    def __init__(self, web_port: int, *, timeout_s: float = 60.0):
        url = f"http://127.0.0.1:{int(web_port)}/_/GET/EXTSTATE/reapy/server_port"
        try:
            text = urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
            self.port = int(text.split("\t")[-1][:-1])  # reapy's own parsing (reapy_behaviour 2.7)
        except (OSError, ValueError) as exc:
            raise HostUnavailableError(f"no python-reapy server published on web port {web_port}: {exc}") from None
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout_s)
        self.address = self._recv().decode("ascii")  # reapy's greeting: the client's address

    def _recv_exact(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(min(n - len(buf), 1 << 20))
            if not chunk:
                raise HostUnavailableError("python-reapy's server closed the connection")
            buf += chunk
        return bytes(buf)

    def _recv(self) -> bytes:
        return self._recv_exact(int.from_bytes(self._recv_exact(8), "little"))

    def call(self, module: str, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run ``module.name(*args, **kwargs)`` inside the emulator through reapy's server."""
        req = {"function": {"__callable__": True, "module_name": module, "name": name},
               "input": {"args": list(args), "kwargs": kwargs}}
        data = json.dumps(req).encode("utf-8")
        self.sock.sendall(len(data).to_bytes(8, "little") + data)
        reply = json.loads(self._recv().decode("utf-8"))
        if reply.get("type") != "result":
            raise HostError(f"the emulator reported: {str(reply.get('traceback', reply)).strip().splitlines()[-1]}")
        return reply.get("value")

    def control(self, name: str, *args: Any) -> Any:
        return self.call("reaper_assist.emulator.control", name, *args)

    def load_project(self, path: str) -> int:
        return self.control("load_project", str(path))

    def project_text(self) -> str:
        return self.control("project_text")

    def console(self) -> str:
        return self.control("console")

    def undo_descriptions(self) -> list[str]:
        return self.control("undo_descriptions")

    def run_action(self, command: str) -> bool:
        return self.control("run_action", str(command))

    def api(self, name: str, *args: Any) -> Any:
        """A ReaScript function, as reapy's client calls it (``reapy.reascript_api.<name>``)."""
        return self.call("reapy.reascript_api", name, *args)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
