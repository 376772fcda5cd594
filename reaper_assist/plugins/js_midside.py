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
makes). The RPP form is the JS form of facts 4.4: ``<JS utility/KanakaMS5 ""`` and one line of 64
slot values, ``-`` for unused slots. Whether REAPER 7 ships these files under the same names is
UNCERTAIN (docs/unverified.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reaper_assist.errors import ProjectFormatError
from reaper_assist.plugins.base import ParamSpec, PluginSpec, PluginState, make_ident
from reaper_assist.plugins.js_volume import format_slider_value

__all__ = ["MS_ENCODER", "MS_DECODER", "DecoderSettings", "EncoderSettings", "center_slider_for_db",
           "center_db"]

SLOTS = 64
DB_PER_DOUBLING = 6.0  # vol = 2^(slider / 6) (S22), as JS: Volume's law


def center_db(slider: float) -> float:
    """The mid gain in true dB that a "Center Level (dB)" slider value applies."""
    return slider * 20.0 * math.log10(2.0) / DB_PER_DOUBLING


def center_slider_for_db(db: float) -> float:
    """The "Center Level (dB)" slider value that scales the mid by exactly ``db`` dB."""
    return db * DB_PER_DOUBLING / (20.0 * math.log10(2.0))


def _ident(x: float) -> float:
    return x


class JsSliderSpec(PluginSpec):
    """A stock JSFX with plain slider parameters (native value = slider value)."""

    chunk_tag = "JS"
    type_prefixes = ("js",)
    path = ""
    sliders: list[ParamSpec] = []

    def _match_names(self) -> set[str]:
        return {self.short_name.casefold(), self.path.casefold()}

    def chunk_header(self) -> list[str]:
        return [self.path, '""']

    def matches_chunk(self, tag: str, header_tokens: list[str]) -> bool:
        return tag.upper() == "JS" and bool(header_tokens) and header_tokens[0].strip('"') == self.path

    def params(self, state: PluginState | None = None) -> list[ParamSpec]:
        return self.sliders

    def default_state(self) -> PluginState:
        tokens = [format_slider_value(p.default_native) for p in self.sliders] + ["-"] * (SLOTS - len(self.sliders))
        values = [p.default_native for p in self.sliders]
        return PluginState(self.key, values, payload=tokens, source_lines=None, synced_values=list(values))

    def decode(self, header_tokens: list[str], body_lines: list[str]) -> PluginState:
        lines = [ln.strip() for ln in body_lines if ln.strip()]
        if not lines and self.sliders:
            raise ProjectFormatError(f"JS {self.path}: missing slider line")
        tokens = lines[0].split() if lines else ["-"] * SLOTS
        values = []
        for p, tok in zip(self.sliders, tokens + ["-"] * len(self.sliders)):
            if tok == "-":
                values.append(p.default_native)
                continue
            try:
                values.append(p.check_native(float(tok)))
            except ValueError as exc:
                raise ProjectFormatError(f"JS {self.path}: bad slider value {tok!r}") from exc
        return PluginState(self.key, values, payload=tokens, blob=lines[1:], source_lines=lines or None,
                           synced_values=list(values))

    def sync(self, state: PluginState) -> None:
        tokens: list[str] = state.payload
        for i, (new, old) in enumerate(zip(state.values, state.synced_values)):
            if new != old:
                new = self.sliders[i].check_native(new)
                while len(tokens) <= i:
                    tokens.append("-")
                tokens[i] = format_slider_value(new)
                state.values[i] = new
                state.synced_values[i] = new

    def encode(self, state: PluginState) -> list[str]:
        self.sync(state)
        tokens: list[str] = state.payload
        if state.source_lines is not None and tokens == state.source_lines[0].split():
            return list(state.source_lines)
        return [" ".join(tokens)] + list(state.blob or [])

    def set_param(self, state: PluginState, index: int, native: float) -> None:
        spec = self.param(state, index)
        state.values[index] = spec.check_native(native)
        self.sync(state)


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
