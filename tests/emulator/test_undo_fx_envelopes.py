"""Undo over snapshots, TrackFX_* semantics on stock plugins, envelopes with fader scaling."""

from __future__ import annotations

import math

import pytest

from reaper_assist.emulator import uncertain
from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper
from tests.emulator.helpers import reaper_for

DB_TOL = 1e-9  # exact arithmetic paths: only float rounding


@pytest.fixture
def rf(tmp_path):
    r = reaper_for(tmp_path)
    return r, r.rpr_functions()


# -- undo -------------------------------------------------------------------------------------
def test_undo_restores_the_saved_project_exactly(rf, tmp_path):
    r, f = rf
    before = r.project.dumps()
    tr = f["RPR_GetTrack"](0, 0)
    f["RPR_Undo_BeginBlock2"](0)
    f["RPR_SetMediaTrackInfo_Value"](tr, "D_VOL", 0.25)
    f["RPR_TrackFX_AddByName"](tr, "ReaEQ", False, -1)
    f["RPR_Undo_BeginBlock2"](0)  # nested blocks merge into the outer one
    f["RPR_GetSetMediaTrackInfo_String"](tr, "P_NAME", "Kick In", True)
    f["RPR_Undo_EndBlock2"](0, "inner", -1)
    f["RPR_Undo_EndBlock2"](0, "reaper-assist: test", -1)
    assert f["RPR_Undo_CanUndo2"](0) == "reaper-assist: test"
    after = r.project.dumps()
    assert after != before
    assert f["RPR_Undo_DoUndo2"](0) == 1
    assert r.project.dumps() == before
    # the track pointer survives the undo (REAPER keeps MediaTrack* of tracks that still exist)
    assert f["RPR_GetTrackName"](tr, "", 64)[2] == "Kick"
    assert f["RPR_Undo_CanRedo2"](0) == "reaper-assist: test"
    assert f["RPR_Undo_DoRedo2"](0) == 1
    assert r.project.dumps() == after
    assert f["RPR_Undo_DoUndo2"](0) == 1 and f["RPR_Undo_DoUndo2"](0) == 0  # nothing more to undo


def test_block_without_change_records_no_point(rf):
    r, f = rf
    f["RPR_Undo_BeginBlock2"](0)
    f["RPR_Undo_EndBlock2"](0, "nothing", -1)
    with pytest.raises(AttributeError):
        f["RPR_Undo_CanUndo2"](0)


def test_undo_of_a_deleted_track_brings_it_back(rf):
    r, f = rf
    before = r.project.dumps()
    tr = f["RPR_GetTrack"](0, 1)
    f["RPR_Undo_BeginBlock2"](0)
    f["RPR_DeleteTrack"](tr)
    f["RPR_Undo_EndBlock2"](0, "delete", -1)
    addr = int(tr.split("0x")[1], 16)  # the stock binding validates raw addresses (facts 1.2)
    assert f["RPR_ValidatePtr"](addr, "MediaTrack*") == 0
    f["RPR_Undo_DoUndo2"](0)
    assert r.project.dumps() == before
    assert f["RPR_ValidatePtr"](addr, "MediaTrack*") == 1


# -- FX ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,count", [("ReaEQ", 19), ("ReaComp", 24), ("ReaGate", 24), ("ReaLimit", 6),
                                        ("JS: Volume Adjustment", 5)])
def test_fresh_stock_plugin_parameter_counts(rf, name, count):
    r, f = rf
    tr = f["RPR_GetTrack"](0, 1)
    k = f["RPR_TrackFX_AddByName"](tr, name, False, -1)
    assert k == 0
    assert f["RPR_TrackFX_GetNumParams"](tr, k) == count
    names = [f["RPR_TrackFX_GetParamName"](tr, k, p, "", 64)[4] for p in range(count)]
    assert names[-3:] == ["Bypass", "Wet", "Delta"]


