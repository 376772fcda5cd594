"""Helpers for the bridge tests: an emulated REAPER running the *installed* start-up (so the bridge
is reaper-assist's) with python-reapy's own server for the test driver, and a raw client speaking
the bridge's frames without help."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sys
from pathlib import Path

from reaper_assist.bridge import endpoint, wire
from tests.emulator_proc import REPO, EmulatorProcess, free_port

RPP = REPO / "tests" / "data" / "rpp" / "rpp-editor_test2.rpp"


class BridgeEmulator(EmulatorProcess):
    """``python -m reaper_assist.emulator`` on a resource folder where ``reaper-assist install``
    ran; ``bridge_settings`` go into reaper_assist.json's "bridge"; ``transport="tcp"`` makes the
    bridge use its loopback fallback (as on Windows)."""

    def __init__(self, tmp: Path, *, bridge_settings: dict | None = None, defer_hz: float = 200.0,
                 prefix: list[str] | None = None, project: Path = RPP, quiet: bool = True,
                 transport: str = "unix", reapy_server: bool = True):
        from reaper_assist.install import install

        self.tmp = tmp
        self.resource = tmp / "resource"
        self.resource.mkdir(parents=True, exist_ok=True)
        self.web_port = free_port()
        _, self.config = install(self.resource, python=sys.executable, web_port=self.web_port)
        if bridge_settings:
            cfg_path = self.resource / "reaper_assist.json"
            cfg = json.loads(cfg_path.read_text())
            cfg["bridge"] = bridge_settings
            cfg_path.write_text(json.dumps(cfg))
        self.project = tmp / "song.rpp"
        shutil.copy(project, self.project)
        env = dict(os.environ)
        if transport == "tcp":
            env[endpoint.TRANSPORT_ENV] = "tcp"
        else:
            env.pop(endpoint.TRANSPORT_ENV, None)
        self.transport = transport
        super().__init__(
            ["--resource-path", str(self.resource), "--project", str(self.project),
             "--web-port", str(self.web_port), "--defer-hz", str(defer_hz)]
            + ([] if reapy_server else ["--no-reapy-server"]) + (["--quiet"] if quiet else []),
            prefix=prefix, env=env,
        )  # startup_output: the console echo before "ready" (without --quiet)
        self.pid = int(self.fields["pid"])
        self.reapy_port = int(self.fields["reapy_port"])
        self.dir = endpoint.runtime_dir(str(self.resource))

    @property
    def sock_path(self) -> str:
        return os.path.join(self.dir, "bridge.sock")

    @property
    def tcp_port(self) -> int:
        return int(Path(self.dir, "bridge.port").read_text())

    def host(self, **kw):
        from reaper_assist.host.reapy_host import ReapyHost

        return ReapyHost(self.resource, **kw)

    def driver(self):
        from reaper_assist.emulator.driver import ReapyDriver

        return ReapyDriver(self.web_port)

    def connect_raw(self, timeout_s: float = 5.0) -> socket.socket:
        return endpoint.connect(self.dir, "bridge", timeout_s=timeout_s)


class RawClient:
    """The bridge's frames over a plain socket: no help, no checks."""

    def __init__(self, emu: BridgeEmulator | None = None, *, sock: socket.socket | None = None,
                 timeout_s: float = 5.0):
        self.sock = sock if sock is not None else emu.connect_raw(timeout_s)
        self.sock.settimeout(timeout_s)
        self.greeting = json.loads(self.recv_frame())

    def recv_exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionResetError("closed by the bridge")
            buf += chunk
        return buf

    def recv_frame(self) -> bytes:
        n = int.from_bytes(self.recv_exact(8), "little")
        return self.recv_exact(n)

    def send_frame(self, payload: bytes) -> None:
        self.sock.sendall(len(payload).to_bytes(8, "little") + payload)

    def handshake(self, token: str, *, binding: str | None = None) -> dict:
        mine = secrets.token_hex(16)
        bind = binding if binding is not None else endpoint.binding(self.sock, server=False)
        self.send_frame(json.dumps({"nonce": mine, "proof": wire.proof(token, "client", self.greeting["nonce"],
                                                                        mine, bind)}).encode())
        answer = json.loads(self.recv_frame())
        assert wire.proof_ok(wire.proof(token, "bridge", self.greeting["nonce"], mine, bind), answer["proof"])
        return answer

    def request(self, op: str, **args) -> dict:
        self.send_frame(json.dumps({"op": op, "args": args}).encode())
        return json.loads(self.recv_frame())

    def closed_by_peer(self, timeout_s: float = 3.0) -> bool:
        """True when the bridge closes the connection (without an answer) within ``timeout_s``."""
        self.sock.settimeout(timeout_s)
        try:
            data = self.sock.recv(1 << 16)
        except (ConnectionResetError, BrokenPipeError):
            return True
        except TimeoutError:
            return False
        return data == b""

    def close(self) -> None:
        self.sock.close()


def good_read(emu: BridgeEmulator) -> dict:
    """A fresh authenticated client's first request (the "serving the next client" probe)."""
    c = RawClient(emu)
    try:
        c.handshake(emu.config.token)
        return c.request("current_project")
    finally:
        c.close()
