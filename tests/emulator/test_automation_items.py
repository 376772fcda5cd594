"""Automation items in the emulator: the RPP lines (ReaTeam/Doc "State Chunk Definitions"), the
ReaScript calls (reascripthelp.html) and the render (docs/engine.md "Automation items").

Known answers: a 0 dB Volume lane with an item of -6 dB points over 1..2 s renders a sine at
-6.00 dB inside and 0.00 dB outside; REAPER's defaults (baseline 0.5, amplitude 1) are the identity;
amplitude 0 gives the baseline; loops, start offsets and play rates move the pool as stated."""

from __future__ import annotations

import math

import numpy as np
import pytest
import soundfile as sf

from reaper_assist.emulator import rpp
from reaper_assist.emulator import uncertain as EU
from reaper_assist.emulator.engine import automation as A
from reaper_assist.emulator.engine import render
from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper
from reaper_assist.errors import ProjectFormatError

SR = 48000
AMP = 0.5


def db(x: float) -> float:
    return 20 * math.log10(x)


def amp(d: float) -> float:
    return 10 ** (d / 20)


# A project in REAPER's layout: a Volume lane whose POOLEDENVINST line is the State Chunk
# Definitions' example (REAPER-written: pool 6, instance 1280), before the lane's points, as REAPER
# writes it; the pool as a <POOLEDENV chunk of the project (ID, NAME, SRCLEN, PPT lines).
REAL_TEXT = """<REAPER_PROJECT 0.1 "7.0/linux-x86_64" 1700000000
  SAMPLERATE 48000 0 0
  TEMPO 120 4 4
  <TRACK {4830A644-41E5-C39E-2F21-0E4D38CF4670}
    NAME Vox
    VOLPAN 1 0 -1 -1 1
    <VOLENV2
      EGUID {E1A0A26B-6BF4-C6BD-873D-DB57E2C20775}
      ACT 1 -1
      VIS 1 1 1
      LANEHEIGHT 0 0
      ARM 0
      DEFSHAPE 0 -1 -1
      VOLTYPE 1
      POOLEDENVINST 6 1.375 0.39917615841563 0.114936 0.354826 1 0.5 1 1 0 0 1280 0 0 0.012 0
      PT 0 1 0
      PT 6.5 0.02073425 5 1 0 0 0.3030303
    >
  >
  <POOLEDENV
    ID 6
    NAME "Automation item 5"
    SRCLEN 4
    PPT 0 0.5 0
    PPT 2 1 5 1 0 0 -0.25
  >
>
"""


def test_real_text_round_trips_byte_for_byte_and_reads_every_field(tmp_path):
    p = Project.loads(REAL_TEXT)
    assert p.dumps() == REAL_TEXT
    lane = p.tracks[0].envelope_by_chunk_name("VOLENV2")
    (ai,) = lane.automation_items
    assert (ai.pool_id, ai.position, ai.length, ai.start_offset, ai.playrate) == (
        6, 1.375, 0.39917615841563, 0.114936, 0.354826)
    assert (ai.selected, ai.baseline, ai.amplitude, ai.loop, ai.instance_id, ai.muted) == (
        True, 0.5, 1.0, True, 1280, False)
    pool = ai.pool
    assert (pool.id, pool.name, pool.length_qn) == (6, "Automation item 5", 4.0)
    assert [(q.time, q.value, q.shape, q.tension) for q in pool.points] == [(0, 0.5, 0, 0), (2, 1, 5, -0.25)]
    # an edit elsewhere leaves the item's and the pool's lines as REAPER wrote them
    p.tracks[0].name = "Lead"
    text = p.dumps()
    assert "POOLEDENVINST 6 1.375 0.39917615841563 0.114936 0.354826 1 0.5 1 1 0 0 1280 0 0 0.012 0" in text
    assert text.replace("NAME Lead", "NAME Vox") == REAL_TEXT
    path = tmp_path / "ai.rpp"
    path.write_text(REAL_TEXT)
    assert Project.load(path).dumps() == REAL_TEXT


def test_a_non_finite_number_in_an_item_line_is_refused_with_the_line():
    bad = REAL_TEXT.replace("0.114936 0.354826", "0.114936 inf")
    with pytest.raises(ProjectFormatError, match="POOLEDENVINST: 'inf'") as e:
        Project.loads(bad)
    assert "line 15" in str(e.value)
    with pytest.raises(ProjectFormatError, match="PPT: 'nan'"):
        Project.loads(REAL_TEXT.replace("PPT 0 0.5 0", "PPT nan 0.5 0"))


