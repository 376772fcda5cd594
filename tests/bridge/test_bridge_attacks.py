"""Issue 11's attack suite: a local program without the token, run as this user and as another user
(``setpriv`` to uid/gid 65534), against the bridge on its Unix socket and on its TCP fallback.

Every crafted request of tests/bridge/attacker.py (the issue's attacks: the token read through
``__callable__``, AddRemoveReaScript + Main_OnCommand, ``Deferrer._wrapped_open``,
``Main_SaveProjectEx`` to any path, ``reapy.config.config.add_reascript``, the
``reapy/server_port`` redirect, HOLD, and forged handshakes and frames) must end with the
connection closed or never opened: nothing runs, nothing is read or written, and all the while a
good client (a fresh connection, handshake and request each time) is answered within 2 s. Then
the relay that forwards a real client's handshake, and the lock-out scenarios: 32 idle sockets, a
connect flood, 32 clients announcing maximum frames, a HOLD kept alive.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from bridge_helpers import BridgeEmulator, RawClient

from reaper_assist.bridge import wire
from reaper_assist.errors import HostUnavailableError
from reaper_assist.host.reapy_host import ReapyHost, _Connection

GOOD_CLIENT_BOUND_S = 2.0  # issue 11: a good client is answered within 2 s throughout
AUTH_TIMEOUT_S = 2.0  # the bridge's default deadline for the handshake
OTHER_UID = 65534
HOLD_MAX_S = 3.0  # this fixture's cap on one HOLD (the default is 10 s), to keep the test short
ATTACKER = Path(__file__).with_name("attacker.py")


@pytest.fixture(scope="module")
def arena():
    """A world-readable folder with the attacker script, a canary file the bridge's user could
    write, and a script that would create ``canary.pwned`` if anything ran it."""
    d = Path(tempfile.mkdtemp(prefix="ra-attack-"))
    os.chmod(d, 0o755)
    shutil.copy(ATTACKER, d / "attacker.py")
    (d / "canary.txt").write_text("the user's unreleased work\n")
    (d / "pwn.py").write_text(f"open({str(d / 'canary.txt.pwned')!r}, 'w').write('pwned')\n")
    for p in d.iterdir():
        os.chmod(p, 0o644)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module", params=["unix", "tcp"])
def emu(request, tmp_path_factory):
    e = BridgeEmulator(tmp_path_factory.mktemp(f"attacks-{request.param}"), transport=request.param,
                       bridge_settings={"hold_max_s": HOLD_MAX_S})
    e.drv = e.driver()
    yield e
    e.drv.close()
    assert e.stop() == 0


def target(emu) -> str:
    return f"unix:{emu.sock_path}" if emu.transport == "unix" else f"tcp:{emu.tcp_port}"


def other_uid_prefix() -> list[str]:
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is not installed")
    if os.geteuid() != 0:
        pytest.skip("switching to another uid needs root")
    return [setpriv, "--reuid", str(OTHER_UID), "--regid", str(OTHER_UID), "--clear-groups"]


def python_for(prefix: list[str]) -> str:
    """A Python the attacker's uid can run (this one may live in a folder only root can enter)."""
    for py in (sys.executable, "/usr/bin/python3", shutil.which("python3") or ""):
        if py and subprocess.run([*prefix, py, "-c", "pass"], check=False, capture_output=True, timeout=30).returncode == 0:
            return py
    pytest.fail(f"no Python that uid {OTHER_UID} can run (install python3)")


