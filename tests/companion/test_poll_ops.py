"""The bridge operations the companion's press and pre-analysis use, on both hosts: the project
state change count (one cheap read), several ExtState keys read and written in one request each."""

from __future__ import annotations


import pytest

from tests.conftest import HOST_FIXTURE

FIXTURE = HOST_FIXTURE


@pytest.fixture
def host(either_host):
    return either_host


def test_the_state_change_count_moves_with_an_undo_point_and_its_undo(host):
    n0 = host.round_trips
    first = host.project_state()
    assert host.round_trips - n0 == 1 and first["project"].endswith(FIXTURE)
    assert host.project_state()["count"] == first["count"]  # nothing changed: the same count
    t = host.read_state().tracks[0]
    host.apply([{"op": "track_info", "track": t.guid, "track_name": t.name, "parm": "D_VOL",
                 "value": t.volume * 0.5, "expect": t.volume}], "test")
    changed = host.project_state()["count"]
    assert changed != first["count"]
    assert host.undo()
    assert host.project_state()["count"] not in (first["count"], changed)


def test_several_extstate_keys_in_one_request_each(host):
    n0 = host.round_trips
    host.set_proj_ext_many("ra_test", [("a", "1"), ("b", "two")], "written\n")
    assert host.get_proj_ext_many("ra_test", ["a", "b", "missing"])[:2] == ["1", "two"]
    assert host.round_trips - n0 == 2
    assert host.get_proj_ext("ra_test", "b") == "two"


def test_the_bridge_counts_requests_per_operation_and_defer_cycles(reapy_host):
    s0 = reapy_host.stats()
    reapy_host.project_state()
    reapy_host.project_state()
    s1 = reapy_host.stats()
    assert s1["by_op"]["project_state"] - s0["by_op"].get("project_state", 0) == 2
    assert s1["by_op"]["stats"] - s0["by_op"]["stats"] == 1
    assert s1["cycles"] > s0["cycles"]  # at least one defer cycle per request