# ------------------------------------------------------------------------------------------------
# a session: a track playing a 1 kHz sine, its Volume lane at 0 dB
# ------------------------------------------------------------------------------------------------
def _session(tmp_path, seconds=4.0):
    p = Project.new(sample_rate=SR)
    p.path = str(tmp_path / "t.rpp")
    t = np.arange(int(seconds * SR)) / SR
    sf.write(tmp_path / "sine.wav", np.stack([AMP * np.sin(2 * np.pi * 1000 * t)] * 2, axis=1), SR, subtype="FLOAT")
    tr = p.add_track(0, name="Vox")
    p.add_item(tr, position=0.0, length=seconds, file=str(tmp_path / "sine.wav"))
    r = Reaper(p, resource_path=str(tmp_path))
    f = r.rpr_functions()
    track = f["RPR_GetTrack"](0, 0)
    lane = p.tracks[0].envelope_by_chunk_name("VOLENV2", create=True)  # PT 0 1 0: 0 dB
    env = f["RPR_GetTrackEnvelopeByChunkName"](track, "<VOLENV2")
    return p, f, track, env, lane


def _sub(tmp_path, name: str):
    d = tmp_path / name
    d.mkdir()
    return d


def _level_db(y: np.ndarray, t0: float, t1: float) -> float:
    seg = y[0, int(round(t0 * SR)):int(round(t1 * SR))]
    return db(float(np.sqrt(np.mean(seg**2))) / (AMP / math.sqrt(2)))


def _gain_at(y: np.ndarray, t: float) -> float:
    """Gain in dB over the 1 kHz period around ``t`` (48 samples = one period)."""
    i = int(round(t * SR))
    return _level_db(y, (i - 24) / SR, (i + 24) / SR)


def _item_with_points(f, env, position, length, points_db, *, shape=0, pool=-1):
    """An automation item at ``position`` with pooled points ``[(project time, dB)]`` (through
    InsertEnvelopePointEx on the item), returning its index. ``pool`` -1 collects the lane's
    points in the item's span into a new pool; ``pool`` >= 0 makes an empty pool of that ID."""
    k = f["RPR_InsertAutomationItem"](env, pool, position, length)
    assert k >= 0
    for t, d in points_db:
        ok = f["RPR_InsertEnvelopePointEx"](env, k, t, f["RPR_ScaleToEnvelopeMode"](1, amp(d)), shape, 0.0, False, True)
        assert ok[0] == 1
    assert f["RPR_Envelope_SortPointsEx"](env, k) == 1
    return k


def test_volume_item_of_minus_6_db_plays_inside_and_the_lane_outside(tmp_path):
    p, f, track, env, lane = _session(tmp_path)
    k = _item_with_points(f, env, 1.0, 1.0, [(1.0, -6.0), (1.5, -6.0)])
    res = render(p, track=p.tracks[0])
    assert not any("automation items" in u for u in res.unmodelled_fx), res.unmodelled_fx
    y = res.audio
    assert abs(_level_db(y, 1.02, 1.98) - (-6.0)) < 0.01, _level_db(y, 1.02, 1.98)
    assert abs(_level_db(y, 0.02, 0.98)) < 0.01
    assert abs(_level_db(y, 2.02, 3.98)) < 0.01
    # Envelope_Evaluate reads the effective value (the item inside, the lane outside)
    v_in = f["RPR_Envelope_Evaluate"](env, 1.5, SR, 1, 0, 0, 0, 0)[5]
    v_out = f["RPR_Envelope_Evaluate"](env, 2.5, SR, 1, 0, 0, 0, 0)[5]
    assert abs(db(f["RPR_ScaleFromEnvelopeMode"](1, v_in)) + 6.0) < 1e-9
    assert abs(db(f["RPR_ScaleFromEnvelopeMode"](1, v_out))) < 1e-9
    # a muted item plays nothing: the lane rules under it
    lane.automation_items[k].set("muted", 1)
    assert abs(_level_db(render(p, track=p.tracks[0]).audio, 1.02, 1.98)) < 0.01


