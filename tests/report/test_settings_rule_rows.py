"""The rule rows a settings file overrides (``{"auto-eq": {"instruments": {"vocal": {...}}}}``,
``{"master": {"platforms": {...}}}``) are checked against the kinds and ranges each table declares
in its ``_schema`` (rules/tables.py): the instrument, the key, its kind and its range, each problem
naming the file, the line and ``action.instruments.<inst>.<key>``; a run with such a row refuses
and writes nothing; every shipped row passes its own schema."""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pytest
import soundfile as sf

from reaper_assist.analysis.instruments import INSTRUMENTS
from reaper_assist.app import settings as S
from reaper_assist.app.settings_view import check_text, problems
from reaper_assist.cli import main
from reaper_assist.emulator.project import Project
from reaper_assist.errors import ParameterError
from reaper_assist.rules import mastering, tone
from reaper_assist.rules.tables import (OVERRIDES, describe, load_schema, load_table, override_problems,
                                        table_with_overrides, value_problem)
from tests.report.conftest import body


@pytest.mark.parametrize("action", sorted(OVERRIDES))
def test_every_shipped_row_passes_its_own_schema(action):
    table_name, rows_key = OVERRIDES[action]
    table, schema = load_table(table_name), load_schema(table_name)
    # every key of every row is declared, and nothing is declared that no row has
    assert set(schema) == {k for row in table.values() for k in row}
    bad = {(name, k, json.dumps(v)): value_problem(schema[k], v) for name, row in table.items() for k, v in row.items()
           if value_problem(schema[k], v) is not None}
    assert bad == {}
    # the whole shipped table given back as an override is no problem either
    assert override_problems(action, {rows_key: table}) == []
    assert S.DEFAULTS[action][rows_key] == {}  # the section's key is the one the settings hold


def test_the_declared_limits_are_the_plugins_and_the_rules_own():
    eq, unmask, comp = load_schema("auto-eq"), load_schema("unmask"), load_schema("auto-compress")
    # a written Q maps into ReaEQ's bandwidths without being clipped (tone.q_to_bw_oct clips to them)
    bw = [2.0 / math.log(2.0) * math.asinh(1.0 / (2.0 * q)) for q in (eq["max_q"]["min"], eq["max_q"]["max"])]
    assert tone.BW_MIN_OCT <= bw[1] < bw[0] <= tone.BW_MAX_OCT
    assert eq["max_cuts"]["max"] == eq["tonal_max_cuts"]["max"] == tone.MAX_BANDS - 1  # one band is the high-pass
    assert eq["highpass_max_sections"]["max"] == tone.N_BANDS - 1
    assert unmask["max_bands"]["max"] == tone.N_BANDS
    assert (unmask["bw_oct"]["min"], unmask["bw_oct"]["max"]) == (tone.BW_MIN_OCT, tone.BW_MAX_OCT)
    assert comp["ratio"]["min"] == 1  # 1:1 is no compression; below it would expand
    assert describe(eq["highpass_hz"]) == ("a number within 20..2000 Hz, or null (no high-pass) (the high-pass "
                                           "corner, a low-end clean-up within ReaEQ's 20 Hz floor)")


BAD = """{
  "gain-stage": {"target": "rms:-18"},
  "auto-eq": {
    "amount": 80,
    "instruments": {
      "vocal": {"max_cuts": 3, "max_cut_dB": 4},
      "guitar": {
        "max_cuts": "four",
        "highpass_hz": -50,
        "max_q": 0,
        "low_mid_target_db": null,
        "tonal_max_cuts": 2.5,
        "unpitched": "yes"
      },
      "kazoo": {"max_cuts": 1},
      "hihat": 3,
      "kick": {"highpass_hz": null, "tonal": null}
    }
  },
  "auto-compress": {"instruments": {"bass": {"ratio": [5, 3], "attack_ms": [3, 900]}}},
  "unmask": {"focus": "Vox", "instruments": {"kick": {"focus_key_band": "fundamentals"},
                                             "vocal": {"focus_key_band": [2000, 5000]}}},
  "master": {"platforms": {"soundcloud": {"title": "SoundCloud", "lufs": -14}, "spotify": {"tp_dbtp": 1}}}
}
"""

EQ_KEYS = ", ".join(sorted(load_schema("auto-eq")))
KNOWN_INSTRUMENTS = ", ".join(sorted({*load_table("auto-eq"), *INSTRUMENTS, "generic"}))
HP = ("a number within 20..2000 Hz, or null (no high-pass) (the high-pass corner, a low-end clean-up within "
      "ReaEQ's 20 Hz floor)")
