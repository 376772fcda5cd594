"""JS: Mid/Side Encoder and JS: Mid/Side Decoder models (Cockos ``utility/KanakaMSEncoder1`` and
``utility/KanakaMS5``, S22 source, docs/engine.md): the encoder writes ``(L+R)/2`` and ``(L-R)/2``
to channels 1 and 2; the decoder reads mid and side from them, ``L = mid*2^(c/6) + side``,
``R = mid*2^(c/6) - side`` (c the Center Level slider), swaps the outputs when Output Swap > 0.5,
then applies the Center Position gains as the JSFX code does. Per sample, no state. What is
UNCERTAIN about them is in :mod:`reaper_assist.emulator.uncertain` (JS_SLIDER_FRACTIONS_KEPT...)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reaper_assist.emulator import uncertain as EU
from reaper_assist.emulator.engine import _dyn
from reaper_assist.plugins.js_midside import DecoderSettings, EncoderSettings

__all__ = ["encode", "decode"]


def encode(audio: np.ndarray, sample_rate: float, segments: Sequence[tuple[int, EncoderSettings]]) -> np.ndarray:
    x = np.asarray(audio, dtype=np.float64)
    return np.stack([(x[0] + x[1]) * 0.5, (x[0] - x[1]) * 0.5])


def decode(audio: np.ndarray, sample_rate: float, segments: Sequence[tuple[int, DecoderSettings]]) -> np.ndarray:
    x = np.asarray(audio, dtype=np.float64)
    out = np.empty_like(x)
    bounds = [s for s, _ in segments] + [x.shape[1]]
    for (start, s), end in zip(segments, bounds[1:]):
        _dyn.check_ranges("JS: Mid/Side Decoder", [("center_level_db", s.center_level_db, -120.0, 24.0, "dB"),
                                                   ("output_swap", s.output_swap, 0.0, 1.0, ""),
                                                   ("center_position", s.center_position, -1.0, 1.0, "")])
        if not EU.JS_SLIDER_FRACTIONS_KEPT:  # the slider's 1 dB step (UNCERTAIN, emulator/uncertain.py)
            s = DecoderSettings(float(round(s.center_level_db)), s.output_swap, s.center_position)
        mid = x[0, start:end] * s.mid_gain
        side = x[1, start:end]
        left, right = mid + side, mid - side
        if s.output_swap > 0.5:
            left, right = right, left
        gl, gr = s.position_gains
        out[0, start:end] = left * gl
        out[1, start:end] = right * gr
    return out