def test_default_baseline_and_amplitude_are_the_identity(tmp_path):
    """The same points (all shapes, a bezier with tension) on the lane and in an item render alike."""
    pts = [(0.0, -3.0, 0, 0.0), (0.5, -12.0, 2, 0.0), (1.0, 2.0, 5, 0.6), (1.5, -6.0, 3, 0.0), (2.0, -1.0, 1, 0.0)]
    p1, f1, _t1, env1, lane1 = _session(_sub(tmp_path, "a"))
    f1["RPR_DeleteEnvelopePointRange"](env1, -1, 100)
    for t, d, s, ten in pts:
        f1["RPR_InsertEnvelopePoint"](env1, t, f1["RPR_ScaleToEnvelopeMode"](1, amp(d)), s, ten, False, True)
    f1["RPR_Envelope_SortPoints"](env1)
    lane_only = render(p1, track=p1.tracks[0], end_s=2.5).audio

    p2, f2, _t2, env2, _lane2 = _session(_sub(tmp_path, "b"))
    f2["RPR_DeleteEnvelopePointRange"](env2, -1, 100)
    f2["RPR_InsertEnvelopePoint"](env2, 0.0, f2["RPR_ScaleToEnvelopeMode"](1, amp(-1.0)), 0, 0.0, False, False)
    k = f2["RPR_InsertAutomationItem"](env2, -1, 0.0, 2.5)
    for t, d, s, ten in pts:
        f2["RPR_InsertEnvelopePointEx"](env2, k, t, f2["RPR_ScaleToEnvelopeMode"](1, amp(d)), s, ten, False, True)
    f2["RPR_Envelope_SortPointsEx"](env2, k)
    assert f2["RPR_GetSetAutomationItemInfo"](env2, k, "D_BASELINE", 0, False) == 0.5
    assert f2["RPR_GetSetAutomationItemInfo"](env2, k, "D_AMPLITUDE", 0, False) == 1.0
    with_item = render(p2, track=p2.tracks[0], end_s=2.5).audio
    np.testing.assert_allclose(with_item, lane_only, rtol=0, atol=1e-12)
    # the transform's arithmetic is the identity there too (the render skips it at the defaults)
    lane = p2.tracks[0].envelope_by_chunk_name("VOLENV2")
    raw = np.array([amp(d) for d in (-60.0, -12.0, -6.0, 0.0, 6.0, 11.9)])
    back = A.from_normalized(lane, EU.ai_transform(A.to_normalized(lane, raw), 0.5, 1.0))
    np.testing.assert_allclose(back, raw, rtol=1e-12)


def test_a_looped_item_repeats_its_pool_and_an_unlooped_one_holds_its_last_point(tmp_path):
    p, f, _track, env, lane = _session(tmp_path)
    # pool of 1 s (2 QN at 120 BPM): -12 dB for 0.5 s, then 0 dB (square points)
    k = _item_with_points(f, env, 0.0, 4.0, [(0.0, -12.0), (0.5, 0.0)], shape=1, pool=7)
    assert f["RPR_CountEnvelopePoints"](env) == 1  # the lane keeps its 0 dB point
    assert f["RPR_GetSetAutomationItemInfo"](env, k, "D_POOL_QNLEN", 2.0, True) == 2.0
    assert f["RPR_GetSetAutomationItemInfo"](env, k, "D_LOOPSRC", 0, False) == 1.0
    y = render(p, track=p.tracks[0]).audio
    for t, want in ((0.25, -12.0), (0.75, 0.0), (1.25, -12.0), (1.75, 0.0), (3.25, -12.0), (3.75, 0.0)):
        assert abs(_gain_at(y, t) - want) < 0.01, (t, _gain_at(y, t))
    # the points one loop iteration shows (0x10000000) and those visible over all four iterations
    assert f["RPR_CountEnvelopePointsEx"](env, k | 0x10000000) == 2
    assert f["RPR_CountEnvelopePointsEx"](env, k) == 8
    assert f["RPR_GetEnvelopePointEx"](env, k, 5, 0, 0, 0, 0, 0)[4] == pytest.approx(2.5)
    f["RPR_GetSetAutomationItemInfo"](env, k, "D_LOOPSRC", 0, True)
    y = render(p, track=p.tracks[0]).audio
    assert abs(_gain_at(y, 1.25) - 0.0) < 0.01 and abs(_gain_at(y, 3.25)) < 0.01
    assert f["RPR_CountEnvelopePointsEx"](env, k) == 2


