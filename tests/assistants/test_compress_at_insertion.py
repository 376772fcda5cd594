"""Issue 13 point 5: auto-compress decides on the signal at its own insertion point.

RA Comp goes after the user's plugins, so a user's gain or EQ before it moves every level its
threshold sees. Measured on the emulator's render of the saved project: the track's output with
RA Comp against the same output with RA Comp bypassed (the user's plugins in both), the rendered
average gain reduction is within +-1.5 dB of the target (issue 7 / 13 acceptance).
"""

from __future__ import annotations

import pytest

from reaper_assist.app import auto_compress
from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper
from tests.assistants.assist_builder import Session, render_track, run
from tests.assistants.test_auto_compress import GR_TOL_DB, TARGETS, rendered_average_gr_db

# track -> (stem, the user's plugins before RA Comp as (plugin, [(EQ band type, band, param, value)] or gain dB))
USER_CHAINS = {
    "Drums": ("drums", [("JS: Volume Adjustment", -9.0)]),
    "Bass": ("bass", [("ReaEQ", [(2, 0, 0, 120.0), (2, 0, 1, 9.0), (2, 0, 2, 1.0)])]),  # +9 dB around 120 Hz
    "Lead Vox": ("lead", [("ReaEQ", [(4, 0, 1, -12.0)]), ("JS: Volume Adjustment", 6.0)]),  # high shelf -12, +6 dB
}


def _add_chain(project: Project, index: int, chain) -> None:
    api = Reaper(project).rpr_functions()
    tr = api["RPR_GetTrack"](0, index)
    for name, setting in chain:
        k = api["RPR_TrackFX_AddByName"](tr, name, False, -1)
        assert k >= 0, name
        if isinstance(setting, float):
            assert api["RPR_TrackFX_SetParam"](tr, k, 0, setting)
        else:
            for bandtype, band, param, value in setting:
                assert api["RPR_TrackFX_SetEQParam"](tr, k, bandtype, band, param, value, False)


@pytest.fixture(scope="module")
def session(stems, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("comp-insertion")
    s = Session(tmp)
    for i, (name, (stem, chain)) in enumerate(USER_CHAINS.items()):
        s.track(name, stems(stem))
        _add_chain(s.project, i, chain)
    path = s.save()
    out = tmp / "out.rpp"
    rec, _ = run(auto_compress.run, path, out)
    return {"out": out, "rec": rec}


@pytest.mark.parametrize("name", sorted(USER_CHAINS))
def test_rendered_gain_reduction_meets_the_target_after_user_fx(session, name):
    rec = session["rec"]
    assert rec["status"] == "ok", rec.get("message")
    t = next(t for t in rec["tracks"] if t["name"] == name)
    ev = t["evidence"]
    assert ev["target_gr_db"] == pytest.approx(TARGETS[name])
    p = Project.load(str(session["out"]))
    tr = next(x for x in p.tracks if x.name == name)
    assert [fx.name for fx in tr.fx][-1] == "RA Comp" and len(tr.fx) == len(USER_CHAINS[name][1]) + 1
    with_comp = render_track(p, name)
    tr.fx[-1].enabled = False
    without = render_track(p, name)
    gr = rendered_average_gr_db(without, with_comp, min(ev["predicted_gr_db"], 6.0))
    assert gr == pytest.approx(TARGETS[name], abs=GR_TOL_DB), (
        f"{name}: rendered {gr:.2f} dB, target {TARGETS[name]} (offset {ev.get('insertion_offset_db')})")


def test_the_measurement_changes_nothing_it_does_not_mean_to(session):
    """The dry runs at the insertion point leave selection and bypass states as they were."""
    p = Project.load(str(session["out"]))
    assert all(t.selected for t in p.tracks)
    assert all(fx.enabled for t in p.tracks for fx in t.fx) and all(t.fx_enabled for t in p.tracks)
