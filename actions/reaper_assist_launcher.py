"""reaper-assist: the shared part of the action scripts (not an action itself).

Runs inside REAPER's Python: reads ``<resource>/reaper_assist.json``, puts the site folders install
recorded there on ``sys.path`` (REAPER's embedded Python ignores a virtual environment's
site-packages), and asks the companion to run the action on the selection through
``reaper_assist.companion.protocol`` (the user's private directory for this resource folder; both
sides prove they hold the install's token, which never crosses the socket: docs/bridge.md). When
nothing answers it starts the companion with the Python recorded at install time (inside REAPER
``sys.executable`` is REAPER itself) and asks again, then returns at once. Every failure becomes a
console message naming the cause and, when the companion cannot be reached or started, an ``error``
record in the project's ExtState (``reaper_assist`` / ``last_run``); never a traceback.

It also starts the bridge for ``reaper_assist_start_bridge.py`` (:func:`start_bridge`), after the
same ``sys.path`` step; the action's toggle state shows whether the bridge runs.
"""

import json
import os
import site
import subprocess
import sys
import time

from reaper_python import *  # noqa: F403 - REAPER's API; every module REAPER runs imports it itself

CONFIG_NAME = "reaper_assist.json"
LOG_NAME = "reaper_assist.log"
EXT_SECTION = "reaper_assist"
LAST_RUN_KEY = "last_run"
REPLY_TIMEOUT_S = 3.0
START_TIMEOUT_S = 8.0


class LaunchError(Exception):
    """A failure to tell the user about (and to record as the action's last run)."""


def _wire():
    """reaper-assist's own endpoint and companion protocol, from the site folders install recorded
    (the same code the companion runs: one implementation of the directory checks and the handshake)."""
    try:
        from reaper_assist.bridge import endpoint
        from reaper_assist.companion import protocol
    except ImportError as exc:
        raise LaunchError("REAPER's Python cannot import reaper_assist (%s); run `reaper-assist install` again "
                          "with the Python that has it" % exc) from None
    return endpoint, protocol


def _request(resource, token, msg, timeout_s=REPLY_TIMEOUT_S):
    """The companion's reply to ``msg``; ConnectionRefusedError/FileNotFoundError when nothing listens."""
    endpoint, protocol = _wire()
    try:
        return protocol.request(resource, token, msg, timeout_s=timeout_s)
    except endpoint.EndpointMissing:
        raise ConnectionRefusedError("the companion is not running") from None
    except endpoint.EndpointError as exc:
        raise LaunchError(str(exc)) from None
    except protocol.ProtocolError as exc:
        raise LaunchError("the companion refused this install's token, or could not prove it holds it (%s); "
                          "run `reaper-assist install` again" % exc) from None


