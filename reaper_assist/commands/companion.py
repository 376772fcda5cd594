"""``reaper-assist companion``: the options and run of :mod:`reaper_assist.companion.cli` (which
``python -m reaper_assist.companion`` uses too, so the companion never imports the commands)."""

from reaper_assist.companion.cli import add_arguments, main, run

__all__ = ["add_arguments", "main", "run"]
