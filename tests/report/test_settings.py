"""Issue 18 point 4: ``reaper-assist settings`` shows each value with its source (defaults <
settings file < the project's override < options), and a settings file's problems name the file,
the line and the key; the values shown are the ones an action runs with."""

from __future__ import annotations

import json
import re

import pytest

from reaper_assist.app import settings as S
from reaper_assist.app.settings_view import check_text, effective, problems
from reaper_assist.cli import main
from reaper_assist.emulator.project import Project
from tests.report.conftest import body

SETTINGS = """{
  "gain-stage": {
    "target": "lufs:-20",
    "peak_ceiling_dbfs": -3
  },
  "ride": {"range_db": 4}
}
"""


@pytest.fixture()
def config(tmp_path, monkeypatch):
    path = tmp_path / "settings.json"
    path.write_text(SETTINGS)
    monkeypatch.setenv("REAPER_ASSIST_CONFIG", str(path))
    return path


def project_with_override(tmp_path) -> str:
    p = Project.new()
    p.set_ext_state("reaper_assist", "settings", json.dumps({"gain-stage": {"peak_ceiling_dbfs": -8}}))
    out = tmp_path / "song.rpp"
    p.save(str(out))
    return str(out)


def test_each_value_names_its_source_in_order(config, tmp_path):
    override = json.dumps({"gain-stage": {"peak_ceiling_dbfs": -8, "method": "js"}})
    rows = {r.key: r for r in effective("gain-stage", project_overrides=override, options={"method": "take"})}
    assert rows["silence_threshold_dbfs"].source == "default"
    assert (rows["target"].value, rows["target"].source) == ("lufs:-20", f"settings file {config} line 3")
    assert (rows["peak_ceiling_dbfs"].value, rows["peak_ceiling_dbfs"].source) == (-8, "the project (ExtState "
                                                                                    "reaper_assist/settings)")
    assert (rows["method"].value, rows["method"].source) == ("take", "option")
    # the very values the loader gives an action
    assert {k: r.value for k, r in rows.items()} == S.load("gain-stage", project_overrides=override,
                                                           options={"method": "take"})


def test_cli_shows_sources(config, tmp_path, capsys):
    assert main(["settings", "gain-stage", "ride", "--project", project_with_override(tmp_path),
                 "--set", "amount=50"]) == 0
    out = re.sub(" +", " ", capsys.readouterr().out)  # the columns' padding aside
    assert f'target = "lufs:-20" (from settings file {config} line 3)' in out
    assert "peak_ceiling_dbfs = -8 (from the project (ExtState reaper_assist/settings))" in out
    assert "amount = 50 (from option)" in out
    assert f"range_db = 4 (from settings file {config} line 6)" in out


BAD = """{
  "gain-stage": {
    "target": "lufs:-20",
    "peak_ceiling": -3,
    "amount": "half"
  },
  "auto-pan-x": {},
  "ride": {"range_db": true}
}
"""


