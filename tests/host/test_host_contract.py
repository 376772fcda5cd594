"""One contract, two hosts: the in-process host on an emulated project and the reapy host on the
emulator process must read and write identically."""

from __future__ import annotations


import pytest

from reaper_assist.errors import StaleReferenceError
from reaper_assist.host.base import Host
from tests.conftest import HOST_FIXTURE

FIXTURE = HOST_FIXTURE


@pytest.fixture
def host(either_host):
    return either_host


def test_is_a_host(host):
    assert isinstance(host, Host)


def test_read_state_values(host):
    before = host.round_trips
    state = host.read_state()
    assert host.round_trips - before == 1  # the whole project in one crossing
    assert state.sample_rate == 48000 and state.track_count == 19
    names = [t.name for t in state.tracks]
    assert names[:4] == ["Drums", "MT-PowerDrumKit", "Kick+Snare+Toms", "Cymbals"]
    drums = state.tracks[1]
    assert len(drums.items) == 38 and drums.items[0].take.is_midi
    assert [f.name for f in drums.fx] == ["VSTi: MT-PowerDrumKit (MANDA AUDIO) (16 out)"]
    assert [t.name for t in host.read_state(selected_only=True).tracks] == ["Lead"]
    only = host.read_state(track_guids=[drums.guid])
    assert [t.name for t in only.tracks] == ["MT-PowerDrumKit"]


def test_apply_in_one_undo_block_and_undo(host, tmp_path):
    state = host.read_state()
    t = state.tracks[1]
    item = t.items[0]
    host.save(str(tmp_path / "before.rpp"))
    r = host.apply([
        {"op": "take_info", "track": t.guid, "item": item.guid, "parm": "D_VOL", "value": 0.5, "expect": 1.0},
        {"op": "add_fx", "track": t.guid, "name": "ReaEQ", "rename": "RA EQ", "position": 0},
        {"op": "fx_config", "track": t.guid, "fx": "@1", "key": "BANDENABLED4", "value": "1"},
        {"op": "proj_ext", "section": "reaper_assist", "key": "last_run", "value": '{"status": "ok"}'},
    ], "reaper-assist: Test 1 track")
    assert r.undo_description == "reaper-assist: Test 1 track"
    after = host.read_state(track_guids=[t.guid]).tracks[0]
    assert after.items[0].take.volume == 0.5
    assert after.fx[0].name == "RA EQ" and after.fx[0].original_name == "VST: ReaEQ (Cockos)"
    assert host.get_proj_ext("reaper_assist", "last_run") == '{"status": "ok"}'
    assert host.undo()
    host.save(str(tmp_path / "undone.rpp"))
    assert (tmp_path / "undone.rpp").read_text() == (tmp_path / "before.rpp").read_text()


def test_stale_plan_writes_nothing(host, tmp_path):
    state = host.read_state()
    t = state.tracks[1]
    host.save(str(tmp_path / "before.rpp"))
    with pytest.raises(StaleReferenceError, match="changed since it was analysed"):
        host.apply([{"op": "track_info", "track": t.guid, "parm": "D_VOL", "value": 0.5},
                    {"op": "take_info", "track": t.guid, "item": t.items[0].guid, "parm": "D_VOL", "value": 2.0,
                     "expect": 0.7}], "x")
    with pytest.raises(StaleReferenceError, match="no longer exists"):
        host.apply([{"op": "track_info", "track": "{00000000-0000-0000-0000-000000000001}", "parm": "D_VOL",
                     "value": 0.5, "track_name": "Gone"}], "x")
    host.save(str(tmp_path / "after.rpp"))
    assert (tmp_path / "after.rpp").read_text() == (tmp_path / "before.rpp").read_text()


@pytest.mark.parametrize("fail_after", [0, 1, 2, 3])
def test_a_fault_at_any_step_leaves_the_project_unchanged(host, tmp_path, fail_after):
    state = host.read_state()
    t = state.tracks[1]
    host.save(str(tmp_path / "before.rpp"))
    ops = [
        {"op": "track_info", "track": t.guid, "parm": "D_VOL", "value": 0.5},
        {"op": "add_fx", "track": t.guid, "name": "ReaComp", "rename": "RA Comp"},
        {"op": "fx_param", "track": t.guid, "fx": "@1", "param": 0, "value": 0.25},
        {"op": "track_ext", "track": t.guid, "key": "reaper_assist_tag", "value": "x"},
    ]
    with pytest.raises(StaleReferenceError, match="injected fault"):
        host.apply(ops, "x", fail_after=fail_after)
    host.save(str(tmp_path / "after.rpp"))
    assert (tmp_path / "after.rpp").read_text() == (tmp_path / "before.rpp").read_text()
