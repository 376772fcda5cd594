"""The companion server: token, loopback, message limit, one job at a time, queue/busy, idle exit."""

from __future__ import annotations

import socket
import threading
import time

import pytest

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
    cfg = InstallConfig(resource_path=str(tmp_path), python="python", token="s3cret", companion_port=0)
    runner = BlockingRunner()
    c = Companion(cfg, runner=runner, max_queue=1, port=0)
    c.bind()
    t = threading.Thread(target=c.serve_forever, daemon=True)
    t.start()
    yield c, runner
    runner.release.set()
    c.stop()
    t.join(5)


def req(c, **msg):
    return protocol.request(c.port, msg)


def test_listens_on_loopback_only(companion):
    c, _ = companion
    assert c.sock.getsockname()[0] == "127.0.0.1"


def test_wrong_or_missing_token_is_refused(companion):
    c, runner = companion
    for token in ("wrong", None, ""):
        r = req(c, token=token, action="gain-stage", selection="selected", project="")
        assert not r["ok"] and r["status"] == "refused" and "token" in r["message"]
    assert c.jobs.qsize() == 0 and runner.ran == []


def test_ping_and_unknown_action(companion):
    c, _ = companion
    assert req(c, token="s3cret", action="ping")["status"] == "pong"
    r = req(c, token="s3cret", action="make-it-sound-good")
    assert r["status"] == "refused" and "unknown action" in r["message"]


def test_oversized_and_garbage_requests_are_refused(companion):
    c, _ = companion
    with socket.create_connection(("127.0.0.1", c.port)) as s:
        s.sendall(b"x" * (protocol.MAX_MESSAGE_BYTES + 10))
        r = protocol.decode(protocol.read_line(s))
    assert r["status"] == "refused" and "limit" in r["message"]
    with socket.create_connection(("127.0.0.1", c.port)) as s:
        s.sendall(b"[1, 2]\n")
        assert protocol.decode(protocol.read_line(s))["status"] == "refused"
    assert req(c, token="s3cret", action="ping")["ok"]  # still serving


def test_one_job_at_a_time_then_queue_then_busy(companion):
    c, runner = companion
    first = req(c, token="s3cret", action="gain-stage", project="/a.rpp")
    assert first["status"] == "accepted"
    deadline = time.monotonic() + 5
    while c.running is None and time.monotonic() < deadline:
        time.sleep(0.01)
    second = req(c, token="s3cret", action="gain-stage", project="/b.rpp")
    assert second["ok"] and second["status"] == "queued" and "behind 1" in second["message"]
    again = req(c, token="s3cret", action="gain-stage", project="/b.rpp")
    assert again["status"] == "queued" and "already" in again["message"]
    third = req(c, token="s3cret", action="gain-stage", project="/c.rpp")
    assert not third["ok"] and third["status"] == "busy" and "try again" in third["message"]
    runner.release.set()
    deadline = time.monotonic() + 5
    while len(runner.ran) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [j["project"] for j in runner.ran] == ["/a.rpp", "/b.rpp"]
    assert runner.max_active == 1


def test_idle_exit(tmp_path):
    cfg = InstallConfig(resource_path=str(tmp_path), python="python", token="t", companion_port=0)
    c = Companion(cfg, runner=BlockingRunner(), idle_minutes=0.5 / 60, port=0)
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
