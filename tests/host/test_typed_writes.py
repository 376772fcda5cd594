"""The typed plan end to end on the in-process host: each step kind realizes into write kinds that
REAPER (the emulator) applies, reads back, refuses and reverts; the batch holds the UI refresh."""

from __future__ import annotations

import pytest

from reaper_assist.bridge import writes
from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper
from reaper_assist.errors import StaleReferenceError
from reaper_assist.host import realize
from reaper_assist.host.base import FXState, ProjectState, TrackState
from reaper_assist.host.inprocess import InProcessHost
from reaper_assist.rules import steps as S
from reaper_assist.units import amp_to_db
from tests.emulator.helpers import write_sine

DB_TOL = 1e-9  # a native value written and read back as float64: exact up to rounding
FADER_TOL_DB = 1e-6  # envelope values pass the fader scaling (ScaleToEnvelopeMode) both ways


@pytest.fixture()
def host(tmp_path):
    p = Project.new()
    tr = p.add_track(0, name="Vox")
    p.add_item(tr, position=0.0, length=1.0, file=str(write_sine(tmp_path / "a.wav", seconds=1.0)))
    tr.envelope_by_chunk_name("VOLENV3", create=True)  # the Trim Volume envelope, shown
    return InProcessHost(Reaper(p))


def _apply(host, *steps):
    state = host.read_state()
    w = realize.realize(state, steps)
    host.apply(realize.ops(w), "reaper-assist: test")
    return w


def _step(host, cls, **kw):
    t = host.read_state().tracks[0]
    return cls(track_guid=t.guid, track_name=t.name, reason="test", **kw)


def test_track_pan_and_volume_steps_write_native_values(host):
    _apply(host, _step(host, S.TrackPan, pan=-0.3), _step(host, S.TrackVolume, volume_db=-6.0))
    t = host.read_state().tracks[0]
    assert t.pan == pytest.approx(-0.3, abs=DB_TOL)
    assert amp_to_db(t.volume) == pytest.approx(-6.0, abs=DB_TOL)


def test_take_gain_step_multiplies_the_take_volume(host):
    t = host.read_state().tracks[0]
    _apply(host, _step(host, S.TakeGain, item_guid=t.items[0].guid, item_index=0, gain_db=-3.2))
    assert amp_to_db(host.read_state().tracks[0].items[0].take.volume) == pytest.approx(-3.2, abs=DB_TOL)


def test_envelope_points_step_replaces_the_points_in_its_range(host):
    pts = (S.EnvelopePoint(0.0, -6.0), S.EnvelopePoint(0.5, 0.0, "square"), S.EnvelopePoint(1.0, -12.0))
    _apply(host, _step(host, S.EnvelopePoints, envelope="Trim Volume", points=pts))
    api = host.api
    tr = api.GetTrack(0, 0)
    env = api.GetTrackEnvelopeByName(tr, "Trim Volume")
    got = [api.GetEnvelopePoint(env, i, 0, 0, 0, 0, 0) for i in range(api.CountEnvelopePoints(env))]
    assert [r[3] for r in got] == [0.0, 0.5, 1.0]
    assert [r[5] for r in got] == [0, 1, 0]
    mode = api.GetEnvelopeScalingMode(env)
    dbs = [amp_to_db(api.ScaleFromEnvelopeMode(mode, r[4])) for r in got]
    assert dbs == pytest.approx([-6.0, 0.0, -12.0], abs=FADER_TOL_DB)


def test_a_failed_plan_puts_the_envelope_points_back(host):
    pts = (S.EnvelopePoint(0.25, -6.0),)
    env = host.api.GetTrackEnvelopeByName(host.api.GetTrack(0, 0), "Trim Volume")
    before = [host.api.GetEnvelopePoint(env, i, 0, 0, 0, 0, 0)[3:6] for i in range(host.api.CountEnvelopePoints(env))]
    state = host.read_state()
    w = realize.realize(state, [_step(host, S.EnvelopePoints, points=pts), _step(host, S.TrackPan, pan=0.5)])
    with pytest.raises(StaleReferenceError):
        host.apply(realize.ops(w), "reaper-assist: test", fail_after=1)
    env = host.api.GetTrackEnvelopeByName(host.api.GetTrack(0, 0), "Trim Volume")
    after = [host.api.GetEnvelopePoint(env, i, 0, 0, 0, 0, 0)[3:6] for i in range(host.api.CountEnvelopePoints(env))]
    assert after == before
    assert host.read_state().tracks[0].pan == 0.0


def test_envelope_step_without_the_envelope_is_refused_before_writing(host):
    step = _step(host, S.EnvelopePoints, envelope="Volume", points=(S.EnvelopePoint(0.0, -1.0),))
    with pytest.raises(StaleReferenceError, match="no 'Volume' envelope"):
        _apply(host, step)


def test_step_values_are_checked_where_they_are_made():
    with pytest.raises(ValueError, match="pan 1.5 outside"):
        S.TrackPan(track_guid="{X}", track_name="Vox", reason="", pan=1.5)
    with pytest.raises(ValueError, match="shape 'wiggle'"):
        S.EnvelopePoint(0.0, 0.0, "wiggle")


