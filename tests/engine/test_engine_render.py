"""The mixer: envelopes (hand-computed values), pan, mute, folders, master, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from engine_helpers import SR, sine

from reaper_assist.emulator.engine import reaeq, render
from reaper_assist.errors import ParameterError

# Fader scale of facts addendum Q2, written out independently of the emulator's code.
K = 10 ** (12 / 20) / 2


def slider(amp):
    u = (math.sqrt(1 + 4 * amp / K) - 1) / 2
    return 1000 * u ** (1 / 3)


def amp(y):
    t = y / 1000
    return K * (t**3 + t**6)


def dc(seconds, level=0.5):
    return np.full((2, int(seconds * SR)), level)


def at(x, t):
    return x[:, int(round(t * SR))]


def test_volume_envelope_values_at_and_between_points(session):
    f = session.f
    tr = session.add_track("DC", dc(3.0))
    f["RPR_SetTrackSelected"](tr, True)
    f["RPR_Main_OnCommand"](40406, 0)  # show the Volume envelope (creates it, facts 1.5)
    env = f["RPR_GetTrackEnvelopeByChunkName"](tr, "<VOLENV2")
    f["RPR_DeleteEnvelopePointRange"](env, -1, 100)
    # API values of a volume envelope are fader-scaled (facts 1.5, Q5)
    for t, a, shape in ((0.0, 1.0, 0), (1.0, 0.5, 2), (2.0, 0.25, 1), (2.5, 1.0, 0)):
        f["RPR_InsertEnvelopePoint"](env, t, f["RPR_ScaleToEnvelopeMode"](1, a), shape, 0.0, False, True)
    f["RPR_Envelope_SortPoints"](env)
    out = render(session.project, track=session.track("DC")).audio / 0.5
    smooth = lambda x: x * x * (3 - 2 * x)
    expected = {
        0.0: 1.0, 1.0: 0.5, 2.0: 0.25, 2.5: 1.0, 2.9: 1.0,
        0.5: amp((slider(1.0) + slider(0.5)) / 2),  # linear in the fader domain
        1.25: amp(slider(0.5) + (slider(0.25) - slider(0.5)) * smooth(0.25)),
        1.5: amp((slider(0.5) + slider(0.25)) / 2),
        2.2: 0.25,  # square: holds until the next point
    }
    for t, g in expected.items():
        np.testing.assert_allclose(at(out, t), [g, g], rtol=1e-6, err_msg=f"t={t}")


def test_fx_parameter_envelope_is_applied_blockwise_in_native_units(session):
    f = session.f
    tr = session.add_track("DC", dc(2.0, 0.25))
    k = session.add_fx(tr, "JS: Volume Adjustment")
    env = f["RPR_GetFXEnvelope"](tr, k, 0, True)
    f["RPR_InsertEnvelopePoint"](env, 0.0, -12.0, 0, 0.0, False, True)  # native dB (facts 1.5)
    f["RPR_InsertEnvelopePoint"](env, 1.0, 0.0, 0, 0.0, False, True)
    out = render(session.project, track=session.track("DC")).audio / 0.25
    block = 256
    for b in (0, 94, 150, 200):  # block starts: value of the envelope there
        t = b * block / SR
        db = -12 + 12 * min(t, 1.0)
        np.testing.assert_allclose(out[:, b * block], 2 ** (db / 6), rtol=1e-9)
        np.testing.assert_allclose(out[:, b * block + 255], 2 ** (db / 6), rtol=1e-9)  # held


def test_pan_envelope_is_stored_inverted_and_pans(session):
    f = session.f
    tr = session.add_track("DC", dc(1.0))
    f["RPR_SetTrackSelected"](tr, True)
    f["RPR_Main_OnCommand"](40407, 0)
    env = f["RPR_GetTrackEnvelopeByChunkName"](tr, "<PANENV2")
    f["RPR_DeleteEnvelopePointRange"](env, -1, 100)
    f["RPR_InsertEnvelopePoint"](env, 0.0, 1.0, 0, 0.0, False, True)  # stored 1.0 = 100 % left
    out = render(session.project, track=session.track("DC")).audio
    np.testing.assert_allclose(at(out, 0.5), [0.5, 0.0])


def test_fader_volume_pan_and_mute(session):
    f = session.f
    tr = session.add_track("DC", dc(1.0))
    f["RPR_SetMediaTrackInfo_Value"](tr, "D_VOL", 0.5)
    f["RPR_SetMediaTrackInfo_Value"](tr, "D_PAN", 0.5)
    out = render(session.project).audio  # through the master
    np.testing.assert_allclose(at(out, 0.5), [0.25 * 0.5, 0.25])  # balance law, 0 dB centre
    f["RPR_SetMediaTrackInfo_Value"](tr, "B_MUTE", 1)
    assert not render(session.project).audio.any()


def test_folder_sums_children_through_its_fx_and_master_sums_top_level(session):
    f = session.f
    bus = session.add_track("Bus")
    a = session.add_track("A", dc(1.0, 0.1))
    b = session.add_track("B", dc(1.0, 0.2))
    c = session.add_track("C", dc(1.0, 0.05))
    f["RPR_SetMediaTrackInfo_Value"](bus, "I_FOLDERDEPTH", 1)
    f["RPR_SetMediaTrackInfo_Value"](b, "I_FOLDERDEPTH", -1)
    k = session.add_fx(bus, "JS: Volume Adjustment")
    session.set_param(bus, k, 0, -6.0)  # x 0.5
    bus_out = render(session.project, track=session.track("Bus")).audio
    np.testing.assert_allclose(at(bus_out, 0.5), [0.15, 0.15])
    master = render(session.project).audio
    np.testing.assert_allclose(at(master, 0.5), [0.2, 0.2])
    f["RPR_SetMediaTrackInfo_Value"](c, "B_MUTE", 1)
    f["RPR_SetMediaTrackInfo_Value"](a, "B_MUTE", 1)
    np.testing.assert_allclose(at(render(session.project).audio, 0.5), [0.1, 0.1])


def test_master_fx_and_master_volume(session):
    session.add_track("DC", dc(1.0, 0.5))
    master = session.f["RPR_GetMasterTrack"](0)
    k = session.add_fx(master, "JS: Volume Adjustment")
    session.set_param(master, k, 0, -6.0)
    session.f["RPR_SetMediaTrackInfo_Value"](master, "D_VOL", 0.5)
    np.testing.assert_allclose(at(render(session.project).audio, 0.5), [0.125, 0.125])


def test_bypassed_fx_is_skipped_and_wet_param_mixes(session):
    f = session.f
    tr = session.add_track("DC", dc(1.0, 0.5))
    k = session.add_fx(tr, "JS: Volume Adjustment")
    session.set_param(tr, k, 0, -6.0)
    f["RPR_TrackFX_SetEnabled"](tr, k, False)
    np.testing.assert_allclose(at(render(session.project).audio, 0.5), [0.5, 0.5])
    f["RPR_TrackFX_SetEnabled"](tr, k, True)
    n = f["RPR_TrackFX_GetNumParams"](tr, k)
    session.set_param(tr, k, n - 2, 0.5)  # Wet 50 %
    np.testing.assert_allclose(at(render(session.project).audio, 0.5), [0.375, 0.375])


def test_unmodelled_plugins_pass_through_and_are_listed(session):
    tr = session.add_track("DC", dc(1.0, 0.5))
    session.add_fx(tr, "ReaEQ")
    # a plugin the emulator does not model, written straight into the chunk
    from reaper_assist.emulator.rpp import Chunk, Line

    chain = session.track("DC").fxchain
    chain.chunk.children += [Line("BYPASS 0 0 0"), Chunk.new("VST", ["VST: ReaDelay (Cockos)", "readelay.dll", 0, ""])]
    from reaper_assist.emulator.project import FXChain

    session.track("DC")._fxchain = FXChain(session.track("DC"), chain.chunk)
    res = render(session.project)
    assert res.unmodelled_fx == ["DC: VST: ReaDelay (Cockos)"]
    np.testing.assert_allclose(at(res.audio, 0.5), [0.5, 0.5], atol=1e-6)


def test_missing_media_renders_silence_for_those_items_and_says_which(session, tmp_path):
    session.add_track("Here", dc(1.0, 0.5))
    session.add_track("Gone", file=str(tmp_path / "nowhere.wav"))
    res = render(session.project)
    np.testing.assert_allclose(at(res.audio, 0.5), [0.5, 0.5])
    assert len(res.media_problems) == 1
    p = res.media_problems[0]
    assert (p.track_name, p.item_index, p.reason) == ("Gone", 1, "missing")  # 1-based
    assert "nowhere.wav" in str(p)


def test_out_of_range_envelope_value_names_plugin_parameter_and_range(session):
    f = session.f
    tr = session.add_track("DC", dc(1.0, 0.5))
    k = session.add_fx(tr, "ReaComp")
    env = f["RPR_GetFXEnvelope"](tr, k, 0, True)
    f["RPR_InsertEnvelopePoint"](env, 0.0, 3.0, 0, 0.0, False, True)  # Threshold native 0..2
    with pytest.raises(ParameterError, match=r"track 'DC'.*ReaComp.*'Threshold'.*\[0, 2\]"):
        render(session.project)


def test_out_of_range_model_settings_name_plugin_parameter_and_range():
    with pytest.raises(ParameterError, match=r"ReaEQ band 2 parameter 'freq_hz'.*\[20, 24000\] Hz"):
        reaeq.band_sos(8, 30000.0, 0.0, 1.0, SR, band=2)
    with pytest.raises(ParameterError, match=r"ReaEQ band 1 parameter 'bw_oct'.*\[0.01, 4\] oct"):
        reaeq.band_sos(8, 1000.0, 0.0, 9.0, SR)


def test_render_window_and_bad_window(session):
    session.add_track("Tone", sine(1000, 2.0, 0.5), position=1.0)
    res = render(session.project, start_s=1.5, end_s=2.0)
    assert res.audio.shape == (2, SR // 2) and res.start_s == 1.5
    assert render(session.project).audio.shape == (2, 3 * SR)
    with pytest.raises(ParameterError, match="start_s"):
        render(session.project, start_s=2.0, end_s=1.0)


def test_empty_project_with_fx_renders_zero_samples(session):
    tr = session.add_track("Empty")
    for name in ("ReaEQ", "ReaComp", "ReaGate", "ReaLimit", "JS: Volume Adjustment"):
        session.add_fx(tr, name)
    session.add_fx(session.f["RPR_GetMasterTrack"](0), "ReaEQ")
    assert render(session.project).audio.shape == (2, 0)
