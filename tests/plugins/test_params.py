"""Parameter tables: facts' known points and defaults, round trips, ranges, name matching."""

from __future__ import annotations

import math
import re

import pytest
from plugins_helpers import FACTS_ROUNDING_ABS, FLOAT32_REL
from hypothesis import given, settings
from hypothesis import strategies as st

from reaper_assist.errors import ParameterError
from reaper_assist.plugins import SPECS, WRAPPER_PARAMS, find_spec, spec_for_chunk
from reaper_assist.plugins.base import make_ident
from reaper_assist.plugins.js_volume import JS_VOLUME
from reaper_assist.plugins.reacomp import REACOMP
from reaper_assist.plugins.reaeq import (
    REAEQ,
    bw_oct,
    eq_param_index,
    eq_param_info,
    eq_value_to_native,
    freq_hz,
    freq_native,
)
from reaper_assist.plugins.reagate import REAGATE
from reaper_assist.plugins.realimit import REALIMIT

ROUND_TRIP_REL = 1e-9  # double-precision round trip through a closed-form map

ALL_PARAMS = [
    (key, i, p)
    for key, spec in SPECS.items()
    for i, p in enumerate(spec.params(spec.default_state()))
]


def _pid(item):
    key, i, p = item
    return f"{key}:{i}:{p.key}"


# -- REAPER's parameter lists ------------------------------------------------------------
def test_param_counts_match_get_num_params():
    wrappers = len(WRAPPER_PARAMS)
    assert len(REAEQ.params()) + wrappers == 19
    assert len(REACOMP.params()) + wrappers == 24
    assert len(REAGATE.params()) + wrappers == 24
    assert len(REALIMIT.params()) + wrappers == 6
    assert [w.name for w in WRAPPER_PARAMS] == ["Bypass", "Wet", "Delta"]


def test_reaeq_default_names_and_idents():
    names = [p.name for p in REAEQ.params()]
    assert names[:6] == ["Freq-Low Shelf", "Gain-Low Shelf", "BW-Low Shelf", "Freq-Band 2",
                         "Gain-Band 2", "BW-Band 2"]
    assert names[9] == "Freq-High Shelf 4" and names[12] == "Freq-High Pass 5"
    assert names[15] == "Global Gain"
    assert REAEQ.params()[0].ident == "0:_Freq_Low_Shelf"
    assert REAEQ.params()[4].ident == "4:_Gain_Band_2"
    assert make_ident(5, "1: Feedback") == "5:_1__Feedback"


def test_reacomp_and_reagate_orders():
    comp = [p.name for p in REACOMP.params()]
    assert comp[:5] == ["Threshold", "Ratio", "Attack", "Release", "Pre-comp"]
    assert comp[13:16] == ["RMS size", "Knee", "Auto Make Up Gain"]
    assert REACOMP.params()[0].ident == "0:_Threshold"  # as in rpp-editor_test2.rpp PARMENV
    gate = [p.name for p in REAGATE.params()]
    assert gate[:3] == ["Threshold", "Attack", "Release"] and gate[12] == "Hysteresis"
    assert [p.name for p in REALIMIT.params()] == ["Threshold", "Ceiling", "Release"]
    assert [p.name for p in JS_VOLUME.params()] == ["Adjustment (dB)", "Max Volume (dB)"]


# -- defaults of a fresh instance (facts 2.1-2.6) ---------------------------------------------
def test_reaeq_default_bands():
    s = REAEQ.settings(REAEQ.default_state())
    assert [b.freq_hz for b in s.bands] == [100.0, 300.0, 1000.0, 5000.0, 100.0]
    assert [b.bw_oct for b in s.bands] == [0.8, 2.0, 2.0, 0.8, 2.0]
    assert [b.gain_db for b in s.bands] == [0.0] * 5
    assert [b.enabled for b in s.bands] == [True, True, True, True, False]
    assert [b.type for b in s.bands] == [0, 8, 8, 1, 4]
    assert s.global_gain_db == 0.0
    v = REAEQ.default_state().values
    for i, norm in zip((0, 3, 6, 9, 12), (0.141438, 0.289506, 0.476049, 0.739351, 0.141438)):
        assert v[i] == pytest.approx(norm, abs=FACTS_ROUNDING_ABS)
    assert [v[i] for i in (2, 5, 8, 11, 14)] == pytest.approx([0.2, 0.5, 0.5, 0.2, 0.5])
    assert [v[i] for i in (1, 4, 7, 10, 13)] == [0.25] * 5  # S12/S13 fresh gain reads 0.25


