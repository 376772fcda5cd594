"""State codecs against every plugin blob in the real projects of tests/data/rpp."""

from __future__ import annotations

import math

import pytest
from plugins_helpers import DISPLAY_DB_ABS, FLOAT32_REL, HZ_REL, all_fx_blocks, block_at

from reaper_assist.errors import ProjectFormatError
from reaper_assist.plugins import SPECS, spec_for_chunk
from reaper_assist.plugins.reacomp import REACOMP
from reaper_assist.plugins.reaeq import REAEQ
from reaper_assist.plugins.vstchunk import decode_blob, encode_blob

BLOCKS = all_fx_blocks()
OURS = [b for b in BLOCKS if spec_for_chunk(b.tag, b.header_tokens) is not None]
VST2 = [b for b in BLOCKS if b.tag == "VST" and not b.name.startswith("VST3")]


def _id(b):
    return f"{b.path}:{b.line}"


def test_fixtures_contain_our_plugins():
    kinds = sorted({spec_for_chunk(b.tag, b.header_tokens).key for b in OURS})
    assert kinds == ["reacomp", "reaeq"]
    assert len(OURS) == 14  # 11 ReaComp + 3 ReaEQ


@pytest.mark.parametrize("block", OURS, ids=_id)
def test_decode_then_encode_is_identical(block):
    spec = spec_for_chunk(block.tag, block.header_tokens)
    state = spec.decode(block.header_tokens, block.body_lines)
    assert len(state.values) == len(spec.params(state))
    for p, v in zip(spec.params(state), state.values):
        assert p.native_min <= v <= p.native_max, p.name
    assert spec.encode(state) == block.body_lines


@pytest.mark.parametrize("block", OURS, ids=_id)
def test_rebuilt_lines_match_reaper_segmentation(block):
    """Re-encoding from the decoded parts (not the kept source lines) gives REAPER's lines."""
    spec = spec_for_chunk(block.tag, block.header_tokens)
    state = spec.decode(block.header_tokens, block.body_lines)
    state.source_lines = None
    assert spec.encode(state) == block.body_lines


@pytest.mark.parametrize("block", VST2, ids=_id)
def test_generic_vst2_blob_round_trip(block):
    assert encode_blob(decode_blob(block.body_lines)) == block.body_lines


def test_rpp_editor_reaeq_values():
    b = block_at("rpp-editor_test2.rpp", 87)
    state = REAEQ.decode(b.header_tokens, b.body_lines)
    s = REAEQ.settings(state)
    got = [(x.type, x.enabled, x.freq_hz, x.gain_db, x.bw_oct) for x in s.bands]
    expected = [
        (4, True, 150.0, 0.0, 2.0),
        (2, True, 315.0, -6.0, 0.503),
        (2, True, 640.0, -3.0248, 1.0),
        (2, True, 6126.280960089548, 1.5, 2.0),
    ]
    assert len(got) == 4
    for (t, e, f, g, bw), (te, ee, fe, ge, bwe) in zip(got, expected):
        assert (t, e) == (te, ee)
        assert f == pytest.approx(fe, rel=HZ_REL)
        assert g == pytest.approx(ge, abs=DISPLAY_DB_ABS)
        assert bw == pytest.approx(bwe, rel=1e-12)
    assert s.global_gain_db == 0.0
    names = [p.name for p in REAEQ.params(state)]
    assert len(names) == 13  # 4 bands x 3 + Global Gain; REAPER adds 3 wrapper params
    assert names[0] == "Freq-High Pass" and names[3] == "Freq-Band (alt 2) 2"
    assert names[-1] == "Global Gain"
    assert REAEQ.get_named_config(state, "BANDTYPE0") == "4"
    assert REAEQ.get_named_config(state, "BANDENABLED3") == "1"
    assert REAEQ.get_named_config(state, "BANDTYPE4") is None
    assert REAEQ.program_name(state) == "stock - Mud Free"
    # param natives: 150 Hz through the 401^x map, -6 dB gain = linear 0.501/4
    assert state.values[0] == pytest.approx(0.192402, abs=1e-6)
    assert state.values[4] == pytest.approx(0.5011872336272722 / 4, rel=1e-12)


def test_ultraschall_reaeq_values():
    b = block_at("ultraschall_StudioLink.RPP", 156)
    state = REAEQ.decode(b.header_tokens, b.body_lines)
    bands = REAEQ.settings(state).bands
    assert [x.type for x in bands] == [8, 8, 8, 8, 1]
    assert bands[0].freq_hz == pytest.approx(4961.269, rel=1e-6)
    assert bands[0].gain_db == pytest.approx(5.8, abs=DISPLAY_DB_ABS)
    assert bands[0].bw_oct == pytest.approx(1.658, rel=1e-9)
    assert bands[2].freq_hz == pytest.approx(23.941, rel=1e-4)
    assert bands[2].gain_db == pytest.approx(-120.0, abs=DISPLAY_DB_ABS)
    assert bands[4].freq_hz == pytest.approx(11548.898, rel=1e-6)
    assert bands[4].gain_db == pytest.approx(6.0, abs=DISPLAY_DB_ABS)
    # BW stored as 4.000000000000001 oct: the param is clamped onto its range, bytes kept
    assert state.values[8] == 1.0
    assert REAEQ.params(state)[12].name == "Freq-High Shelf 5"


