"""Stock REAPER plugins: parameter tables, real-unit maps, display text, state codecs.

One module per plugin (:mod:`.reaeq`, :mod:`.reacomp`, :mod:`.reagate`, :mod:`.realimit`,
:mod:`.js_volume`); every uncertain curve lives in :mod:`.uncertain` and is checked against a
live REAPER by :mod:`.calibrate`. Pure: no reapy, no files.
"""

from reaper_assist.plugins.base import (
    WRAPPER_PARAMS,
    ParamSpec,
    PluginSpec,
    PluginState,
    WrapperParam,
)
from reaper_assist.plugins.registry import SPECS, find_spec, get_spec, spec_for_chunk

__all__ = [
    "ParamSpec",
    "PluginSpec",
    "PluginState",
    "WrapperParam",
    "WRAPPER_PARAMS",
    "SPECS",
    "get_spec",
    "find_spec",
    "spec_for_chunk",
]
