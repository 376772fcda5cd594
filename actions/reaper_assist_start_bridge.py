# reaper-assist: Start bridge
# Run at REAPER start-up (Scripts/__startup.*, installed by `reaper-assist install`) and also an
# action: starts reaper-assist's bridge (reaper_assist.bridge: python-reapy's protocol on
# 127.0.0.1, with an allow-list and a token; see docs/bridge.md) in REAPER's defer loop. Safe to run
# again: a running bridge is left alone (the action is registered to start a new instance, so REAPER
# neither asks nor terminates the running one), and its toggle state shows whether the bridge runs.
from reaper_python import *  # noqa: F403 - REAPER's API; every Python ReaScript imports it itself
# ruff: noqa: F405 - the RPR_* names come from that import

try:
    import os as _ra_os
    import runpy as _ra_runpy

    _ra_launcher = _ra_os.path.join(RPR_GetResourcePath(), "Scripts", "reaper-assist", "reaper_assist_launcher.py")
    _ra_result = _ra_runpy.run_path(_ra_launcher)["start_bridge"]()
except Exception as _ra_exc:  # noqa: BLE001 - a clear message, never a traceback
    RPR_ShowConsoleMsg("reaper-assist: could not start the bridge (%s: %s); check Options > Preferences > "
                       "Plug-ins > ReaScript (Python enabled, the Python reaper-assist is installed in) and "
                       "run `reaper-assist install` again\n" % (type(_ra_exc).__name__, _ra_exc))
