"""``reaper-assist settings``: the effective settings of an action with where each value comes from
(defaults < the settings file < the project's override < this run's options), and the check of a
settings file whose every problem names the file, the line and the key."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reaper_assist.app import settings as S
from reaper_assist.rules.tables import kind_of, override_problems, shown

PROJECT_SOURCE = S.PROJECT_SOURCE


@dataclass(frozen=True)
class Setting:
    key: str
    value: Any
    source: str  # "default", "settings file PATH line N", "the project (...)", "option"


def _line_of(text: str, action: str, key: str | None, *below: str) -> int:
    """The 1-based line where ``"action"`` (then ``"key"`` after it, then each of ``below`` after
    that: ``"instruments"``, ``"vocal"``, ``"max_cuts"``) appears as an object key."""
    pos = 0
    for i, k in enumerate((action, key, *below)):
        if k is None:
            break
        m = re.compile(r'"%s"\s*:' % re.escape(k)).search(text, pos)
        pos = m.start() if m else (0 if i == 0 else pos)
    return text.count("\n", 0, pos) + 1


@dataclass(frozen=True)
class Problem:
    """One problem of a settings text: ``where`` (the file or the project), the 1-based ``line``
    (and ``column`` for bad JSON), the ``action`` whose section it is in (None: the text as a
    whole), the ``key`` within it (None: the section itself) and what is wrong."""

    where: str
    line: int
    what: str
    action: str | None = None
    key: str | None = None
    column: int | None = None

    def concerns(self, action: str) -> bool:
        """Whether running ``action`` must refuse it: its own section, a section naming no action
        (a misspelt one: its settings would be lost without a word), or the text as a whole."""
        return self.action is None or self.action == action or self.action not in S.DEFAULTS

    def __str__(self) -> str:
        at = f"{self.where}, line {self.line}"
        if self.column is not None:
            at += f", column {self.column}"
        if self.action is not None:
            at += f", key {self.action}.{self.key}" if self.key is not None else f", key {self.action!r}"
        return f"{at}: {self.what}"


def _parse(text: str, where: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        d = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Problem(where, exc.lineno, f"not valid JSON ({exc.msg})", column=exc.colno)]
    if not isinstance(d, dict):
        return None, [Problem(where, 1, "the settings must be a JSON object of actions, like "
                                        '{"gain-stage": {"target": "rms:-18"}}')]
    return d, []


def _value_problem(default: Any, v: Any) -> str | None:
    """Why ``v`` cannot stand where the default is ``default`` (None: it can)."""
    if isinstance(default, bool):
        return None if isinstance(v, bool) else f"must be true or false, not {kind_of(v)} ({shown(v)})"
    if isinstance(default, (int, float)):
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")
        return None if ok else f"must be a number, not {kind_of(v)} ({shown(v)})"
    if isinstance(default, dict):
        return None if isinstance(v, dict) else f"must be an object, not {kind_of(v)} ({shown(v)})"
    # text or null by default: text, a number or null (e.g. "auto" or -16)
    return None if v is None or isinstance(v, (str, int, float)) and not isinstance(v, bool) else \
        f"must be text or a number, not {kind_of(v)}"


def problems(text: str, where: str) -> list[Problem]:
    """Every problem of a settings text, each naming ``where``, the line and the key."""
    d, errors = _parse(text, where)
    if d is None:
        return errors
    for action, values in d.items():
        line = _line_of(text, action, None)
        if action not in S.DEFAULTS:
            errors.append(Problem(where, line, f"no such action (known: {', '.join(sorted(S.DEFAULTS))})", action))
            continue
        if not isinstance(values, dict):
            errors.append(Problem(where, line, f"must be an object of settings, not {kind_of(values)}", action))
            continue
        for key, v in values.items():
            kline = _line_of(text, action, key)
            defaults = S.DEFAULTS[action]
            if key not in defaults:
                errors.append(Problem(where, kline, f"no such setting of {action} (known: {', '.join(sorted(defaults))})",
                                      action, key))
                continue
            problem = _value_problem(defaults[key], v)
            if problem:
                errors.append(Problem(where, kline, problem, action, key))
        # the rule rows it overrides: each key's kind and range as the table declares (rules/tables.py);
        # a problem of the section's key itself ("instruments" no object) is the kind check's above
        for rp in override_problems(action, values):
            if len(rp.path) > 1:
                errors.append(Problem(where, _line_of(text, action, *rp.path), rp.what, action, ".".join(rp.path)))
    return errors


def check_text(text: str, where: str) -> list[str]:
    """Every problem of a settings text as a line of text (``settings --check``)."""
    return [str(p) for p in problems(text, where)]


def check_file(path: str | Path) -> list[str]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{p}: cannot read the settings file ({exc})"]
    return check_text(text, str(p))


def effective(action: str, *, config: Path | None = None, project_overrides: str | None = None,
              options: dict[str, Any] | None = None) -> list[Setting]:
    """The settings ``action`` runs with, each with its source; the same merge as settings.load."""
    out: dict[str, Setting] = {k: Setting(k, v, "default") for k, v in S.DEFAULTS.get(action, {}).items()}
    path = config if config is not None else S.config_path()
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        d, _ = _parse(text, str(path))
        for k, v in ((d or {}).get(action) or {}).items():
            out[k] = Setting(k, v, f"settings file {path} line {_line_of(text, action, k)}")
    if project_overrides:
        d, _ = _parse(project_overrides, PROJECT_SOURCE)
        for k, v in ((d or {}).get(action) or {}).items():
            out[k] = Setting(k, v, PROJECT_SOURCE)
    for k, v in (options or {}).items():
        if v is not None:
            out[k] = Setting(k, v, "option")
    return list(out.values())


def format_settings(action: str, rows: list[Setting]) -> str:
    """One line per setting: ``key = value (from source)``, plain text for a screen reader."""
    width = max((len(r.key) for r in rows), default=0)
    lines = [f"{action}:"]
    lines += [f"  {r.key.ljust(width)} = {json.dumps(r.value)}  (from {r.source})" for r in rows]
    return "\n".join(lines)