CUTS = "a whole number within 0..7 (ReaEQ's 8 bands at most, less the high-pass)"


def test_each_problem_of_a_rule_row_names_line_key_and_the_allowed_values(tmp_path):
    f = str(tmp_path / "settings.json")
    assert check_text(BAD, f) == [
        f"{f}, line 6, key auto-eq.instruments.vocal.max_cut_dB: no such key in a row of the auto-eq rule table "
        f"(known: {EQ_KEYS})",
        f"{f}, line 8, key auto-eq.instruments.guitar.max_cuts: must be {CUTS}, not text ('four')",
        f"{f}, line 9, key auto-eq.instruments.guitar.highpass_hz: -50 is out of range: must be {HP}",
        f"{f}, line 10, key auto-eq.instruments.guitar.max_q: 0 is out of range: must be a number within "
        "0.27..28.8 (the Q of a written cut: ReaEQ's bandwidths 0.05..4 octaves)",
        # line 11: low_mid_target_db null is allowed (no low-mid correction)
        f"{f}, line 12, key auto-eq.instruments.guitar.tonal_max_cuts: 2.5 is not a whole number: must be {CUTS}",
        f"{f}, line 13, key auto-eq.instruments.guitar.unpitched: \"yes\" is not allowed: must be true or false or "
        "one of \"peak\", \"lowest_peak\"",
        f"{f}, line 15, key auto-eq.instruments.kazoo: no such instrument in the auto-eq rule table "
        f"(known: {KNOWN_INSTRUMENTS})",
        f"{f}, line 16, key auto-eq.instruments.hihat: must be an object of rule keys, not a number (3)",
        # highpass_hz null is allowed (no high-pass); tonal is not nullable
        f"{f}, line 17, key auto-eq.instruments.kick.tonal: must be true or false, not null",
        f"{f}, line 20, key auto-compress.instruments.bass.ratio: [5, 3] has low > high: must be a list [low, high] "
        "of two numbers within 1..100, low <= high (ReaComp's ratios 1:1..100:1)",
        f"{f}, line 20, key auto-compress.instruments.bass.attack_ms: [3, 900] is out of range: must be a list "
        "[low, high] of two numbers within 0..500 ms, low <= high (ReaComp's attack range)",
        f"{f}, line 21, key unmask.instruments.kick.focus_key_band: \"fundamentals\" is not allowed: must be one of "
        "\"fundamental\" or a list [low, high] of two numbers within 20..24000 Hz, low <= high, or null (no key band)",
        f"{f}, line 23, key master.platforms.soundcloud: a new row of the master-platforms table needs tp_dbtp "
        "(its shipped rows: spotify, apple, youtube, amazon, tidal, deezer, ebu-r128, atsc-a85, podcast)",
        f"{f}, line 23, key master.platforms.spotify.tp_dbtp: 1 is out of range: must be a number within -20..0 dBTP",
    ]
    # each action refuses its own section's rows only (and the text's own problems: none here)
    assert [p.line for p in problems(BAD, f) if p.concerns("auto-eq")] == [6, 8, 9, 10, 12, 13, 15, 16, 17]
    assert S.problems_for("gain-stage", BAD, f) == []
    assert len(S.problems_for("auto-compress", BAD, f)) == 2
    assert [p.key for p in problems(BAD, f) if p.concerns("master")] == ["platforms.soundcloud",
                                                                         "platforms.spotify.tp_dbtp"]