def test_rpp_editor_reacomp_values():
    b = block_at("rpp-editor_test2.rpp", 172)
    state = REACOMP.decode(b.header_tokens, b.body_lines)
    assert len(state.values) == 21
    s = REACOMP.settings(state)
    assert s.threshold_db == pytest.approx(20 * math.log10(1.41), rel=FLOAT32_REL)
    assert s.ratio == pytest.approx(1 + 99 * 0.052204, rel=1e-4)
    assert s.attack_ms == pytest.approx(320.0, rel=FLOAT32_REL)
    assert s.release_ms == pytest.approx(88.9, rel=1e-3)
    assert s.wet_db == 0.0
    assert not s.auto_makeup
    assert REACOMP.program_name(state) == "stock - steady rock kick"


def test_ultraschall_and_old_reacomp_values():
    b = block_at("ultraschall_StudioLink.RPP", 146)
    state = REACOMP.decode(b.header_tokens, b.body_lines)
    assert len(state.payload) == 19  # REAPER 6.25 stored 19 params; the others are defaults
    s = REACOMP.settings(state)
    assert s.threshold_db == pytest.approx(-30.01, abs=DISPLAY_DB_ABS)
    assert s.ratio == pytest.approx(15.0, rel=1e-5)
    assert s.attack_ms == pytest.approx(3.0, rel=FLOAT32_REL)
    assert state.values[19:] == [0.0, 0.0]
    old = block_at("perlence_vst.RPP", 117)  # REAPER 5.50c, no hex suffix on the id token
    assert spec_for_chunk("VST", old.header_tokens) is REACOMP
    s = REACOMP.settings(REACOMP.decode(old.header_tokens, old.body_lines))
    assert s.threshold_db == pytest.approx(20 * math.log10(0.333983), rel=1e-5)
    assert s.ratio == 1.0 and s.rms_ms == pytest.approx(5.0, rel=FLOAT32_REL)


def test_sidechain_detector_input_from_exvertus():
    b = block_at("exvertus_test_track.rpp", 3651)
    state = REACOMP.decode(b.header_tokens, b.body_lines)
    # MPL's sidechain value (1/1084)*2 = aux inputs 3/4 (facts 2.2)
    assert state.values[8] == pytest.approx(2 / 1084, rel=FLOAT32_REL)


def test_changed_param_re_encodes_and_decodes():
    b = block_at("rpp-editor_test2.rpp", 87)
    state = REAEQ.decode(b.header_tokens, b.body_lines)
    REAEQ.set_param(state, 1, REAEQ.params(state)[1].from_units(6.0))
    lines = REAEQ.encode(state)
    assert lines != b.body_lines and lines[0] == b.body_lines[0]
    again = REAEQ.decode(b.header_tokens, lines)
    assert REAEQ.settings(again).bands[0].gain_db == pytest.approx(6.0, abs=1e-9)
    assert all(len(x) <= 128 for x in lines)


def test_direct_value_edit_is_written_back():
    state = REACOMP.default_state()
    state.values[0] = 0.5
    again = REACOMP.decode(REACOMP.chunk_header(), REACOMP.encode(state))
    assert again.values[0] == 0.5


def test_old_reacomp_grows_when_a_missing_param_is_set():
    old = block_at("perlence_vst.RPP", 117)
    state = REACOMP.decode(old.header_tokens, old.body_lines)
    REACOMP.set_param(state, 20, 1.0)
    lines = REACOMP.encode(state)
    again = REACOMP.decode(old.header_tokens, lines)
    assert len(again.payload) == 21 and again.values[20] == 1.0
    assert again.values[:19] == state.values[:19]


def test_band_type_named_config_changes_names():
    state = REAEQ.default_state()
    assert REAEQ.set_named_config(state, "BANDTYPE4", "3")
    assert REAEQ.params(state)[12].name == "Freq-Low Pass 5"
    assert REAEQ.set_named_config(state, "BANDENABLED4", "1")
    again = REAEQ.decode(REAEQ.chunk_header(), REAEQ.encode(state))
    assert REAEQ.get_named_config(again, "BANDTYPE4") == "3"
    assert REAEQ.get_named_config(again, "BANDENABLED4") == "1"
    assert not REAEQ.set_named_config(state, "BANDTYPE5", "3")
    assert not REAEQ.set_named_config(state, "BANDTYPE0", "42")


def test_wrong_plugin_blob_is_rejected():
    b = block_at("rpp-editor_test2.rpp", 172)
    with pytest.raises(ProjectFormatError, match="ReaEQ"):
        REAEQ.decode(b.header_tokens, b.body_lines)


def test_truncated_blob_is_rejected():
    b = block_at("rpp-editor_test2.rpp", 87)
    with pytest.raises(ProjectFormatError):
        REAEQ.decode(b.header_tokens, b.body_lines[:1])


@pytest.mark.parametrize("key", sorted(SPECS))
def test_default_state_round_trips(key):
    spec = SPECS[key]
    state = spec.default_state()
    lines = spec.encode(state)
    again = spec.decode(spec.chunk_header(), lines)
    assert again.values == state.values
    assert spec.encode(again) == lines
