"""Which client the bridge is serving right now, and what to do if that client vanishes.

Functions run through the bridge (``reaper_assist.bridge.txn``) register clean-ups here; the undo
guard counts the undo blocks each client opens through ``reapy.reascript_api`` so the bridge can
close (and undo) the blocks of a client that disconnects in the middle of a batch. Outside the
bridge (python-reapy's own server, the in-process host) there is no current client and these are
no-ops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_current: Any = None  # the server's Client being served (set only around one request)


def current_client() -> Any:
    return _current


def set_current(client: Any) -> Any:
    global _current
    previous, _current = _current, client
    return previous


def on_disconnect(fn: Callable[[], Any]) -> Callable[[], Any] | None:
    """Run ``fn`` if the current client disconnects before :func:`forget` is called."""
    c = _current
    if c is None:
        return None
    c.cleanups.append(fn)
    return fn


def forget(fn: Callable[[], Any] | None) -> None:
    c = _current
    if c is not None and fn is not None and fn in c.cleanups:
        c.cleanups.remove(fn)


_GUARDED = ("Undo_BeginBlock", "Undo_BeginBlock2", "Undo_EndBlock", "Undo_EndBlock2")


def _make_guard(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    opening = "Begin" in name

    def guard(*args: Any) -> Any:
        c = _current
        r = original(*args)
        if c is not None:
            if opening:
                c.open_blocks += 1
            elif c.open_blocks > 0:
                c.open_blocks -= 1
        return r

    guard.__name__ = guard.__qualname__ = name
    guard._ra_original = original  # type: ignore[attr-defined]
    return guard


def install_undo_guard(api: Any) -> None:
    """Wrap the undo-block functions of ``reapy.reascript_api`` (idempotent)."""
    for name in _GUARDED:
        fn = getattr(api, name, None)
        if fn is not None and not hasattr(fn, "_ra_original"):
            setattr(api, name, _make_guard(name, fn))


def remove_undo_guard(api: Any) -> None:
    for name in _GUARDED:
        fn = getattr(api, name, None)
        if fn is not None and hasattr(fn, "_ra_original"):
            setattr(api, name, fn._ra_original)
