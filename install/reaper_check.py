# reaper-assist: what this REAPER gives Python ReaScripts (the checks of docs/unverified.md).
# Load it in REAPER (Actions > Show action list > New action... > Load ReaScript..., this file), run it,
# and compare REAPER's console with docs/unverified.md. It only reads; it changes nothing.
from reaper_python import *  # noqa: F403

import os
import sys

import reaper_python

_BUILTINS = ("RPR_defer", "RPR_runloop", "RPR_atexit", "RPR_set_action_options", "RPR_get_action_context")


def _say(name, value):
    RPR_ShowConsoleMsg("reaper-assist check: %s: %s\n" % (name, value))  # noqa: F405


_main = sys.modules["__main__"]
_say("REAPER", RPR_GetAppVersion())  # noqa: F405
_say("Python", "%s %s" % (sys.version.split()[0], sys.executable))
_say("built-ins in __main__", ",".join(n for n in _BUILTINS if hasattr(_main, n)) or "-")
_say("built-ins in reaper_python", ",".join(n for n in _BUILTINS if hasattr(reaper_python, n)) or "-")
_say("__main__.obj, reapy's inside-REAPER mark", hasattr(_main, "obj"))
_say("script globals are __main__", globals() is _main.__dict__)
_say("__file__ defined", "__file__" in globals())
_say("sys.argv", repr(sys.argv))
_here = os.path.dirname(os.path.abspath(sys.argv[0])) if sys.argv and sys.argv[0] else None
_say("script folder on sys.path", bool(_here) and any(p and os.path.abspath(p) == _here for p in sys.path))
_ctx = getattr(_main, "RPR_get_action_context", None) or getattr(reaper_python, "RPR_get_action_context", None)
if _ctx is not None:
    _say("get_action_context()", repr(_ctx()))
_cmd = RPR_NamedCommandLookup("_RS_reaper_assist_start_bridge")  # noqa: F405
_say("Start bridge command", _cmd)
if _cmd:
    _say("Start bridge toggle state", RPR_GetToggleCommandStateEx(0, _cmd))  # noqa: F405
_say("GetExtState of a missing key", repr(RPR_GetExtState("reaper_assist_check", "missing")))  # noqa: F405
_say("DB2SLIDER(0)", "%.4f" % RPR_DB2SLIDER(0.0))  # noqa: F405
_say("ScaleToEnvelopeMode(1, 1.0)", "%.4f" % RPR_ScaleToEnvelopeMode(1, 1.0))  # noqa: F405
_say("ScaleFromEnvelopeMode(1, 1000)", "%.6f" % RPR_ScaleFromEnvelopeMode(1, 1000.0))  # noqa: F405
_say("bridge ExtState", repr(RPR_GetExtState("reaper_assist", "bridge")))  # noqa: F405
_main.RPR_defer("import sys\n"
                "from reaper_python import RPR_ShowConsoleMsg as _ra_say\n"
                "_ra_say('reaper-assist check: deferred code runs in __main__: %s\\n'"
                " % (globals() is sys.modules['__main__'].__dict__))\n")
