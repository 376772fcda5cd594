"""Start and run the bridge inside REAPER (what ``actions/reaper_assist_start_bridge.py`` calls).

:func:`start` reads ``<resource>/reaper_assist.json`` (the per-install token and the optional
``"bridge"`` limits), listens in the user's private directory for this resource folder
(:mod:`reaper_assist.bridge.endpoint`), and schedules :func:`tick` with REAPER's ``RPR_defer``
(``reaper_python``'s if it has one, else the host's built-in). Without a token it does not start:
there is no unauthenticated mode. Each tick first schedules the next one, so nothing a client does
can break the chain. The bridge is found only through the private directory; the ExtState
``reaper_assist/bridge`` says for people that it runs (pid, address) and is read by no client.

Settings (``"bridge"`` in reaper_assist.json, all optional; see :class:`~.server.Limits`)::

    {"max_request_bytes": 16777216, "max_reply_bytes": 67108864, "max_clients": 8,
     "max_pending": 64, "max_pending_per_peer": 48, "auth_timeout_s": 2.0,
     "hold_slice_s": 0.1, "hold_timeout_s": 2.0, "hold_max_s": 10.0}
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from reaper_assist.bridge import endpoint
from reaper_assist.bridge.server import BridgeServer, Limits

EXT_SECTION, EXT_KEY = "reaper_assist", "bridge"
_TICK = "import reaper_assist.bridge.start as _ra_bridge; _ra_bridge.tick()"
_EXIT = "import reaper_assist.bridge.start as _ra_bridge; _ra_bridge.stop()"

_SERVER: BridgeServer | None = None
_API: Any = None
_TICK_ERRORS = 0


def _rpr(name: str) -> Any:
    """``RPR_<name>`` of REAPER's ``reaper_python`` module (the API: ShowConsoleMsg)."""
    import reaper_python

    return getattr(reaper_python, "RPR_" + name)


def _builtin(name: str) -> Any:
    """A built-in of REAPER's Python host (``defer``, ``atexit``): ``reaper_python``'s if it has
    it, else the one the host puts into ``__main__`` (reascripthelp's "Built-In Function list":
    they are not in the generated reaper_python.py; see emulator/pyshim.py)."""
    import reaper_python

    fn = getattr(reaper_python, "RPR_" + name, None)
    return fn if fn is not None else getattr(sys.modules["__main__"], "RPR_" + name)


def _console(text: str) -> None:
    try:
        _rpr("ShowConsoleMsg")(text)
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
    except (OSError, ValueError, AttributeError) as exc:
        return "", {}, f"cannot read {path}: {exc}"


def limits_from(settings: dict[str, Any]) -> Limits:
    fields = Limits.__dataclass_fields__
    return Limits(**{k: type(getattr(Limits, k))(v) for k, v in settings.items() if k in fields})


def is_running() -> bool:
    """Whether the bridge serves in this REAPER (the "Start bridge" action's toggle state)."""
    return _SERVER is not None


def start() -> str:
    """Start the bridge once per REAPER session; returns what happened (also shown in the console)."""
    global _SERVER, _API
    if _SERVER is not None:
        return f"already running ({_SERVER.address})"
    import reapy.reascript_api as api  # inside REAPER: binds reaper_python, connects nowhere

    resource = str(api.GetResourcePath())
    token, settings, problem = read_settings(resource)
    if not problem and not token:
        problem = "reaper_assist.json has no token (run `reaper-assist install`)"
    if problem:
        msg = f"not started: {problem}"
        _console(f"reaper-assist: the bridge is {msg}\n")
        return msg
    try:
        directory = endpoint.runtime_dir(resource, create=True)
        server = BridgeServer(directory, token=token, api=api, resource_path=resource,
                              limits=limits_from(settings), console=_console)
    except (OSError, ValueError, TypeError) as exc:
        msg = f"cannot listen: {exc}"
        _console(f"reaper-assist: could not start the bridge: {msg}\n")
        return msg
    from reaper_assist.bridge import context

    context.install_undo_guard(api)
    _API, _SERVER = api, server
    # a status line for people (install/reaper_check.py); no client reads it: they use the directory
    api.SetExtState(EXT_SECTION, EXT_KEY, json.dumps({"pid": os.getpid(), "address": str(server.address)}), False)
    _builtin("atexit")(_EXIT)
    _builtin("defer")(_TICK)
    return f"listening on {server.address}"


def tick() -> None:
    global _TICK_ERRORS
    if _SERVER is None:
        return
    _builtin("defer")(_TICK)  # first: whatever happens below, the loop goes on
    try:
        _SERVER.step()
    except Exception as exc:  # noqa: BLE001 - a bug of ours must not stop the bridge
        _TICK_ERRORS += 1
        if _TICK_ERRORS <= 5:
            _console(f"reaper-assist bridge: internal error (still serving): {type(exc).__name__}: {exc}\n")


def stop() -> None:
    global _SERVER
    server, _SERVER = _SERVER, None
    if server is None:
        return
    server.close()
    try:
        from reaper_assist.bridge import context

        context.remove_undo_guard(_API)
        _API.DeleteExtState(EXT_SECTION, EXT_KEY, False)
    except Exception:  # noqa: BLE001, S110 - REAPER is closing
        pass
