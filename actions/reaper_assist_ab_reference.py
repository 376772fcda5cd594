# reaper-assist: Add the A/B reference, level-matched to the mix
# A REAPER action script (installed by `reaper-assist install`): asks the reaper-assist companion to
# put the reference file of the project's settings (ExtState reaper_assist/settings,
# {"ab-reference": {"reference": [FILE]}}) on a muted track of its own, level-matched to the mix; with
# none set, asks for a file first and remembers it there. Returns at once.
from reaper_python import *  # noqa: F403 - REAPER's API; every Python ReaScript imports it itself
# ruff: noqa: F405 - the RPR_* names come from that import

ACTION = "ab-reference"

try:
    import os as _ra_os
    import runpy as _ra_runpy

    _ra_launcher = _ra_runpy.run_path(_ra_os.path.join(RPR_GetResourcePath(), "Scripts", "reaper-assist",
                                                       "reaper_assist_launcher.py"))
    if _ra_launcher["ask_reference"](ACTION):
        _ra_launcher["run"](ACTION, globals())
except Exception as _ra_exc:  # noqa: BLE001 - a clear message, never a traceback
    RPR_ShowConsoleMsg("reaper-assist: cannot run %s (%s: %s); run `reaper-assist install` again\n"
                       % (ACTION, type(_ra_exc).__name__, _ra_exc))
