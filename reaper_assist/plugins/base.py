"""Shared vocabulary of the stock-plugin modules: parameter specs, plugin state, plugin specs.

One :class:`PluginSpec` per stock plugin describes what REAPER exposes
(``TrackFX_GetNumParams`` / ``GetParamName`` / ``GetParam`` with its native ``(min, max)`` /
``GetFormattedParamValue`` / ``GetNamedConfigParm``) and how the plugin's state is stored in an
``.RPP`` ``<VST ...>`` or ``<JS ...>`` block. The emulator and the live host both use these
tables; the uncertain curves they call live in :mod:`reaper_assist.plugins.uncertain`.

Pure module: no I/O, no reapy (style.md rule 1).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from reaper_assist.errors import ParameterError

__all__ = [
    "ParamSpec",
    "PluginState",
    "PluginSpec",
    "WrapperParam",
    "WRAPPER_PARAMS",
    "RANGE_SLACK",
    "make_ident",
    "find_spec",
    "spec_for_chunk",
]

# Values read from a REAPER-written blob sit on the range edge up to double rounding
# (a ReaEQ band stored with BW 4.000000000000001 oct); accept that much outside the range.
RANGE_SLACK = 1e-9


def make_ident(index: int, name: str) -> str:
    """Parameter ident as ``TrackFX_GetParamIdent`` / PARMENV write it.

    ``index:_`` followed by the name with every non-alphanumeric character replaced by ``_``
    (facts 2.0: ``0:_Freq_Low_Shelf``, ``5:_1__Feedback`` for "1: Feedback").
    """
    return f"{index}:_" + re.sub(r"[^0-9A-Za-z]", "_", name)


def _identity(x: float) -> float:
    return x


def _default_format(native: float) -> str:
    return f"{native:.3f}"


@dataclass(frozen=True)
class ParamSpec:
    """One plugin parameter as REAPER exposes it, plus our mapping to real units.

    Attributes
    ----------
    name : str
        REAPER's display name (``TrackFX_GetParamName``), e.g. ``"Threshold"``.
    key : str
        Our name, with unit suffix, e.g. ``"threshold_db"``, ``"band1_freq_hz"``.
    native_min, native_max : float
        The native range ``TrackFX_GetParam`` reports.
    default_native : float
        Native value of a fresh instance.
    ident : str
        ``index:_Name`` ident used in PARMENV/PARMALIAS lines.
    plugin : str
        Short plugin name for messages (``"ReaComp"``).
    unit : str
        Unit of :meth:`to_units` (``"dB"``, ``"Hz"``, ``"oct"``, ``"ms"``, ``"ratio"``,
        ``"native"`` when we know no mapping).
    mapping : str
        Name of the curve: ``"linear"`` for ``native`` itself, else an entry of
        :data:`reaper_assist.plugins.uncertain.UNCERTAIN` or of the exact maps.
    mapped : bool
        True when :meth:`to_units` / :meth:`format` are a real prediction that calibration
        should check against a live REAPER; False for pass-through params.
    """

    name: str
    key: str
    native_min: float
    native_max: float
    default_native: float
    ident: str = ""
    plugin: str = ""
    unit: str = "native"
    mapping: str = "linear"
    mapped: bool = False
    units_of: Callable[[float], float] = field(default=_identity, repr=False, compare=False)
    native_of: Callable[[float], float] = field(default=_identity, repr=False, compare=False)
    formatter: Callable[[float], str] = field(default=_default_format, repr=False, compare=False)

    # -- range checks ---------------------------------------------------------------------
    def _range_text(self) -> str:
        return f"[{self.native_min:g}, {self.native_max:g}]"

    def check_native(self, native: float) -> float:
        """Return ``native`` clamped onto the range if within :data:`RANGE_SLACK`, else raise."""
        lo, hi = self.native_min, self.native_max
        slack = RANGE_SLACK * max(1.0, hi - lo)
        if not isinstance(native, (int, float)) or math.isnan(native):
            raise ParameterError(
                f"{self.plugin} parameter {self.name!r} ({self.key}): native value {native!r} "
                f"is not a number; valid range {self._range_text()}"
            )
        if native < lo - slack or native > hi + slack:
            raise ParameterError(
                f"{self.plugin} parameter {self.name!r} ({self.key}): native value {native!r} "
                f"outside the range {self._range_text()}"
            )
        return min(max(float(native), lo), hi)

    @property
    def units_min(self) -> float:
        return self.units_of(self.native_min)

    @property
    def units_max(self) -> float:
        return self.units_of(self.native_max)

    # -- mappings -------------------------------------------------------------------------
    def to_normalized(self, native: float) -> float:
        """Normalized 0..1 value (``TrackFX_GetParamNormalized``) of a native value."""
        native = self.check_native(native)
        return (native - self.native_min) / (self.native_max - self.native_min)

    def from_normalized(self, norm: float) -> float:
        """Native value of a normalized 0..1 value."""
        if not isinstance(norm, (int, float)) or math.isnan(norm) or not (
            -RANGE_SLACK <= norm <= 1.0 + RANGE_SLACK
        ):
            raise ParameterError(
                f"{self.plugin} parameter {self.name!r} ({self.key}): normalized value {norm!r} "
                f"outside [0, 1]"
            )
        norm = min(max(float(norm), 0.0), 1.0)
        return self.native_min + norm * (self.native_max - self.native_min)

    def to_units(self, native: float) -> float:
        """Real-unit value (``self.unit``) of a native value."""
        return self.units_of(self.check_native(native))

    def from_units(self, value: float) -> float:
        """Native value of a real-unit value; raises :class:`ParameterError` outside the range."""
        lo, hi = self.units_min, self.units_max
        if lo > hi:
            lo, hi = hi, lo
        span = hi - lo if math.isfinite(hi - lo) else 1.0
        slack = RANGE_SLACK * max(1.0, abs(span))
        ok = isinstance(value, (int, float)) and not math.isnan(value)
        if ok and not (lo - slack <= value <= hi + slack):
            ok = False
        if not ok:
            raise ParameterError(
                f"{self.plugin} parameter {self.name!r} ({self.key}): {value!r} {self.unit} "
                f"outside the range [{lo:g}, {hi:g}] {self.unit}"
            )
        value = min(max(float(value), lo), hi)
        return self.check_native(self.native_of(value))

    def format(self, native: float) -> str:
        """Display text as ``TrackFX_GetFormattedParamValue`` shows it."""
        return self.formatter(self.check_native(native))


@dataclass(frozen=True)
class WrapperParam:
    """A parameter REAPER appends to every FX (facts 2.0)."""

    name: str
    ident: str
    native_min: float
    native_max: float
    default_native: float


# REAPER >= 6.37 appends these after the plugin's own params; idents ":bypass" etc.
# (TrackFX_GetParamFromIdent, S2). The chunk form is "<index>:wet". [SECONDARY S12-S14, S3]
WRAPPER_PARAMS: tuple[WrapperParam, ...] = (
    WrapperParam("Bypass", ":bypass", 0.0, 1.0, 0.0),
    WrapperParam("Wet", ":wet", 0.0, 1.0, 1.0),
    WrapperParam("Delta", ":delta", 0.0, 1.0, 0.0),
)


@dataclass(eq=False)
class PluginState:
    """Mutable state of one FX instance.

    Change values through :meth:`PluginSpec.set_param` / ``set_named_config``. Writing
    ``values[i]`` directly also works: :meth:`PluginSpec.encode` notices values that differ from
    the last decoded/encoded ones and writes them back into the binary payload.

    Attributes
    ----------
    plugin : str
        Registry key of the plugin (``"reaeq"``).
    values : list of float
        Native values of the plugin's own params (not the wrapper params).
    payload : Any
        Plugin-specific decoded structure (ReaEQ bands, ReaLimit fields, ...).
    blob : Any
        Container bytes needed to re-encode identically (VST header/trailer, JS tokens).
    source_lines : list of str or None
        The lines this state was decoded from; returned verbatim while nothing changed.
    """

    plugin: str
    values: list[float]
    payload: Any = None
    blob: Any = None
    source_lines: list[str] | None = None
    synced_values: list[float] = field(default_factory=list)

    def copy(self) -> "PluginState":
        import copy

        return copy.deepcopy(self)


# Prefixes TrackFX_AddByName accepts ("VST3:", "VST2:", "VST:", "AU:", "JS:", "DX:", S2), with the
# instrument ("...i") forms and CLAP/LV2 as REAPER names them in its FX browser.
_TYPE_PREFIX = re.compile(r"^\s*(vst3i|vst3|vst2i|vst2|vsti|vst|js|aui|au|dxi|dx|clapi|clap|lv2i|lv2)\s*:\s*", re.I)


def split_type_prefix(name: str) -> tuple[str | None, str]:
    """``"VST2: ReaEQ"`` -> ``("vst2", "ReaEQ")``; no prefix -> ``(None, name)``."""
    m = _TYPE_PREFIX.match(name)
    if not m:
        return None, name.strip()
    return m.group(1).lower(), name[m.end():].strip()


class PluginSpec:
    """Description and codec of one stock plugin; one instance per plugin, in the registry."""

    key: str = ""
    fx_name: str = ""  # "VST: ReaEQ (Cockos)"
    short_name: str = ""  # "ReaEQ"
    chunk_tag: str = "VST"
    # type prefixes under which TrackFX_AddByName finds this plugin
    type_prefixes: tuple[str, ...] = ("vst", "vst2", "vsti", "vst2i")
    # extra bare names accepted by matches() (case-folded)
    aliases: tuple[str, ...] = ()

    # -- identity -------------------------------------------------------------------------
    def matches(self, name: str) -> bool:
        """Loose ``TrackFX_AddByName`` name matching.

        Accepts the bare name, the name with ``" (Cockos)"``, and either with a type prefix this
        plugin has (``"VST: "``, ``"VST2: "``). Case-insensitive: UNCERTAIN (REAPER's FX browser
        search is case-insensitive; AddByName's rule is not documented).
        """
        prefix, rest = split_type_prefix(name)
        if prefix is not None and prefix not in self.type_prefixes:
            return False
        rest = rest.casefold()
        return rest in self._match_names()

    def _match_names(self) -> set[str]:
        base = self.short_name.casefold()
        return {base, f"{base} (cockos)", *(a.casefold() for a in self.aliases)}

    def chunk_header(self) -> list[str]:
        raise NotImplementedError

    def matches_chunk(self, tag: str, header_tokens: list[str]) -> bool:
        raise NotImplementedError

    # -- state ----------------------------------------------------------------------------
    def default_state(self) -> PluginState:
        raise NotImplementedError

    def decode(self, header_tokens: list[str], body_lines: list[str]) -> PluginState:
        raise NotImplementedError

    def encode(self, state: PluginState) -> list[str]:
        raise NotImplementedError

    # -- params ---------------------------------------------------------------------------
    def params(self, state: PluginState | None = None) -> list[ParamSpec]:
        raise NotImplementedError

    def param(self, state: PluginState | None, index: int) -> ParamSpec:
        specs = self.params(state)
        if not 0 <= index < len(specs):
            raise ParameterError(
                f"{self.short_name}: parameter index {index} outside [0, {len(specs) - 1}] "
                f"(wrapper params are the emulator's)"
            )
        return specs[index]

    def param_by_key(self, state: PluginState | None, key: str) -> tuple[int, ParamSpec]:
        """Find a param by our key or REAPER's name."""
        for i, p in enumerate(self.params(state)):
            if p.key == key or p.name == key:
                return i, p
        raise ParameterError(f"{self.short_name}: no parameter named {key!r}")

    def get_param(self, state: PluginState, index: int) -> float:
        self.param(state, index)
        return state.values[index]

    def set_param(self, state: PluginState, index: int, native: float) -> None:
        spec = self.param(state, index)
        state.values[index] = spec.check_native(native)

    def get_named_config(self, state: PluginState, key: str) -> str | None:
        return None

    def set_named_config(self, state: PluginState, key: str, value: str) -> bool:
        return False

    def settings(self, state: PluginState) -> Any:
        """The plugin's settings in real units (for the audio engine)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<PluginSpec {self.key} {self.fx_name!r}>"


def find_spec(name: str) -> "PluginSpec | None":
    """Registry lookup by display / ``TrackFX_AddByName`` name (see :mod:`.registry`)."""
    from reaper_assist.plugins.registry import find_spec as _find

    return _find(name)


def spec_for_chunk(tag: str, header_tokens: list[str]) -> "PluginSpec | None":
    """Registry lookup by the opening line of an RPP FX block (see :mod:`.registry`)."""
    from reaper_assist.plugins.registry import spec_for_chunk as _for

    return _for(tag, header_tokens)
