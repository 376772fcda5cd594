"""What the stock JSFX with plain slider parameters share (JS: Volume Adjustment, the Mid/Side
Encoder and Decoder): the RPP slider line, its number form, and the codec of a spec whose native
values are the slider values.

RPP form (facts 4.4): ``<JS path ""`` then one line of 64 slot values, ``-`` for unused slots;
numbers printed with up to 6 decimals, trailing zeros dropped (as in every JS line in
tests/data/rpp written by REAPER >= 6). The dB sliders of these Cockos JSFX apply
``2^(slider / 6)`` (JS: Volume S18, Mid/Side Decoder S22), an approximation of 10^(dB/20).
"""

from __future__ import annotations

import math

from reaper_assist.errors import ProjectFormatError
from reaper_assist.plugins.base import ParamSpec, PluginSpec, PluginState

__all__ = ["DB_PER_DOUBLING", "SLOTS", "JsSliderSpec", "format_slider_value", "gain_db", "slider_for_gain_db"]

SLOTS = 64
DB_PER_DOUBLING = 6.0  # gain = 2^(slider / 6) (S18, S22)


def format_slider_value(value: float) -> str:
    """A slider value as REAPER writes it in the RPP line: ``-6``, ``0.5``, ``-7.944803``."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def gain_db(slider_db: float) -> float:
    """The gain in true dB that a dB slider of the 2^(x/6) law applies (+6 on the slider is
    +6.02 dB)."""
    return slider_db * 20.0 * math.log10(2.0) / DB_PER_DOUBLING


def slider_for_gain_db(db: float) -> float:
    """The slider value of the 2^(x/6) law that applies exactly ``db`` dB."""
    return db * DB_PER_DOUBLING / (20.0 * math.log10(2.0))


class JsSliderSpec(PluginSpec):
    """A stock JSFX with plain slider parameters (native value = slider value), at ``path``."""

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