def test_add_by_name_instantiate_semantics(rf):
    r, f = rf
    tr = f["RPR_GetTrack"](0, 1)
    add = f["RPR_TrackFX_AddByName"]
    assert add(tr, "ReaEQ", False, 0) == -1  # query only: none yet
    assert add(tr, "ReaEQ", False, 1) == 0  # add if missing
    assert add(tr, "ReaEQ", False, 1) == 0  # found: not added again
    assert add(tr, "VST: ReaEQ (Cockos)", False, 0) == 0  # loose name matching
    assert add(tr, "ReaComp (Cockos)", False, -1) == 1  # always add
    assert add(tr, "ReaComp", False, -1) == 2
    assert add(tr, "ReaGate", False, -1000) == 0  # insert at the first slot
    assert f["RPR_TrackFX_GetCount"](tr) == 4
    assert f["RPR_TrackFX_GetFXName"](tr, 0, "", 64)[3] == "VST: ReaGate (Cockos)"
    assert add(tr, "NoSuchPlugin", False, -1) == -1


def test_reaeq_defaults_band_types_and_params(rf):
    r, f = rf
    tr = f["RPR_GetTrack"](0, 1)
    k = f["RPR_TrackFX_AddByName"](tr, "ReaEQ", False, 1)
    get_cfg = lambda key: f["RPR_TrackFX_GetNamedConfigParm"](tr, k, key, "", 64)
    # default layout (facts 2.1): LS, band, band, HS, HP (disabled)
    assert [get_cfg(f"BANDTYPE{b}")[4] for b in range(5)] == ["0", "8", "8", "1", "4"]
    assert [get_cfg(f"BANDENABLED{b}")[4] for b in range(5)] == ["1", "1", "1", "1", "0"]
    assert get_cfg("BANDTYPE5")[0] == 0  # no sixth band
    assert f["RPR_TrackFX_GetParamNormalized"](tr, k, 3) == pytest.approx(0.2895, abs=1e-4)  # 300 Hz
    assert f["RPR_TrackFX_GetParamNormalized"](tr, k, 6) == pytest.approx(0.476049, abs=1e-6)  # 1 kHz
    assert f["RPR_TrackFX_GetParamNormalized"](tr, k, 2) == pytest.approx(0.2)  # BW 0.8 oct
    # named config writes go into the saved state
    assert f["RPR_TrackFX_SetNamedConfigParm"](tr, k, "BANDTYPE0", "4") == 1
    assert f["RPR_TrackFX_SetNamedConfigParm"](tr, k, "renamed_name", "RA EQ") == 1
    assert f["RPR_TrackFX_GetFXName"](tr, k, "", 64)[3] == "RA EQ"
    saved = Project.loads(r.project.dumps())
    fx = saved.tracks[1].fx[k]
    assert fx.renamed_name == "RA EQ" and fx.model.get_named_config("BANDTYPE0") == "4"


def test_eq_helper_api_sets_hz_db_octaves(rf):
    r, f = rf
    tr = f["RPR_GetTrack"](0, 1)
    k = f["RPR_TrackFX_GetEQ"](tr, True)
    assert k == 0
    # band type 2 = "band" in the EQ API numbering (facts 2.1); the first such band is band 2 of 5
    assert f["RPR_TrackFX_SetEQParam"](tr, k, 2, 0, 0, 1000.0, False) == 1
    assert f["RPR_TrackFX_SetEQParam"](tr, k, 2, 0, 1, 6.0, False) == 1
    assert f["RPR_TrackFX_SetEQParam"](tr, k, 2, 0, 2, 1.0, False) == 1
    from reaper_assist.plugins import reaeq

    bands = reaeq.settings(r.project.tracks[1].fx[k].model.state).bands
    assert bands[1].freq_hz == pytest.approx(1000.0, rel=1e-9)
    assert bands[1].gain_db == pytest.approx(6.0, abs=1e-9)
    assert bands[1].bw_oct == pytest.approx(1.0, abs=1e-9)
    ok, _, _, _, bt, bi, pt, norm = f["RPR_TrackFX_GetEQParam"](tr, k, 3, 0, 0, 0, 0)
    assert (ok, bt, bi, pt) == (1, 2, 0, 0) and norm == pytest.approx(0.476049, abs=1e-6)


