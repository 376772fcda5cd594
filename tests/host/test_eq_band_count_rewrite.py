"""A re-run of auto-EQ whose plan needs another band count than our tagged ReaEQ holds: the
instance's state is rewritten (one ``eq_state_rewrite`` write, then the band writes), the same FX
kept (GUID, position, bypass), the user's own ReaEQ untouched, one undo step; a state REAPER
refuses, or one our codec cannot read, leaves the project exactly as it was. Known answers read
back through the emulator's ``RPR_TrackFX_GetParam`` / ``RPR_TrackFX_GetNamedConfigParm``."""

from __future__ import annotations

import base64

import pytest

from reaper_assist.app import auto_eq
from reaper_assist.app.our_fx import our_fx
from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper
from reaper_assist.errors import ReaperAssistError, StaleReferenceError
from reaper_assist.host import realize
from reaper_assist.host.inprocess import InProcessHost
from reaper_assist.plugins import uncertain as PU
from reaper_assist.plugins.reaeq import bw_native, freq_native
from reaper_assist.rules import steps as S

NATIVE_TOL = 1e-12  # band values are float64 in ReaEQ's state: written and read back exactly, up to rounding
HP, BAND = 4, 8  # BANDTYPE codes (facts 2.1)


def _bands(n: int) -> tuple[S.BandValue, ...]:
    """A known layout of ``n`` bands: a high-pass at 40 Hz, then cuts at 200 Hz x 1.5^k, -2 - k dB,
    0.2 + 0.05 k octaves (the last one switched off)."""
    out = [S.BandValue(0, HP, True, 40.0, 0.0, 1.9)]
    for k in range(1, n):
        out.append(S.BandValue(k, BAND, k < n - 1, 200.0 * 1.5 ** k, -2.0 - k, 0.2 + 0.05 * k))
    return tuple(out)


@pytest.fixture()
def host():
    p = Project.new()
    p.add_track(0, name="Kit")
    r = Reaper(p)
    h = InProcessHost(r)
    h.reaper = r  # the emulator behind the host: its RPR_ functions and project text
    f = r.rpr_functions()
    tr = f["RPR_GetTrack"](0, 0)
    assert f["RPR_TrackFX_AddByName"](tr, "ReaEQ", False, -1) == 0  # the user's own ReaEQ
    f["RPR_TrackFX_SetNamedConfigParm"](tr, 0, "renamed_name", "My EQ")
    f["RPR_TrackFX_SetParam"](tr, 0, 4, PU.reaeq_gain_native(-3.0))  # the user's band 2 at -3 dB
    _apply(h, _step(h, 5))  # our first run: 5 bands, ReaEQ's factory count
    return h


def _step(h, n: int) -> S.TaggedPlugin:
    t = h.read_state().tracks[0]
    ours = our_fx(t, auto_eq.TAG)
    return S.TaggedPlugin(track_guid=t.guid, track_name=t.name, reason="test", plugin="reaeq",
                          rename=auto_eq.RENAME, tag=auto_eq.TAG, position=0,
                          existing_guid=ours.guid if ours is not None else None, bands=_bands(n))


def _apply(h, *steps, **kw):
    w = realize.realize(h.read_state(), steps)
    h.apply(realize.ops(w), "reaper-assist: test", **kw)
    return w


def _fx(h, name: str) -> int:
    f = h.reaper.rpr_functions()
    tr = f["RPR_GetTrack"](0, 0)
    for k in range(f["RPR_TrackFX_GetCount"](tr)):
        if f["RPR_TrackFX_GetNamedConfigParm"](tr, k, "renamed_name", "", 256)[4] == name:
            return k
    raise AssertionError(f"no FX named {name!r}")


def _band_count(f, tr, k: int) -> int:
    n = 0
    while f["RPR_TrackFX_GetNamedConfigParm"](tr, k, f"BANDTYPE{n}", "", 64)[0]:
        n += 1
    return n