def test_start_offset_and_play_rate_move_the_pool(tmp_path):
    p, f, _track, env, _lane = _session(tmp_path)
    # a ramp over the pool: 0 QN -> -20 dB, 4 QN (2 s) -> 0 dB, linear in the fader domain
    k = _item_with_points(f, env, 1.0, 2.5, [(1.0, -20.0), (3.0, 0.0)])
    y0 = render(p, track=p.tracks[0]).audio
    f["RPR_GetSetAutomationItemInfo"](env, k, "D_STARTOFFS", 0.5, True)
    y1 = render(p, track=p.tracks[0]).audio
    # at item time 0.25 s the offset item plays pool time 0.75 s, where the plain one is at 1.75 s
    assert abs(_gain_at(y1, 1.25) - _gain_at(y0, 1.75)) < 0.02
    f["RPR_GetSetAutomationItemInfo"](env, k, "D_STARTOFFS", 0.0, True)
    assert f["RPR_GetSetAutomationItemInfo"](env, k, "D_PLAYRATE", 2.0, True) == 2.0
    y2 = render(p, track=p.tracks[0]).audio
    assert abs(_gain_at(y2, 1.25) - _gain_at(y0, 1.5)) < 0.02  # twice as fast: 0.25 s in = 0.5 s of pool
    assert abs(_gain_at(y0, 1.5) - db(_ramp(-20.0, 0.0, 0.25))) < 0.02


def _ramp(d0: float, d1: float, frac: float) -> float:
    """Linear amplitude at ``frac`` of a fader-domain ramp (facts addendum Q2, written out)."""
    k = 10 ** (12 / 20) / 2

    def slider(a: float) -> float:
        return 1000 * ((math.sqrt(1 + 4 * a / k) - 1) / 2) ** (1 / 3)

    y = slider(amp(d0)) + frac * (slider(amp(d1)) - slider(amp(d0)))
    u = y / 1000
    return k * (u**3 + u**6)


def test_amplitude_0_gives_the_baseline_and_baseline_moves_the_shape(tmp_path):
    p, f, track, _env, _lane = _session(tmp_path)
    fx = f["RPR_TrackFX_AddByName"](track, "ReaEQ", False, -1)
    penv = f["RPR_GetFXEnvelope"](track, fx, 1, True)  # band 1 gain, native 0..1 (linear / 4)
    lo, hi = 0.0, 1.0
    header = p.tracks[0].fx[0].envelopes()[0].chunk.attrs
    assert (float(header[1]), float(header[2])) == (lo, hi)
    k = f["RPR_InsertAutomationItem"](penv, -1, 1.0, 1.0)
    f["RPR_InsertEnvelopePointEx"](penv, k, 1.0, 0.125, 0, 0.0, False, False)
    ev = lambda t: f["RPR_Envelope_Evaluate"](penv, t, SR, 1, 0, 0, 0, 0)[5]  # noqa: E731
    assert ev(1.5) == pytest.approx(0.125)
    f["RPR_GetSetAutomationItemInfo"](penv, k, "D_AMPLITUDE", 0.0, True)
    f["RPR_GetSetAutomationItemInfo"](penv, k, "D_BASELINE", 0.3, True)
    assert ev(1.5) == pytest.approx(lo + 0.3 * (hi - lo), abs=1e-12)
    f["RPR_GetSetAutomationItemInfo"](penv, k, "D_AMPLITUDE", 1.0, True)
    f["RPR_GetSetAutomationItemInfo"](penv, k, "D_BASELINE", 0.7, True)
    assert ev(1.5) == pytest.approx(0.7 + (0.125 - 0.5), abs=1e-12)  # the shape moved up by 0.2
    f["RPR_GetSetAutomationItemInfo"](penv, k, "D_AMPLITUDE", -1.0, True)
    f["RPR_GetSetAutomationItemInfo"](penv, k, "D_BASELINE", 0.5, True)
    assert ev(1.5) == pytest.approx(1.0 - 0.125, abs=1e-12)  # mirrored about the range's centre
    f["RPR_GetSetAutomationItemInfo"](penv, k, "D_BASELINE", 1.0, True)
    assert ev(1.5) == hi  # 1 - (0.125 - 0.5) = 1.375: held at the top of the range
    # API ranges: baseline [0, 1], amplitude [-1, 1], play rate >= 0.001
    assert f["RPR_GetSetAutomationItemInfo"](penv, k, "D_BASELINE", 7.0, True) == 1.0
    assert f["RPR_GetSetAutomationItemInfo"](penv, k, "D_AMPLITUDE", -5.0, True) == -1.0
    assert f["RPR_GetSetAutomationItemInfo"](penv, k, "D_PLAYRATE", 0.0, True) == 0.001
    # a volume lane: amplitude 0 at baseline 0.5 is the fader's middle position (500 of 1000)
    p2, f2, _t2, env2, _l2 = _session(_sub(tmp_path, "v"))
    k2 = _item_with_points(f2, env2, 1.0, 1.0, [(1.0, -6.0)])
    f2["RPR_GetSetAutomationItemInfo"](env2, k2, "D_AMPLITUDE", 0.0, True)
    assert f2["RPR_Envelope_Evaluate"](env2, 1.5, SR, 1, 0, 0, 0, 0)[5] == pytest.approx(500.0, abs=1e-9)


