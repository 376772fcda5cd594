"""The master's dry-run render is one named bridge operation (bridge.dryrun.master_stats), reachable
from the companion's ReapyHost on the emulator process; trial writes are gone after it."""

from __future__ import annotations

from master_material import build

from reaper_assist.emulator.project import Project
from reaper_assist.host.inprocess import api_namespace
from reaper_assist.rules.mastering import parse_render_stats


def test_the_dry_run_render_of_the_master_is_a_bridge_operation(reapy_host, live_project, tmp_path):
    (tmp_path / "material").mkdir()
    live_project(src=build(tmp_path / "material", -20.0))  # 6 s of multitrack material, master at -20 LUFS
    before = reapy_host.read_state(master=True)
    [master] = before.tracks
    assert master.index == -1 and master.name == "MASTER"
    text = reapy_host.master_stats(None)
    assert text.startswith("FILE:")
    assert abs(parse_render_stats(text).integrated_lufs - -20.0) <= 0.1
    trial = [{"op": "add_fx", "track": master.guid, "track_name": master.name, "name": "ReaLimit",
              "rename": "trial", "position": -1}]
    assert reapy_host.master_stats(trial).startswith("FILE:")
    after = reapy_host.read_state(master=True)
    assert [f.guid for f in after.tracks[0].fx] == [f.guid for f in master.fx]  # the trial FX is gone


def test_a_trial_render_and_the_read_after_it_are_one_request(reapy_host, live_project, tmp_path):
    """``then_read``: the same RENDER_STATS figures as the render alone, and the master as a read
    after it finds it (the trial FX gone), in one bridge request."""
    (tmp_path / "material").mkdir()
    live_project(src=build(tmp_path / "material", -20.0))
    [master] = reapy_host.read_state(master=True).tracks
    trial = [{"op": "add_fx", "track": master.guid, "track_name": master.name, "name": "ReaLimit",
              "rename": "trial", "position": -1}]
    n0 = reapy_host.round_trips
    text, state = reapy_host.master_stats_then_read(trial, master=True)
    assert reapy_host.round_trips - n0 == 1
    alone = parse_render_stats(reapy_host.master_stats(trial))
    assert parse_render_stats(text).integrated_lufs == alone.integrated_lufs
    assert state.tracks == reapy_host.read_state(master=True).tracks and [f.guid for f in state.tracks[0].fx] == [
        f.guid for f in master.fx]
    _, tracks = reapy_host.master_stats_then_read(None, master=False)
    assert [t.name for t in tracks.tracks] == [t.name for t in reapy_host.read_state().tracks]


def test_the_master_state_chunk_is_a_track_chunk_with_its_fx_chain(tmp_path):
    """Public scripts read GetTrackStateChunk(GetMasterTrack(0)) as a <TRACK chunk with MAINSEND
    and the master FX in <FXCHAIN; the read finds our master FX's GUIDs in its FXID lines."""
    from reaper_assist.bridge.remote import _fx_guids
    from reaper_assist.emulator.reascript import Reaper

    p = Project.new()
    r = Reaper(p, resource_path=str(tmp_path))
    api = api_namespace(r)
    m = api.GetMasterTrack(0)
    assert api.TrackFX_AddByName(m, "ReaLimit", False, -1) == 0
    ok, _, chunk, _, _ = api.GetTrackStateChunk(m, "", 1 << 20, False)
    assert ok and chunk.startswith("<TRACK") and "\n  MAINSEND" in chunk and "<FXCHAIN" in chunk
    assert _fx_guids(api, m) == [p.master.fx[0].guid]
