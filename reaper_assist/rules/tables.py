"""The rule tables of the assistants: per-instrument rows shipped in ``rules/tables/<action>.json``,
overridden per row by the settings (``{"auto-eq": {"instruments": {"vocal": {...}}}}``), and the
``amount`` every assistant scales its changes by.

Each table file declares the kind and the allowed range of every key of its rows in its
``_schema`` entry (``{"highpass_hz": {"kind": "number", "min": 20, "max": 2000, "unit": "Hz",
"null": "no high-pass"}}``; kinds ``number``, ``integer``, ``bool``, ``text`` (``one_of``),
``range`` (a list ``[low, high]``, low <= high, both within min..max) or a list of kinds;
``above`` is an exclusive lower bound; ``null`` says what null means, where it is allowed).
:func:`override_problems` checks the settings' rows against it: the settings' check
(``app/settings_view``) and :func:`table_with_overrides` use the same words."""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from reaper_assist.errors import ParameterError

#: The settings sections that override rows of a rule table: action -> (table, the section's key
#: holding the rows). A new row is allowed for an instrument label of ``analysis.instruments``, or,
#: where the table declares ``_new_rows`` (the master's platforms), for any name with the keys it needs.
OVERRIDES: dict[str, tuple[str, str]] = {
    "auto-eq": ("auto-eq", "instruments"),
    "auto-compress": ("auto-compress", "instruments"),
    "auto-gate": ("auto-gate", "instruments"),
    "unmask": ("unmask", "instruments"),
    "balance": ("balance", "instruments"),
    "auto-pan": ("auto-pan", "instruments"),
    "master": ("master-platforms", "platforms"),
}


@cache
def _table_file(action: str) -> dict[str, Any]:
    text = resources.files("reaper_assist.rules").joinpath("tables").joinpath(f"{action}.json").read_text(encoding="utf-8")
    return json.loads(text)


def load_table(action: str) -> dict[str, dict[str, Any]]:
    """The shipped rule table of ``action`` (``reaper_assist/rules/tables/<action>.json``)."""
    return {k: copy.deepcopy(v) for k, v in _table_file(action).items() if not k.startswith("_")}


def load_schema(action: str) -> dict[str, dict[str, Any]]:
    """The declared kind and range of every key of ``action``'s rule rows (its ``_schema``)."""
    return dict(_table_file(action)["_schema"])


@dataclass(frozen=True)
class RowProblem:
    """A problem of a settings' rule row: ``path`` below the action's section (``("instruments",
    "vocal", "max_cuts")``; two parts: the row itself, one: the section's key) and what is wrong."""

    path: tuple[str, ...]
    what: str


SHOWN_CHARS = 60  # a value quoted in a message: at most this much of its repr


def shown(v: Any) -> str:
    """``repr(v)`` for a message, cut to :data:`SHOWN_CHARS` (a settings file, or a project from
    someone else, may hold a megabyte where a number belongs; the message stays readable)."""
    r = repr(v)
    return r if len(r) <= SHOWN_CHARS else r[:SHOWN_CHARS - 3] + "..."


def kind_of(v: Any) -> str:
    """A JSON value's kind in words, for messages ("a number", "true or false", ...)."""
    if isinstance(v, bool):
        return "true or false"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, str):
        return "text"
    return "null" if v is None else type(v).__name__


def _fmt(x: float) -> str:
    return f"{x:g}"


def _bounds(spec: dict[str, Any]) -> str:
    unit = f" {spec['unit']}" if spec.get("unit") else ""
    if "above" in spec:
        lo = f"above {_fmt(spec['above'])}"
        return f"{lo} and at most {_fmt(spec['max'])}{unit}" if "max" in spec else lo + unit
    if "min" in spec and "max" in spec:
        return f"within {_fmt(spec['min'])}..{_fmt(spec['max'])}{unit}"
    if "min" in spec:
        return f"at least {_fmt(spec['min'])}{unit}"
    return f"at most {_fmt(spec['max'])}{unit}" if "max" in spec else ""


def _kinds(spec: dict[str, Any]) -> list[str]:
    k = spec["kind"]
    return list(k) if isinstance(k, list) else [k]


def describe(spec: dict[str, Any]) -> str:
    """What a key of a rule row must be, in words: ``a number within 20..2000 Hz, or null (no
    high-pass)``."""
    parts = []
    for kind in _kinds(spec):
        if kind == "number":
            parts.append(f"a number {_bounds(spec)}".rstrip())
        elif kind == "integer":
            parts.append(f"a whole number {_bounds(spec)}".rstrip())
        elif kind == "bool":
            parts.append("true or false")
        elif kind == "text":
            one_of = spec.get("one_of")
            parts.append(f"one of {', '.join(json.dumps(s) for s in one_of)}" if one_of else "text")
        elif kind == "range":
            parts.append(f"a list [low, high] of two numbers {_bounds(spec)}, low <= high")
        else:
            raise ValueError(f"rule table schema: unknown kind {kind!r}")
    out = " or ".join(parts)
    if spec.get("null"):
        out += f", or null ({spec['null']})"
    if spec.get("note"):
        out += f" ({spec['note']})"
    return out


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _in_bounds(spec: dict[str, Any], x: float) -> bool:
    return (x > spec["above"] if "above" in spec else True) and x >= spec.get("min", -math.inf) \
        and x <= spec.get("max", math.inf)


