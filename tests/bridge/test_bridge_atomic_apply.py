"""Issue 6: a plan is wholly applied or not at all. The companion's side (ReapyHost.apply in a
forked process) is SIGKILLed at every step of an apply; the bridge must leave the project exactly as
before for every point before the commit, and wholly applied (one undo point) after it."""

from __future__ import annotations

import os
import re
import signal
import time

import pytest
from bridge_helpers import BridgeEmulator, good_read


@pytest.fixture(scope="module")
def emu(tmp_path_factory):
    e = BridgeEmulator(tmp_path_factory.mktemp("atomic"))
    e.drv = e.driver()  # the test driver: python-reapy's own server in the emulator
    yield e
    e.drv.close()
    e.stop()


def control(emu, name, *args):
    return emu.drv.control(name, *args)


def same_but_new_guids(a: str, b: str) -> bool:
    """Equal up to the GUIDs REAPER makes for an added FX (each add_fx makes a new one)."""
    guid = re.compile(r"\{[0-9A-Fa-f-]{36}\}")
    return guid.sub("{G}", a) == guid.sub("{G}", b)


def plan(host):
    t = host.read_state().tracks[0]
    return [
        {"op": "track_info", "track": t.guid, "parm": "D_VOL", "value": 0.5, "expect": t.volume},
        {"op": "add_fx", "track": t.guid, "name": "ReaComp", "rename": "RA Comp"},
        {"op": "fx_param", "track": t.guid, "fx": "@1", "param": 0, "value": 0.25},
        {"op": "track_ext", "track": t.guid, "key": "reaper_assist_tag", "value": "x"},
    ]


def kill_at(emu, point: str, ops_per_request: int | None = 1) -> int:
    pid = os.fork()
    if pid == 0:  # the "companion": dies by SIGKILL at ``point``
        try:
            host = emu.host()

            def fault(p):
                if p == point:
                    os.kill(os.getpid(), signal.SIGKILL)

            host.apply(plan(host), "reaper-assist: atomic test", fault=fault, ops_per_request=ops_per_request)
        finally:
            os._exit(3)  # the point was never reached
    _, status = os.waitpid(pid, 0)
    return status


@pytest.mark.parametrize(("ops_per_request", "requests"), [(1, 1 + 1 + 4 + 1 + 1), (None, 3)])
def test_killing_the_companion_at_every_step_never_leaves_a_partial_apply(emu, ops_per_request, requests):
    """Step by step (hold, begin, 4 ops, commit, release) and as a press applies by default (hold,
    one txn_apply request, release)."""
    host = emu.host()
    points: list[str] = []
    before = control(emu, "project_text")
    host.apply(plan(host), "reaper-assist: atomic test", fault=points.append, ops_per_request=ops_per_request)
    applied = control(emu, "project_text")
    assert applied != before
    assert host.undo() and control(emu, "project_text") == before
    assert len(points) == 2 * requests

    outcomes = {}
    for point in points:
        status = kill_at(emu, point, ops_per_request)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (point, status)
        t0 = time.perf_counter()
        assert good_read(emu)["type"] == "result"  # the bridge noticed and serves again
        assert time.perf_counter() - t0 < 1.0
        text = control(emu, "project_text")
        committed = point in ("after:commit", "after:apply", "before:release", "after:release")
        outcomes[point] = (
            "unchanged"
            if text == before
            else "applied"
            if same_but_new_guids(text, applied)
            else "PARTIAL"
        )
        assert outcomes[point] == ("applied" if committed else "unchanged"), (point, outcomes)
        if committed:
            assert control(emu, "undo_descriptions")[-1] == "reaper-assist: atomic test"
            assert host.undo() and control(emu, "project_text") == before
    assert "its changes were undone" in control(emu, "console")


@pytest.mark.parametrize("ops_per_request", [None, 1])
@pytest.mark.parametrize("fail_after", [0, 1, 2, 3])
def test_a_failure_inside_reaper_at_any_step_writes_nothing(emu, fail_after, ops_per_request):
    host = emu.host()
    before = control(emu, "project_text")
    with pytest.raises(Exception, match="injected fault"):
        host.apply(plan(host), "x", fail_after=fail_after, ops_per_request=ops_per_request)
    assert control(emu, "project_text") == before
    assert host.read_state().track_count == 1  # the same connection still works (hold released)


def test_by_default_the_begin_writes_and_commit_of_a_plan_are_one_request(emu):
    host = emu.host()
    points: list[str] = []
    n0 = host.round_trips
    host.apply(plan(host) * 1, "reaper-assist: one request", fault=points.append)
    assert [p for p in points if p.startswith("before:")] == ["before:hold", "before:apply", "before:release"]
    assert host.round_trips - n0 == 3 + 1  # + the read_state inside plan()
    assert control(emu, "undo_descriptions")[-1] == "reaper-assist: one request"
    assert host.undo()
