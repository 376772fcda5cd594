"""The master's render to a file is one named bridge operation (bridge.render_file), reachable
from the companion's ReapyHost on the emulator process: the file holds the master mix as the
emulator renders it, lives in a private folder, the trial writes are gone after it and the
project's render settings are as they were."""

from __future__ import annotations

import os
import stat

import numpy as np
import soundfile as sf

from reaper_assist.bridge.ops import OPS
from reaper_assist.emulator.engine.render import render
from reaper_assist.emulator.project import Project
from reaper_assist.media.reference_file import take_render

SR = 48000


def _project(tmp_path, seconds: float = 3.0) -> tuple[Project, np.ndarray]:
    tmp_path = tmp_path / "material"
    tmp_path.mkdir()
    rng = np.random.default_rng(5)
    x = 0.1 * rng.standard_normal((2, int(seconds * SR)))
    sf.write(tmp_path / "noise.wav", x.T, SR, subtype="FLOAT")
    p = Project.new(sample_rate=SR)
    tr = p.add_track(0, name="Noise")
    p.add_item(tr, position=0.0, length=seconds, file=str(tmp_path / "noise.wav"))
    p.path = str(tmp_path / "render.rpp")
    p.save(p.path)
    return p, render(p).audio


def test_the_master_render_to_a_file_is_a_bridge_operation(reapy_host, live_project, tmp_path):
    assert "master_render_file" in OPS and not OPS["master_render_file"].reads_only
    p, expected = _project(tmp_path)
    live_project(src=tmp_path / "material" / "render.rpp")
    [master] = reapy_host.read_state(master=True).tracks
    path = reapy_host.master_render_file(None)
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    assert sf.info(path).subtype == "FLOAT" and sf.info(path).samplerate == SR
    audio, rate = take_render(path)
    assert not os.path.exists(path) and not os.path.exists(os.path.dirname(path))  # ours, and gone
    assert rate == SR and audio.shape == expected.shape
    assert np.max(np.abs(audio - expected)) < 1e-6  # float32 of the emulator's own render
    trial = [{"op": "add_fx", "track": master.guid, "track_name": master.name, "name": "JS: Volume Adjustment",
              "rename": "trial", "position": -1}]
    audio2, _ = take_render(reapy_host.master_render_file(trial))
    assert audio2.shape == expected.shape
    assert reapy_host.read_state(master=True).tracks[0].fx == master.fx  # the trial FX is gone


def test_the_reference_track_is_added_toggled_and_removed_over_reapy(reapy_host, live_project, tmp_path):
    """The insert_tagged_track write kind through the stock binding of the emulator process
    (InsertTrackAtIndex, AddMediaItemToTrack, AddTakeToMediaItem, PCM_Source_CreateFromFile,
    SetMediaItemTake_Source), one undo block each."""
    from reaper_assist.app import ab_reference

    _project(tmp_path, 10.5)
    rng = np.random.default_rng(6)
    ref = tmp_path / "ref.wav"
    sf.write(ref, (0.3 * rng.standard_normal((2, int(10.5 * SR)))).T, SR, subtype="FLOAT")
    live_project(src=tmp_path / "material" / "render.rpp")
    rec = ab_reference.run(reapy_host, options={"reference": [str(ref)]})
    assert rec["status"] == "ok", rec["message"]
    state = reapy_host.read_state()
    mine = state.tracks[-1]
    assert (mine.name, mine.owner, mine.mute, mine.solo) == ("RA Reference", "ab-reference", True, 0)
    assert mine.items[0].take.file == str(ref) and abs(mine.items[0].length_s - 10.5) < 1e-9
    assert abs(20 * np.log10(mine.volume) - (-20 * np.log10(3))) < 0.2  # 0.3 vs 0.1 noise: about -9.5 dB
    assert ab_reference.run_toggle(reapy_host)["status"] == "ok"
    assert reapy_host.read_state().tracks[-1].solo == 1
    assert ab_reference.run_remove(reapy_host)["status"] == "ok"
    assert [t.name for t in reapy_host.read_state().tracks] == ["Noise"]
    assert reapy_host.undo()
    assert [t.name for t in reapy_host.read_state().tracks] == ["Noise", "RA Reference"]


def test_a_users_track_is_never_deleted_and_bad_fields_are_refused(tmp_path):
    from reaper_assist.bridge import txn, writes
    from reaper_assist.emulator.reascript import Reaper
    from reaper_assist.host.inprocess import api_namespace

    p, _ = _project(tmp_path)
    api = api_namespace(Reaper(p, resource_path=str(tmp_path)))
    guid = p.tracks[0].guid
    op = {"op": "delete_tagged_track", "track": guid, "track_name": "Noise", "owner": "ab-reference"}
    try:
        txn.apply_with(api, [op], "x")
        raise AssertionError("a user's track was deleted")
    except writes.ApplyError as exc:
        assert "never deleted" in str(exc)
    assert [t.name for t in p.tracks] == ["Noise"]
    bad = {"op": "insert_tagged_track", "owner": "", "name": "x", "file": "f.wav", "length": 1.0, "volume": 1.0,
           "take_name": "RA x", "audition": 0}
    for field, value in (("owner", ""), ("length", 0.0), ("volume", -1.0), ("audition", "1")):
        try:
            writes.parse([{**bad, "owner": "ab-reference", field: value}])
            raise AssertionError(f"{field}={value!r} accepted")
        except writes.ApplyError:
            pass