def value_problem(spec: dict[str, Any], v: Any) -> str | None:
    """Why ``v`` cannot be the value of a key declared by ``spec`` (None: it can)."""
    if v is None:
        return None if spec.get("null") else f"must be {describe(spec)}, not null"
    why = None  # the right kind, but not a value it allows
    for kind in _kinds(spec):
        if kind == "bool" and isinstance(v, bool):
            return None
        if kind == "text" and isinstance(v, str):
            if not spec.get("one_of") or v in spec["one_of"]:
                return None
            why = "is not allowed"
        if kind in ("number", "integer") and _is_number(v):
            if kind == "integer" and not float(v).is_integer():
                why = "is not a whole number"
            elif _in_bounds(spec, float(v)):
                return None
            else:
                why = "is out of range"
        if kind == "range" and isinstance(v, list) and len(v) == 2 and all(_is_number(x) for x in v):
            if all(_in_bounds(spec, float(x)) for x in v) and v[0] <= v[1]:
                return None
            why = "is out of range" if v[0] <= v[1] else "has low > high"
    if why:
        return f"{json.dumps(v)} {why}: must be {describe(spec)}"
    return f"must be {describe(spec)}, not {kind_of(v)} ({shown(v)})"


def _known_names(action: str) -> list[str]:
    from reaper_assist.analysis.instruments import INSTRUMENTS

    return sorted({*load_table(action), *INSTRUMENTS, "generic"})


def override_problems(action: str, section: dict[str, Any]) -> list[RowProblem]:
    """Every problem of the rule rows in ``section`` (an action's settings, e.g. ``{"instruments":
    {"vocal": {"max_cuts": 4}}}``): a row that is no object, an instrument the table does not know
    (a new row only for an instrument label the recogniser can give), a key no row has, a value of
    the wrong kind or out of the declared range. ``action``: a key of :data:`OVERRIDES` (others: none)."""
    if action not in OVERRIDES:
        return []
    table_name, rows_key = OVERRIDES[action]
    over = section.get(rows_key)
    if over is None:
        return []
    if not isinstance(over, dict):
        return [RowProblem((rows_key,), f"must be an object of rule rows, not {kind_of(over)} ({shown(over)})")]
    schema = load_schema(table_name)
    table = load_table(table_name)
    new_rows = _table_file(table_name).get("_new_rows")
    out: list[RowProblem] = []
    for name, row in over.items():
        at = (rows_key, name)
        if not isinstance(row, dict):
            out.append(RowProblem(at, f"must be an object of rule keys, not {kind_of(row)} ({shown(row)})"))
            continue
        if name not in table:
            if new_rows is None and name not in _known_names(table_name):
                out.append(RowProblem(at, f"no such instrument in the {table_name} rule table "
                                          f"(known: {', '.join(_known_names(table_name))})"))
                continue
            need = [k for k in (new_rows or {}).get("need", []) if k not in row]
            if need:
                out.append(RowProblem(at, f"a new row of the {table_name} table needs {' and '.join(need)} "
                                          f"(its shipped rows: {', '.join(table)})"))
        for key, v in row.items():
            if key not in schema:
                out.append(RowProblem((*at, key), f"no such key in a row of the {table_name} rule table "
                                                  f"(known: {', '.join(sorted(schema))})"))
                continue
            why = value_problem(schema[key], v)
            if why:
                out.append(RowProblem((*at, key), why))
        out += _order_problems(table_name, table, name, row, at)
    return out


def _order_problems(table_name: str, table: dict[str, dict[str, Any]], name: str, row: dict[str, Any],
                    at: tuple[str, ...]) -> list[RowProblem]:
    """The table's ``_order`` pairs ``[low_key, high_key]`` that the row as it will run (generic <
    the shipped row < the override) breaks, each reported at the overridden key of the two: a band
    whose lowest frequency lies over its highest finds nothing and says nothing."""
    merged: dict[str, Any] = {**table.get("generic", {}), **table.get(name, {}), **row}
    out = []
    for low, high in _table_file(table_name).get("_order", []):
        if low not in merged or high not in merged:
            continue
        a, b = merged[low], merged[high]
        if (low in row or high in row) and _is_number(a) and _is_number(b) and a > b:
            key = high if high in row else low
            out.append(RowProblem((*at, key), f"{low} ({a:g}) must not be above {high} ({b:g}) in the row as it runs"))
    return out


def refuse_override_problems(action: str, raw: dict[str, Any]) -> None:
    """ParameterError naming every problem of ``raw``'s rule rows (:func:`override_problems`)."""
    problems = override_problems(action, raw)
    if problems:
        raise ParameterError(f"{action} settings: " + "; ".join(
            f"{action}.{'.'.join(p.path)}: {p.what}" for p in problems))


def table_with_overrides(action: str, raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Shipped table < ``raw["instruments"]`` (settings file, project, options), merged per row;
    a row the table's ``_schema`` refuses raises :class:`ParameterError` (:func:`override_problems`)."""
    table = load_table(action)
    refuse_override_problems(action, raw)
    for inst, row in (raw.get("instruments") or {}).items():
        table[inst] = {**table.get(inst, {}), **row}
    return table


def row_for(table: dict[str, dict[str, Any]], instrument: str) -> tuple[dict[str, Any], bool]:
    """(generic row < the instrument's row, whether the instrument has its own row)."""
    known = instrument in table and instrument != "generic"
    return {**table["generic"], **(table.get(instrument, {}) if known else {})}, known


def parse_amount(raw: dict[str, Any], action: str) -> float:
    amount = float(raw.get("amount", 100.0))
    if not 0.0 <= amount <= 100.0:
        raise ParameterError(f"{action} amount {amount:g} %: must be within 0..100 %")
    return amount / 100.0
