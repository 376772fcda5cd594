"""``reaper-assist settings [ACTION...] [--project F.RPP] [--config FILE] [--set KEY=VALUE]
[--check] [--json]``: the effective settings of each action and where each value comes from
(defaults < settings file < the project's override < options), or (``--check``) the problems of a
settings file, each naming the file, the line and the key (exit status 1 if there are any)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("actions", nargs="*", help="the actions to show (default: all)")
    p.add_argument("--project", help="a .RPP whose override (ExtState reaper_assist/settings) applies")
    p.add_argument("--config", help="the settings file (default: $REAPER_ASSIST_CONFIG or "
                                    "~/.config/reaper-assist/settings.json)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="sets",
                   help="an option as a run would pass it (VALUE as JSON, else text); repeatable")
    p.add_argument("--check", action="store_true", help="check the settings file and the project's override")
    p.add_argument("--json", action="store_true", help="print JSON")


def _option(text: str) -> tuple[str, Any]:
    from reaper_assist.errors import ParameterError

    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ParameterError(f"--set {text!r}: give KEY=VALUE")
    try:
        return key.strip(), json.loads(value)
    except ValueError:
        return key.strip(), value


def run(args: argparse.Namespace) -> int:
    from reaper_assist.app import settings as S
    from reaper_assist.app import settings_view as V
    from reaper_assist.errors import ParameterError

    config = Path(args.config) if args.config else S.config_path()
    if args.config and not config.is_file():
        raise ParameterError(f"settings file {config} does not exist")
    override = None
    if args.project:
        from reaper_assist.emulator.project import Project

        override = Project.load(args.project).get_ext_state(S.EXT_SECTION, S.SETTINGS_KEY)
    if args.check:
        errors = V.check_file(config) if config.is_file() else []
        if override:
            errors += V.check_text(override, f"{args.project} (ExtState reaper_assist/settings)")
        print("\n".join(errors) if errors else f"{config}: no problems"
              + (f"; {args.project}: no problems" if override else ""))
        return 1 if errors else 0
    unknown = [a for a in args.actions if a not in S.DEFAULTS]
    if unknown:
        raise ParameterError(f"no such action {unknown[0]!r} (known: {', '.join(sorted(S.DEFAULTS))})")
    options = dict(_option(s) for s in args.sets)
    out = {a: V.effective(a, config=config, project_overrides=override, options=options)
           for a in (args.actions or sorted(S.DEFAULTS))}
    if args.json:
        print(json.dumps({a: {r.key: {"value": r.value, "from": r.source} for r in rows} for a, rows in out.items()},
                         indent=2))
    else:
        print("\n\n".join(V.format_settings(a, rows) for a, rows in out.items()))
    return 0
