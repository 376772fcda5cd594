"""Issue 7, action 2: "Unmask selected tracks against the focus track", measured on emulator renders."""

from __future__ import annotations

import numpy as np
import pytest

from reaper_assist.analysis.spectrum import masking
from reaper_assist.app import unmask
from reaper_assist.emulator.project import Project
from tests.assistants.assist_builder import Session, render_file, run
from tests.assistants.assist_material import RATE


@pytest.fixture(scope="module")
def unmask_session(stems, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("unmask")
    s = Session(tmp)
    s.track("Gtr", stems("guitar"))
    s.track("Lead Vox", stems("lead"))
    s.track("Keys", stems("keys"))
    s.track("Pad", stems("pad"))
    path = s.save()
    out1 = tmp / "u1.rpp"
    rec1, _ = run(unmask.run, path, out1, options={"focus": "Lead Vox"})
    out2 = tmp / "u2.rpp"
    rec2, _ = run(unmask.run, out1, out2, options={"focus": "Lead Vox"})
    return {"in": path, "out": out1, "rec1": rec1, "rec2": rec2}


def test_maskers_get_one_tagged_eq_and_the_focus_none(unmask_session):
    rec = unmask_session["rec1"]
    assert rec["status"] == "ok" and rec["undo"] == "reaper-assist: Unmask 4 tracks"
    by = {t["name"]: t for t in rec["tracks"]}
    assert by["Lead Vox"]["status"] == "focus"
    p = Project.load(str(unmask_session["out"]))
    counts = {t.name: len(t.fxchain.fx) if t.fxchain else 0 for t in p.tracks}
    assert counts["Lead Vox"] == 0
    assert all(counts[n] <= 1 for n in counts)
    assert sum(counts.values()) >= 2


def test_masking_of_the_focus_band_drops_on_the_render(unmask_session):
    rec = unmask_session["rec1"]
    focus_in = render_file(unmask_session["in"], "Lead Vox")
    focus_out = render_file(unmask_session["out"], "Lead Vox")
    assert np.allclose(focus_in, focus_out)
    checked = 0
    for t in rec["tracks"]:
        if t["status"] != "changed":
            continue
        before = masking(focus_in, render_file(unmask_session["in"], t["name"]), RATE)
        after = masking(focus_out, render_file(unmask_session["out"], t["name"]), RATE)
        assert after.overall_masking < before.overall_masking, t["name"]
        for band in t["evidence"]["bands"]:
            k = int(np.argmin(np.abs(np.log2(before.band_centres_hz / band["band_hz"]))))
            assert after.masking_ratio[k] < before.masking_ratio[k], (t["name"], band["band_hz"])
            # the record reports before and (predicted) after for the band
            assert band["masking_ratio_after_predicted"] < band["masking_ratio_before"]
            checked += 1
    assert checked >= 2


def test_cuts_are_capped_per_band(unmask_session):
    for c in unmask_session["rec1"]["changes"]:
        ev = c["evidence"] or {}
        if "cut_db" in ev:
            assert 0 < ev["cut_db"] <= 8.0


def test_second_run_changes_nothing(unmask_session):
    rec = unmask_session["rec2"]
    assert rec["status"] == "ok" and rec["changes"] == []


def test_unknown_focus_is_an_error(unmask_session):
    rec, _ = run(unmask.run, unmask_session["in"], dry_run=True, options={"focus": "Nope"})
    assert rec["status"] == "error" and "Nope" in rec["message"]
