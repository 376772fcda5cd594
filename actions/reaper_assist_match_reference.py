# reaper-assist: Match the master to a reference
# A REAPER action script (installed by `reaper-assist install`): asks the reaper-assist companion to
# match the master's tone and loudness to the reference file(s) of the project's settings
# (ExtState reaper_assist/settings, {"match-reference": {"reference": [FILE, ...]}}); with none set,
# asks for a file first and remembers it there. Returns at once.
from reaper_python import *  # noqa: F403 - REAPER's API; every Python ReaScript imports it itself
# ruff: noqa: F405 - the RPR_* names come from that import

ACTION = "match-reference"

try:
    import json as _ra_json
    import os as _ra_os
    import runpy as _ra_runpy

    _ra_ok, _ra_p, _ra_s, _ra_k, _ra_text, _ra_sz = RPR_GetProjExtState(0, "reaper_assist", "settings", "", 1 << 20)
    _ra_settings = _ra_json.loads(_ra_text) if _ra_ok and _ra_text else {}
    _ra_mine = _ra_settings.setdefault(ACTION, {})
    _ra_go = True
    if not _ra_mine.get("reference"):
        _ra_r = RPR_GetUserFileNameForRead("", "reaper-assist: the reference to match", "wav")
        _ra_go = bool(_ra_r[0])
        if _ra_go:
            _ra_mine["reference"] = [_ra_r[1]]
            RPR_SetProjExtState(0, "reaper_assist", "settings", _ra_json.dumps(_ra_settings))
    if _ra_go:
        _ra_launcher = _ra_os.path.join(RPR_GetResourcePath(), "Scripts", "reaper-assist", "reaper_assist_launcher.py")
        _ra_runpy.run_path(_ra_launcher)["run"](ACTION, globals())
except Exception as _ra_exc:  # noqa: BLE001 - a clear message, never a traceback
    RPR_ShowConsoleMsg("reaper-assist: cannot run %s (%s: %s); run `reaper-assist install` again\n"
                       % (ACTION, type(_ra_exc).__name__, _ra_exc))
