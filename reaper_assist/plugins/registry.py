"""The registry of stock-plugin specs: lookup by key, by AddByName name, by RPP chunk."""

from __future__ import annotations

from reaper_assist.plugins.base import PluginSpec
from reaper_assist.plugins.js_midside import MS_DECODER, MS_ENCODER
from reaper_assist.plugins.js_volume import JS_VOLUME
from reaper_assist.plugins.reacomp import REACOMP
from reaper_assist.plugins.reaeq import REAEQ
from reaper_assist.plugins.reagate import REAGATE
from reaper_assist.plugins.realimit import REALIMIT

__all__ = ["SPECS", "get_spec", "find_spec", "spec_for_chunk"]

SPECS: dict[str, PluginSpec] = {s.key: s for s in (REAEQ, REACOMP, REAGATE, REALIMIT, JS_VOLUME, MS_ENCODER,
                                                  MS_DECODER)}


def get_spec(key: str) -> PluginSpec:
    """Spec by registry key (``"reaeq"``); KeyError if unknown."""
    return SPECS[key]


def find_spec(name: str) -> PluginSpec | None:
    """Spec whose :meth:`~PluginSpec.matches` accepts a display / ``TrackFX_AddByName`` name."""
    for spec in SPECS.values():
        if spec.matches(name):
            return spec
    return None


def spec_for_chunk(tag: str, header_tokens: list[str]) -> PluginSpec | None:
    """Spec of an RPP FX block from its tag (``"VST"``/``"JS"``) and opening-line tokens."""
    for spec in SPECS.values():
        if spec.matches_chunk(tag, header_tokens):
            return spec
    return None
