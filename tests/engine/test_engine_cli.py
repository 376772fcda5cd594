"""``reaper-assist render`` on a saved project, and ``reaper-assist calibrate`` against the
emulator process (which must agree with our own maps: zero mismatches)."""

from __future__ import annotations

import argparse

import numpy as np
import pytest
import soundfile as sf
from engine_helpers import SR, sine

from reaper_assist.commands import calibrate as calibrate_cmd
from reaper_assist.commands import render as render_cmd
from reaper_assist.errors import ParameterError


def parse(module, argv):
    p = argparse.ArgumentParser()
    module.add_arguments(p)
    return p.parse_args(argv)


def test_render_command_writes_master_and_track(session, tmp_path, capsys):
    tr = session.add_track("Keys", sine(440.0, 1.0, 0.5))
    session.add_track("Gone", file=str(tmp_path / "missing.wav"))
    session.f["RPR_SetMediaTrackInfo_Value"](tr, "D_VOL", 0.5)
    session.project.save(session.project.path)
    out = tmp_path / "mix.wav"
    assert render_cmd.run(parse(render_cmd, ["--project", session.project.path, "--out", str(out)])) == 0
    data, sr = sf.read(out, always_2d=True)
    assert sr == SR and data.shape == (SR, 2)
    np.testing.assert_allclose(data.T, sine(440.0, 1.0, 0.25), atol=1e-6)
    captured = capsys.readouterr()
    assert "master mix" in captured.out
    assert "missing.wav" in captured.err and "Gone" in captured.err
    one = tmp_path / "keys.wav"
    argv = ["--project", session.project.path, "--out", str(one), "--track", "keys", "--end", "0.5"]
    assert render_cmd.run(parse(render_cmd, argv)) == 0
    assert sf.info(one).frames == SR // 2


def test_render_command_unknown_track_names_the_tracks(session, tmp_path):
    session.add_track("Keys", sine(440.0, 1.0, 0.5))
    session.project.save(session.project.path)
    with pytest.raises(ParameterError, match="no track named 'Drums'.*'Keys'"):
        render_cmd.run(parse(render_cmd, ["--project", session.project.path, "--out",
                                          str(tmp_path / "x.wav"), "--track", "Drums"]))


def test_calibrate_sweep_function_removes_its_track_in_process(session):
    from reaper_assist.host.inprocess import api_namespace

    plan, _ = calibrate_cmd.build_plan(["reacomp"], 4)
    texts = calibrate_cmd.sweep_with(api_namespace(session.reaper), plan)
    assert len(session.project.tracks) == 0
    assert texts["reacomp"]["0"][-1] == "+6.0"  # threshold native 2.0 = +6.02 dB


@pytest.mark.parametrize("steps", [0, 1001])
def test_calibrate_steps_outside_1_to_1000_name_the_range(steps):
    with pytest.raises(ParameterError, match=rf"--steps {steps} outside the range \[1, 1000\]"):
        calibrate_cmd.build_plan(None, steps)


@pytest.mark.slow
def test_calibrate_against_the_emulator_reports_zero_mismatches(emulator, driver, capsys):
    before = driver.project_text().count("<TRACK")
    status = calibrate_cmd.run(parse(calibrate_cmd, ["--resource-path", str(emulator.resource)]))
    out = capsys.readouterr().out
    assert status == 0, out
    assert "7 plugins checked, 0 mismatches" in out  # the registry: 5 + the Mid/Side pair
    assert driver.project_text().count("<TRACK") == before


@pytest.mark.slow
def test_emulator_process_has_the_dry_run_actions(emulator, driver):
    for action in ("42437", "42438", "42439", "42440", "42441"):
        assert driver.run_action(action) is True