def test_fx_params_native_normalized_and_display(rf):
    r, f = rf
    tr = f["RPR_GetTrack"](0, 0)  # has a ReaComp from the helper
    assert f["RPR_TrackFX_GetFXName"](tr, 0, "", 64)[3] == "VST: ReaComp (Cockos)"
    val, _, _, _, lo, hi = f["RPR_TrackFX_GetParam"](tr, 0, 0, 0, 0)
    assert (val, lo, hi) == (1.0, 0.0, 2.0)  # threshold native linear amplitude, range 0..2 (facts 2.2)
    assert f["RPR_TrackFX_SetParam"](tr, 0, 0, 0.125) == 1  # -18 dB
    assert f["RPR_TrackFX_GetParamNormalized"](tr, 0, 0) == pytest.approx(0.0625)
    text = f["RPR_TrackFX_GetFormattedParamValue"](tr, 0, 0, "", 64)[4]
    assert float(text) == pytest.approx(-18.06, abs=0.05)  # displayed with one decimal
    assert f["RPR_TrackFX_SetParam"](tr, 0, 0, 5.0) == 1  # REAPER clamps to the range
    assert f["RPR_TrackFX_GetParam"](tr, 0, 0, 0, 0)[0] == 2.0
    # wrapper Bypass param mirrors the enable state
    bypass = f["RPR_TrackFX_GetParamFromIdent"](tr, 0, ":bypass")
    assert bypass == 21
    f["RPR_TrackFX_SetParam"](tr, 0, bypass, 1.0)
    assert f["RPR_TrackFX_GetEnabled"](tr, 0) == 0


def test_unknown_plugins_are_opaque_and_survive(tmp_path):
    from tests.conftest import RPP_DIR

    p = Project.load(RPP_DIR / "perlence_vst.RPP")
    r = Reaper(p)
    f = r.rpr_functions()
    before = p.dumps()
    names = []
    for i in range(f["RPR_CountTracks"](0)):
        tr = f["RPR_GetTrack"](0, i)
        for k in range(f["RPR_TrackFX_GetCount"](tr)):
            names.append(f["RPR_TrackFX_GetFXName"](tr, k, "", 64)[3])
            f["RPR_TrackFX_GetParam"](tr, k, 0, 0, 0)
    assert "VSTi: ReaSynth (Cockos)" in names and "JS: loser/3BandEQ" in names
    assert p.dumps() == before


# -- envelopes --------------------------------------------------------------------------------
def test_fader_scaling_anchors():
    # facts addendum Q2: DB2SLIDER(-150)=2.5138729793972, SLIDER2DB(250)=-30.0095317397743, +12 dB at 1000
    assert uncertain.amp_to_slider(10 ** (-150 / 20)) == pytest.approx(2.5138729793972, rel=1e-8)
    assert 20 * math.log10(uncertain.slider_to_amp(250.0)) == pytest.approx(-30.009531739774296, abs=1e-9)
    assert uncertain.amp_to_slider(10 ** (12 / 20)) == pytest.approx(1000.0, abs=1e-9)
    assert uncertain.amp_to_slider(0.5) == pytest.approx(592.4, abs=0.1)  # facts 1.5, S15


