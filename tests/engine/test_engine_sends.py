"""Track sends and receives in the render (AUXRECV; ReaScript CreateTrackSend / Get/SetTrackSendInfo_Value),
on signals with known answers: a 1 kHz sine of peak 0.5 (-9.03 dBFS RMS) through sends of known
gain, tap point and pan. Levels are read with numpy in the test (engine_helpers.rms_dbfs)."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import assert_db_close, rms_dbfs, sine

from reaper_assist.emulator.engine import render
from reaper_assist.emulator.project import Project

TOL_DB = 0.01
SINE_DB = rms_dbfs(sine(1000, 1.0, 0.5))  # -9.03 dBFS


def js_db(setting_db: float) -> float:
    """What JS: Volume Adjustment does at a setting: gain 2^(dB/6) (facts 2.6), -6 -> -6.02 dB."""
    return 20 * np.log10(2 ** (setting_db / 6))


@pytest.fixture
def bus(session):
    """'Src' (a sine) sends to 'Bus' (empty); Src has no master send: heard only through the bus."""
    f = session.f
    src = session.add_track("Src", sine(1000, 2.0, 0.5))
    b = session.add_track("Bus")
    assert f["RPR_SetMediaTrackInfo_Value"](src, "B_MAINSEND", 0)
    k = f["RPR_CreateTrackSend"](src, b)
    assert k == 0 and f["RPR_GetTrackNumSends"](src, 0) == 1 and f["RPR_GetTrackNumSends"](b, -1) == 1
    assert f["RPR_GetTrackNumSends"](src, -1) == 0 and f["RPR_GetTrackNumSends"](src, 1) == 0
    return session, src, b


def _db(session, name=None) -> float:
    tr = session.track(name) if name else None
    return rms_dbfs(render(session.project, track=tr).audio)


def test_a_minus_6_db_post_fader_send_sets_the_bus_level_and_follows_the_fader(bus):
    session, src, b = bus
    f = session.f
    assert f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "D_VOL", 10 ** (-6 / 20))
    assert f["RPR_GetTrackSendInfo_Value"](b, -1, 0, "D_VOL") == pytest.approx(10 ** (-6 / 20))
    assert f["RPR_GetTrackSendInfo_Value"](src, 0, 0, "I_SENDMODE") == 0  # post-fader by default
    assert_db_close(_db(session, "Bus"), SINE_DB - 6.0, TOL_DB)
    assert_db_close(_db(session), SINE_DB - 6.0, TOL_DB)  # the master hears Src only through the bus
    f["RPR_SetMediaTrackInfo_Value"](src, "D_VOL", 10 ** (-4 / 20))
    assert_db_close(_db(session, "Bus"), SINE_DB - 10.0, TOL_DB)
    f["RPR_SetMediaTrackInfo_Value"](b, "D_VOL", 10 ** (-3 / 20))  # the bus fader acts on it too
    assert_db_close(_db(session), SINE_DB - 13.0, TOL_DB)


def test_a_pre_fader_send_ignores_the_fader_but_not_the_fx(bus):
    session, src, b = bus
    f = session.f
    assert f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "I_SENDMODE", 3)  # pre-fader (post-FX)
    f["RPR_SetMediaTrackInfo_Value"](src, "D_VOL", 10 ** (-10 / 20))
    f["RPR_SetMediaTrackInfo_Value"](src, "D_PAN", -1.0)  # the track's pan is after the tap too
    assert_db_close(_db(session, "Bus"), SINE_DB, TOL_DB)
    fx = session.add_fx(src, "JS: Volume Adjustment")
    session.set_param(src, fx, 0, -6.0)
    assert_db_close(_db(session, "Bus"), SINE_DB + js_db(-6.0), TOL_DB)


def test_a_pre_fx_send_ignores_the_fx_and_the_fader(bus):
    session, src, b = bus
    f = session.f
    assert f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "I_SENDMODE", 1)
    fx = session.add_fx(src, "JS: Volume Adjustment")
    session.set_param(src, fx, 0, -6.0)
    f["RPR_SetMediaTrackInfo_Value"](src, "D_VOL", 10 ** (-10 / 20))
    assert_db_close(_db(session, "Bus"), SINE_DB, TOL_DB)
    f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "I_SENDMODE", 0)
    assert_db_close(_db(session, "Bus"), SINE_DB + js_db(-6.0) - 10.0, TOL_DB)


def test_the_bus_fx_act_on_what_it_receives(bus):
    session, src, b = bus
    fx = session.add_fx(b, "JS: Volume Adjustment")
    session.set_param(b, fx, 0, -7.5)
    assert_db_close(_db(session), SINE_DB + js_db(-7.5), TOL_DB)


def test_master_send_on_adds_the_direct_path_coherently(bus):
    session, src, b = bus
    f = session.f
    f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "D_VOL", 10 ** (-6 / 20))
    f["RPR_SetMediaTrackInfo_Value"](src, "B_MAINSEND", 1)
    # the same sine twice, in phase: amplitude 1 + 10^(-6/20)
    assert_db_close(_db(session), SINE_DB + 20 * np.log10(1 + 10 ** (-6 / 20)), TOL_DB)
    f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "D_VOL", 1.0)
    f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "B_PHASE", 1)  # inverted at 0 dB: the paths cancel
    assert np.max(np.abs(render(session.project).audio)) < 1e-12


def test_send_pan_mute_and_a_muted_source(bus):
    session, src, b = bus
    f = session.f
    f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "D_PAN", -1.0)  # balance law: the right side closes
    x = render(session.project, track=session.track("Bus")).audio
    assert_db_close(rms_dbfs(x[0]), SINE_DB, TOL_DB)
    assert np.max(np.abs(x[1])) == 0.0
    f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "D_PAN", 0.0)
    f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "B_MUTE", 1)
    assert np.max(np.abs(render(session.project).audio)) == 0.0
    f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "B_MUTE", 0)
    f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "I_SENDMODE", 1)  # even a pre-FX send
    f["RPR_SetMediaTrackInfo_Value"](src, "B_MUTE", 1)
    assert np.max(np.abs(render(session.project).audio)) == 0.0


def test_a_soloed_source_is_heard_through_its_bus(bus):
    session, src, b = bus
    other = session.add_track("Other", sine(300, 2.0, 0.5))
    session.f["RPR_SetMediaTrackInfo_Value"](src, "I_SOLO", 1)
    assert_db_close(_db(session), SINE_DB, TOL_DB)  # the bus plays Src; 'Other' is not soloed
    assert session.f["RPR_GetTrackNumSends"](other, 0) == 0


def test_children_of_nested_folders_are_heard_through_both_folders(session):
    f = session.f
    outer = session.add_track("Outer")
    inner = session.add_track("Inner")
    child = session.add_track("Child", sine(1000, 2.0, 0.5))
    f["RPR_SetMediaTrackInfo_Value"](outer, "I_FOLDERDEPTH", 1)
    f["RPR_SetMediaTrackInfo_Value"](inner, "I_FOLDERDEPTH", 1)
    f["RPR_SetMediaTrackInfo_Value"](child, "I_FOLDERDEPTH", -2)  # closes both folders
    f["RPR_SetMediaTrackInfo_Value"](outer, "D_VOL", 10 ** (-3 / 20))
    f["RPR_SetMediaTrackInfo_Value"](inner, "D_VOL", 10 ** (-2 / 20))
    assert_db_close(_db(session, "Inner"), SINE_DB - 2.0, TOL_DB)
    assert_db_close(_db(session, "Outer"), SINE_DB - 5.0, TOL_DB)
    assert_db_close(_db(session), SINE_DB - 5.0, TOL_DB)


def test_a_send_from_a_folder_child_bypasses_the_folder(session):
    f = session.f
    folder = session.add_track("Folder")
    child = session.add_track("Child", sine(1000, 2.0, 0.5))
    b = session.add_track("Bus")
    f["RPR_SetMediaTrackInfo_Value"](folder, "I_FOLDERDEPTH", 1)
    f["RPR_SetMediaTrackInfo_Value"](child, "I_FOLDERDEPTH", -1)
    f["RPR_SetMediaTrackInfo_Value"](child, "B_MAINSEND", 0)
    f["RPR_CreateTrackSend"](child, b)
    f["RPR_SetMediaTrackInfo_Value"](folder, "B_MUTE", 1)  # the folder is muted; the send is not
    assert_db_close(_db(session), SINE_DB, TOL_DB)
    assert np.max(np.abs(render(session.project, track=session.track("Folder")).audio)) == 0.0


def test_a_routing_loop_renders_once_and_says_so(session):
    f = session.f
    a = session.add_track("A", sine(1000, 1.0, 0.5))
    b = session.add_track("B")
    f["RPR_CreateTrackSend"](a, b)
    f["RPR_CreateTrackSend"](b, a)
    res = render(session.project)
    assert any("routing loop" in n for n in res.unmodelled_fx), res.unmodelled_fx
    assert np.all(np.isfinite(res.audio))


def test_sends_survive_save_and_follow_track_insertion_and_deletion(bus, tmp_path):
    session, src, b = bus
    f = session.f
    f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "D_VOL", 0.5)
    f["RPR_SetTrackSendInfo_Value"](src, 0, 0, "I_SENDMODE", 3)
    line = session.track("Bus").chunk.line("AUXRECV").text
    assert line.split()[:5] == ["AUXRECV", "0", "3", "0.5", "0"], line  # source index, mode, vol, pan
    f["RPR_InsertTrackAtIndex"](0, True)  # a track above the source: the receive follows it
    assert session.track("Bus").receives()[0].source.name == "Src"
    path = tmp_path / "sends.rpp"
    session.project.save(path)
    again = Project.load(path)
    r = next(t for t in again.tracks if t.name == "Bus").receives()[0]
    assert (r.source.name, r.mode, r.volume) == ("Src", 3, 0.5)
    f["RPR_DeleteTrack"](f["RPR_GetTrack"](0, 0))
    assert session.track("Bus").receives()[0].source.name == "Src"
    assert f["RPR_GetTrackSendInfo_Value"](src, 0, 0, "P_DESTTRACK") == int(str(b).split("0x")[1], 16)
    assert f["RPR_GetTrackSendName"](src, 0, "", 64)[3] == "Bus"
    assert f["RPR_RemoveTrackSend"](src, 0, 0) and f["RPR_GetTrackNumSends"](b, -1) == 0
    f["RPR_DeleteTrack"](src)
    assert session.track("Bus").chunk.line("AUXRECV") is None


def test_a_source_before_its_bus_is_not_changed_by_the_master_sum_or_its_fader(session):
    """The render keeps each track's taps for its receives: the master's sum and the fader work in
    place on other arrays only. Src (first, at the master and post-fader to Bus, -6 dB fader),
    Other at the master, Pre with a pre-fader send to Bus and a -10 dB fader."""
    f = session.f
    src = session.add_track("Src", sine(1000, 2.0, 0.5))
    session.add_track("Other", sine(1000, 2.0, 0.5))
    pre = session.add_track("Pre", sine(1000, 2.0, 0.25))
    b = session.add_track("Bus")
    f["RPR_SetMediaTrackInfo_Value"](src, "D_VOL", 10 ** (-6 / 20))
    f["RPR_SetMediaTrackInfo_Value"](pre, "D_VOL", 10 ** (-10 / 20))
    f["RPR_SetMediaTrackInfo_Value"](pre, "B_MAINSEND", 0)
    f["RPR_CreateTrackSend"](src, b)
    f["RPR_CreateTrackSend"](pre, b)
    f["RPR_SetTrackSendInfo_Value"](pre, 0, 0, "I_SENDMODE", 3)
    # all in phase: master = Src (0.5 x -6 dB) + Other (0.5) + Bus (Src post-fader + Pre at 0.25)
    a = 0.5 * 10 ** (-6 / 20)
    want = 20 * np.log10(a + 0.5 + a + 0.25) + SINE_DB - 20 * np.log10(0.5)
    assert_db_close(_db(session), want, TOL_DB)
    assert_db_close(_db(session, "Bus"), 20 * np.log10(a + 0.25) + SINE_DB - 20 * np.log10(0.5), TOL_DB)