@pytest.mark.parametrize("op, message", [
    ({"op": "set_anything", "track": "{X}"}, "unknown kind 'set_anything'"),
    ({"op": "track_info", "track": "{X}", "parm": "D_VOL"}, "field 'value' is missing"),
    ({"op": "track_info", "track": "{X}", "parm": "D_VOL", "value": "loud"}, "'value' must be a number"),
    ({"op": "track_info", "track": "{X}", "parm": "D_VOL", "value": 1.0, "code": "x"}, "unknown field"),
    ({"op": "track_info", "track": "{X}", "parm": "P_NAME;rm", "value": 1.0}, "not an info value key"),
    ({"op": "fx_param", "track": "{X}", "fx": "{F}", "value": 1.0}, "exactly one of 'param'"),
    ({"op": "eq_band_param", "track": "{X}", "fx": "{F}", "band": 0, "param": "q", "value": 0.5}, "not one of"),
    ({"op": "tag_fx", "track": "{X}", "fx": "@0", "value": "x"}, "earlier add_fx"),
])
def test_each_write_kind_validates_its_fields_and_unknown_kinds_are_refused(op, message):
    with pytest.raises(writes.ApplyError, match=message):
        writes.parse([op])


def test_refused_plan_writes_nothing(host):
    t = host.read_state().tracks[0]
    with pytest.raises(StaleReferenceError, match="unknown kind"):
        host.apply([{"op": "track_info", "track": t.guid, "parm": "D_VOL", "value": 0.5},
                    {"op": "run_lua", "code": "x"}], "reaper-assist: test")
    assert host.read_state().tracks[0].volume == 1.0
    assert list(host.reaper.ui_log) == []  # refused before the batch began


def test_a_batch_holds_the_ui_refresh_and_redraws_once_after(host):
    """Issue 10 point 6: PreventUIRefresh(1) ... (-1), then UpdateArrange and TrackList_AdjustWindows."""
    t = host.read_state().tracks[0]
    seen = []
    original = host.api.SetMediaTrackInfo_Value

    def spy(*a):
        seen.append(host.reaper.ui_refresh)
        return original(*a)

    host.api.SetMediaTrackInfo_Value = spy
    host.apply([{"op": "track_info", "track": t.guid, "parm": "D_PAN", "value": 0.2},
                {"op": "track_info", "track": t.guid, "parm": "D_VOL", "value": 0.5}], "reaper-assist: test")
    assert seen == [1, 1]  # every write ran with the UI refresh held
    assert list(host.reaper.ui_log) == [("PreventUIRefresh", 1), ("PreventUIRefresh", -1), ("UpdateArrange",),
                                        ("TrackList_AdjustWindows", False)]
    assert host.reaper.ui_refresh == 0


def test_an_aborted_batch_releases_the_ui_refresh_too(host):
    t = host.read_state().tracks[0]
    with pytest.raises(StaleReferenceError):
        host.apply([{"op": "track_info", "track": t.guid, "parm": "D_PAN", "value": 0.2}], "reaper-assist: test",
                   fail_after=0)
    assert host.reaper.ui_refresh == 0
    assert ("UpdateArrange",) in host.reaper.ui_log


# ------------------------------------------------------------------------------------------------
# realize on its own: an FX of ours is updated only where it differs, each write expecting its value
# ------------------------------------------------------------------------------------------------
def _state_with(fx):
    tr = TrackState(0, "{T}", "Kick", True, 1.0, 0.0, False, 2, 0, '{"{F}": "auto-compress"}', (), (fx,))
    return ProjectState("", "", 48000, 1, (tr,))


def test_an_unchanged_fx_of_ours_realizes_to_no_write_and_a_changed_value_to_one():
    from reaper_assist.plugins.reacomp import REACOMP

    i, p = REACOMP.param_by_key(None, "threshold_db")
    values = list(REACOMP.default_state().values)
    values[i] = p.from_units(-20.0)
    fx = FXState(0, "{F}", "RA Comp", "RA Comp", "VST: ReaComp (Cockos)", True, 24, tuple(values))
    state = _state_with(fx)

    def step(db):
        return S.TaggedPlugin(track_guid="{T}", track_name="Kick", reason="r", plugin="reacomp", rename="RA Comp",
                              tag="auto-compress", existing_guid="{F}",
                              params=(S.ParamValue("threshold_db", db, f"Threshold ({db:+.1f} dB)"),))

    assert realize.realize(state, [step(-20.0)]) == []
    (w,) = realize.realize(state, [step(-24.0)])
    assert w.op == {"op": "fx_param", "track": "{T}", "track_name": "Kick", "fx": "{F}", "name": "Threshold",
                    "value": pytest.approx(p.from_units(-24.0)), "expect": values[i]}
    assert w.what == "RA Comp: Threshold (-24.0 dB)" and w.old == values[i]


def test_js_volume_gain_is_given_in_true_db_and_written_on_the_slider_law():
    """+6.02 dB true gain is +6 on JS Volume's 2^(x/6) slider (facts 2.6)."""
    state = _state_with(FXState(0, "{X}", "a user's FX", "", "x", True, 0))
    step = S.TaggedPlugin(track_guid="{T}", track_name="Kick", reason="r", plugin="js_volume", rename="RA Gain",
                          tag="gain", position=0, params=(S.ParamValue("gain_db", 20 * 0.30103, "Adjustment (dB)"),))
    ws = realize.realize(state, [step])
    assert [w.op["op"] for w in ws[:2]] == ["add_fx", "tag_fx"] and ws[0].op["name"] == "JS: Volume Adjustment"
    adj = next(w for w in ws if w.op.get("name") == "Adjustment (dB)")
    assert adj.new == pytest.approx(6.0, abs=1e-4) and adj.op["fx"] == "@0"


def test_a_step_without_a_realize_function_is_refused():
    class Unknown(S.Step):
        pass

    with pytest.raises(TypeError, match="no realize step for Unknown"):
        realize.realize(_state_with(None), [Unknown(track_guid="{T}", track_name="Kick", reason="")])