def attacker(emu, arena, who: str, mode: str, *args: str, timeout_s: float = 120.0) -> dict:
    prefix = other_uid_prefix() if who == "other-uid" else []
    py = python_for(prefix) if prefix else sys.executable
    out = subprocess.run([*prefix, py, str(arena / "attacker.py"), target(emu), mode, *args],
                         check=False, capture_output=True, text=True, timeout=timeout_s, cwd=str(arena),
                         env={"PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


class GoodClient(threading.Thread):
    """The companion: a fresh connection, handshake and one request, again and again."""

    def __init__(self, emu):
        super().__init__(daemon=True)
        self.emu, self.stop_event = emu, threading.Event()
        self.latencies: list[float] = []
        self.failures: list[str] = []

    def run(self) -> None:
        while not self.stop_event.is_set():
            t0 = time.perf_counter()
            try:
                host = ReapyHost(self.emu.resource, connect_timeout_s=10.0, timeout_s=10.0)
                host.current_project()
                host.close()
            except Exception as exc:  # noqa: BLE001 - reported by the test
                self.failures.append(repr(exc))
            self.latencies.append(time.perf_counter() - t0)
            self.stop_event.wait(0.1)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        deadline = time.monotonic() + 10.0  # a few answers at least, even when the attack was quick
        while len(self.latencies) < 3 and self.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.stop_event.set()
        self.join(30)

    def check(self) -> None:
        assert self.failures == [], self.failures[:5]
        assert len(self.latencies) >= 3
        assert max(self.latencies) < GOOD_CLIENT_BOUND_S, max(self.latencies)


def state(emu, arena) -> dict:
    return {
        "project": emu.drv.project_text(),
        "canary": (arena / "canary.txt").read_bytes(),
        "pwned": (arena / "canary.txt.pwned").exists(),
        "kb_ini": (emu.resource / "reaper-kb.ini").read_bytes(),
        "reapy_server_port": emu.drv.api("GetExtState", "reapy", "server_port"),
        "snapshots": sorted(os.listdir(emu.resource)),
        "pwned_in_console": "pwned" in emu.drv.console(),
    }


def stats(emu) -> dict:
    c = RawClient(emu)
    c.handshake(emu.config.token)
    try:
        return c.request("stats")["value"]
    finally:
        c.close()


def replay_file(emu, arena) -> str:
    """A valid handshake frame of an earlier connection (as if captured), for the replay attack."""
    c = RawClient(emu)
    mine = "fedcba9876543210fedcba9876543210"
    from reaper_assist.bridge import endpoint

    bind = endpoint.binding(c.sock, server=False)
    msg = {"nonce": mine, "proof": wire.proof(emu.config.token, "client", c.greeting["nonce"], mine, bind)}
    c.close()
    path = arena / f"replay-{emu.transport}.json"
    path.write_text(json.dumps(msg))
    os.chmod(path, 0o644)
    return str(path)


@pytest.mark.parametrize("who", ["same-uid", "other-uid"])
def test_no_crafted_request_runs_reads_or_writes_anything(emu, arena, who):
    before, s0 = state(emu, arena), stats(emu)
    replay = replay_file(emu, arena)
    with GoodClient(emu) as good:
        result = attacker(emu, arena, who, "attacks", str(arena / "canary.txt"), str(arena / "pwn.py"), replay)
    good.check()
    assert len(result) >= 40
    answered = {k: v for k, v in result.items() if not (v.startswith(("closed", "connect refused")))}
    assert answered == {}, answered
    slow = {k: float(v.split()[2]) for k, v in result.items() if v.startswith("closed after")}
    assert all(t <= AUTH_TIMEOUT_S + 1.0 for t in slow.values()), slow
    if who == "other-uid" and emu.transport == "unix":  # the 0700 directory stops them at connect
        assert set(result.values()) == {"connect refused: PermissionError"}, result
    else:
        assert not any(v.startswith("connect refused") for v in result.values()), result
        s1 = stats(emu)
        ended = sum(s1[k] - s0[k] for k in ("auth_failures", "malformed", "auth_timeouts"))
        assert ended == len(result)  # each connection ended in the handshake: a bad proof, frame or silence
        assert s1["refused"] == s0["refused"] and s1["errors"] == s0["errors"]  # no request was decoded
    assert state(emu, arena) == before


def test_a_relay_cannot_pass_a_real_clients_handshake(emu, tmp_path):
    """A same-user program without the token relays a real client's bytes to the bridge (as the old
    reapy/server_port redirect allowed) and tries to inject a request: the bridge refuses the
    handshake (the proofs are bound to each side's view of the connection), the client refuses
    to go on, and nothing is injected."""
    if emu.transport == "unix":
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(tmp_path / "relay.sock"))
    else:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    upstream_after_handshake: list[bytes] = []

    def relay() -> None:
        down, _ = listener.accept()
        up = emu.connect_raw()
        down.sendall(up.recv(4096))  # the bridge's greeting
        down.sendall(b"")
        up.sendall(down.recv(4096))  # the client's proof, forwarded as is
        up.sendall(wire.frame(json.dumps({"op": "console", "args": {"text": "pwned"}}).encode()))
        up.settimeout(3)
        try:
            while chunk := up.recv(4096):
                upstream_after_handshake.append(chunk)
        except OSError:
            pass
        down.close()
        up.close()

    t = threading.Thread(target=relay, daemon=True)
    t.start()
    s0 = stats(emu)
    sock = socket.socket(listener.family, socket.SOCK_STREAM)
    sock.connect(listener.getsockname())
    with pytest.raises(HostUnavailableError, match="refused the token|could not prove"):
        _Connection(sock, emu.config.token, 5.0)
    t.join(10)
    listener.close()
    assert upstream_after_handshake == []  # the bridge closed the relay's connection unanswered
    assert stats(emu)["auth_failures"] == s0["auth_failures"] + 1
    assert "pwned" not in emu.drv.console()


def test_reapy_server_port_redirect_is_never_followed(emu):
    """The issue's redirect: anyone may set the ExtState reapy/server_port (REAPER's web interface
    has no password). Our client never reads it; the listener it names sees no connection."""
    trap = socket.socket()
    trap.bind(("127.0.0.1", 0))
    trap.listen(4)
    trap.setblocking(False)
    original = emu.drv.api("GetExtState", "reapy", "server_port")
    emu.drv.api("SetExtState", "reapy", "server_port", str(trap.getsockname()[1]), False)
    try:
        host = ReapyHost(emu.resource)
        assert host.current_project() == str(emu.project)
        with pytest.raises(BlockingIOError):
            trap.accept()
    finally:
        emu.drv.api("SetExtState", "reapy", "server_port", original, False)
        trap.close()


@pytest.mark.parametrize("who", ["same-uid", "other-uid"])
@pytest.mark.parametrize("mode", ["idle", "flood", "bigframes"])
def test_idle_sockets_floods_and_maximum_frames_lock_nobody_out(emu, arena, who, mode):
    if who == "other-uid" and emu.transport == "unix":
        other_uid_prefix()  # (they cannot connect at all: covered by the attack test)
    s0 = stats(emu)
    with GoodClient(emu) as good:
        summary = attacker(emu, arena, who, mode, "32", "3")
    good.check()
    s1 = stats(emu)
    if who == "other-uid" and emu.transport == "unix":
        assert summary["made"] == 0 and summary["connect_refused"] > 0
        return
    assert summary["made"] >= 32, summary
    limits = wire.MAX_AUTH_FRAME + wire.HEADER_BYTES
    assert s1["peak_unauthenticated_bytes"] <= 64 * limits  # max_pending waiting clients, one tiny frame each
    if mode == "idle":
        assert summary["closed_by_bridge"] >= 32  # all timed out after auth_timeout_s, never kept
    assert s1["errors"] == s0["errors"] and s1["refused"] == s0["refused"]


def test_a_hold_kept_alive_is_capped_and_others_are_served_meanwhile(emu):
    """An authenticated client that HOLDs and sends a request every second: others' reads are
    answered beside it, its hold ends after hold_max_s (3 s here) and a waiting write then runs."""
    holder = RawClient(emu)
    holder.handshake(emu.config.token)
    assert holder.request("HOLD")["type"] == "result"
    writer = RawClient(emu)
    writer.handshake(emu.config.token)
    writer.send_frame(json.dumps({"op": "set_proj_ext", "args": {"section": "hold", "key": "k",
                                                                 "value": "written"}}).encode())
    t0 = time.perf_counter()
    with GoodClient(emu) as good:
        dropped_after = None
        while time.perf_counter() - t0 < HOLD_MAX_S + 3:
            try:
                holder.request("current_project")
            except OSError:
                dropped_after = time.perf_counter() - t0
                break
            time.sleep(1.0)
    good.check()
    assert dropped_after is not None and dropped_after <= HOLD_MAX_S + 1.5, dropped_after
    writer.sock.settimeout(GOOD_CLIENT_BOUND_S)
    assert json.loads(writer.recv_frame())["type"] == "result"
    assert emu.drv.call("reapy.reascript_api", "GetProjExtState", 0, "hold", "k", "", 64)[4] == "written"


def test_the_directory_is_checked_before_it_is_trusted(tmp_path, monkeypatch):
    from reaper_assist.bridge import endpoint

    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(endpoint.tempfile, "gettempdir", lambda: str(tmp_path))
    d = endpoint.runtime_dir("/some/resource", create=True)
    assert stat.S_IMODE(os.lstat(d).st_mode) == 0o700
    os.chmod(d, 0o755)  # opened up: refused, never repaired silently
    with pytest.raises(endpoint.EndpointError, match="0700"):
        endpoint.runtime_dir("/some/resource")
    os.rmdir(d)
    os.symlink(tmp_path, d)  # a link planted in its place
    with pytest.raises(endpoint.EndpointError, match="not a directory"):
        endpoint.runtime_dir("/some/resource", create=True)
    os.unlink(d)
    if os.geteuid() == 0:  # created first by another user
        os.mkdir(d, 0o700)
        os.chown(d, OTHER_UID, OTHER_UID)
        with pytest.raises(endpoint.EndpointError, match=f"belongs to user {OTHER_UID}"):
            endpoint.runtime_dir("/some/resource", create=True)
