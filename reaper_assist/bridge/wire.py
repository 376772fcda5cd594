"""The reapy wire format and the bridge's rules for decoding requests and encoding replies.

Frame: an 8-byte little-endian length, then that many bytes of UTF-8 JSON (reapy
``tools/network/socket.py``). A request is ``{"function": F, "input": {"args": [...], "kwargs": {...}}}``
with ``F`` a string (``HOLD``, ``RELEASE``, or one of the bridge's own requests) or an encoded
callable ``{"__callable__": true, "module_name": M, "name": QUALNAME}``; a reply is
``{"type": "result", "value": V}`` or ``{"type": "error", "traceback": TEXT}``.

reapy's decoder imports any module and walks any attribute path a client names, which is remote
code execution (``builtins.eval``). :func:`resolve_callable` is the allow-list instead.
"""

from __future__ import annotations

import importlib
import json
import math
import sys
import types
from typing import Any

HEADER_BYTES = 8
DEFAULT_MAX_REQUEST_BYTES = (
    16 * 1024 * 1024
)  # reapy's get_samples sends [0]*n: ~2 MB per stereo second
DEFAULT_MAX_REPLY_BYTES = 64 * 1024 * 1024

ALLOWED_ROOTS = ("reapy", "reaper_assist")  # modules whose callables a client may name
TOKEN_ROOTS = ("reaper_assist",)  # ... of which these need the per-install token
# The ReaScript API itself: what reapy.reascript_api forwards (its functions live in these modules
# inside REAPER; the emulator's are made in reaper_assist.emulator.binding).
API_MODULES = ("reaper_python", "sws_python")
# ReaScript functions no unauthenticated client may call: they run programs.
DENIED_API = frozenset(
    {"ExecProcess", "CF_ShellExecute", "CF_LocateInExplorer", "BR_Win32_ShellExecute"}
)


class RefusedError(Exception):
    """A request the bridge will not run (reported to the client, never raised in REAPER)."""


class FrameError(Exception):
    """The byte stream is unusable (oversized or zero-length frame): the connection is closed."""


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(HEADER_BYTES, "little") + payload


def _root(name: str) -> str:
    return name.split(".", 1)[0]


def _module_allowed(name: str) -> bool:
    return _root(name) in ALLOWED_ROOTS


def resolve_callable(module_name: Any, name: Any, *, authenticated: bool, may_import: bool) -> Any:
    """The callable a request names, or :class:`RefusedError`.

    Rules: the module is ``reapy``/``reaper_assist`` or below (``reaper_assist`` needs the token), no
    ``__dunder__`` part anywhere (no ``__main__`` module, no ``__globals__``), every step of the
    attribute path is a class or function of an allowed module (so ``reapy.some_module.os.system``
    or ``reapy.tools.json.importlib.import_module`` resolve to nothing), and the final object is a
    function, method or class defined in an allowed module, or a ReaScript API function.
    """
    if not isinstance(module_name, str) or not isinstance(name, str) or not module_name or not name:
        raise RefusedError("a callable needs a module name and a name (strings)")
    parts = module_name.split(".")
    if not _module_allowed(module_name):
        raise RefusedError(
            f"refused: {module_name}.{name} is not a reapy or reaper_assist callable"
        )
    if any(not p.isidentifier() or p.startswith("__") for p in parts):
        raise RefusedError(f"refused: module {module_name!r}")
    if _root(module_name) in TOKEN_ROOTS and not authenticated:
        raise RefusedError(
            f"refused: {module_name}.{name} needs the reaper-assist token (authenticate first)"
        )
    attrs = name.split(".")
    if any(not a.isidentifier() or a.startswith("__") for a in attrs):
        raise RefusedError(f"refused: name {name!r}")
    module = sys.modules.get(module_name)
    if module is None:
        if not may_import:
            raise RefusedError(f"unknown module {module_name!r} (not loaded in REAPER)")
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # noqa: BLE001 - ImportError and whatever the module raises
            raise RefusedError(
                f"unknown module {module_name!r}: {type(exc).__name__}: {exc}"
            ) from None
    obj: Any = module
    for i, attr in enumerate(attrs):
        try:
            obj = getattr(obj, attr)
        except Exception:  # noqa: BLE001 - AttributeError or a failing property
            raise RefusedError(f"unknown function {module_name}.{name}") from None
        last = i == len(attrs) - 1
        if isinstance(obj, types.ModuleType):
            raise RefusedError(
                f"refused: {module_name}.{name} goes through module {obj.__name__!r}"
            )
        if not last and not isinstance(obj, (type, property)) and not _defined_here(obj):
            raise RefusedError(f"refused: {module_name}.{name}")
    if not callable(obj):
        raise RefusedError(f"{module_name}.{name} is not callable")
    origin = getattr(obj, "__module__", None) or ""
    if isinstance(obj, type) or _defined_here(obj):
        if not _module_allowed(origin):
            raise RefusedError(
                f"refused: {module_name}.{name} is defined in {origin or 'an unknown module'}"
            )
        if _root(origin) in TOKEN_ROOTS and not authenticated and _root(module_name) != "reapy":
            raise RefusedError(f"refused: {module_name}.{name} needs the reaper-assist token")
        if not authenticated and attrs[-1] in DENIED_API:
            raise RefusedError(
                f"refused: {attrs[-1]} runs programs; not for unauthenticated clients"
            )
        return obj
    if origin in API_MODULES and module_name == "reapy.reascript_api" and len(attrs) == 1:
        if not authenticated and attrs[0] in DENIED_API:
            raise RefusedError(
                f"refused: {attrs[0]} runs programs; not for unauthenticated clients"
            )
        return obj
    raise RefusedError(f"refused: {module_name}.{name} ({type(obj).__name__} from {origin or '?'})")


