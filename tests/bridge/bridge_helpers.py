"""Helpers for the bridge tests: an emulated REAPER running the *installed* start-up (so the bridge
is reaper-assist's), and a raw client speaking reapy's frames without reapy."""

from __future__ import annotations

import json
import shutil
import socket
import sys
import urllib.request
from pathlib import Path

from tests.emulator_proc import REPO, EmulatorProcess, free_port

RPP = REPO / "tests" / "data" / "rpp" / "rpp-editor_test2.rpp"


class BridgeEmulator(EmulatorProcess):
    """``python -m reaper_assist.emulator --no-reapy-server`` on a resource folder where
    ``reaper-assist install`` ran; ``bridge_settings`` go into reaper_assist.json's "bridge"."""

    def __init__(
        self,
        tmp: Path,
        *,
        bridge_settings: dict | None = None,
        defer_hz: float = 200.0,
        prefix: list[str] | None = None,
        project: Path = RPP,
        quiet: bool = True,
    ):
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
        super().__init__(
            ["--resource-path", str(self.resource), "--project", str(self.project),
             "--web-port", str(self.web_port), "--defer-hz", str(defer_hz), "--no-reapy-server"]
            + (["--quiet"] if quiet else []),
            prefix=prefix,
        )  # startup_output: the console echo before "ready" (without --quiet)
        self.pid = int(self.fields["pid"])
        # inside another network namespace (``prefix``) the ports are not reachable from here
        self.bridge_port = 0 if prefix else int(self.ext_state("reapy", "server_port") or 0)

    def ext_state(self, section: str, key: str) -> str:
        url = f"http://127.0.0.1:{self.web_port}/_/GET/EXTSTATE/{section}/{key}"
        return urllib.request.urlopen(url, timeout=5).read().decode().split("\t")[-1][:-1]

    def host(self, **kw):
        from reaper_assist.host.reapy_host import ReapyHost

        return ReapyHost(web_port=self.web_port, **kw)


class RawClient:
    """reapy's frames over a plain socket: no reapy, no help."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout_s: float = 5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout_s)
        self.greeting = self.recv_frame().decode("ascii")

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

    def request(self, function, *args, **kwargs) -> dict:
        self.send_frame(
            json.dumps(
                {"function": function, "input": {"args": list(args), "kwargs": kwargs}}
            ).encode()
        )
        return json.loads(self.recv_frame())

    def call(self, module: str, name: str, *args, **kwargs) -> dict:
        return self.request(
            {"__callable__": True, "module_name": module, "name": name}, *args, **kwargs
        )

    def authenticate(self, token: str) -> dict:
        from reaper_assist.bridge.server import auth_digest

        hello = self.request("RA_HELLO")["value"]
        return self.request("RA_AUTH", auth_digest(token, hello["nonce"], hello["address"]))

    def close(self) -> None:
        self.sock.close()


def count_tracks(port: int) -> dict:
    """A fresh client's first request (the "serving the next client" probe)."""
    c = RawClient(port)
    try:
        return c.call("reapy.reascript_api", "CountTracks", 0)
    finally:
        c.close()
