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


def _project(tmp_path) -> tuple[Project, np.ndarray]:
    tmp_path = tmp_path / "material"
    tmp_path.mkdir()
    rng = np.random.default_rng(5)
    x = 0.1 * rng.standard_normal((2, 3 * SR))
    sf.write(tmp_path / "noise.wav", x.T, SR, subtype="FLOAT")
    p = Project.new(sample_rate=SR)
    tr = p.add_track(0, name="Noise")
    p.add_item(tr, position=0.0, length=3.0, file=str(tmp_path / "noise.wav"))
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
