"""JS: Volume Adjustment (``utility/volume``): sliders, the RPP slider line, settings.

Sliders from the Cockos JSFX source (PRIMARY S18, copies up to REAPER 5.979; facts Q6):
``slider1:6<-150,150,1>Adjustment (dB)``, ``slider2:0<-150,150,1>Max Volume (dB)``.
Native values are slider values in dB (``TrackFX_SetParam(tr, fx, 0, -6.0)`` sets -6 dB,
SECONDARY S15); ``GetParam`` reports the slider range -150..150. Whether REAPER 7's copy
changed defaults or added sliders is UNCERTAIN.

RPP form (facts 4.4): ``<JS utility/volume ""`` then one line of 64 slot values, ``-`` for
unused slots; numbers printed with up to 6 decimals, trailing zeros dropped (as in every JS
line in tests/data/rpp written by REAPER >= 6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reaper_assist.errors import ProjectFormatError
from reaper_assist.plugins.base import ParamSpec, PluginSpec, PluginState, make_ident

__all__ = ["JS_VOLUME", "JsVolumeSpec", "VolumeSettings", "format_slider_value", "settings"]

JS_PATH = "utility/volume"
SLOTS = 64


def format_slider_value(value: float) -> str:
    """A slider value as REAPER writes it in the RPP line: ``-6``, ``0.5``, ``-7.944803``."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_db(native: float) -> str:
    """Display text of a dB slider (UNCERTAIN: assumed like the RPP number form)."""
    return format_slider_value(native)


def _ident(x: float) -> float:
    return x


def _spec(i: int, name: str, key: str, default: float) -> ParamSpec:
    return ParamSpec(name, key, -150.0, 150.0, default, make_ident(i, name), "JS: Volume Adjustment",
                     "dB", "identity_db", True, _ident, _ident, format_db)


PARAMS = [
    _spec(0, "Adjustment (dB)", "adjustment_db", 6.0),  # default 6 (!) in the S18 source
    _spec(1, "Max Volume (dB)", "max_volume_db", 0.0),
]


DB_PER_DOUBLING = 6.0  # the JSFX's law: gain = 2^(slider / 6), an approximation of 10^(dB/20) (S18)


def gain_db(slider_db: float) -> float:
    """The gain in true dB that an "Adjustment (dB)" slider value applies (+6 on the slider is
    +6.02 dB)."""
    return slider_db * 20.0 * math.log10(2.0) / DB_PER_DOUBLING


def slider_for_gain_db(db: float) -> float:
    """The "Adjustment (dB)" slider value that applies exactly ``db`` dB."""
    return db * DB_PER_DOUBLING / (20.0 * math.log10(2.0))


@dataclass(frozen=True)
class VolumeSettings:
    adjustment_db: float
    max_volume_db: float

    @property
    def gain_linear(self) -> float:
        """Gain the JSFX applies: ``2^(dB/6)`` (S18, an approximation of 10^(dB/20))."""
        return 2.0 ** (self.adjustment_db / DB_PER_DOUBLING)

    @property
    def clamp_linear(self) -> float:
        """Hard clamp of the output: ``2^(max/6)`` (1.0 with the default Max Volume 0)."""
        return 2.0 ** (self.max_volume_db / DB_PER_DOUBLING)


class JsVolumeSpec(PluginSpec):
    key = "js_volume"
    fx_name = "JS: Volume Adjustment"
    short_name = "Volume Adjustment"
    chunk_tag = "JS"
    type_prefixes = ("js",)
    aliases = (JS_PATH,)

    def _match_names(self) -> set[str]:
        return {"volume adjustment", JS_PATH}

    def chunk_header(self) -> list[str]:
        return [JS_PATH, '""']

    def matches_chunk(self, tag: str, header_tokens: list[str]) -> bool:
        return tag.upper() == "JS" and bool(header_tokens) and header_tokens[0].strip('"') == JS_PATH

    def params(self, state: PluginState | None = None) -> list[ParamSpec]:
        return PARAMS

    def default_state(self) -> PluginState:
        tokens = [format_slider_value(p.default_native) for p in PARAMS] + ["-"] * (SLOTS - len(PARAMS))
        values = [p.default_native for p in PARAMS]
        return PluginState(self.key, values, payload=tokens, source_lines=None,
                           synced_values=list(values))

    def decode(self, header_tokens: list[str], body_lines: list[str]) -> PluginState:
        lines = [ln.strip() for ln in body_lines if ln.strip()]
        if not lines:
            raise ProjectFormatError("JS utility/volume: missing slider line")
        tokens = lines[0].split()
        values = []
        for p, tok in zip(PARAMS, tokens + ["-"] * len(PARAMS)):
            if tok == "-":
                values.append(p.default_native)
                continue
            try:
                values.append(p.check_native(float(tok)))
            except ValueError as exc:
                raise ProjectFormatError(f"JS utility/volume: bad slider value {tok!r}") from exc
        return PluginState(self.key, values, payload=tokens, blob=lines[1:], source_lines=lines,
                           synced_values=list(values))

    def sync(self, state: PluginState) -> None:
        tokens: list[str] = state.payload
        for i, (new, old) in enumerate(zip(state.values, state.synced_values)):
            if new != old:
                new = PARAMS[i].check_native(new)
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

    def settings(self, state: PluginState) -> VolumeSettings:
        return settings(state)


JS_VOLUME = JsVolumeSpec()


def settings(state: PluginState) -> VolumeSettings:
    return VolumeSettings(state.values[0], state.values[1])