def test_an_item_on_an_fx_parameter_envelope_renders(tmp_path):
    """ReaEQ band 1 (a 1 octave peak at 1 kHz) gain lane at 0 dB; an item at 1..2 s holds -6 dB:
    the sine at the band's centre falls by 6 dB there only (RBJ: |H(f0)| = band gain)."""
    from reaper_assist.plugins.reaeq import bw_native, freq_native

    p, f, track, _env, _lane = _session(tmp_path)
    fx = f["RPR_TrackFX_AddByName"](track, "ReaEQ", False, -1)
    f["RPR_TrackFX_SetNamedConfigParm"](track, fx, "BANDTYPE0", "8")
    for b in range(1, 4):
        f["RPR_TrackFX_SetNamedConfigParm"](track, fx, f"BANDENABLED{b}", "0")
    f["RPR_TrackFX_SetParam"](track, fx, 0, freq_native(1000.0))
    f["RPR_TrackFX_SetParam"](track, fx, 2, bw_native(1.0))
    penv = f["RPR_GetFXEnvelope"](track, fx, 1, True)
    f["RPR_InsertEnvelopePoint"](penv, 0.0, 0.25, 0, 0.0, False, False)  # 0 dB (native = linear / 4)
    k = f["RPR_InsertAutomationItem"](penv, -1, 1.0, 1.0)
    f["RPR_InsertEnvelopePointEx"](penv, k, 1.0, 0.25 * amp(-6.0), 0, 0.0, False, False)
    y = render(p, track=p.tracks[0]).audio
    assert abs(_level_db(y, 1.2, 1.9) + 6.0) < 0.05, _level_db(y, 1.2, 1.9)
    assert abs(_level_db(y, 0.2, 0.9)) < 0.05 and abs(_level_db(y, 2.2, 3.9)) < 0.05