def test_reacomp_defaults_table():
    facts = {0: 1.0, 1: 0.030303, 2: 0.006, 3: 0.020, 4: 0.0, 6: 1.0, 7: 0.0, 10: 0.0, 11: 1.0,
             13: 0.05, 14: 0.0, 15: 0.0, 16: 0.0, 17: 0.25}
    v = REACOMP.default_state().values
    for i, expected in facts.items():
        assert v[i] == pytest.approx(expected, rel=FLOAT32_REL, abs=FACTS_ROUNDING_ABS), i
    s = REACOMP.settings(REACOMP.default_state())
    assert s.ratio == pytest.approx(4.0, rel=FLOAT32_REL)
    assert s.attack_ms == pytest.approx(3.0, rel=FLOAT32_REL)
    assert s.release_ms == pytest.approx(100.0, rel=FLOAT32_REL)
    assert s.rms_ms == pytest.approx(5.0, rel=FLOAT32_REL)
    assert s.threshold_db == 0.0


def test_reagate_realimit_js_defaults():
    g = REAGATE.settings(REAGATE.default_state())
    assert g.threshold_db == pytest.approx(-150.0, abs=1e-3)
    assert g.attack_ms == pytest.approx(3.0, rel=FLOAT32_REL)
    assert REAGATE.default_state().values[16] == pytest.approx(69 / 127, rel=FLOAT32_REL)
    lim = REALIMIT.default_state()
    assert lim.values == pytest.approx([0.8333, 1.0, 0.3548], abs=1e-4)  # S12 defaults
    assert [p.format(v) for p, v in zip(REALIMIT.params(), lim.values)] == ["+0.00", "+0.00", "15.0"]
    assert REALIMIT.get_named_config(lim, "TRUEPEAK") == "0"
    assert REALIMIT.get_named_config(lim, "CEILING") == "0"
    js = JS_VOLUME.default_state()
    assert js.values == [6.0, 0.0]


# -- known points ------------------------------------------------------------------------------
@pytest.mark.parametrize("hz,norm", [(100, 0.141438), (300, 0.289506), (1000, 0.476049),
                                     (5000, 0.739351)])
def test_reaeq_freq_points(hz, norm):
    assert freq_native(hz) == pytest.approx(norm, abs=FACTS_ROUNDING_ABS)
    assert freq_hz(norm) == pytest.approx(hz, rel=1e-5)


def test_reaeq_points_and_display():
    p = REAEQ.params()
    assert freq_hz(0.5) == pytest.approx(1160.5, abs=0.05)
    assert bw_oct(0.2) == pytest.approx(0.8)
    assert p[1].to_units(0.25) == 0.0  # linear/4 hypothesis: 0.25 = 0 dB
    assert p[1].to_units(1.0) == pytest.approx(12.04, abs=0.005)
    assert p[1].format(p[1].from_units(6.0)) == "+6.0"
    assert p[1].format(0.0) == "-inf"
    assert p[6].format(p[6].from_units(1000.0)) == "1000"
    assert p[2].format(0.2) == "0.80"
    assert p[15].format(1.0) == "+0.0"


def test_reacomp_points_and_display():
    p = REACOMP.params()
    assert p[1].to_units(0.030303) == pytest.approx(4.0, abs=1e-4)
    assert p[1].to_units(1.0) == math.inf and p[1].from_units(math.inf) == 1.0
    assert p[2].to_units(0.006) == pytest.approx(3.0)
    assert p[3].to_units(0.02) == pytest.approx(100.0)
    assert p[0].to_units(0.5) == pytest.approx(-6.02, abs=0.005)
    assert p[0].from_units(-12.0) == pytest.approx(0.2512, abs=1e-4)
    assert p[13].format(0.05) == "5.0"
    assert p[1].format(0.030303030) == "4.0:1" and p[1].format(1.0) == "inf:1"


def test_js_volume_native_is_db():
    p = JS_VOLUME.params()[0]
    state = JS_VOLUME.default_state()
    JS_VOLUME.set_param(state, 0, -6.0)
    assert JS_VOLUME.get_param(state, 0) == -6.0 and p.to_units(-6.0) == -6.0
    assert p.to_normalized(-6.0) == pytest.approx(144 / 300)
    assert JS_VOLUME.encode(state)[0].startswith("-6 0 - -")
    assert JS_VOLUME.settings(state).gain_linear == pytest.approx(0.5)


def test_js_volume_line_round_trip():
    line = "-0.8149 0 - -"
    state = JS_VOLUME.decode(JS_VOLUME.chunk_header(), [line])
    assert state.values == [-0.8149, 0.0]
    assert JS_VOLUME.encode(state) == [line]
    state.values[1] = 18.0
    assert JS_VOLUME.encode(state) == ["-0.8149 18 - -"]