def _log_tail(resource, n=3):
    try:
        with open(os.path.join(resource, LOG_NAME), "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 4000))
            lines = [ln for ln in f.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return " | ".join(lines[-n:])
    except OSError:
        return ""


def _start_companion(cfg, resource):
    python = cfg.get("python") or ""
    if not python or not os.path.isfile(python):
        raise LaunchError("cannot start the companion: the Python recorded at install time (%r) does not "
                          "exist; run `reaper-assist install` again with that Python" % python)
    cmd = [python, "-m", "reaper_assist.companion", "--resource-path", resource]
    kwargs = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "close_fds": True}
    if os.name == "nt":
        kwargs["creationflags"] = (getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
                                   | getattr(subprocess, "CREATE_NO_WINDOW", 0))
    else:
        kwargs["start_new_session"] = True  # outlives the script, untouched by REAPER's signals
    try:
        log = open(os.path.join(resource, LOG_NAME), "ab")
    except OSError:
        log = subprocess.DEVNULL
    try:
        proc = subprocess.Popen(cmd, stderr=log, **kwargs)
    except OSError as exc:
        raise LaunchError("cannot start the companion with %s: %s" % (python, exc)) from None
    finally:
        if log is not subprocess.DEVNULL:
            log.close()
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if _request(resource, str(cfg.get("token", "")), {"action": "ping"}, timeout_s=1.0).get("ok"):
                return
        except (OSError, ValueError):
            pass
        rc = proc.poll()
        if rc not in (None, 0):
            tail = _log_tail(resource)
            raise LaunchError("the companion (%s) exited with code %s at start%s" % (
                python, rc, (": " + tail) if tail else "; see " + os.path.join(resource, LOG_NAME)))
        time.sleep(0.05)
    raise LaunchError("the companion did not answer within %.0f s after starting; see %s"
                      % (START_TIMEOUT_S, os.path.join(resource, LOG_NAME)))


def _record_error(ns, action, message):
    record = {"action": action, "status": "error", "message": message, "tracks": [],
              "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "source": "action script"}
    try:
        ns["RPR_SetProjExtState"](0, EXT_SECTION, LAST_RUN_KEY, json.dumps(record))
    except Exception:  # noqa: BLE001 - the console message below still tells the user
        pass


# the actions that need a reference file (= reaper_assist.app.registry.REFERENCE_ACTIONS)
REFERENCE_ACTIONS = ("match-reference", "ab-reference")


def ask_reference(action):
    """The reference file of ``action`` from the project's settings (ExtState reaper_assist/settings,
    ``{action: {"reference": [FILE]}}``); with none set, asks for one (REAPER's file dialog) and
    keeps it there. False when the user cancels."""
    ok, _, _, _, text, _ = RPR_GetProjExtState(0, EXT_SECTION, "settings", "", 1 << 20)  # noqa: F405
    settings = json.loads(text) if ok and text else {}
    mine = settings.setdefault(action, {})
    if mine.get("reference"):
        return True
    r = RPR_GetUserFileNameForRead("", "reaper-assist: the reference file", "wav")  # noqa: F405
    if not r[0]:
        return False
    mine["reference"] = [r[1]]
    RPR_SetProjExtState(0, EXT_SECTION, "settings", json.dumps(settings))  # noqa: F405
    return True


def run(action, ns=None):
    """Send ``action`` for the selected tracks of the current project (``ns``: unused, kept for the
    action scripts of older installs)."""
    ns = {"RPR_SetProjExtState": RPR_SetProjExtState}  # noqa: F405
    show = RPR_ShowConsoleMsg  # noqa: F405
    record = True
    try:
        resource = str(RPR_GetResourcePath())  # noqa: F405
        add_site_paths(resource)
        project = ""
        try:
            project = str(RPR_EnumProjects(-1, "", 4096)[2] or "")  # noqa: F405
        except Exception:  # noqa: BLE001 - an unsaved project is sent as ""
            pass
        path = os.path.join(resource, CONFIG_NAME)
        try:
            with open(path, encoding="utf-8") as f:
                cfg = json.load(f)
            token = str(cfg["token"])
        except FileNotFoundError:
            raise LaunchError("reaper-assist is not installed in this REAPER (%s is missing); "
                              "run `reaper-assist install`" % path) from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LaunchError("cannot read %s (%s); run `reaper-assist install` again" % (path, exc)) from None
        if action in REFERENCE_ACTIONS and not ask_reference(action):
            return  # the user cancelled the file dialog: nothing to run, nothing failed
        msg = {"action": action, "selection": "selected", "project": project}
        try:
            reply = _request(resource, token, msg)
        except (ConnectionRefusedError, FileNotFoundError):
            _start_companion(cfg, resource)
            try:
                reply = _request(resource, token, msg)
            except (OSError, ValueError) as exc:
                raise LaunchError("cannot reach the companion after starting it: %s" % exc) from None
        except (OSError, ValueError) as exc:
            raise LaunchError("cannot reach the companion: %s" % exc) from None
        status = reply.get("status")
        if reply.get("ok"):
            if status == "queued":
                show("reaper-assist: %s\n" % reply.get("message", "queued"))
            return
        if status == "busy":
            record = False  # nothing ran and nothing failed: the user just tries again
        raise LaunchError("the companion refused %s: %s" % (action, reply.get("message", status)))
    except LaunchError as exc:
        message = str(exc)
    except Exception as exc:  # noqa: BLE001 - never a traceback in REAPER's face
        message = "unexpected error in the %s action script: %s: %s" % (action, type(exc).__name__, exc)
    show("reaper-assist: %s\n" % message)
    if record:
        _record_error(ns, action, message)


# ------------------------------------------------------------------------------------------------
# the bridge (reaper_assist_start_bridge.py)
# ------------------------------------------------------------------------------------------------
BRIDGE_COMMAND_ID = "RS_reaper_assist_start_bridge"  # = reaper_assist/install/startup.py
_STOPPED = ("from reaper_python import RPR_ShowConsoleMsg as _ra_show\n"
            "import runpy\n"
            "_ra_show('reaper-assist: the bridge stopped (its script was ended, or REAPER is closing); '\n"
            "         'the action \"reaper-assist: Start bridge\" starts it again\\n')\n"
            "runpy.run_path(%r)['set_bridge_toggle'](False)\n")


def add_site_paths(resource):
    """Put the site-packages folders install recorded on ``sys.path`` (``.pth`` files included, so
    editable installs work), before anything imports reaper_assist or reapy. Returns the added ones."""
    try:
        with open(os.path.join(resource, CONFIG_NAME), encoding="utf-8") as f:
            paths = json.load(f).get("site_paths") or []
    except (OSError, ValueError, AttributeError):
        return []
    added = []
    for p in paths:
        if isinstance(p, str) and p not in sys.path and os.path.isdir(p):
            site.addsitedir(p)
            added.append(p)
    return added


def _builtin(name):
    """A ReaScript built-in (``RPR_<name>``) if this REAPER has it: REAPER puts its built-ins into
    ``__main__`` (RPR_defer, RPR_atexit); newer ones may also be in reaper_python."""
    main = sys.modules.get("__main__")
    return getattr(main, "RPR_" + name, None) or globals().get("RPR_" + name)


def set_bridge_toggle(on):
    """Show in REAPER (toolbar button, action list) whether the bridge runs: the toggle state of the
    "Start bridge" action. ``get_action_context`` gives the running action's section and command
    where REAPER has it for Python; else the command is looked up by its id (section 0, main)."""
    section, cmd = 0, RPR_NamedCommandLookup("_" + BRIDGE_COMMAND_ID)  # noqa: F405
    context = _builtin("get_action_context")
    if context is not None:
        try:
            ctx = context()
            if str(ctx[1]).endswith("reaper_assist_start_bridge.py") and int(ctx[3]) > 0:
                section, cmd = int(ctx[2]), int(ctx[3])
        except Exception:  # noqa: BLE001, S110 - fall back to the looked-up command
            pass
    if cmd:
        RPR_SetToggleCommandState(section, cmd, 1 if on else 0)  # noqa: F405
        RPR_RefreshToolbar2(section, cmd)  # noqa: F405


def start_bridge():
    """Start reaper-assist's bridge in this REAPER (once; a second start leaves it alone)."""
    resource = str(RPR_GetResourcePath())  # noqa: F405
    add_site_paths(resource)
    import reaper_assist.bridge.start as bridge

    was_running = bridge.is_running()
    result = bridge.start()
    running = bridge.is_running()
    options = _builtin("set_action_options")  # REAPER 7 (Lua/EEL; Python: unknown); 4: toggle on, 8: off
    if options is not None:
        try:
            options(4 if running else 8)
        except Exception:  # noqa: BLE001, S110 - the toggle below still shows it
            pass
    set_bridge_toggle(running)
    if running and not was_running:
        # when this script instance ends (REAPER closing, or "Terminate" in REAPER's task control), the
        # bridge's own atexit stops it: say so, and show the toggle off
        _builtin("atexit")(_STOPPED % os.path.join(resource, "Scripts", "reaper-assist", "reaper_assist_launcher.py"))
    elif was_running:
        RPR_ShowConsoleMsg("reaper-assist: the bridge is already running (%s)\n" % result)  # noqa: F405
    return result
