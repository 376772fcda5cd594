"""The bridge's wire format: frames, the mutual handshake, requests and replies.

Frame: an 8-byte little-endian length, then that many bytes of UTF-8 JSON (python-reapy's framing,
nothing else of reapy's protocol). A connection is, in order:

1. bridge -> client: ``{"bridge": "reaper-assist", "protocol": 2, "nonce": Ns}``;
2. client -> bridge: ``{"nonce": Nc, "proof": P_client}`` (at most :data:`MAX_AUTH_FRAME` bytes);
3. bridge -> client: ``{"proof": P_bridge, "resource_path": ..., "pid": ...}``, or the connection
   is closed;
4. then requests ``{"op": NAME, "args": {...}}``, each answered by ``{"type": "result", "value": V}``
   or ``{"type": "error", "kind": "refused" | "stale" | "error", "message": TEXT}``.

``P_x = HMAC-SHA256(token, x | Ns | Nc | binding)`` with ``x`` ``"client"`` or ``"bridge"`` and
``binding`` the connection as each side sees it (:func:`reaper_assist.bridge.endpoint.binding`):
each side proves it holds the per-install token, for this connection and these two fresh nonces;
the token never crosses the socket. Requests are plain JSON decoded without hooks: no client text
ever names a module, an attribute or a class (:mod:`reaper_assist.bridge.ops` is the closed set).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

PROTOCOL_VERSION = 2
HEADER_BYTES = 8
MAX_AUTH_FRAME = 512  # what an unauthenticated client may send: one handshake frame
DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_REPLY_BYTES = 64 * 1024 * 1024
NONCE_HEX = 32


class RefusedError(Exception):
    """A request the bridge will not run (reported to the client, never raised in REAPER)."""


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(HEADER_BYTES, "little") + payload


def proof(token: str, role: str, server_nonce: str, client_nonce: str, binding: str) -> str:
    msg = f"{role}\0{server_nonce}\0{client_nonce}\0{binding}".encode("utf-8", "surrogateescape")
    return hmac.new(token.encode("utf-8"), msg, hashlib.sha256).hexdigest()


def proof_ok(expected: str, got: Any) -> bool:
    return isinstance(got, str) and hmac.compare_digest(expected.encode(), got.encode("utf-8", "replace"))


def is_nonce(x: Any) -> bool:
    return isinstance(x, str) and len(x) == NONCE_HEX and all(c in "0123456789abcdef" for c in x)


def decode_json(payload: bytes) -> Any:
    """Plain JSON (ValueError / RecursionError on garbage); no object hooks."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8: {exc}") from None
    return json.loads(text)


def decode_request(payload: bytes) -> tuple[str, dict[str, Any]]:
    """(operation name, arguments) of one request; ValueError when it is not one."""
    msg = decode_json(payload)
    if not isinstance(msg, dict) or not isinstance(msg.get("op"), str):
        raise ValueError('a request is a JSON object {"op": NAME, "args": {...}}')  # noqa: TRY004 - malformed
    args = msg.get("args", {})
    if not isinstance(args, dict):
        raise ValueError("'args' must be a JSON object")  # noqa: TRY004 - one family: malformed
    return msg["op"], args


def encode_request(op: str, args: dict[str, Any]) -> bytes:
    return json.dumps({"op": op, "args": args}, allow_nan=False).encode("utf-8")


class _Encoder(json.JSONEncoder):
    """numpy scalars and arrays become numbers and lists; nothing else that is not JSON."""

    def default(self, x: Any) -> Any:
        if isinstance(x, (set, frozenset, tuple)):
            return list(x)
        if hasattr(x, "dtype"):
            tolist = getattr(x, "tolist", None)
            if callable(tolist):
                return tolist()
        return super().default(x)


def encode(msg: dict[str, Any], *, max_bytes: int) -> bytes:
    """A message as bytes; an unencodable or oversized reply becomes an error reply instead."""
    try:
        data = json.dumps(msg, cls=_Encoder).encode("utf-8")
    except (TypeError, ValueError, OverflowError, RecursionError, UnicodeEncodeError) as exc:
        what = type(msg.get("value")).__name__
        data = json.dumps(error_reply("error", f"the result ({what}) cannot be sent as JSON: {exc}")).encode()
    if len(data) > max_bytes:
        too_big = f"the result is {len(data)} bytes, over the limit of {max_bytes}"
        data = json.dumps(error_reply("error", too_big)).encode()
    return data


def error_reply(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "kind": kind, "message": f"reaper-assist bridge: {message}"}


def result_reply(value: Any) -> dict[str, Any]:
    return {"type": "result", "value": value}
