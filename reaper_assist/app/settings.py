"""Settings: defaults < the user's config file < the project's overrides < this run's options.

* config file: ``$REAPER_ASSIST_CONFIG`` or ``$XDG_CONFIG_HOME/reaper-assist/settings.json``
  (``~/.config/...``), a JSON object ``{"gain-stage": {"target": "rms:-18", ...}, ...}``;
* per-project overrides: project ExtState section ``reaper_assist``, key ``settings``, the same JSON.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from reaper_assist.errors import ParameterError

DEFAULTS: dict[str, dict[str, Any]] = {
    "gain-stage": {"target": "rms:-18", "peak_ceiling_dbfs": -6.0, "method": "take", "amount": 100.0,
                   "silence_threshold_dbfs": -60.0},
    # the tone/dynamics assistants: rule tables ship in reaper_assist/rules/tables/<action>.json;
    # "instruments": {"vocal": {...}} overrides rows of it (merged per row)
    "auto-eq": {"amount": 100.0, "instruments": {}},
    "auto-compress": {"amount": 100.0, "instruments": {}},
    "auto-gate": {"amount": 100.0, "instruments": {}},
    "unmask": {"amount": 100.0, "focus": None, "instruments": {}},
    # balance (issue 15): offsets ship in reaper_assist/rules/tables/balance.json
    "balance": {"amount": 100.0, "focus": None, "instruments": {}},
    "auto-pan": {"amount": 100.0, "focus": None, "instruments": {}},
    # automation (issue 14): rules/automation.py documents each setting
    "ride": {"target": "auto", "range_db": 6.0, "window_s": 1.0, "tolerance_db": 0.3, "max_points_per_s": 4.0,
             "max_slope_db_per_s": 40.0, "amount": 100.0},
    "dip-gaps": {"depth_db": -12.0, "hold_s": 0.12, "fade_s": 0.08, "lead_s": 0.06, "min_gap_s": 0.1,
                 "min_floor_dbfs": -80.0, "amount": 100.0},
    "de-ess": {"reduction_db": 6.0, "max_depth_db": 15.0, "attack_ms": 5.0, "release_ms": 40.0, "min_ratio_db": 3.0,
               "shape": "peak", "amount": 100.0},
    "denoise": {"amount": 100.0},
    # the master action: the platform table ships in reaper_assist/rules/tables/master-platforms.json;
    # "platforms": {"spotify": {...}} overrides rows of it; tp_margin_db: ReaLimit's ceiling under the
    # platform's true-peak ceiling (room for its true-peak overshoot)
    "master": {"platform": "spotify", "lufs": None, "tp": None, "max_gain_reduction_db": 6.0, "release_ms": 50.0,
               "tp_margin_db": 0.1, "report_only": False, "platforms": {}},
    # match-reference (issue 17): reference files (a list), amount (%), aspects "tone,loudness"
    "match-reference": {"reference": [], "amount": 100.0, "aspects": "tone,loudness"},
    "ab-reference": {"reference": []},
    "remove": {},  # driven by the tool's tags and history alone (docs/report.md)
    "compare": {},
    "report": {},
}
SETTINGS_KEY = "settings"
EXT_SECTION = "reaper_assist"


def config_path() -> Path:
    env = os.environ.get("REAPER_ASSIST_CONFIG")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "reaper-assist" / "settings.json"


def _read_json(text: str, where: str) -> dict[str, Any]:
    try:
        d = json.loads(text)
    except ValueError as exc:
        raise ParameterError(f"settings in {where} are not valid JSON: {exc}") from exc
    if not isinstance(d, dict):
        raise ParameterError(f"settings in {where} must be a JSON object")
    return d


PROJECT_SOURCE = "the project (ExtState reaper_assist/settings)"


def problems_for(action: str, text: str, where: str) -> list[str]:
    """The problems of a settings text that concern ``action``: its own section's unknown keys and
    wrong kinds, a section naming no action (a misspelt one: its settings would be lost without a
    word), text that is no JSON object. Each names ``where``, the line and the key (settings_view)."""
    from reaper_assist.app import settings_view

    return [str(p) for p in settings_view.problems(text, where) if p.concerns(action)]


MAX_PROBLEMS_SHOWN = 20  # a refusal lists this many; `settings --check` lists them all


def refuse_problems(action: str, problems: list[str]) -> None:
    if problems:
        listed = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(listed)
        raise ParameterError(f"{action} not run, nothing changed: the settings have "
                             f"{'a problem' if len(problems) == 1 else f'{len(problems)} problems'} "
                             "(fix them, or see `reaper-assist settings --check`): " + "; ".join(listed)
                             + (f"; and {more} more" if more else ""))


def load(action: str, *, project_overrides: str | None = None, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The settings ``action`` runs with. An unknown key (a typo) or a value of the wrong kind in
    the settings file or the project's override, for this action, refuses the run with a message
    naming the file, the line and the key (as ``reaper-assist settings --check``)."""
    merged = dict(DEFAULTS.get(action, {}))
    path = config_path()
    texts = []
    if path.is_file():
        texts.append((path.read_text(encoding="utf-8"), str(path)))
    if project_overrides:
        texts.append((project_overrides, PROJECT_SOURCE))
    refuse_problems(action, [e for text, where in texts for e in problems_for(action, text, where)])
    for text, where in texts:
        merged.update(_read_json(text, where).get(action, {}))
    merged.update({k: v for k, v in (options or {}).items() if v is not None})
    return merged