def test_insert_collects_points_and_pooled_instances_share_edits(tmp_path):
    p, f, _track, env, lane = _session(tmp_path)
    f["RPR_InsertEnvelopePoint"](env, 1.5, f["RPR_ScaleToEnvelopeMode"](1, amp(-6)), 0, 0.0, False, False)
    assert f["RPR_CountEnvelopePoints"](env) == 2
    k = f["RPR_InsertAutomationItem"](env, -1, 1.0, 1.0)  # collects the 1.5 s point
    assert (k, f["RPR_CountAutomationItems"](env), f["RPR_CountEnvelopePoints"](env)) == (0, 1, 1)
    assert f["RPR_CountEnvelopePointsEx"](env, -1) == 1 and f["RPR_CountEnvelopePointsEx"](env, 0) == 1
    got = f["RPR_GetEnvelopePointEx"](env, 0, 0, 0, 0, 0, 0, 0)
    assert got[0] == 1 and got[4] == pytest.approx(1.5)
    pool = f["RPR_GetSetAutomationItemInfo"](env, k, "D_POOL_ID", 0, False)
    assert f["RPR_GetSetAutomationItemInfo"](env, k, "D_POOL_QNLEN", 0, False) == 2.0  # 1 s at 120 BPM
    k2 = f["RPR_InsertAutomationItem"](env, int(pool), 3.0, 1.0)  # a second instance of the pool
    assert k2 == 1 and f["RPR_GetSetAutomationItemInfo"](env, k2, "D_POOL_ID", 0, False) == pool
    assert f["RPR_GetEnvelopePointEx"](env, k2, 0, 0, 0, 0, 0, 0)[4] == pytest.approx(3.5)
    # an edit through one instance is the pool's: the other plays it too
    assert f["RPR_SetEnvelopePointEx"](env, k2, 0, 3.25, f["RPR_ScaleToEnvelopeMode"](1, amp(-3)), 0, 0, 0, 0)[0] == 1
    assert f["RPR_GetEnvelopePointEx"](env, k, 0, 0, 0, 0, 0, 0)[4] == pytest.approx(1.25)
    y = render(p, track=p.tracks[0]).audio
    assert abs(_level_db(y, 1.3, 1.9) + 3) < 0.01 and abs(_level_db(y, 3.3, 3.9) + 3) < 0.01
    assert f["RPR_GetSetAutomationItemInfo_String"](env, k, "P_POOL_NAME", "ride", True)[0] == 1
    assert f["RPR_GetSetAutomationItemInfo_String"](env, k2, "P_POOL_NAME", "", False)[4] == "ride"
    assert f["RPR_DeleteEnvelopePointEx"](env, k, 0) == 1
    assert f["RPR_CountEnvelopePointsEx"](env, k2) == 0
    text = p.dumps()
    assert text.count("POOLEDENVINST") == 2 and text.count("<POOLEDENV") == 1
    assert Project.loads(text).dumps() == text


def test_ex_calls_with_autoitem_minus_1_are_the_plain_calls_on_the_lane(tmp_path):
    """autoitem_idx -1 is the lane's own points: the same answers as the plain calls, their
    out-parameters one argument later, on a lane that also holds an automation item."""
    _p, f, _track, env, lane = _session(tmp_path)
    f["RPR_InsertAutomationItem"](env, 0, 2.0, 1.0)
    half = f["RPR_ScaleToEnvelopeMode"](1, amp(-6))
    assert f["RPR_InsertEnvelopePointEx"](env, -1, 1.5, half, 2, 0.25, True, True)[0] == 1
    assert f["RPR_InsertEnvelopePointEx"](env, -1, 0.5, half, 0, 0.0, False, False)[0] == 1  # sorted in
    assert [q.time for q in lane.points] == [0.0, 0.5, 1.5]
    assert f["RPR_CountEnvelopePointsEx"](env, -1) == f["RPR_CountEnvelopePoints"](env) == 3
    for i in (0, 2, 3, -1):  # 3 and -1: no such point, both fail alike
        plain, ex = f["RPR_GetEnvelopePoint"](env, i, 0, 0, 0, 0, 0), f["RPR_GetEnvelopePointEx"](env, -1, i, 0, 0, 0, 0, 0)
        assert (ex[0], *ex[4:9]) == (plain[0], *plain[3:8]), i
    got = f["RPR_GetEnvelopePointEx"](env, -1, 2, 0, 0, 0, 0, 0)
    assert got[0] == 1 and list(got[4:9]) == [1.5, pytest.approx(half), 2, 0.25, 1]
    assert f["RPR_SetEnvelopePointEx"](env, -1, 2, 0.25, half, 0, 0.0, False, False)[0] == 1
    assert [q.time for q in lane.points] == [0.0, 0.25, 0.5]
    assert f["RPR_SetEnvelopePointEx"](env, -1, 3, 0.25, half, 0, 0.0, False, False)[0] == 0
    assert f["RPR_SetEnvelopePointEx"](env, -1, 0, float("nan"), half, 0, 0.0, False, False)[0] == 0
    assert f["RPR_Envelope_SortPointsEx"](env, -1) == 1
    assert f["RPR_CountEnvelopePointsEx"](env, 0) == 0  # the item's pool is not the lane


