# reaper-assist: Start bridge
# Run at REAPER start-up (Scripts/__startup.*, installed by `reaper-assist install`) and also an
# action: starts reaper-assist's bridge (reaper_assist.bridge: python-reapy's protocol on
# 127.0.0.1, with an allow-list and a token; see docs/bridge.md) in REAPER's defer loop. Safe to run
# twice: a running bridge is left alone.
try:
    import reaper_assist.bridge.start as _ra_bridge

    _ra_result = _ra_bridge.start()
except Exception as _ra_exc:  # noqa: BLE001 - a clear message, never a traceback
    RPR_ShowConsoleMsg("reaper-assist: could not start the bridge (%s: %s); check Options > Preferences > "
                       "Plug-ins > ReaScript (Python enabled, the Python reaper-assist is installed in) and "
                       "that python-reapy is installed there\n" % (type(_ra_exc).__name__, _ra_exc))