def _defined_here(obj: Any) -> bool:
    """A function/method/property accessor whose defining module is allowed."""
    if isinstance(obj, property):
        return True
    fn = getattr(obj, "__func__", obj)  # bound methods
    if isinstance(fn, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return _module_allowed(getattr(fn, "__module__", None) or "")
    return False


def decode_request(
    payload: bytes, *, authenticated: bool, may_import: bool, locked: bool = False
) -> dict[str, Any]:
    """Parse one request; raise ValueError (malformed) or RefusedError (not allowed).

    ``locked``: the client must authenticate before anything else (no callable, no reapy object)."""

    def hook(d: dict[str, Any]) -> Any:
        if locked and ("__callable__" in d or "__reapy__" in d):
            raise RefusedError("this bridge requires the reaper-assist token: authenticate first")
        if d.get("__callable__") is True:
            return resolve_callable(
                d.get("module_name"),
                d.get("name"),
                authenticated=authenticated,
                may_import=may_import,
            )
        if "__reapy__" in d:
            return _reapy_object(d)
        if d.get("__slice__") is True and isinstance(d.get("args"), list) and len(d["args"]) == 3:
            return slice(*d["args"])
        return d

    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the request is not UTF-8: {exc}") from None
    msg = json.loads(text, object_hook=hook)  # ValueError / RecursionError on garbage
    if not isinstance(msg, dict) or "function" not in msg:
        raise ValueError("a request is a JSON object with 'function' and 'input'")
    inp = msg.get("input")
    if inp is None:
        inp = {"args": [], "kwargs": {}}
    if not isinstance(inp, dict):
        raise ValueError("'input' must be an object with 'args' and 'kwargs'")  # noqa: TRY004 - malformed input, one family
    args, kwargs = inp.get("args", []), inp.get("kwargs", {})
    if (
        not isinstance(args, list)
        or not isinstance(kwargs, dict)
        or not all(isinstance(k, str) for k in kwargs)
    ):
        raise ValueError("'args' must be a list and 'kwargs' an object")
    return {"function": msg["function"], "args": args, "kwargs": kwargs}


def _reapy_object(d: dict[str, Any]) -> Any:
    """A reapy object (``{"__reapy__": true, "class": "Track", "args": [...], "kwargs": {...}}``),
    only of a class that reapy.core exports and defines."""
    cls_name, args, kwargs = d.get("class"), d.get("args", []), d.get("kwargs", {})
    if not isinstance(cls_name, str) or not cls_name.isidentifier() or cls_name.startswith("_"):
        raise RefusedError(f"refused: reapy class {cls_name!r}")
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise ValueError("a reapy object needs 'args' (list) and 'kwargs' (object)")  # noqa: TRY004
    core = sys.modules.get("reapy.core")
    cls = getattr(core, cls_name, None) if core is not None else None
    if not isinstance(cls, type) or not _root(getattr(cls, "__module__", "")) == "reapy":
        raise RefusedError(f"refused: {cls_name!r} is not a reapy class")
    return cls(*args, **kwargs)


class _Encoder(json.JSONEncoder):
    def default(self, x: Any) -> Any:
        if hasattr(x, "_to_dict") and callable(x._to_dict):  # reapy objects
            return x._to_dict()
        if isinstance(x, slice):
            return {"__slice__": True, "args": (x.start, x.stop, x.step)}
        if isinstance(x, (set, frozenset)):
            return list(x)
        item = getattr(x, "item", None)  # numpy scalars
        if callable(item) and hasattr(x, "dtype") and getattr(x, "shape", None) == ():
            v = item()
            if isinstance(v, (bool, int, float, str)) or v is None:
                return v
        tolist = getattr(x, "tolist", None)  # numpy arrays
        if callable(tolist) and hasattr(x, "dtype"):
            return tolist()
        if (
            callable(x)
            and isinstance(getattr(x, "__module__", None), str)
            and hasattr(x, "__qualname__")
        ):
            return {"__callable__": True, "module_name": x.__module__, "name": x.__qualname__}
        return super().default(x)


def encode_reply(reply: dict[str, Any], *, max_bytes: int) -> bytes:
    """The reply as bytes; an unencodable or oversized value becomes an error reply instead."""
    try:
        data = json.dumps(reply, cls=_Encoder).encode("utf-8")
    except (TypeError, ValueError, OverflowError, RecursionError, UnicodeEncodeError) as exc:
        what = type(reply.get("value")).__name__
        data = json.dumps(
            error_reply(f"the result ({what}) cannot be sent as JSON: {type(exc).__name__}: {exc}")
        ).encode()
    if len(data) > max_bytes:
        data = json.dumps(
            error_reply(f"the result is {len(data)} bytes, over the bridge's limit of {max_bytes}")
        ).encode()
    return data


def error_reply(message: str) -> dict[str, Any]:
    # reapy's client raises DistError(traceback); the last line is what people read
    return {"type": "error", "traceback": f"reaper-assist bridge: {message}\n"}


def result_reply(value: Any) -> dict[str, Any]:
    if isinstance(value, float) and not math.isfinite(value):
        return {"type": "result", "value": value}  # JSON NaN/Infinity: reapy's json accepts them
    return {"type": "result", "value": value}
