"""Start and run the bridge inside REAPER (what ``actions/reaper_assist_start_bridge.py`` calls).

:func:`start` reads ``<resource>/reaper_assist.json`` (token and the optional ``"bridge"``
settings), listens, publishes the port in the ExtState ``reapy/server_port`` (so the unmodified
reapy client finds it through REAPER's web interface), and schedules :func:`tick` with REAPER's
``RPR_defer``. Each tick first schedules the next one, so nothing a client does can break the
chain (python-reapy's server stops for good when one request fails badly).

Settings (``"bridge"`` in reaper_assist.json, all optional)::

    {"host": "127.0.0.1", "port": 0, "require_token": false, "max_request_bytes": 16777216,
     "max_reply_bytes": 67108864, "max_clients": 32, "hold_slice_s": 0.1, "hold_timeout_s": 5.0}

``port`` 0 means reapy's ``REAPY_SERVER_PORT`` (2306). A ``host`` other than loopback is obeyed
only because the user wrote it, and warned about in the console every start.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from reaper_assist.bridge.server import BridgeServer, Limits, errno_text, is_loopback

EXT_SECTION = "reaper_assist"
EXT_KEY = "bridge"
_TICK = "import reaper_assist.bridge.start as _ra_bridge; _ra_bridge.tick()"
_EXIT = "import reaper_assist.bridge.start as _ra_bridge; _ra_bridge.stop()"

_SERVER: BridgeServer | None = None
_API: Any = None
_TICK_ERRORS = 0


def _console(text: str) -> None:
    try:
        if _API is not None:
            _API.ShowConsoleMsg(text)
        else:
            from reaper_python import RPR_ShowConsoleMsg  # REAPER puts no API name into __main__

            RPR_ShowConsoleMsg(text)
    except Exception:  # noqa: BLE001, S110 - there is nowhere else to say it
        pass


def read_settings(resource_path: str) -> tuple[str, dict[str, Any], str]:
    """(token, bridge settings, problem) from reaper_assist.json; never raises."""
    path = os.path.join(resource_path, "reaper_assist.json")
    try:
        with open(path, encoding="utf-8") as f:
            cfg = json.load(f)
        settings = cfg.get("bridge") or {}
        return str(cfg.get("token") or ""), settings if isinstance(settings, dict) else {}, ""
    except FileNotFoundError:
        return "", {}, f"{path} is missing (run `reaper-assist install`)"
    except (OSError, ValueError) as exc:
        return "", {}, f"cannot read {path}: {exc}"


def is_running() -> bool:
    """Whether the bridge serves in this REAPER (the "Start bridge" action's toggle state)."""
    return _SERVER is not None


def start() -> str:
    """Start the bridge once per REAPER session; returns what happened (also shown in the console)."""
    global _SERVER, _API
    if _SERVER is not None:
        return f"already running on port {_SERVER.port}"
    import reapy  # inside REAPER (__main__.obj): binds reaper_python, connects nowhere
    import reapy.config
    import reapy.reascript_api as api

    _API = api
    resource = str(api.GetResourcePath())
    token, settings, problem = read_settings(resource)
    if problem:
        _console(
            f"reaper-assist: the bridge runs without a token: {problem}; the companion cannot use it\n"
        )
    host = str(settings.get("host") or "127.0.0.1")
    port = int(settings.get("port") or reapy.config.REAPY_SERVER_PORT)
    limits = Limits(
        **{
            k: type(getattr(Limits, k))(settings[k])
            for k in Limits.__dataclass_fields__
            if k in settings
        }
    )
    if not is_loopback(host):
        _console(
            f"reaper-assist: WARNING: the bridge listens on {host}:{port} as reaper_assist.json asks; "
            'other computers can reach it. Remove "host" from the "bridge" settings to listen on '
            "127.0.0.1 only\n"
        )
    try:
        server = BridgeServer(
            host,
            port,
            token=token,
            api=api,
            resource_path=resource,
            require_token=bool(settings.get("require_token", False)),
            limits=limits,
            console=_console,
        )
    except OSError as exc:
        msg = f"cannot listen on {host}:{port}: {errno_text(exc)}"
        _console(f"reaper-assist: could not start the bridge: {msg}\n")
        return msg
    from reaper_assist.bridge import context

    context.install_undo_guard(api)
    _SERVER = server
    api.SetExtState("reapy", "server_port", str(server.port), False)
    api.SetExtState(
        EXT_SECTION, EXT_KEY, json.dumps({"port": server.port, "pid": os.getpid()}), False
    )
    main = sys.modules["__main__"]
    main.RPR_atexit(_EXIT)
    main.RPR_defer(_TICK)
    return f"listening on {host}:{server.port}"


def tick() -> None:
    global _TICK_ERRORS
    if _SERVER is None:
        return
    sys.modules["__main__"].RPR_defer(_TICK)  # first: whatever happens below, the loop goes on
    try:
        _SERVER.step()
    except Exception as exc:  # noqa: BLE001 - a bug of ours must not stop the bridge
        _TICK_ERRORS += 1
        if _TICK_ERRORS <= 5:
            _console(
                f"reaper-assist bridge: internal error (still serving): {type(exc).__name__}: {exc}\n"
            )


def stop() -> None:
    global _SERVER
    server, _SERVER = _SERVER, None
    if server is None:
        return
    server.close()
    try:
        from reaper_assist.bridge import context

        context.remove_undo_guard(_API)
        if str(_API.GetExtState("reapy", "server_port")) == str(server.port):
            _API.DeleteExtState("reapy", "server_port", False)
        _API.DeleteExtState(EXT_SECTION, EXT_KEY, False)
    except Exception:  # noqa: BLE001, S110 - REAPER is closing
        pass


def stats() -> dict[str, Any]:
    """The running bridge's counters (called by tests and the soak bench through the bridge)."""
    if _SERVER is None:
        return {}
    return {**_SERVER.stats, "port": _SERVER.port, "clients": len(_SERVER.clients)}
