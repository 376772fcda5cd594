"""``reaper-assist`` command line: a thin dispatcher.

Each subcommand lives in its own module under :mod:`reaper_assist.commands` and exposes
``add_arguments(parser)`` and ``run(args) -> int``. Modules are imported lazily, so that
``reaper-assist analyze`` never imports reapy and ``reaper-assist install`` never imports numpy.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from reaper_assist.errors import ReaperAssistError

# name -> (module under reaper_assist.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "emulator": ("emulator", "run the REAPER emulator process (same as python -m reaper_assist.emulator)"),
    "analyze": ("analyze", "measure loudness, spectrum, dynamics and instrument of audio files"),
    "install": ("install", "register the actions and the bridge start-up in REAPER's resource folder"),
    "uninstall": ("uninstall", "remove exactly what install added to REAPER's resource folder"),
    "companion": ("companion", "serve REAPER's action scripts (started on demand by them)"),
    "demo": ("demo", "the demo: a session at wrong levels, gain-staged through the emulator like a shortcut"),
    "run": ("run", "run an action headless on a .RPP file (e.g. run gain-stage --project IN --selected --save OUT)"),
    "render": ("render", "render a project's master (or --track NAME) to a WAV file through the emulator's audio engine"),
    "report": ("report", "the report of the tool's work on a project: one self-contained HTML page and a text version"),
    "settings": ("settings", "the effective settings and where each comes from; --check validates a settings file"),
    "calibrate": ("calibrate", "check the stock-plugin parameter maps against a live REAPER's display text"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reaper-assist", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(_module=module_name)
        _load(module_name).add_arguments(p)
    return parser


def _load(module_name: str):
    return importlib.import_module(f"reaper_assist.commands.{module_name}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(_load(args._module).run(args) or 0)
    except ReaperAssistError as exc:
        print(f"reaper-assist: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