def test_problems_name_file_line_and_key(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(BAD)
    errors = check_text(BAD, str(path))
    assert errors[0].startswith(f"{path}, line 4, key gain-stage.peak_ceiling: no such setting of gain-stage")
    assert errors[1] == f"{path}, line 5, key gain-stage.amount: must be a number, not text ('half')"
    assert errors[2].startswith(f"{path}, line 7, key 'auto-pan-x': no such action")
    assert errors[3] == f"{path}, line 8, key ride.range_db: must be a number, not true or false (True)"
    assert len(errors) == 4
    assert main(["settings", "--check", "--config", str(path)]) == 1
    assert capsys.readouterr().out.strip().splitlines() == errors


def test_an_action_is_refused_only_for_problems_of_its_own_section_whatever_the_text_says():
    """The problems an action refuses are chosen by where they are (the section, the key), not by
    the words of the message: another action's bad value quoting "no such action" or ", key
    gain-stage." is that action's problem only."""
    text = ('{"ride": {"range_db": {"note": "no such action, key gain-stage.target"}},\n'
            ' "gain-stage": {"amount": "half"},\n "auto-pan-x": {}}')
    assert [str(p) for p in problems(text, "cfg.json")] == check_text(text, "cfg.json")
    ride = ["cfg.json, line 1, key ride.range_db: must be a number, not an object ({'note': 'no such action, "
            "key gain-stage.target'})"]
    typo = [e for e in check_text(text, "cfg.json") if "'auto-pan-x'" in e]
    assert S.problems_for("ride", text, "cfg.json") == ride + typo
    assert S.problems_for("gain-stage", text, "cfg.json") == [
        "cfg.json, line 2, key gain-stage.amount: must be a number, not text ('half')"] + typo
    assert S.problems_for("dip-gaps", text, "cfg.json") == typo  # a misspelt section stops every action
    bad = "[1]"
    assert S.problems_for("dip-gaps", bad, "a, key dip-gaps.x") == check_text(bad, "a, key dip-gaps.x")


def test_bad_json_names_line_and_column(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "gain-stage": {\n    "target": "rms:-18",\n  }\n}\n')
    assert main(["settings", "--check", "--config", str(path)]) == 1
    assert capsys.readouterr().out.strip() == (f"{path}, line 4, column 3: not valid JSON "
                                               "(Expecting property name enclosed in double quotes)")


def test_a_good_file_checks_clean(config, capsys):
    assert main(["settings", "--check"]) == 0
    assert capsys.readouterr().out.strip() == f"{config}: no problems"


TYPO = """{
  "gain-stage": {
    "target": "rms:-20",
    "peak_celing_dbfs": -3
  },
  "ride": {"range_db": 4}
}
"""


def _one_track_project(tmp_path):
    """A project with one track of a 0.1-amplitude sine (take volume 1.0)."""
    import numpy as np
    import soundfile as sf

    p = Project.new(sample_rate=48000)
    p.path = str(tmp_path / "one.rpp")
    tr = p.add_track(0, name="Pad")
    x = 0.1 * np.sin(2 * np.pi * 220 * np.arange(2 * 48000) / 48000)
    sf.write(tmp_path / "pad.wav", np.stack([x, x], axis=1), 48000, subtype="FLOAT")
    p.add_item(tr, position=0.0, length=2.0, file=str(tmp_path / "pad.wav"))
    tr.selected = True
    p.save(p.path)
    return p.path


def test_an_action_refuses_a_settings_typo_naming_file_line_and_key(tmp_path, monkeypatch, capsys):
    """Gap 3: an unknown key in the settings file (or the project's override) stops the action
    itself, not only ``settings --check``: the message names the file, the line and the key, and
    nothing is written; a typo in another action's section does not stop this one."""
    from reaper_assist.app.registry import run_action
    from reaper_assist.host.inprocess import InProcessHost

    path = _one_track_project(tmp_path)
    cfg = tmp_path / "settings.json"
    cfg.write_text(TYPO)
    monkeypatch.setenv("REAPER_ASSIST_CONFIG", str(cfg))
    host = InProcessHost.open(path)
    rec = run_action("gain-stage", host)
    assert rec["status"] == "error"
    assert f"{cfg}, line 4, key gain-stage.peak_celing_dbfs: no such setting of gain-stage" in rec["message"]
    assert "nothing changed" in rec["message"]
    api = host.reaper.rpr_functions()
    take = api["RPR_GetActiveTake"](api["RPR_GetTrackMediaItem"](api["RPR_GetTrack"](0, 0), 0))
    assert api["RPR_GetMediaItemTakeInfo_Value"](take, "D_VOL") == 1.0  # nothing written
    host.save(str(tmp_path / "after.rpp"))
    assert body(tmp_path / "after.rpp") == body(path)  # the file is as it was, apart from the error record
    # the CLI says the same and exits 1
    assert main(["run", "gain-stage", "--project", path, "--selected", "--save", str(tmp_path / "o.rpp")]) == 1
    assert "line 4, key gain-stage.peak_celing_dbfs" in capsys.readouterr().out
    # another action's section is fine: ride's settings are right, so is its run's
    cfg.write_text('{\n  "gain-stage": {"target": "rms:-20"},\n  "ride": {"rnage_db": 4}\n}\n')
    rec = run_action("gain-stage", host)
    assert rec["status"] == "ok"
    assert api["RPR_GetMediaItemTakeInfo_Value"](take, "D_VOL") == pytest.approx(10 ** ((-20 - -23.01) / 20), abs=1e-3)
    # the project's override (one line of ExtState text) with a misspelt action name
    monkeypatch.delenv("REAPER_ASSIST_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "none"))
    host.set_proj_ext("reaper_assist", "settings", '{"gain-stage": {"amount": 50}, "gain-stgae": {}}')
    rec = run_action("gain-stage", host)
    assert rec["status"] == "error"
    assert ("the project (ExtState reaper_assist/settings), line 1, key 'gain-stgae': no such action"
            in rec["message"])
