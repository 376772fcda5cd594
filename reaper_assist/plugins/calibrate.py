"""Compare our predicted display text with a live REAPER's, parameter by parameter.

:func:`calibrate` is pure: it asks an ``fx_reader`` for REAPER's text of normalized values
(in a live REAPER, ``TrackFX_FormatParamValueNormalized`` on a fresh instance of each plugin)
and returns every disagreement with :meth:`ParamSpec.format` of the same value. For curves
from :mod:`reaper_assist.plugins.uncertain` with competing hypotheses, each mismatch also says
which hypotheses REAPER's number supports. The CLI wiring lives elsewhere.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence

from reaper_assist.plugins.base import ParamSpec, PluginSpec
from reaper_assist.plugins.registry import SPECS
from reaper_assist.plugins.uncertain import UNCERTAIN

__all__ = ["FxReader", "Mismatch", "calibrate", "parse_display_number", "DEFAULT_SWEEP"]

# 0, 0.05, ..., 1: enough to tell the competing curves apart everywhere on the range.
DEFAULT_SWEEP: tuple[float, ...] = tuple(i / 20 for i in range(21))
# Relative slack on top of the display rounding (float formatting differences).
REL_SLACK = 1e-6

_NUMBER = re.compile(r"([-+]?)(inf|∞|\d+(?:\.\d*)?|\.\d+)\s*([kK])?", re.IGNORECASE)


class FxReader(Protocol):
    def format_param_normalized(self, fx_key: str, param_index: int, norm: float) -> str: ...


@dataclass(frozen=True)
class Mismatch:
    """One disagreement between our prediction and REAPER's display text.

    ``kind``: ``"value"`` (the numbers differ beyond the display rounding), ``"format"``
    (same number, other text), ``"unparsed"`` (REAPER's text holds no number we can read).
    """

    fx_key: str
    param_index: int
    param_name: str
    mapping: str
    norm: float
    expected_text: str
    actual_text: str
    expected_value: float | None
    actual_value: float | None
    kind: str
    supports: tuple[str, ...] = ()

    def __str__(self) -> str:
        hint = f" (REAPER fits: {', '.join(self.supports)})" if self.supports else ""
        return (
            f"{self.fx_key} #{self.param_index} {self.param_name!r} [{self.mapping}] at "
            f"norm {self.norm:g}: predicted {self.expected_text!r}, REAPER {self.actual_text!r} "
            f"({self.kind}){hint}"
        )


def parse_display_number(text: str) -> tuple[float, int] | None:
    """First number in a display text and its decimal count: ``"+6.0"`` -> ``(6.0, 1)``.

    Understands ``inf``/``∞`` and a ``k`` suffix (``"1.2k"`` -> 1200).
    """
    m = _NUMBER.search(text)
    if m is None:
        return None
    sign, body, kilo = m.groups()
    if body.lower() in ("inf", "∞"):
        return (-math.inf if sign == "-" else math.inf), 0
    value = float(body)
    decimals = len(body.split(".", 1)[1]) if "." in body else 0
    if kilo:
        value *= 1000.0
        decimals = max(decimals - 3, 0)
    return (-value if sign == "-" else value), decimals


def _close(expected: float, actual: float, decimals: int, scale: float = 1.0) -> bool:
    if math.isinf(expected) or math.isinf(actual):
        return expected == actual
    tol = 0.5 * 10.0 ** (-decimals) * scale * (1 + 1e-9) + REL_SLACK * abs(expected)
    return abs(expected - actual) <= tol


def _supports(spec: ParamSpec, native: float, actual: float, decimals: int, scale: float) -> tuple[str, ...]:
    mapping = UNCERTAIN.get(spec.mapping)
    if mapping is None:
        return ()
    return tuple(
        name
        for name, fn in mapping.alternatives.items()
        if _close(fn(native), actual, decimals, scale)
    )


def calibrate(
    fx_reader: FxReader,
    *,
    specs: Iterable[PluginSpec] | None = None,
    sweep: Sequence[float] = DEFAULT_SWEEP,
) -> list[Mismatch]:
    """Sweep every mapped parameter of every plugin and report mismatches with REAPER.

    Parameters
    ----------
    fx_reader : FxReader
        ``format_param_normalized(fx_key, param_index, norm) -> str`` on a fresh instance of
        the plugin ``fx_key`` (registry key, e.g. ``"reaeq"``).
    specs : iterable of PluginSpec, optional
        Plugins to check; all registered plugins by default.
    sweep : sequence of float
        Normalized values to try.

    Returns
    -------
    list of Mismatch
        Empty when every prediction matches REAPER's text exactly.
    """
    out: list[Mismatch] = []
    for plugin in specs if specs is not None else SPECS.values():
        state = plugin.default_state()
        for index, spec in enumerate(plugin.params(state)):
            if not spec.mapped:
                continue
            for norm in sweep:
                native = spec.from_normalized(norm)
                expected_text = spec.format(native)
                actual_text = fx_reader.format_param_normalized(plugin.key, index, norm)
                if actual_text == expected_text:
                    continue
                expected = spec.to_units(native)
                parsed = parse_display_number(actual_text)
                if parsed is None:
                    out.append(Mismatch(plugin.key, index, spec.name, spec.mapping, norm,
                                        expected_text, actual_text, expected, None, "unparsed"))
                    continue
                actual, decimals = parsed
                # Texts with a "k" suffix round in kHz; scale the rounding step back to units.
                scale = 1000.0 if re.search(r"\d\s*[kK]", actual_text) else 1.0
                kind = "format" if _close(expected, actual, decimals, scale) else "value"
                supports = _supports(spec, native, actual, decimals, scale) if kind == "value" else ()
                out.append(Mismatch(plugin.key, index, spec.name, spec.mapping, norm,
                                    expected_text, actual_text, expected, actual, kind, supports))
    return out
