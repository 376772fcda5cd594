"""JS: Volume Adjustment (``utility/volume``): sliders, the RPP slider line, settings.

Sliders from the Cockos JSFX source (PRIMARY S18, copies up to REAPER 5.979; facts Q6):
``slider1:6<-150,150,1>Adjustment (dB)``, ``slider2:0<-150,150,1>Max Volume (dB)``.
Native values are slider values in dB (``TrackFX_SetParam(tr, fx, 0, -6.0)`` sets -6 dB,
SECONDARY S15); ``GetParam`` reports the slider range -150..150. Whether REAPER 7's copy
changed defaults or added sliders is UNCERTAIN.

RPP form and codec: the JS slider line of :mod:`.js_slider` (facts 4.4). The gain law
``2^(slider / 6)`` (S18) is :func:`.js_slider.gain_db`.
"""

from __future__ import annotations

from dataclasses import dataclass

from reaper_assist.plugins.base import ParamSpec, PluginState, make_ident
from reaper_assist.plugins.js_slider import (DB_PER_DOUBLING, JsSliderSpec, format_slider_value, gain_db,
                                             slider_for_gain_db)

__all__ = ["JS_VOLUME", "JsVolumeSpec", "VolumeSettings", "format_slider_value", "gain_db", "settings",
           "slider_for_gain_db"]

JS_PATH = "utility/volume"


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


class JsVolumeSpec(JsSliderSpec):
    key = "js_volume"
    fx_name = "JS: Volume Adjustment"
    short_name = "Volume Adjustment"
    path = JS_PATH
    sliders = PARAMS

    def settings(self, state: PluginState) -> VolumeSettings:
        return settings(state)


JS_VOLUME = JsVolumeSpec()


def settings(state: PluginState) -> VolumeSettings:
    return VolumeSettings(state.values[0], state.values[1])
