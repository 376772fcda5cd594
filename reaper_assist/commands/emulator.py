"""``reaper-assist emulator``: the options and run of :mod:`reaper_assist.emulator.cli` (which
``python -m reaper_assist.emulator`` uses too, so the emulator never imports the commands)."""

from reaper_assist.emulator.cli import add_arguments, main, run

__all__ = ["add_arguments", "main", "run"]
