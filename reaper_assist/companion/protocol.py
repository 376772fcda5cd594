"""The request protocol between REAPER's action scripts and the companion.

The companion listens in the user's private directory for the resource folder, like the bridge
(:mod:`reaper_assist.bridge.endpoint`, service ``companion``: a Unix socket in a 0700 directory, or
a loopback port in a 0600 file there). One request per connection, each message a single line of
UTF-8 JSON (at most :data:`MAX_MESSAGE_BYTES`, newline-terminated)::

    <- {"companion": "reaper-assist", "nonce": Ns}
    -> {"nonce": Nc, "proof": HMAC(token, "launcher" | Ns | Nc | binding)}
    <- {"proof": HMAC(token, "companion" | Ns | Nc | binding)}    (or the connection is closed)
    -> {"action": "gain-stage", "selection": "selected", "project": "/x/song.RPP"}
    <- {"ok": true, "status": "accepted", "message": "..."}      (or "queued")
    <- {"ok": false, "status": "busy" | "refused" | "error", "message": "..."}
    -> {"action": "ping"}
    <- {"ok": true, "status": "pong", "pid": 1234, "busy": false}

Both sides prove they hold the per-install token, bound to both nonces and the connection
(:func:`reaper_assist.bridge.wire.proof`); the token never crosses the socket, and the action
script sends its request only to a companion that proved it. The reply comes at once (the job runs
afterwards), so the action script returns at once. ``actions/reaper_assist_launcher.py`` speaks
this protocol with the standard library only; keep them in step.
"""

from __future__ import annotations

import json
import secrets
import socket
from typing import Any

from reaper_assist.bridge import endpoint, wire

MAX_MESSAGE_BYTES = 64 * 1024
MAX_HANDSHAKE_BYTES = 512
PING = "ping"
SERVICE = "companion"


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
        chunk = sock.recv(1)
        if not chunk:
            if buf:
                return bytes(buf)  # tolerate a missing final newline
            raise ProtocolError("connection closed before a message arrived")
        if chunk == b"\n":
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


def serve_handshake(sock: socket.socket, token: str) -> bool:
    """The companion's side: greet, check the launcher's proof, prove ours. False: refused."""
    nonce = secrets.token_hex(16)
    sock.sendall(encode({"companion": "reaper-assist", "nonce": nonce}))
    msg = decode(read_line(sock, MAX_HANDSHAKE_BYTES))
    bind = endpoint.binding(sock, server=True)
    if not wire.is_nonce(msg.get("nonce")) or not wire.proof_ok(
            wire.proof(token, "launcher", nonce, msg["nonce"], bind), msg.get("proof")):
        return False
    sock.sendall(encode({"proof": wire.proof(token, "companion", nonce, msg["nonce"], bind)}))
    return True


def client_handshake(sock: socket.socket, token: str) -> None:
    """The launcher's side (also in actions/reaper_assist_launcher.py): ProtocolError unless the
    companion proves it holds ``token``."""
    hello = decode(read_line(sock, MAX_HANDSHAKE_BYTES))
    if hello.get("companion") != "reaper-assist" or not wire.is_nonce(hello.get("nonce")):
        raise ProtocolError("what answers in the reaper-assist directory is not the companion")
    mine = secrets.token_hex(16)
    bind = endpoint.binding(sock, server=False)
    sock.sendall(encode({"nonce": mine, "proof": wire.proof(token, "launcher", hello["nonce"], mine, bind)}))
    answer = decode(read_line(sock, MAX_HANDSHAKE_BYTES))
    if not wire.proof_ok(wire.proof(token, "companion", hello["nonce"], mine, bind), answer.get("proof")):
        raise ProtocolError("the companion could not prove it holds this install's token")


def request(resource_path: str, token: str, msg: dict[str, Any], *, timeout_s: float = 2.0) -> dict[str, Any]:
    """Send one message to the companion of ``resource_path`` and return its reply (OSError when
    nothing answers, ProtocolError when it is refused or not the companion)."""
    directory = endpoint.runtime_dir(resource_path)
    with endpoint.connect(directory, SERVICE, timeout_s=timeout_s) as s:
        s.settimeout(timeout_s)
        client_handshake(s, token)
        s.sendall(encode(msg))
        return decode(read_line(s))
