"""The emulator's audio engine: renders tracks and the master of an emulated project through
models of REAPER's stock plugins (ReaEQ, ReaComp, ReaGate, ReaLimit, JS Volume Adjustment) and
envelopes, and implements REAPER's dry-run loudness actions. See ``docs/engine.md``."""

from reaper_assist.emulator.engine.dryrun import ACTIONS, dry_run, install_actions, stats_text
from reaper_assist.emulator.engine.render import RenderResult, project_length_s, render

__all__ = ["ACTIONS", "RenderResult", "dry_run", "install_actions", "project_length_s", "render",
           "stats_text"]
