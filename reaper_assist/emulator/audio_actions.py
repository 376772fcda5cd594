"""Native actions that need the audio engine (dry-run loudness 42437-42441); installed into the
emulated REAPER at start-up."""

from __future__ import annotations


def install(reaper) -> None:
    from reaper_assist.emulator.engine import install_actions  # late: numpy/scipy at start-up only

    install_actions(reaper)