def test_the_rows_problems_from_cli_options_raise_with_the_same_words():
    """``table_with_overrides`` (and the master's platforms) also take rows from options and tests,
    past the settings' check: a bad row raises ParameterError naming it, before any rule runs."""
    with pytest.raises(ParameterError) as e:
        table_with_overrides("auto-eq", {"instruments": {"guitar": {"max_cuts": "four", "highpass_hz": -50}}})
    assert str(e.value) == (f"auto-eq settings: auto-eq.instruments.guitar.max_cuts: must be {CUTS}, not text ('four'); "
                            f"auto-eq.instruments.guitar.highpass_hz: -50 is out of range: must be {HP}")
    with pytest.raises(ParameterError, match=r"auto-gate.instruments.kick.threshold_fraction: 1.5 is out of range: "
                                             r"must be a number within 0..1"):
        table_with_overrides("auto-gate", {"instruments": {"kick": {"threshold_fraction": 1.5}}})
    with pytest.raises(ParameterError, match=r"unmask settings: unmask.instruments: must be an object of rule rows"):
        table_with_overrides("unmask", {"instruments": [1]})
    with pytest.raises(ParameterError, match=r"master.platforms.soundcloud: a new row of the master-platforms table "
                                             r"needs lufs and tp_dbtp"):
        mastering.parse_settings({"platform": "soundcloud", "platforms": {"soundcloud": {"title": "SC"}}})
    # valid rows merge as before: over the shipped row, whole numbers given as 4.0 too
    t = table_with_overrides("auto-eq", {"instruments": {"vocal": {"max_cuts": 4.0, "highpass_hz": None}}})
    assert t["vocal"] == {**load_table("auto-eq")["vocal"], "max_cuts": 4.0, "highpass_hz": None}
    t = table_with_overrides("balance", {"instruments": {"unknown": {"offset_lu": -6}}})  # a label of the recogniser
    assert t["unknown"] == {"offset_lu": -6}
    p = mastering.parse_settings({"platform": "soundcloud", "platforms": {"soundcloud": {"lufs": -13, "tp_dbtp": -1}}})
    assert (p.target_lufs, p.ceiling_dbtp) == (-13.0, -1.0)


def _pad_project(tmp_path):
    """One selected track named Pad (the pad row), a 2 s 220 Hz sine at 0.1 peak."""
    p = Project.new(sample_rate=48000)
    p.path = str(tmp_path / "pad.rpp")
    tr = p.add_track(0, name="Pad")
    x = 0.1 * np.sin(2 * np.pi * 220 * np.arange(2 * 48000) / 48000)
    sf.write(tmp_path / "pad.wav", np.stack([x, 0.7 * x], axis=1), 48000, subtype="FLOAT")
    p.add_item(tr, position=0.0, length=2.0, file=str(tmp_path / "pad.wav"))
    tr.selected = True
    p.save(p.path)
    return p.path


BAD_ROW = """{
  "auto-eq": {
    "instruments": {
      "pad": {
        "max_q": 0
      }
    }
  }
}
"""


def _highpass_hz(rec) -> list[str]:
    return [c["what"] for c in rec["changes"] if "High Pass) freq" in c["what"]]


def test_an_action_refuses_a_bad_rule_row_and_writes_nothing(tmp_path, monkeypatch, capsys):
    from reaper_assist.app.registry import run_action
    from reaper_assist.host.inprocess import InProcessHost

    path = _pad_project(tmp_path)
    before = hashlib.sha256(open(path, "rb").read()).hexdigest()
    cfg = tmp_path / "settings.json"
    cfg.write_text(BAD_ROW)
    monkeypatch.setenv("REAPER_ASSIST_CONFIG", str(cfg))
    problem = (f"{cfg}, line 5, key auto-eq.instruments.pad.max_q: 0 is out of range: must be a number within "
               "0.27..28.8 (the Q of a written cut: ReaEQ's bandwidths 0.05..4 octaves)")
    host = InProcessHost.open(path)
    rec = run_action("auto-eq", host)
    assert rec["status"] == "error"
    assert rec["message"] == ("auto-eq not run, nothing changed: the settings have a problem (fix them, or see "
                              f"`reaper-assist settings --check`): {problem}")
    host.save(str(tmp_path / "after.rpp"))
    assert body(tmp_path / "after.rpp") == body(path)  # no FX, no change, apart from the error record
    # the CLI: exit 1, the same line, the input project byte for byte as it was
    out = tmp_path / "out.rpp"
    assert main(["run", "auto-eq", "--project", path, "--selected", "--save", str(out)]) == 1
    assert problem in capsys.readouterr().out
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == before
    assert not out.exists() or body(out) == body(path)
    # settings --check says the same
    assert main(["settings", "--check", "--config", str(cfg)]) == 1
    assert capsys.readouterr().out.strip() == problem
    # another action is not stopped by auto-eq's row
    assert S.problems_for("auto-gate", BAD_ROW, str(cfg)) == []
    # the project's override (one line of ExtState text) is refused the same way
    monkeypatch.delenv("REAPER_ASSIST_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "none"))
    host.set_proj_ext("reaper_assist", "settings", '{"auto-eq": {"instruments": {"pad": {"max_cuts": -1}}}}')
    rec = run_action("auto-eq", host, dry_run=True)
    assert rec["status"] == "error"
    assert ("the project (ExtState reaper_assist/settings), line 1, key auto-eq.instruments.pad.max_cuts: "
            f"-1 is out of range: must be {CUTS}") in rec["message"]


def test_a_valid_rule_row_still_takes_effect(tmp_path, monkeypatch):
    from reaper_assist.app.registry import run_action
    from reaper_assist.host.inprocess import InProcessHost

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "none"))
    monkeypatch.delenv("REAPER_ASSIST_CONFIG", raising=False)
    host = InProcessHost.open(_pad_project(tmp_path))
    shipped = _highpass_hz(run_action("auto-eq", host, dry_run=True))
    assert len(shipped) == 1 and "80 Hz" in shipped[0], shipped  # the pad row's corner, under its 220 Hz note
    host.set_proj_ext("reaper_assist", "settings", json.dumps(
        {"auto-eq": {"instruments": {"pad": {"highpass_hz": 45, "highpass_max_sections": 1, "max_q": 8}}}}))
    rec = run_action("auto-eq", host, dry_run=True)
    assert rec["status"] == "ok", rec.get("message")
    over = _highpass_hz(rec)
    assert len(over) == 1 and "45 Hz" in over[0], over


