"""The rule tables of the assistants: per-instrument rows shipped in ``rules/tables/<action>.json``,
overridden per row by the settings (``{"auto-eq": {"instruments": {"vocal": {...}}}}``), and the
``amount`` every assistant scales its changes by."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from reaper_assist.errors import ParameterError


def load_table(action: str) -> dict[str, dict[str, Any]]:
    """The shipped rule table of ``action`` (``reaper_assist/rules/tables/<action>.json``)."""
    text = resources.files("reaper_assist.rules").joinpath("tables").joinpath(f"{action}.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def table_with_overrides(action: str, raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Shipped table < ``raw["instruments"]`` (settings file, project, options), merged per row."""
    table = load_table(action)
    over = raw.get("instruments") or {}
    if not isinstance(over, dict):
        raise ParameterError(f"{action} settings 'instruments' must be an object of instrument rows, got {over!r}")
    for inst, row in over.items():
        if not isinstance(row, dict):
            raise ParameterError(f"{action} settings for instrument {inst!r} must be an object, got {row!r}")
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
