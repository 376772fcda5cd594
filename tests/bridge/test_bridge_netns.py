"""Issue 6 acceptance: a connection to the bridge from a non-loopback address is refused.

The emulated REAPER (with the installed start-up, so reaper-assist's bridge) runs inside a network
namespace this test creates, with a dummy interface holding a private address. From inside that
namespace a client connects to the namespace's own non-loopback address: refused; to 127.0.0.1:
served. No traffic goes to any other address. Needs root and iproute2 (skipped otherwise)."""

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
import json, socket, sys, urllib.request
web_port, addr = int(sys.argv[1]), sys.argv[2]
text = urllib.request.urlopen(f"http://127.0.0.1:{web_port}/_/GET/EXTSTATE/reapy/server_port", timeout=5).read().decode()
port = int(text.split("\t")[-1][:-1])
out = {"port": port}
def attempt(host):
    try:
        s = socket.create_connection((host, port), timeout=3)
    except OSError as exc:
        return "refused: " + type(exc).__name__
    s.settimeout(3)
    n = int.from_bytes(s.recv(8), "little")
    greeting = s.recv(n).decode()
    req = json.dumps({"function": {"__callable__": True, "module_name": "reapy.reascript_api", "name": "CountTracks"},
                      "input": {"args": [0], "kwargs": {}}}).encode()
    s.sendall(len(req).to_bytes(8, "little") + req)
    n = int.from_bytes(s.recv(8), "little")
    return "served: " + greeting + " " + s.recv(n).decode()
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


def probe(netns: str, emu: BridgeEmulator) -> dict:
    out = subprocess.run(
        ["ip", "netns", "exec", netns, sys.executable, "-c", PROBE, str(emu.web_port), ADDR],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
        cwd=str(REPO),
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_non_loopback_connection_is_refused(netns, tmp_path):
    emu = BridgeEmulator(tmp_path, prefix=["ip", "netns", "exec", netns])
    try:
        r = probe(netns, emu)
    finally:
        emu.stop()
    assert r["loopback"].startswith("served: ('127.0.0.1'") and '"value": 1' in r["loopback"], r
    assert r["lan"] == "refused: ConnectionRefusedError", r


def test_other_addresses_only_by_explicit_setting_with_a_warning(netns, tmp_path):
    emu = BridgeEmulator(
        tmp_path,
        prefix=["ip", "netns", "exec", netns],
        bridge_settings={"host": "0.0.0.0"},
        quiet=False,
    )
    try:
        r = probe(netns, emu)
    finally:
        emu.stop()
    console = emu.startup_output + emu.proc.stdout.read()
    assert r["lan"].startswith(f"served: ('{ADDR}'"), r
    assert r["loopback"].startswith("served:"), r
    assert "WARNING: the bridge listens on 0.0.0.0" in console
