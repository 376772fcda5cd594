"""The request protocol between REAPER's action scripts and the companion.

One request per TCP connection to ``127.0.0.1:<companion_port>``: a single line of UTF-8 JSON
(at most :data:`MAX_MESSAGE_BYTES`, newline-terminated), answered by a single JSON line::

    -> {"token": "...", "action": "gain-stage", "selection": "selected", "project": "/x/song.RPP"}
    <- {"ok": true, "status": "accepted", "message": "..."}      (or "queued")
    <- {"ok": false, "status": "busy" | "refused" | "error", "message": "..."}
    -> {"token": "...", "action": "ping"}
    <- {"ok": true, "status": "pong", "pid": 1234, "busy": false}

The reply comes at once (the job runs afterwards), so the action script returns at once. The action
scripts in ``actions/`` speak this protocol with the standard library only; keep them in step.
"""

from __future__ import annotations

import json
import socket
from typing import Any

MAX_MESSAGE_BYTES = 64 * 1024
PING = "ping"


class ProtocolError(ValueError):
    pass


def encode(msg: dict[str, Any]) -> bytes:
    data = json.dumps(msg, separators=(",", ":")).encode("utf-8") + b"\n"
    if len(data) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {len(data)} bytes exceeds the limit of {MAX_MESSAGE_BYTES}")
    return data


def read_line(sock: socket.socket, limit: int = MAX_MESSAGE_BYTES) -> bytes:
    """Read one newline-terminated line; raise ProtocolError past ``limit`` bytes."""
    buf = bytearray()
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            if buf:
                return bytes(buf)  # tolerate a missing final newline
            raise ProtocolError("connection closed before a message arrived")
        nl = chunk.find(b"\n")
        if nl >= 0:
            buf += chunk[:nl]
            if len(buf) > limit:
                raise ProtocolError(f"message exceeds the limit of {limit} bytes")
            return bytes(buf)
        buf += chunk
        if len(buf) > limit:
            raise ProtocolError(f"message exceeds the limit of {limit} bytes")


def decode(line: bytes) -> dict[str, Any]:
    try:
        msg = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"not a JSON message: {exc}") from None
    if not isinstance(msg, dict):
        raise ProtocolError("a message must be a JSON object")
    return msg


def request(port: int, msg: dict[str, Any], *, timeout_s: float = 2.0) -> dict[str, Any]:
    """Send one message to the companion on ``127.0.0.1:port`` and return its reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as s:
        s.sendall(encode(msg))
        return decode(read_line(s))