def test_volume_envelope_points_are_fader_scaled_in_the_api_and_linear_in_the_file(rf):
    r, f = rf
    tr = f["RPR_GetTrack"](0, 1)
    assert f["RPR_GetTrackEnvelopeByName"](tr, "Volume").endswith("0x0000000000000000")  # not yet
    f["RPR_SetOnlyTrackSelected"](tr)
    f["RPR_Main_OnCommand"](40406, 0)  # toggle volume envelope visible: creates it
    env = f["RPR_GetTrackEnvelopeByName"](tr, "Volume")
    assert not env.endswith("0x0000000000000000")
    assert f["RPR_GetEnvelopeScalingMode"](env) == 1
    half = f["RPR_ScaleToEnvelopeMode"](1, 0.5)
    f["RPR_InsertEnvelopePoint"](env, 2.0, half, 0, 0.0, False, True)
    f["RPR_Envelope_SortPoints"](env)
    assert f["RPR_CountEnvelopePoints"](env) == 2
    ok, _, _, t, v, shape, tension, sel = f["RPR_GetEnvelopePoint"](env, 1, 0, 0, 0, 0, 0)
    assert (ok, t, shape) == (1, 2.0, 0) and v == pytest.approx(half, abs=1e-9)
    # the file stores linear amplitude (facts addendum Q5)
    pts = Project.loads(r.project.dumps()).tracks[1].envelope_by_chunk_name("VOLENV2").points
    assert pts[1].value == pytest.approx(0.5, abs=1e-12)
    # halfway between 0 dB (linear 1) and linear 0.5, linear shape interpolates the stored amplitude
    n, *_rest = f["RPR_Envelope_Evaluate"](env, 1.0, 48000, 1, 0, 0, 0, 0)
    value = f["RPR_Envelope_Evaluate"](env, 1.0, 48000, 1, 0, 0, 0, 0)[5]
    assert f["RPR_ScaleFromEnvelopeMode"](1, value) == pytest.approx(0.75, abs=1e-12)
    assert f["RPR_Envelope_FormatValue"](env, half, "", 64)[2] == "-6.02 dB"


@pytest.mark.parametrize("shape,x,expected", [(0, 0.25, 0.25), (1, 0.9, 0.0), (2, 0.5, 0.5), (2, 0.25, 0.15625),
                                              (3, 0.5, 0.75), (4, 0.5, 0.25)])
def test_envelope_shapes(shape, x, expected):
    from reaper_assist.emulator.envelope_eval import evaluate
    from reaper_assist.emulator.project import EnvPoint

    pts = [EnvPoint(0.0, 0.0, shape), EnvPoint(1.0, 1.0, 0)]
    assert evaluate(pts, x) == pytest.approx(expected, abs=1e-12)
    assert evaluate(pts, -1.0) == 0.0 and evaluate(pts, 5.0) == 1.0


def test_fx_parameter_envelope_stores_native_values(rf):
    r, f = rf
    tr = f["RPR_GetTrack"](0, 1)
    k = f["RPR_TrackFX_AddByName"](tr, "JS: Volume Adjustment", False, -1)
    env = f["RPR_GetFXEnvelope"](tr, k, 0, True)
    assert f["RPR_GetEnvelopeName"](env, "", 64)[2] == "Adjustment (dB) / Volume Adjustment"
    assert f["RPR_GetEnvelopeScalingMode"](env) == 0
    f["RPR_InsertEnvelopePoint"](env, 1.0, -6.0, 0, 0.0, False, False)
    assert f["RPR_Envelope_Evaluate"](env, 3.0, 48000, 1, 0, 0, 0, 0)[5] == -6.0
    text = r.project.dumps()
    assert "<PARMENV 0:_Adjustment__dB_" in text and "PT 1 -6 0" in text


def test_a_native_action_in_a_fresh_project_is_undoable(rf):
    r, f = rf
    before = r.project.dumps()
    tr = f["RPR_GetTrack"](0, 1)
    f["RPR_SetOnlyTrackSelected"](tr)
    f["RPR_Main_OnCommand"](40406, 0)  # the first undo point of the session
    assert f["RPR_Undo_CanUndo2"](0) == "Toggle envelope visible"
    assert f["RPR_Undo_DoUndo2"](0) == 1
    assert r.project.dumps() == before