def test_a_row_whose_low_bound_lies_over_its_high_one_is_refused_where_it_is_set():
    """A row as it runs (generic < the shipped row < the override) must keep each declared pair in
    order (the tables' ``_order``): a resonance search from 5 kHz to 2 kHz, or an unmask band range
    that starts above the generic row's 12 kHz top, would find nothing and say nothing."""
    for name in ("auto-eq", "unmask"):  # the shipped rows keep their own orders
        assert override_problems(name, {"instruments": load_table(name)}) == []
    bad = override_problems("auto-eq", {"instruments": {"vocal": {"resonance_min_hz": 5000, "resonance_max_hz": 2000}}})
    assert [(p.path, p.what) for p in bad] == [
        (("instruments", "vocal", "resonance_max_hz"),
         "resonance_min_hz (5000) must not be above resonance_max_hz (2000) in the row as it runs")]
    # only the low bound overridden: checked against the generic row's high one (12 kHz)
    bad = override_problems("unmask", {"instruments": {"keys": {"min_hz": 15000}}})
    assert [p.path for p in bad] == [("instruments", "keys", "min_hz")] and "(12000)" in bad[0].what, bad
    text = '{\n  "unmask": {\n    "instruments": {\n      "keys": {"min_hz": 15000}\n    }\n  }\n}\n'
    assert check_text(text, "settings.json") == [
        "settings.json, line 4, key unmask.instruments.keys.min_hz: min_hz (15000) must not be above max_hz "
        "(12000) in the row as it runs"]
    with pytest.raises(ParameterError, match=r"unmask\.instruments\.keys\.min_hz"):
        table_with_overrides("unmask", {"instruments": {"keys": {"min_hz": 15000}}})
    # in order: no problem
    assert override_problems("unmask", {"instruments": {"keys": {"min_hz": 60, "max_hz": 8000}}}) == []


def test_a_huge_value_or_a_flood_of_bad_rows_gives_a_readable_refusal(tmp_path, monkeypatch):
    """A project (perhaps someone else's) whose override holds a megabyte where a number belongs, or
    a hundred bad rows: the value is quoted cut to 60 characters, the refusal lists 20 problems and
    counts the rest, and `settings --check` still lists them all."""
    monkeypatch.setenv("REAPER_ASSIST_CONFIG", str(tmp_path / "none.json"))
    huge = json.dumps({"auto-eq": {"instruments": {"vocal": {"max_cuts": "x" * 1_000_000}}}})
    with pytest.raises(ParameterError) as err:
        S.load("auto-eq", project_overrides=huge)
    assert len(str(err.value)) < 600 and "'xxxxx" in str(err.value) and "...)" in str(err.value), str(err.value)[:700]
    flood = json.dumps({"auto-eq": {"instruments": {"vocal": {f"bad_{k}": 1 for k in range(100)}}}})
    with pytest.raises(ParameterError) as err:
        S.load("auto-eq", project_overrides=flood)
    msg = str(err.value)
    assert "100 problems" in msg and msg.count("no such key") == S.MAX_PROBLEMS_SHOWN == 20 and msg.endswith("; and 80 more")
    assert len(check_text(flood, "the project")) == 100
