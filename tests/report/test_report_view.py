"""The report reads the live project (bridge op ``report_view``) instead of saving a copy with
``Main_SaveProjectEx`` to another path, which the emulator models as REAPER's "Save as" (UNCERTAIN,
emulator/uncertain.py ``SAVE_EX_TO_OTHER_PATH_REPOINTS``): the open project stays on the user's file,
the file is not written, the next press is accepted, and the report says what one built from a real
saved copy says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reaper_assist.app.registry import run_action
from reaper_assist.bridge import ops
from reaper_assist.emulator import rpp
from reaper_assist.emulator.project import Project
from reaper_assist.reporting.collect import load_records, track_views
from reaper_assist.reporting.page import text_report
from tests.app.conftest import Builder, sine
from tests.companion.test_press_requests import _voice

RENDER_TOL_DB = 0.1  # the brief's bound for a render of the assembled copy against the saved copy's
ACTIONS = ("gain-stage", "auto-eq", "master")


def _rms_db(x: np.ndarray) -> float:
    return 10 * np.log10(max(float(np.mean(np.square(x))), 1e-30))


def _view(path):
    p = Project.load(str(path))
    records = load_records(p)
    return records, track_views(p, records)


@pytest.fixture
def session(tmp_path, reapy_host, driver):
    b = Builder(tmp_path)
    for i, name in enumerate(("Lead Vocal", "Guitar", "Keys")):
        b.track(name, _voice(i, 3.0))
    path = b.save()
    driver.load_project(str(path))
    for a in ACTIONS:
        rec = run_action(a, reapy_host)
        assert rec["status"] == "ok" and rec["changes"], (a, rec["message"])
    return path


def test_the_report_leaves_the_open_project_on_the_users_file_and_the_next_press_is_accepted(
        session, emulator, reapy_host, monkeypatch):
    from reaper_assist.companion.runner import JobRunner

    monkeypatch.setenv("REAPER_ASSIST_NO_BROWSER", "1")
    before = session.read_bytes()
    runner = JobRunner(emulator.config, host_factory=lambda: reapy_host)
    rec = runner.run({"action": "report", "project": str(session), "options": {"open": False}})
    assert rec["status"] == "ok", rec["message"]
    assert reapy_host._send("current_project") == str(session)  # not re-pointed
    assert session.read_bytes() == before  # the user's file: not written
    snaps = sorted((session.parent / "reaper-assist").glob("report-snapshot-*.rpp"))
    assert len(snaps) == 1 and (session.parent / "reaper-assist" / "report.html").is_file()
    again = runner.run({"action": "gain-stage", "project": str(session), "options": {}})
    assert again["status"] == "ok", again["message"]  # refused when the project had been re-pointed
    again = runner.run({"action": "report", "project": str(session), "options": {"open": False}})
    assert again["status"] == "ok", again["message"]


def test_the_report_from_the_live_view_equals_the_report_from_a_saved_copy(session, reapy_host, tmp_path,
                                                                          monkeypatch):
    from reaper_assist.reporting import snapshot

    monkeypatch.setenv("REAPER_ASSIST_NO_BROWSER", "1")
    assert run_action("report", reapy_host, options={"open": False})["status"] == "ok"
    assembled = next((session.parent / "reaper-assist").glob("report-snapshot-*.rpp"))
    (tmp_path / "elsewhere").mkdir()
    also = snapshot.write(reapy_host.report_view(), tmp_path / "elsewhere" / "view.rpp")  # another folder
    saved = tmp_path / "saved" / "copy.rpp"
    saved.parent.mkdir()
    reapy_host.save(str(saved))  # the old way (re-points the emulated project: last)
    r_saved, v_saved = _view(saved)
    assert set(r_saved) == set(ACTIONS)
    for path in (assembled, also):
        r, v = _view(path)
        assert r == r_saved
        assert [(x.name, x.guid, x.sample_rate, x.ours, x.lanes) for x in v] == \
            [(x.name, x.guid, x.sample_rate, x.ours, x.lanes) for x in v_saved]
        assert any(x.ours for x in v if x.name == "MASTER") and sum(bool(x.ours) for x in v) == 4
        assert text_report("song.rpp", r, v) == text_report("song.rpp", r_saved, v_saved)
        renders = 0
        for a, b in zip(v, v_saved):
            for kind in ("on", "off", "eq_only", "no_dyn"):
                x, y = getattr(a, kind), getattr(b, kind)
                assert (x is None) == (y is None), (a.name, kind)
                if x is not None:
                    assert x.shape == y.shape and abs(_rms_db(x) - _rms_db(y)) <= RENDER_TOL_DB, (a.name, kind)
                    assert _rms_db(x - y) <= _rms_db(y) - 60.0, (a.name, kind)
                    renders += 1
        assert renders >= 6, renders


def test_report_view_is_read_only_takes_no_arguments_and_names_no_path(tmp_path):
    spec = ops.OPS["report_view"]
    assert spec.reads_only and spec.params == {}
    with pytest.raises(ops.RefusedError, match="has no argument 'path'"):
        ops.prepare("report_view", {"path": str(tmp_path / "x.rpp")})


def test_a_master_chunk_goes_back_to_master_lines():
    from reaper_assist.reporting.snapshot import assemble

    master = ("<TRACK\n  VOLPAN 0.5 0.25 -1 -1 1\n  MAINSEND 1 0\n  NCHAN 4\n  FX 0\n  <FXCHAIN\n    SHOW 0\n"
              "    LASTSEL 0\n    DOCKED 0\n  >\n>\n")
    view = {"project": "", "sample_rate": 44100, "tempo": 96.0, "tracks": [],
            "master": {"chunk": master, "guid": "{11111111-2222-3333-4444-555555555555}",
                       "ext": {"reaper_assist_tag": '{"{AA}": "master"}'}},
            "ext": {"records": None, "last_run": '{"action": "master"}'}}
    p = assemble(view)
    m = p.master
    assert (m.volume, m.pan, m.nchan, m.fx_enabled) == (0.5, 0.25, 4, False)
    assert m.guid == "{11111111-2222-3333-4444-555555555555}" and m.get_ext("reaper_assist_tag") == '{"{AA}": "master"}'
    assert p.root.chunk("MASTERFXLIST") is not None and p.sample_rate == 44100 and p.tempo == 96.0
    assert p.get_ext_state("reaper_assist", "last_run") == '{"action": "master"}'


def test_the_emulator_keeps_the_strict_save_as_and_the_other_choice_leaves_the_project(tmp_path, monkeypatch):
    from reaper_assist.emulator import uncertain
    from reaper_assist.host.inprocess import InProcessHost

    b = Builder(tmp_path)
    path = str(b.save())
    assert uncertain.SAVE_EX_TO_OTHER_PATH_REPOINTS is True
    host = InProcessHost.open(path)
    host.save(str(tmp_path / "copy.rpp"))
    assert host.reaper.project.path == str(tmp_path / "copy.rpp")  # "Save as"
    monkeypatch.setattr(uncertain, "SAVE_EX_TO_OTHER_PATH_REPOINTS", False)
    host = InProcessHost.open(path)
    host.save(str(tmp_path / "copy2.rpp"))
    assert host.reaper.project.path == path and (tmp_path / "copy2.rpp").is_file()


def test_relative_media_still_name_the_users_files_from_the_reaper_assist_folder(tmp_path):
    from reaper_assist.reporting.snapshot import write

    b = Builder(tmp_path)
    b.track("Keys", sine(0.3, seconds=0.5))
    chunk = b.project.tracks[0].chunk
    src = next(c for c in chunk.chunks("ITEM")).chunk("SOURCE")
    wav = Path(src.get("FILE"))
    src.set("FILE", 0, wav.name)  # as REAPER keeps media beside the project: relative
    view = {"project": str(tmp_path / "song.rpp"), "sample_rate": 48000, "tempo": 120.0,
            "tracks": [{"chunk": rpp.dumps(chunk), "guid": b.project.tracks[0].guid, "ext": {}}],
            "master": {"chunk": "", "guid": "", "ext": {}}, "ext": {}}
    (tmp_path / "reaper-assist").mkdir()
    out = write(view, tmp_path / "reaper-assist" / "copy.rpp")
    p = Project.load(str(out))
    got = next(c for c in p.tracks[0].chunk.chunks("ITEM")).chunk("SOURCE").get("FILE")
    assert got == str(wav) and p.media_problems() == []


def test_a_chunk_that_is_not_a_track_is_one_message_naming_it():
    from reaper_assist.errors import ReaperAssistError
    from reaper_assist.reporting.snapshot import assemble

    view = {"project": "", "sample_rate": 48000, "tempo": 120.0, "tracks": [{"chunk": "<ITEM\n>\n", "ext": {}}],
            "master": {"chunk": "", "guid": "", "ext": {}}, "ext": {}}
    with pytest.raises(ReaperAssistError, match=r"track 1's state chunk from REAPER is a <ITEM, not a <TRACK"):
        assemble(view)
