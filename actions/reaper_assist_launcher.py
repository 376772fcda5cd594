"""reaper-assist: the shared part of the action scripts (not an action itself).

Runs inside REAPER's Python with the standard library only: reads ``<resource>/reaper_assist.json``,
connects to the companion in the user's private directory for this resource folder (a Unix socket
in a 0700 directory, or a loopback port published in a 0600 file there: the same directory and
checks as ``reaper_assist/bridge/endpoint.py``), proves it holds the install's token and has the
companion prove it too (HMAC over both nonces and the connection: the token is never sent), then
sends ``{"action", "selection", "project"}`` as one JSON line, starting the companion first when
nothing answers (with the Python recorded at install time: inside REAPER ``sys.executable`` is
REAPER itself), and returns at once. Every failure becomes
a console message naming the cause and, when the companion cannot be reached or started, an
``error`` record in the project's ExtState (``reaper_assist`` / ``last_run``); never a traceback.
Keep the wire format in step with ``reaper_assist/companion/protocol.py``.

It also starts the bridge for ``reaper_assist_start_bridge.py`` (:func:`start_bridge`): REAPER's
embedded Python ignores a virtual environment's site-packages, so the folders install recorded
(``site_paths`` in reaper_assist.json) are added to ``sys.path`` first; the action's toggle state
shows whether the bridge runs.
"""

import hashlib
import hmac
import json
import os
import secrets
import site
import socket
import stat
import subprocess
import sys
import tempfile
import time

from reaper_python import *  # noqa: F403 - REAPER's API; every module REAPER runs imports it itself

CONFIG_NAME = "reaper_assist.json"
LOG_NAME = "reaper_assist.log"
EXT_SECTION = "reaper_assist"
LAST_RUN_KEY = "last_run"
CONNECT_TIMEOUT_S = 0.5
REPLY_TIMEOUT_S = 3.0
START_TIMEOUT_S = 8.0


class LaunchError(Exception):
    """A failure to tell the user about (and to record as the action's last run)."""


def _private_dir(resource):
    """The companion's directory (reaper_assist/bridge/endpoint.py's runtime_dir, without creating it)."""
    key = hashlib.sha256(os.path.realpath(os.path.abspath(resource)).encode("utf-8", "surrogateescape"))
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    xdg = os.environ.get("XDG_RUNTIME_DIR", "")
    if xdg and os.path.isabs(xdg) and not _not_private(xdg, uid):
        path = os.path.join(xdg, "reaper-assist-" + key.hexdigest()[:16])
    else:
        path = os.path.join(tempfile.gettempdir(), "reaper-assist-%s-%s" % (
            uid if uid is not None else "user", key.hexdigest()[:16]))
    problem = _not_private(path, uid)
    if problem:
        if problem.endswith("does not exist"):
            raise ConnectionRefusedError(problem)
        raise LaunchError("refusing the reaper-assist directory: " + problem)
    return path


def _not_private(path, uid):
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "%s does not exist" % path
    except OSError as exc:
        return "cannot inspect %s: %s" % (path, exc)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        return "%s is not a directory" % path
    if uid is not None and (st.st_uid != uid or st.st_mode & 0o077):
        return "%s is not private to this user (owner %d, mode %04o)" % (path, st.st_uid, stat.S_IMODE(st.st_mode))
    return ""


def _connect(resource):
    directory = _private_dir(resource)
    sock_path = os.path.join(directory, "companion.sock")
    if hasattr(socket, "AF_UNIX") and os.path.lexists(sock_path):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(CONNECT_TIMEOUT_S)
        try:
            s.connect(sock_path)
        except OSError:
            s.close()
            raise
        return s, "unix:" + sock_path
    try:
        with open(os.path.join(directory, "companion.port"), encoding="ascii") as f:
            port = int(f.read().strip())
    except FileNotFoundError:
        raise ConnectionRefusedError("the companion is not running")
    s = socket.create_connection(("127.0.0.1", port), timeout=CONNECT_TIMEOUT_S)
    local, peer = s.getsockname()[:2], s.getpeername()[:2]
    return s, "tcp:%s:%s->%s:%s" % (local[0], local[1], peer[0], peer[1])


def _proof(token, role, server_nonce, client_nonce, binding):
    msg = "\0".join((role, server_nonce, client_nonce, binding)).encode("utf-8", "surrogateescape")
    return hmac.new(token.encode("utf-8"), msg, hashlib.sha256).hexdigest()


def _line(s, limit=65536):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(1)
        if not chunk:
            break
        buf += chunk
        if len(buf) > limit:
            raise ValueError("the companion sent a message over %d bytes" % limit)
    msg = json.loads(buf.decode("utf-8") or "{}")
    if not isinstance(msg, dict):
        raise ValueError("the companion sent a reply that is not a JSON object")
    return msg


def _request(resource, token, msg, timeout_s=REPLY_TIMEOUT_S):
    s, binding = _connect(resource)
    try:
        s.settimeout(timeout_s)
        hello = _line(s, 512)
        nonce = hello.get("nonce")
        if hello.get("companion") != "reaper-assist" or not isinstance(nonce, str):
            raise LaunchError("what answers in the reaper-assist directory is not the companion")
        mine = secrets.token_hex(16)
        s.sendall(json.dumps({"nonce": mine, "proof": _proof(token, "launcher", nonce, mine, binding)}).encode() + b"\n")
        answer = _line(s, 512)
        if not hmac.compare_digest(str(answer.get("proof", "")), _proof(token, "companion", nonce, mine, binding)):
            raise LaunchError("the companion refused this install's token, or could not prove it holds it; "
                              "run `reaper-assist install` again")
        s.sendall(json.dumps(msg).encode("utf-8") + b"\n")
        return _line(s)
    finally:
        s.close()


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
        raise LaunchError("cannot start the companion with %s: %s" % (python, exc))
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


def run(action, ns=None):
    """Send ``action`` for the selected tracks of the current project (``ns``: unused, kept for the
    action scripts of older installs)."""
    ns = {"RPR_SetProjExtState": RPR_SetProjExtState}  # noqa: F405
    show = RPR_ShowConsoleMsg  # noqa: F405
    record = True
    try:
        resource = str(RPR_GetResourcePath())  # noqa: F405
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
                              "run `reaper-assist install`" % path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LaunchError("cannot read %s (%s); run `reaper-assist install` again" % (path, exc))
        msg = {"action": action, "selection": "selected", "project": project}
        try:
            reply = _request(resource, token, msg)
        except (ConnectionRefusedError, FileNotFoundError):
            _start_companion(cfg, resource)
            try:
                reply = _request(resource, token, msg)
            except (OSError, ValueError) as exc:
                raise LaunchError("cannot reach the companion after starting it: %s" % exc)
        except (OSError, ValueError) as exc:
            raise LaunchError("cannot reach the companion: %s" % exc)
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
