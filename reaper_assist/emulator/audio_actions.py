"""Native actions that need the audio engine (dry-run loudness 42437-42441); installed into the
emulated REAPER at start-up. The engine itself is added by the audio-engine work (issue 4)."""

from __future__ import annotations


def install(reaper) -> None:
    try:
        from reaper_assist.emulator import engine
    except ImportError:
        return
    if hasattr(engine, "install_actions"):
        engine.install_actions(reaper)
