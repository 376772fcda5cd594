"""Issue 6/11: the bridge's TCP fallback (where there is no AF_UNIX, as on Windows) listens on
loopback only; with AF_UNIX it has no TCP listener at all (tests/bridge/test_bridge_server.py).

The emulated REAPER (with the installed start-up, so reaper-assist's bridge, forced to its TCP
fallback) runs inside a network namespace this test creates, with a dummy interface holding a
private address. From inside that namespace a client connects to the namespace's own non-loopback
address: refused; to 127.0.0.1: greeted. No traffic goes to any other address. Needs root and
iproute2 (skipped otherwise)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from bridge_helpers import REPO, BridgeEmulator

ADDR = "10.213.7.1"  # private, and only inside the namespace

PROBE = r"""
import json, socket, sys
port, addr = int(open(sys.argv[1]).read()), sys.argv[2]
out = {"port": port}
def attempt(host):
    try:
        s = socket.create_connection((host, port), timeout=3)
    except OSError as exc:
        return "refused: " + type(exc).__name__
    s.settimeout(3)
    n = int.from_bytes(s.recv(8), "little")
    return "greeted: " + s.recv(n).decode()
out["loopback"] = attempt("127.0.0.1")
out["lan"] = attempt(addr)
print(json.dumps(out))
"""


def _ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], check=False, capture_output=True, text=True, timeout=10)


@pytest.fixture
def netns():
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 (ip netns)")
    name = f"ra-bridge-{os.getpid()}"
    if _ip("netns", "add", name).returncode != 0:
        pytest.skip("cannot create a network namespace here")
    try:
        # a dummy interface if the kernel has it, else a veth pair with both ends in the namespace
        if _ip("-n", name, "link", "add", "ra0", "type", "dummy").returncode != 0:
            r = _ip("-n", name, "link", "add", "ra0", "type", "veth", "peer", "name", "ra1")
            if r.returncode != 0:
                pytest.skip(f"cannot make an interface in the namespace: {r.stderr.strip()}")
            _ip("-n", name, "link", "set", "ra1", "up")
        for cmd in (
            ["link", "set", "lo", "up"],
            ["addr", "add", f"{ADDR}/24", "dev", "ra0"],
            ["link", "set", "ra0", "up"],
        ):
            r = _ip("-n", name, *cmd)
            if r.returncode != 0:
                pytest.skip(f"cannot set up the namespace: {r.stderr.strip()}")
        yield name
    finally:
        _ip("netns", "del", name)


def test_non_loopback_connection_is_refused(netns, tmp_path):
    emu = BridgeEmulator(tmp_path, prefix=["ip", "netns", "exec", netns], transport="tcp")
    try:
        out = subprocess.run(
            ["ip", "netns", "exec", netns, sys.executable, "-c", PROBE, os.path.join(emu.dir, "bridge.port"), ADDR],
            check=False, capture_output=True, text=True, timeout=30, cwd=str(REPO))
    finally:
        emu.stop()
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["loopback"].startswith("greeted: ") and '"bridge": "reaper-assist"' in r["loopback"], r
    assert r["lan"] == "refused: ConnectionRefusedError", r
