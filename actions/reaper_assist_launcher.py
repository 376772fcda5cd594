"""reaper-assist: the shared part of the action scripts (not an action itself).

Runs inside REAPER's Python with the standard library only: reads ``<resource>/reaper_assist.json``,
sends ``{"token", "action", "selection", "project"}`` as one JSON line to the companion on
127.0.0.1, starting the companion first when nothing answers (with the Python recorded at install
time: inside REAPER ``sys.executable`` is REAPER itself), and returns at once. Every failure becomes
a console message naming the cause and, when the companion cannot be reached or started, an
``error`` record in the project's ExtState (``reaper_assist`` / ``last_run``); never a traceback.
Keep the wire format in step with ``reaper_assist/companion/protocol.py``.
"""

import json
import os
import socket
import subprocess
import time

CONFIG_NAME = "reaper_assist.json"
LOG_NAME = "reaper_assist.log"
EXT_SECTION = "reaper_assist"
LAST_RUN_KEY = "last_run"
CONNECT_TIMEOUT_S = 0.5
REPLY_TIMEOUT_S = 3.0
START_TIMEOUT_S = 8.0


class LaunchError(Exception):
    """A failure to tell the user about (and to record as the action's last run)."""


def _request(port, msg, timeout_s=REPLY_TIMEOUT_S):
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=CONNECT_TIMEOUT_S)
    try:
        s.settimeout(timeout_s)
        s.sendall(json.dumps(msg).encode("utf-8") + b"\n")
        buf = b""
        while b"\n" not in buf and len(buf) < 65536:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
    finally:
        s.close()
    reply = json.loads(buf.split(b"\n", 1)[0].decode("utf-8") or "{}")
    if not isinstance(reply, dict):
        raise ValueError("the companion sent a reply that is not a JSON object")
    return reply


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
    ping = {"token": cfg.get("token", ""), "action": "ping"}
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if _request(cfg["companion_port"], ping, timeout_s=1.0).get("ok"):
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


def run(action, ns):
    """Send ``action`` for the selected tracks of the current project; ``ns`` holds the RPR_* names."""
    show = ns.get("RPR_ShowConsoleMsg") or print
    record = True
    try:
        resource = str(ns["RPR_GetResourcePath"]())
        project = ""
        try:
            project = str(ns["RPR_EnumProjects"](-1, "", 4096)[2] or "")
        except Exception:  # noqa: BLE001 - an unsaved project is sent as ""
            pass
        path = os.path.join(resource, CONFIG_NAME)
        try:
            with open(path, encoding="utf-8") as f:
                cfg = json.load(f)
            port, token = int(cfg["companion_port"]), str(cfg["token"])
        except FileNotFoundError:
            raise LaunchError("reaper-assist is not installed in this REAPER (%s is missing); "
                              "run `reaper-assist install`" % path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LaunchError("cannot read %s (%s); run `reaper-assist install` again" % (path, exc))
        msg = {"token": token, "action": action, "selection": "selected", "project": project}
        try:
            reply = _request(port, msg)
        except ConnectionRefusedError:
            _start_companion(cfg, resource)
            try:
                reply = _request(port, msg)
            except (OSError, ValueError) as exc:
                raise LaunchError("cannot reach the companion on 127.0.0.1:%d after starting it: %s" % (port, exc))
        except (OSError, ValueError) as exc:
            raise LaunchError("cannot reach the companion on 127.0.0.1:%d: %s" % (port, exc))
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