def _assert_layout(h, n: int) -> None:
    """Our ReaEQ holds exactly the layout of :func:`_bands`, read back through the API."""
    f = h.reaper.rpr_functions()
    tr = f["RPR_GetTrack"](0, 0)
    k = _fx(h, auto_eq.RENAME)
    assert _band_count(f, tr, k) == n
    assert f["RPR_TrackFX_GetNumParams"](tr, k) == 3 * n + 4  # 3 per band, Global Gain, 3 wrapper params
    for b in _bands(n):
        assert f["RPR_TrackFX_GetNamedConfigParm"](tr, k, f"BANDTYPE{b.band}", "", 64)[4] == str(b.band_type)
        assert f["RPR_TrackFX_GetNamedConfigParm"](tr, k, f"BANDENABLED{b.band}", "", 64)[4] == str(int(b.enabled))
        got = [f["RPR_TrackFX_GetParam"](tr, k, 3 * b.band + j, 0, 0)[0] for j in range(3)]
        want = [freq_native(b.freq_hz), PU.reaeq_gain_native(b.gain_db), bw_native(b.bw_oct)]
        assert got == pytest.approx(want, abs=NATIVE_TOL), b


def _user_eq(h) -> tuple[int, str]:
    f = h.reaper.rpr_functions()
    tr = f["RPR_GetTrack"](0, 0)
    k = _fx(h, "My EQ")
    return k, f["RPR_TrackFX_GetNamedConfigParm"](tr, k, "vst_chunk", "", 1 << 20)[4]


@pytest.mark.parametrize("first,second", [(5, 7), (7, 6), (8, 5)])
def test_a_rerun_needing_another_band_count_rewrites_our_instance_in_place(host, first, second):
    if first != 5:
        _apply(host, _step(host, first))
    f = host.reaper.rpr_functions()
    tr = f["RPR_GetTrack"](0, 0)
    ours = _fx(host, auto_eq.RENAME)
    guid = f["RPR_TrackFX_GetFXGUID"](tr, ours)
    f["RPR_TrackFX_SetEnabled"](tr, ours, False)  # the user bypassed ours meanwhile
    user_before = _user_eq(host)
    before = host.reaper.project.dumps()

    w = _apply(host, _step(host, second))

    kinds = [x.op["op"] for x in w]
    assert kinds[0] == "eq_state_rewrite" and kinds.count("eq_state_rewrite") == 1, kinds
    assert w[0].evidence["bands_before"] == first and w[0].evidence["bands_after"] == second
    _assert_layout(host, second)
    assert _fx(host, auto_eq.RENAME) == ours and f["RPR_TrackFX_GetFXGUID"](tr, ours) == guid
    assert not f["RPR_TrackFX_GetEnabled"](tr, ours)  # still bypassed
    assert f["RPR_TrackFX_GetCount"](tr) == 2
    assert _user_eq(host) == user_before  # the user's ReaEQ: same place, byte-identical state
    # global gain of ours stays 0 dB (the state after the bands is kept)
    assert f["RPR_TrackFX_GetParam"](tr, ours, 3 * second, 0, 0)[0] == pytest.approx(1.0, abs=NATIVE_TOL)
    # one undo step puts it all back
    assert f["RPR_Undo_CanUndo2"](0) == "reaper-assist: test"
    assert f["RPR_Undo_DoUndo2"](0) == 1
    assert host.reaper.project.dumps() == before


def test_a_rerun_with_the_same_band_count_writes_no_state(host):
    w = realize.realize(host.read_state(), [_step(host, 5)])
    assert w == []  # nothing differs
    changed = list(_bands(5))
    changed[2] = S.BandValue(2, BAND, True, 333.0, -4.0, 0.3)
    t = host.read_state().tracks[0]
    step = S.TaggedPlugin(track_guid=t.guid, track_name=t.name, reason="test", plugin="reaeq", rename=auto_eq.RENAME,
                          tag=auto_eq.TAG, position=0, existing_guid=our_fx(t, auto_eq.TAG).guid,
                          bands=tuple(changed))
    kinds = {x.op["op"] for x in realize.realize(host.read_state(), [step])}
    assert kinds == {"eq_band_param"}


