"""The companion server: the private directory, both sides proving the token, message limits, idle
connections that lock nobody out, one job at a time, queue/busy, idle exit."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time

import pytest

from reaper_assist.bridge import endpoint
from reaper_assist.companion import protocol
from reaper_assist.companion.config import InstallConfig
from reaper_assist.companion.server import Companion


class BlockingRunner:
    def __init__(self):
        self.release = threading.Event()
        self.ran: list[dict] = []
        self.active = 0
        self.max_active = 0

    def run(self, job):
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        self.release.wait(10)
        self.ran.append(job)
        self.active -= 1
        return {"action": job["action"], "status": "ok", "message": "done"}


@pytest.fixture
def companion(tmp_path):
    cfg = InstallConfig(resource_path=str(tmp_path), python="python", token="s3cret")
    runner = BlockingRunner()
    c = Companion(cfg, runner=runner, max_queue=1)
    c.bind()
    t = threading.Thread(target=c.serve_forever, daemon=True)
    t.start()
    yield c, runner
    runner.release.set()
    c.stop()
    t.join(5)


def req(c, token="s3cret", **msg):
    return protocol.request(c.config.resource_path, token, msg)


def raw(c) -> socket.socket:
    return endpoint.connect(c.directory, protocol.SERVICE, timeout_s=5)


def closed(s: socket.socket) -> bool:
    try:
        return s.recv(100) == b""
    except ConnectionResetError:
        return True


def test_listens_in_a_private_directory_only(companion):
    c, _ = companion
    assert c.sock.family == socket.AF_UNIX and stat.S_IMODE(os.lstat(c.directory).st_mode) == 0o700
    assert stat.S_IMODE(os.lstat(c.address).st_mode) == 0o600


def test_wrong_or_missing_token_is_refused_without_an_answer(companion):
    c, runner = companion
    for token in ("wrong", ""):
        with pytest.raises(protocol.ProtocolError, match="could not prove|closed before"):
            req(c, token=token, action="gain-stage", selection="selected", project="")
    with raw(c) as s:  # the old protocol: the token in the clear, no handshake
        protocol.read_line(s)
        s.sendall(protocol.encode({"token": "s3cret", "action": "gain-stage"}))
        assert closed(s)
    assert c.jobs.qsize() == 0 and runner.ran == []


def test_an_impostor_companion_learns_nothing_and_is_not_believed(tmp_path):
    """Whoever answers in the directory without the token (e.g. it bound the socket first): the
    launcher's proof reveals nothing reusable, and the impostor cannot prove the token back."""
    directory = endpoint.runtime_dir(str(tmp_path), create=True)
    fake = endpoint.listen(directory, protocol.SERVICE)
    fake.setblocking(True)
    got = []

    def impostor():
        conn, _ = fake.accept()
        conn.sendall(protocol.encode({"companion": "reaper-assist", "nonce": "0" * 32}))
        got.append(protocol.read_line(conn))
        conn.sendall(protocol.encode({"proof": "0" * 64}))
        got.append(conn.recv(1000))
        conn.close()

    t = threading.Thread(target=impostor, daemon=True)
    t.start()
    with pytest.raises(protocol.ProtocolError, match="could not prove"):
        protocol.request(str(tmp_path), "s3cret", {"action": "gain-stage", "project": "/secret.rpp"})
    t.join(5)
    fake.close()
    assert b"s3cret" not in got[0] and set(json.loads(got[0])) == {"nonce", "proof"}
    assert got[1] == b""  # the request was never sent


def test_ping_and_unknown_action(companion):
    c, _ = companion
    assert req(c, action="ping")["status"] == "pong"
    r = req(c, action="make-it-sound-good")
    assert r["status"] == "refused" and "unknown action" in r["message"]


def test_oversized_garbage_and_idle_connections_lock_nobody_out(companion):
    c, _ = companion
    with raw(c) as s:
        protocol.read_line(s)
        s.sendall(b"x" * (protocol.MAX_HANDSHAKE_BYTES + 10))
        assert closed(s)
    with raw(c) as s:
        protocol.read_line(s)
        s.sendall(b"[1, 2]\n")
        assert closed(s)
    idle = [raw(c) for _ in range(32)]  # more than the connection slots, all silent
    t0 = time.monotonic()
    while True:
        try:
            assert req(c, action="ping")["ok"]
            break
        except (OSError, protocol.ProtocolError):
            assert time.monotonic() - t0 < 2 * 2.0 + 1.0  # the slots free after READ_TIMEOUT_S
            time.sleep(0.05)
    for s in idle:
        s.close()


def test_one_job_at_a_time_then_queue_then_busy(companion):
    c, runner = companion
    first = req(c, action="gain-stage", project="/a.rpp")
    assert first["status"] == "accepted"
    deadline = time.monotonic() + 5
    while c.running is None and time.monotonic() < deadline:
        time.sleep(0.01)
    second = req(c, action="gain-stage", project="/b.rpp")
    assert second["ok"] and second["status"] == "queued" and "behind 1" in second["message"]
    again = req(c, action="gain-stage", project="/b.rpp")
    assert again["status"] == "queued" and "already" in again["message"]
    third = req(c, action="gain-stage", project="/c.rpp")
    assert not third["ok"] and third["status"] == "busy" and "try again" in third["message"]
    runner.release.set()
    deadline = time.monotonic() + 5
    while len(runner.ran) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [j["project"] for j in runner.ran] == ["/a.rpp", "/b.rpp"]
    assert runner.max_active == 1


def test_idle_exit(tmp_path):
    cfg = InstallConfig(resource_path=str(tmp_path), python="python", token="t")
    c = Companion(cfg, runner=BlockingRunner(), idle_minutes=0.5 / 60)
    c.bind()
    t0 = time.monotonic()
    c.serve_forever()  # returns by itself
    assert 0.4 < time.monotonic() - t0 < 5


def test_runner_turns_host_failures_into_error_records(tmp_path):
    from reaper_assist.companion.runner import JobRunner
    from reaper_assist.errors import HostUnavailableError

    calls = []

    class DeadHost:
        def current_project(self):
            calls.append("current_project")
            raise HostUnavailableError("lost the connection to REAPER")

        def record_result(self, *a):
            calls.append("record_result")
            raise HostUnavailableError("lost the connection to REAPER")

    cfg = InstallConfig(resource_path=str(tmp_path), python="python", token="t", web_port=1)
    runner = JobRunner(cfg, host_factory=DeadHost)
    runner.host = lambda fresh=False: DeadHost()  # no reapy in this test
    rec = runner.run({"action": "gain-stage", "project": ""})
    assert rec["status"] == "error" and "lost the connection to REAPER" in rec["message"]
    assert rec["message"].startswith("Gain-stage selected tracks failed")
    assert rec["source"] == "companion" and rec["tracks"] == [] and rec["changes"] == []
    # one reconnect for the project check, then two tries to record the error through the bridge
    assert calls == ["current_project", "current_project", "record_result", "record_result"]
