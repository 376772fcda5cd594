# reaper-assist: Reduce noise on selected tracks
# A REAPER action script (installed by `reaper-assist install`): asks the reaper-assist companion to
# run "Reduce noise on selected tracks" on the current project and returns at once.
from reaper_python import *

ACTION = "denoise"

try:
    import os as _ra_os
    import runpy as _ra_runpy

    _ra_launcher = _ra_os.path.join(RPR_GetResourcePath(), "Scripts", "reaper-assist", "reaper_assist_launcher.py")
    _ra_runpy.run_path(_ra_launcher)["run"](ACTION, globals())
except Exception as _ra_exc:  # noqa: BLE001 - a clear message, never a traceback
    RPR_ShowConsoleMsg("reaper-assist: cannot run %s (%s: %s); run `reaper-assist install` again\n"
                       % (ACTION, type(_ra_exc).__name__, _ra_exc))