def test_an_item_reads_its_line_anew_once_the_line_changes():
    p = Project.loads(REAL_TEXT)
    lane = p.tracks[0].envelope_by_chunk_name("VOLENV2")
    (ai,) = lane.automation_items
    assert ai.position == 1.375
    ai.set("position", 2.5)
    assert ai.position == 2.5 and lane.automation_items[0].position == 2.5
    other = lane.automation_items[0]
    other.set("playrate", 2.0)  # through another wrapper of the same line
    assert ai.playrate == 2.0 and ai.rate == 2.0
    ai.line.text = ai.line.text.replace(" 2.5 ", " 3 ", 1)
    assert ai.position == 3.0
    # pool position and project time invert each other (120 BPM: 2 QN a second)
    assert ai.pool_qn(ai.time_at(1.5, 1)) == pytest.approx(1.5 + 4.0)
    assert ai.pool_qn(3.0) == pytest.approx(0.114936 * 2)


def test_bad_calls_fail_and_change_nothing(tmp_path):
    p, f, track, env, _lane = _session(tmp_path)
    before = p.dumps()
    null = "(TrackEnvelope*)0x0000000000000000"
    assert f["RPR_InsertAutomationItem"](null, -1, 1.0, 1.0) == -1
    assert f["RPR_InsertAutomationItem"](track, -1, 1.0, 1.0) == -1  # a MediaTrack*: NULL to the binding
    assert f["RPR_InsertAutomationItem"](env, -1, 1.0, 0.0) == -1
    assert f["RPR_InsertAutomationItem"](env, -1, float("nan"), 1.0) == -1
    assert f["RPR_CountAutomationItems"](null) == 0
    assert f["RPR_GetSetAutomationItemInfo"](env, 0, "D_POSITION", 5.0, True) == 0.0
    assert f["RPR_CountEnvelopePointsEx"](env, 3) == 0
    assert f["RPR_GetEnvelopePointEx"](env, 2, 0, 0, 0, 0, 0, 0)[0] == 0
    assert f["RPR_InsertEnvelopePointEx"](env, 2, 1.0, 1.0, 0, 0.0, False, False)[0] == 0
    assert f["RPR_DeleteEnvelopePointEx"](env, 2, 0) == 0
    assert f["RPR_GetSetAutomationItemInfo_String"](env, 0, "P_POOL_NAME", "x", True)[0] == 0
    assert p.dumps() == before
    k = f["RPR_InsertAutomationItem"](env, -1, 1.0, 1.0)
    mid = p.dumps()
    assert f["RPR_GetSetAutomationItemInfo"](env, k, "D_LENGTH", -1.0, True) == 1.0
    assert f["RPR_GetSetAutomationItemInfo"](env, k, "D_POSITION", float("inf"), True) == 1.0
    assert f["RPR_GetSetAutomationItemInfo"](env, k, "D_NOPE", 1.0, True) == 0.0
    assert f["RPR_SetEnvelopePointEx"](env, k, 0, 1.0, 1.0, 0, 0, 0, 0)[0] == 0  # no point 0 yet
    assert p.dumps() == mid


def test_an_empty_lane_with_an_item_leaves_the_fader_outside_and_a_tempo_map_is_named(tmp_path):
    p, f, track, env, lane = _session(tmp_path)
    f["RPR_DeleteEnvelopePointRange"](env, -1, 100)
    f["RPR_SetMediaTrackInfo_Value"](track, "D_VOL", amp(-3.0))
    _item_with_points(f, env, 1.0, 1.0, [(1.0, -6.0)])
    y = render(p, track=p.tracks[0]).audio
    assert abs(_level_db(y, 0.1, 0.9) + 3.0) < 0.01  # no point: the fader alone
    assert abs(_level_db(y, 1.1, 1.9) + 9.0) < 0.01  # trim/read: the fader times the item
    p.root.children.insert(3, rpp.parse("<TEMPOENVEX\n  ACT 1 -1\n  PT 0 120 0\n  PT 2 90 0\n>\n"))
    notes = render(p, track=p.tracks[0]).unmodelled_fx
    assert any("timed at the base tempo 120 BPM" in u for u in notes), notes
    # an item whose pool is not in the project is named, and plays the lane's default (0 dB)
    p.root.children = [c for c in p.root.children if not (isinstance(c, rpp.Chunk) and c.tag == "POOLEDENV")]
    res = render(p, track=p.tracks[0])
    assert any("automation item 1 on 'Volume': pool 1 is not in the project" in u for u in res.unmodelled_fx)
    assert abs(_level_db(res.audio, 1.1, 1.9) + 3.0) < 0.01
