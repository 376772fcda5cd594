"""The JS Mid/Side Encoder + Decoder pair (match-reference's width) in the emulator, against the
JSFX code it models (docs/engine.md, S22), on signals with known answers; and its RPP line."""

from __future__ import annotations

import numpy as np

from reaper_assist.emulator import uncertain as EU
from reaper_assist.emulator.engine import js_midside
from reaper_assist.plugins import find_spec, spec_for_chunk
from reaper_assist.plugins.js_midside import MS_DECODER, MS_ENCODER, DecoderSettings, center_db, center_slider_for_db


def _pair(x: np.ndarray, center: float, swap: float = 0.0, position: float = 0.0) -> np.ndarray:
    ms = js_midside.encode(x, 48000, [(0, MS_ENCODER.settings(MS_ENCODER.default_state()))])
    return js_midside.decode(ms, 48000, [(0, DecoderSettings(center, swap, position))])


def test_the_pair_at_0_db_passes_the_signal_and_center_level_scales_the_mid_only():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4800))
    assert np.max(np.abs(_pair(x, 0.0) - x)) < 1e-15
    y = _pair(x, -6.0)  # 2^(-6/6) = 0.5 on the mid, the side as it was
    mid, side = (x[0] + x[1]) / 2, (x[0] - x[1]) / 2
    assert np.max(np.abs((y[0] + y[1]) / 2 - 0.5 * mid)) < 1e-15
    assert np.max(np.abs((y[0] - y[1]) / 2 - side)) < 1e-15
    assert abs(center_db(-6.0) - 20 * np.log10(0.5)) < 1e-12 and abs(center_slider_for_db(center_db(3.3)) - 3.3) < 1e-12


def test_swap_and_position_follow_the_jsfx_code():
    x = np.array([[1.0], [0.25]])
    assert np.allclose(_pair(x, 0.0, swap=1.0)[:, 0], [0.25, 1.0])
    assert np.allclose(_pair(x, 0.0, position=0.5)[:, 0], [0.25, 0.25])  # left x (1 - p) twice
    assert np.allclose(_pair(x, 0.0, position=-0.5)[:, 0], [1.0, 0.0625])


def test_names_paths_and_the_rpp_slider_line():
    assert find_spec("JS: Mid/Side Decoder") is MS_DECODER and find_spec("JS: Mid/Side Encoder") is MS_ENCODER
    assert (MS_ENCODER.path, MS_DECODER.path) == (EU.MS_ENCODER_PATH, EU.MS_DECODER_PATH)
    assert spec_for_chunk("JS", ["utility/KanakaMS5", '""']) is MS_DECODER
    state = MS_DECODER.default_state()
    MS_DECODER.set_param(state, 0, -4.155)
    line = MS_DECODER.encode(state)[0].split()
    assert line[:3] == ["-4.155", "0", "0"] and len(line) == 64 and set(line[3:]) == {"-"}
    assert MS_DECODER.decode(['utility/KanakaMS5', '""'], [" ".join(line)]).values == [-4.155, 0.0, 0.0]
