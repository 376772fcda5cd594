"""JS: Mid/Side Encoder and JS: Mid/Side Decoder (Cockos ``utility/KanakaMSEncoder1`` and
``utility/KanakaMS5``): sliders, the RPP slider line, settings. The pair is REAPER's stock way to
change a stereo signal's width (match-reference's width aspect): the encoder turns L/R into
mid/side, the decoder's "Center Level" scales the mid before it turns them back.

From the Cockos JSFX sources as shipped in an older REAPER (PRIMARY S22, docs/engine.md):

* Encoder, no sliders: ``spl0 = (L + R) * 0.5``, ``spl1 = (L - R) * 0.5``.
* Decoder: ``slider1:0<-120,24,1>Center Level (dB)``, ``slider2:0<0,1,1>Output Swap``,
  ``slider3:0<-1,1,0.01>Center Position``; ``vol = 2^(slider1/6)``; ``L = mid*vol + side``,
  ``R = mid*vol - side``; swap when slider2 > 0.5; then the position's gains (see
  :class:`DecoderSettings`).

Native values are the slider values, as for JS: Volume (facts 2.6; fractional values between the
slider's steps are kept when set through the API: UNCERTAIN, the same assumption the gain stage
makes). The RPP form and codec are the JS slider line of :mod:`.js_slider` (facts 4.4):
``<JS utility/KanakaMS5 ""`` and one line of 64 slot values, ``-`` for unused slots. Whether
REAPER 7 ships these files under the same names is UNCERTAIN (docs/unverified.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from reaper_assist.plugins.base import ParamSpec, PluginState, make_ident
from reaper_assist.plugins.js_slider import DB_PER_DOUBLING, JsSliderSpec, format_slider_value, gain_db, slider_for_gain_db

__all__ = ["MS_ENCODER", "MS_DECODER", "DecoderSettings", "EncoderSettings", "center_slider_for_db",
           "center_db"]

# vol = 2^(slider / 6) (S22), JS: Volume's law: the mid gain in true dB of a "Center Level (dB)"
# slider value, and the slider value that scales the mid by exactly that many dB
center_db = gain_db
center_slider_for_db = slider_for_gain_db


def _ident(x: float) -> float:
    return x


@dataclass(frozen=True)
class EncoderSettings:
    pass


@dataclass(frozen=True)
class DecoderSettings:
    center_level_db: float  # slider value; the mid's gain is 2^(slider/6)
    output_swap: float
    center_position: float

    @property
    def mid_gain(self) -> float:
        return 2.0 ** (self.center_level_db / DB_PER_DOUBLING)

    @property
    def position_gains(self) -> tuple[float, float]:
        """(left, right) gains of the "pan section" exactly as the S22 code runs it: for p > 0 the
        left is scaled by (1 - p) twice, for p < 0 the right by (1 + p) twice."""
        p = self.center_position
        gl = (1.0 - p if p > 0 else 1.0) * min(1.0 - p, 1.0)
        gr = (1.0 + p if p < 0 else 1.0) * min(1.0 + p, 1.0)
        return gl, gr


class MsEncoderSpec(JsSliderSpec):
    key = "js_ms_encoder"
    fx_name = "JS: Mid/Side Encoder"
    short_name = "Mid/Side Encoder"
    path = "utility/KanakaMSEncoder1"
    sliders: list[ParamSpec] = []

    def settings(self, state: PluginState) -> EncoderSettings:
        return EncoderSettings()


def _slider(i: int, name: str, key: str, lo: float, hi: float, unit: str) -> ParamSpec:
    return ParamSpec(name, key, lo, hi, 0.0, make_ident(i, name), "JS: Mid/Side Decoder", unit, "linear", False,
                     _ident, _ident, format_slider_value)


class MsDecoderSpec(JsSliderSpec):
    key = "js_ms_decoder"
    fx_name = "JS: Mid/Side Decoder"
    short_name = "Mid/Side Decoder"
    path = "utility/KanakaMS5"
    sliders = [
        _slider(0, "Center Level (dB)", "center_level_db", -120.0, 24.0, "dB"),
        _slider(1, "Output Swap", "output_swap", 0.0, 1.0, "native"),
        _slider(2, "Center Position", "center_position", -1.0, 1.0, "native"),
    ]

    def settings(self, state: PluginState) -> DecoderSettings:
        return DecoderSettings(*state.values[:3])


MS_ENCODER = MsEncoderSpec()
MS_DECODER = MsDecoderSpec()