# -- every map: round trips, monotonic, bounded -----------------------------------------------
@pytest.mark.parametrize("item", ALL_PARAMS, ids=_pid)
@settings(max_examples=60, deadline=None)
@given(u=st.floats(0.0, 1.0), w=st.floats(0.0, 1.0))
def test_maps_round_trip_and_are_monotonic(item, u, w):
    _, _, p = item
    native = p.from_normalized(u)
    assert p.native_min <= native <= p.native_max
    assert p.to_normalized(native) == pytest.approx(u, abs=1e-12)
    value = p.to_units(native)
    if math.isfinite(value):
        back = p.from_units(value)
        assert back == pytest.approx(native, rel=ROUND_TRIP_REL, abs=1e-12)
    assert isinstance(p.format(native), str) and p.format(native)
    lo, hi = sorted((u, w))
    assert p.to_units(p.from_normalized(lo)) <= p.to_units(p.from_normalized(hi))


@pytest.mark.parametrize("item", ALL_PARAMS, ids=_pid)
def test_out_of_range_raises_with_plugin_param_and_range(item):
    key, _, p = item
    span = p.native_max - p.native_min
    for bad in (p.native_min - 0.01 * span, p.native_max + 0.01 * span, float("nan")):
        with pytest.raises(ParameterError) as info:
            p.to_units(bad)
        msg = str(info.value)
        assert p.plugin in msg and p.name in msg
        if not math.isnan(bad):
            assert re.search(rf"\[{re.escape(f'{p.native_min:g}')}, {re.escape(f'{p.native_max:g}')}\]", msg)
    with pytest.raises(ParameterError, match=re.escape(p.name)):
        p.from_normalized(1.5)
    hi = p.units_max
    if math.isfinite(hi):
        with pytest.raises(ParameterError, match=re.escape(p.plugin)):
            p.from_units(hi + max(1.0, abs(hi)))


def test_set_param_checks_range():
    state = REACOMP.default_state()
    with pytest.raises(ParameterError, match=r"ReaComp.*Threshold.*\[0, 2\]"):
        REACOMP.set_param(state, 0, 2.5)
    with pytest.raises(ParameterError, match="index 21"):
        REACOMP.set_param(state, 21, 0.5)


# -- names and chunks ------------------------------------------------------------------------
@pytest.mark.parametrize("name,key", [
    ("ReaEQ", "reaeq"), ("ReaEQ (Cockos)", "reaeq"), ("VST: ReaEQ (Cockos)", "reaeq"),
    ("VST2: ReaEQ", "reaeq"), ("reaeq", "reaeq"), ("ReaComp", "reacomp"),
    ("VST: ReaGate (Cockos)", "reagate"), ("ReaLimit", "realimit"),
    ("JS: Volume Adjustment", "js_volume"), ("utility/volume", "js_volume"),
    ("JS: utility/volume", "js_volume"), ("JS:utility/volume", "js_volume"),
])
def test_find_spec(name, key):
    assert find_spec(name) is SPECS[key]


@pytest.mark.parametrize("name", ["VST3: ReaEQ", "JS: ReaEQ", "ReaEQ2", "utility/volume_pan",
                                  "VST: ReaDelay (Cockos)", ""])
def test_find_spec_rejects(name):
    assert find_spec(name) is None


def test_chunk_headers_and_lookup():
    assert REAEQ.chunk_header() == ['"VST: ReaEQ (Cockos)"', "reaeq.dll", "0", '""',
                                    "1919247729<56535472656571726561657100000000>", '""']
    assert REACOMP.chunk_header()[4] == "1919247213<5653547265636D726561636F6D700000>"
    assert REAGATE.chunk_header()[4] == "1919248244<56535472656774726561676174650000>"
    assert REALIMIT.chunk_header()[4] == "1919708532<565354726C6D747265616C696D697400>"
    for spec in SPECS.values():
        assert spec_for_chunk(spec.chunk_tag, spec.chunk_header()) is spec
    assert spec_for_chunk("JS", ["utility/volume_pan", '""']) is None
    assert spec_for_chunk("VST", ['"VST: ReaEQ (Cockos)"', "reaeq.vst.dylib"]) is REAEQ


# -- EQ helper API ---------------------------------------------------------------------------
def test_eq_api_mapping_on_default_layout():
    bands = REAEQ.default_state().payload.bands
    assert eq_param_index(bands, 1, 0, 0) == 0  # loshelf freq
    assert eq_param_index(bands, 2, 1, 1) == 7  # second band, gain
    assert eq_param_index(bands, 4, 0, 2) == 11  # hishelf BW
    assert eq_param_index(bands, 0, 0, 0) == 12  # hipass freq
    assert eq_param_index(bands, -1, 0, 0) == 15  # master gain
    assert eq_param_index(bands, 3, 0, 0) is None  # no notch
    assert eq_param_info(bands, 7) == (2, 1, 1)
    assert eq_param_info(bands, 15) == (-1, 0, 1)
    assert eq_value_to_native(2, 0, 1000.0) == pytest.approx(0.476049, abs=FACTS_ROUNDING_ABS)
    assert eq_value_to_native(2, 1, 0.0) == 0.25
    assert eq_value_to_native(2, 2, 2.0) == 0.5
    assert eq_value_to_native(-1, 1, 0.0) == 1.0
