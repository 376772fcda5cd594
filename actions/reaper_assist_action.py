# reaper-assist: __TITLE__
# A REAPER action script, written by `reaper-assist install` from actions/reaper_assist_action.py (the one
# template every action's script comes from): asks the reaper-assist companion to run `__ACTION__` on the
# selection of the current project and returns at once. What the action does: docs/assistants.md.
from reaper_python import *  # noqa: F403 - REAPER's API; every Python ReaScript imports it itself
# ruff: noqa: F405 - the RPR_* names come from that import

ACTION = "__ACTION__"

try:
    import os as _ra_os
    import runpy as _ra_runpy

    _ra_launcher = _ra_os.path.join(RPR_GetResourcePath(), "Scripts", "reaper-assist", "reaper_assist_launcher.py")
    _ra_runpy.run_path(_ra_launcher)["run"](ACTION, globals())
except Exception as _ra_exc:  # noqa: BLE001 - a clear message, never a traceback
    RPR_ShowConsoleMsg("reaper-assist: cannot run %s (%s: %s); run `reaper-assist install` again\n"
                       % (ACTION, type(_ra_exc).__name__, _ra_exc))