def test_a_plan_needing_fewer_bands_than_the_factory_five_keeps_them_and_switches_the_rest_off(host):
    """Hum removal and de-essing plan 4 bands or fewer: the instance keeps ReaEQ's factory five
    (no state rewrite), the bands past the plan's switched off; the re-run after writes nothing."""
    w = _apply(host, _step(host, 4))
    kinds = [x.op["op"] for x in w]
    assert "eq_state_rewrite" not in kinds, kinds
    f = host.reaper.rpr_functions()
    tr = f["RPR_GetTrack"](0, 0)
    k = _fx(host, auto_eq.RENAME)
    assert _band_count(f, tr, k) == 5
    # band 5 was an enabled cut of the 5-band run (_bands(5)'s band 4 is off, so turn it on first)
    assert f["RPR_TrackFX_GetNamedConfigParm"](tr, k, "BANDENABLED4", "", 64)[4] == "0"
    f["RPR_TrackFX_SetNamedConfigParm"](tr, k, "BANDENABLED4", "1")
    w = _apply(host, _step(host, 4))
    assert [(x.op["op"], x.op.get("first")) for x in w] == [("eq_bands_off_from", 4)]
    assert f["RPR_TrackFX_GetNamedConfigParm"](tr, k, "BANDENABLED4", "", 64)[4] == "0"
    assert realize.realize(host.read_state(), [_step(host, 4)]) == []  # and then nothing differs


def test_a_state_reaper_refuses_leaves_the_project_exactly_as_it_was(host):
    before = host.reaper.project.dumps()
    state = host.read_state()
    t = state.tracks[0]
    w = realize.realize(state, [S.TrackPan(track_guid=t.guid, track_name=t.name, reason="test", pan=0.4),
                                _step(host, 7)])
    ops = realize.ops(w)
    k = next(i for i, op in enumerate(ops) if op["op"] == "eq_state_rewrite")
    blob = base64.b64decode(ops[k]["state"])
    ops[k] = {**ops[k], "state": base64.b64encode(b"\x22" + blob[1:]).decode("ascii")}  # version 34: unreadable
    with pytest.raises(StaleReferenceError, match="refused the 7-band state"):
        host.apply(ops, "reaper-assist: test")
    assert host.reaper.project.dumps() == before  # the pan written before it is put back too


def test_a_state_changed_since_it_was_read_stops_the_plan(host):
    before_state = host.read_state()
    w = realize.realize(before_state, [_step(host, 7)])
    f = host.reaper.rpr_functions()
    tr = f["RPR_GetTrack"](0, 0)
    f["RPR_TrackFX_SetNamedConfigParm"](tr, _fx(host, auto_eq.RENAME), "BANDENABLED4", "1")  # an edit meanwhile
    before = host.reaper.project.dumps()
    with pytest.raises(StaleReferenceError, match="changed since it was analysed"):
        host.apply(realize.ops(w), "reaper-assist: test")
    assert host.reaper.project.dumps() == before


def test_a_state_our_codec_cannot_read_is_refused_before_any_write(host):
    import dataclasses

    state = host.read_state()
    t = state.tracks[0]
    ours = our_fx(t, auto_eq.TAG)
    bad = dataclasses.replace(ours, config={**ours.config, "vst_chunk": base64.b64encode(b"\x21\0\0\0").decode()})
    t2 = dataclasses.replace(t, fx=tuple(bad if fx.guid == ours.guid else fx for fx in t.fx))
    with pytest.raises(ReaperAssistError, match="not one ReaEQ's codec reads"):
        realize.track_writes(t2, [_step(host, 7)])


def test_an_envelope_of_ours_on_a_parameter_the_new_count_would_move_is_refused(host):
    """Our instance has 5 bands: parameter 15 is Global Gain, 16-18 the wrapper's. Seven bands put
    bands 6-7 there, so an envelope of ours on 15 would then drive band 6's frequency: refused
    before any write. An envelope on a band parameter that keeps its index (band 2's gain, 4)
    does not stop the rewrite."""
    import dataclasses

    state = host.read_state()
    t = state.tracks[0]
    ours = our_fx(t, auto_eq.TAG)

    def with_envelope_on(index: int):
        fx = dataclasses.replace(ours, param_envelopes={str(index): [(0.0, 0.5)]})
        return dataclasses.replace(t, fx=tuple(fx if f.guid == ours.guid else f for f in t.fx))

    with pytest.raises(ReaperAssistError, match="envelope on its parameter 16 would move"):
        realize.track_writes(with_envelope_on(15), [_step(host, 7)])
    kinds = [w.op["op"] for w in realize.track_writes(with_envelope_on(4), [_step(host, 7)])]
    assert kinds.count("eq_state_rewrite") == 1, kinds
