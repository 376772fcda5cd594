# reaper-assist: Start bridge
# Run at REAPER start-up (Scripts/__startup.*, installed by `reaper-assist install`) and also an
# action: starts the bridge the companion talks to. For now the bridge is python-reapy's own server
# script (reapy/reascripts/activate_reapy_server.py), run here as REAPER would run it. Safe to run
# twice: a running bridge (ExtState reapy/server_port set) is left alone.
try:
    if not RPR_GetExtState("reapy", "server_port"):
        import importlib.util as _ra_util

        _ra_spec = _ra_util.find_spec("reapy.reascripts.activate_reapy_server")
        if _ra_spec is None or not _ra_spec.origin:
            raise ImportError("python-reapy is not installed in the Python REAPER uses")
        with open(_ra_spec.origin, encoding="utf-8") as _ra_f:
            _ra_code = compile(_ra_f.read(), _ra_spec.origin, "exec")
        exec(_ra_code, globals())  # in __main__, with __name__ == "__main__", like REAPER runs scripts
except Exception as _ra_exc:  # noqa: BLE001 - a clear message, never a traceback
    RPR_ShowConsoleMsg("reaper-assist: could not start the bridge (%s: %s); check Options > Preferences > "
                       "Plug-ins > ReaScript (Python enabled) and that python-reapy is installed there\n"
                       % (type(_ra_exc).__name__, _ra_exc))
