"""The bridge server: reapy's wire protocol, one non-blocking step per REAPER defer cycle.

Each :meth:`BridgeServer.step` accepts new connections, reads what has arrived, and answers at most
one request per client, then returns to REAPER. A client that sends ``HOLD`` is served alone (like
reapy's server, so a batch cannot interleave with other clients or with the user's edits) until
``RELEASE``, but only for ``hold_slice_s`` per cycle: REAPER's main thread is never blocked longer
by one client; a holder silent for ``hold_timeout_s`` (or holding longer than ``hold_max_s``) is
disconnected. Nothing a client sends can end the server: every failure is answered or closes that
one connection, and a client that vanishes with an open undo block has it closed and undone.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import ipaddress
import secrets
import select
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reaper_assist.bridge import context, wire

PROTOCOL_VERSION = 1
HELLO = "RA_HELLO"
AUTH = "RA_AUTH"
MAX_AUTH_FAILURES = 3
READ_CHUNK = 1 << 16
MAX_ACCEPT_PER_STEP = 16


def auth_digest(token: str, nonce: str, address: str) -> str:
    """What a client sends to authenticate: HMAC-SHA256(token, nonce|address), hex."""
    return hmac.new(
        token.encode("utf-8"), f"{nonce}|{address}".encode(), hashlib.sha256
    ).hexdigest()


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@dataclass
class Client:
    sock: socket.socket
    address: tuple
    cid: int
    inbuf: bytearray = field(default_factory=bytearray)
    outbuf: bytearray = field(default_factory=bytearray)
    authenticated: bool = False
    nonce: str = ""
    auth_failures: int = 0
    hold_depth: int = 0
    hold_started: float = 0.0
    last_request: float = 0.0
    open_blocks: int = 0
    cleanups: list = field(default_factory=list)
    closed: bool = False
    requests: int = 0

    @property
    def peer(self) -> str:
        return str(self.address)  # reapy's greeting: "('127.0.0.1', 54321)"


@dataclass
class Limits:
    max_request_bytes: int = wire.DEFAULT_MAX_REQUEST_BYTES
    max_reply_bytes: int = wire.DEFAULT_MAX_REPLY_BYTES
    max_clients: int = 32
    hold_slice_s: float = 0.1
    hold_timeout_s: float = 5.0
    hold_max_s: float = 60.0


class BridgeServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 2306,
        *,
        token: str = "",
        api: Any = None,
        resource_path: str = "",
        require_token: bool = False,
        limits: Limits | None = None,
        console: Callable[[str], Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.host, self.token, self.api = host, token, api
        self.resource_path, self.require_token = resource_path, require_token
        self.limits = limits or Limits()
        self.console = console or (lambda text: None)
        self.clock = clock
        self.clients: dict[int, Client] = {}
        self.holder: Client | None = None
        self.stats = {
            "accepted": 0,
            "requests": 0,
            "results": 0,
            "errors": 0,
            "refused": 0,
            "malformed": 0,
            "dropped": 0,
            "rejected_peers": 0,
            "undone_blocks": 0,
            "aborted_applies": 0,
            "hold_timeouts": 0,
        }
        self._next_id = 0
        self._rotate = 0
        self.sock = self._listen(host, port)
        self.port = self.sock.getsockname()[1]

    # -- listening --------------------------------------------------------------------------------
    @staticmethod
    def _listen(host: str, port: int) -> socket.socket:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM)
        try:
            if hasattr(
                socket, "SO_EXCLUSIVEADDRUSE"
            ):  # Windows: SO_REUSEADDR would let others steal it
                s.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
            else:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
            s.listen(64)
            s.setblocking(False)
        except OSError:
            s.close()
            raise
        return s

    def close(self) -> None:
        for c in list(self.clients.values()):
            self._drop(c, "the bridge is stopping")
        try:
            self.sock.close()
        except OSError:
            pass

    # -- one defer cycle --------------------------------------------------------------------------
    def step(self) -> None:
        self._accept()
        if self.holder is not None:
            self._serve_holder(self.holder)
            return
        clients = list(self.clients.values())
        if not clients:
            return
        self._rotate = (self._rotate + 1) % len(clients)
        for c in clients[self._rotate :] + clients[: self._rotate]:
            if c.closed:
                continue
            self._read(c)
            if c.closed:
                continue
            self._flush(c)
            if c.outbuf or c.closed:
                continue  # backpressure: no new request until the last reply is out
            payload = self._next_frame(c)
            if payload is None:
                continue
            self._handle(c, payload)
            if self.holder is c:
                self._serve_holder(c)
                return  # the others wait for the next cycle

    def _accept(self) -> None:
        for _ in range(MAX_ACCEPT_PER_STEP):
            try:
                conn, address = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if is_loopback(self.host) and not is_loopback(address[0]):
                self.stats["rejected_peers"] += (
                    1  # cannot happen on a loopback socket; defence in depth
                )
                conn.close()
                continue
            if len(self.clients) >= self.limits.max_clients:
                self.stats["rejected_peers"] += 1
                conn.close()
                continue
            conn.setblocking(False)
            try:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
            self._next_id += 1
            c = Client(conn, address, self._next_id, last_request=self.clock())
            self.clients[c.cid] = c
            self.stats["accepted"] += 1
            self._send(c, c.peer.encode("ascii", "replace"))

    # -- bytes in and out -------------------------------------------------------------------------
    def _read(self, c: Client) -> None:
        budget = self.limits.max_request_bytes + wire.HEADER_BYTES
        while len(c.inbuf) < budget:
            try:
                chunk = c.sock.recv(READ_CHUNK)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self._drop(c, f"connection error: {exc}")
                return
            if not chunk:
                self._drop(c, "the client disconnected")
                return
            c.inbuf += chunk

    def _next_frame(self, c: Client) -> bytes | None:
        if len(c.inbuf) < wire.HEADER_BYTES:
            return None
        n = int.from_bytes(c.inbuf[: wire.HEADER_BYTES], "little")
        if n == 0:  # reapy's client sends nothing like it; the stock server treats it as goodbye
            self._drop(c, "empty frame")
            return None
        if n > self.limits.max_request_bytes:
            self.stats["malformed"] += 1
            self._send(
                c,
                wire.encode_reply(
                    wire.error_reply(
                        f"a request of {n} bytes is over the limit of {self.limits.max_request_bytes}; closing"
                    ),
                    max_bytes=self.limits.max_reply_bytes,
                ),
            )
            self._flush(c)
            self._drop(c, "oversized request")
            return None
        if len(c.inbuf) < wire.HEADER_BYTES + n:
            return None
        payload = bytes(c.inbuf[wire.HEADER_BYTES : wire.HEADER_BYTES + n])
        del c.inbuf[: wire.HEADER_BYTES + n]
        return payload

    def _send(self, c: Client, payload: bytes) -> None:
        if c.closed:
            return
        c.outbuf += wire.frame(payload)
        if len(c.outbuf) > 2 * self.limits.max_reply_bytes:
            self._drop(c, "the client does not read its replies")
            return
        self._flush(c)

    def _flush(self, c: Client) -> None:
        while c.outbuf and not c.closed:
            try:
                n = c.sock.send(c.outbuf)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self._drop(c, f"connection error: {exc}")
                return
            del c.outbuf[:n]

    # -- requests ---------------------------------------------------------------------------------
    def _handle(self, c: Client, payload: bytes) -> None:
        c.last_request = self.clock()
        c.requests += 1
        self.stats["requests"] += 1
        locked = self.require_token and not c.authenticated
        try:
            req = wire.decode_request(
                payload, authenticated=c.authenticated, may_import=c.authenticated, locked=locked
            )
            if locked and req["function"] not in (HELLO, AUTH):
                raise wire.RefusedError(
                    "this bridge requires the reaper-assist token: authenticate first"
                )
        except wire.RefusedError as exc:
            self.stats["refused"] += 1
            if self.stats["refused"] <= 20:
                self.console(f"reaper-assist bridge: refused a request from {c.peer}: {exc}\n")
            self._reply(c, wire.error_reply(str(exc)))
            return
        except (ValueError, RecursionError, TypeError) as exc:
            self.stats["malformed"] += 1
            self._reply(c, wire.error_reply(f"malformed request: {exc}"))
            return
        except Exception as exc:  # noqa: BLE001 - e.g. a reapy class constructor failing
            self.stats["errors"] += 1
            self._reply(c, wire.error_reply(f"bad request: {type(exc).__name__}: {exc}"))
            return
        fn = req["function"]
        if isinstance(fn, str):
            self._reply(c, self._builtin(c, fn, req["args"]))
            return
        if not callable(fn):
            self.stats["malformed"] += 1
            self._reply(c, wire.error_reply("'function' is neither a request name nor a callable"))
            return
        previous = context.set_current(c)
        try:
            reply = wire.result_reply(fn(*req["args"], **req["kwargs"]))
            self.stats["results"] += 1
        except (Exception, SystemExit):  # noqa: BLE001 - reported to the client, never raised in REAPER
            self.stats["errors"] += 1
            reply = {"type": "error", "traceback": traceback.format_exc()}
        finally:
            context.set_current(previous)
        self._reply(c, reply)

    def _reply(self, c: Client, reply: dict[str, Any]) -> None:
        self._send(c, wire.encode_reply(reply, max_bytes=self.limits.max_reply_bytes))

    def _builtin(self, c: Client, name: str, args: list[Any]) -> dict[str, Any]:
        now = self.clock()
        if name == "HOLD":
            c.hold_depth += 1
            if c.hold_depth == 1:
                c.hold_started = now
            self.holder = c
            return wire.result_reply(None)
        if name == "RELEASE":
            if c.hold_depth > 0:
                c.hold_depth -= 1
            if c.hold_depth == 0 and self.holder is c:
                self.holder = None
            return wire.result_reply(None)
        if name == HELLO:
            c.nonce = secrets.token_hex(16)
            return wire.result_reply(
                {
                    "bridge": "reaper-assist",
                    "protocol": PROTOCOL_VERSION,
                    "nonce": c.nonce,
                    "address": c.peer,
                    "resource_path": self.resource_path,
                    "authenticated": c.authenticated,
                    "token_required": self.require_token,
                }
            )
        if name == AUTH:
            digest = args[0] if args else None
            ok = (
                bool(self.token)
                and bool(c.nonce)
                and isinstance(digest, str)
                and hmac.compare_digest(digest, auth_digest(self.token, c.nonce, c.peer))
            )
            c.nonce = ""  # one attempt per nonce
            if ok:
                c.authenticated = True
                return wire.result_reply(True)
            c.auth_failures += 1
            self.stats["refused"] += 1
            if c.auth_failures >= MAX_AUTH_FAILURES:
                self._send(
                    c,
                    wire.encode_reply(wire.error_reply("wrong token; closing"), max_bytes=1 << 16),
                )
                self._flush(c)
                self._drop(c, "too many wrong tokens")
            return wire.error_reply(
                "wrong or missing reaper-assist token"
                if self.token
                else "this bridge has no token (reaper_assist.json missing): run reaper-assist install"
            )
        self.stats["malformed"] += 1
        return wire.error_reply(f"unknown request {name[:40]!r}")

    # -- a held batch -----------------------------------------------------------------------------
    def _serve_holder(self, c: Client) -> None:
        deadline = self.clock() + self.limits.hold_slice_s
        while self.holder is c and not c.closed:
            self._flush(c)
            if not c.outbuf:
                payload = self._next_frame(c)
                if payload is not None:
                    self._handle(c, payload)
                    continue
            if c.closed:
                break
            now = self.clock()
            if (
                now - c.last_request > self.limits.hold_timeout_s
                or now - c.hold_started > self.limits.hold_max_s
            ):
                self.stats["hold_timeouts"] += 1
                self._drop(c, f"held the bridge for {now - c.hold_started:.1f} s")
                break
            remaining = deadline - now
            if remaining <= 0:
                break
            try:
                r, _w, _x = select.select(
                    [c.sock], [c.sock] if c.outbuf else [], [], min(remaining, 0.005)
                )
            except (OSError, ValueError):
                self._drop(c, "connection error")
                break
            if r:
                self._read(c)

    # -- a client goes away -----------------------------------------------------------------------
    def _drop(self, c: Client, reason: str) -> None:
        if c.closed:
            return
        c.closed = True
        self.clients.pop(c.cid, None)
        self.stats["dropped"] += 1
        if self.holder is c:
            self.holder = None
        try:
            self._cleanup(c, reason)
        finally:
            try:
                c.sock.close()
            except OSError:
                pass

    def _cleanup(self, c: Client, reason: str) -> None:
        if not c.cleanups and not c.open_blocks:
            return
        previous = context.set_current(c)
        undone = False
        try:
            while c.cleanups:
                fn = c.cleanups.pop()
                try:
                    undone = bool(fn()) or undone
                    self.stats["aborted_applies"] += 1
                except Exception as exc:  # noqa: BLE001
                    self.console(f"reaper-assist bridge: clean-up failed: {exc}\n")
            if c.open_blocks and self.api is not None:
                marker = (
                    f"reaper-assist bridge: interrupted batch of {c.peer} #{secrets.token_hex(4)}"
                )
                while c.open_blocks > 0:
                    before = c.open_blocks
                    self.api.Undo_EndBlock2(0, marker, -1)
                    if c.open_blocks == before:  # not guarded: count down ourselves
                        c.open_blocks -= 1
                try:
                    top = self.api.Undo_CanUndo2(0)
                except AttributeError:  # NULL: nothing to undo
                    top = None
                if top == marker:
                    self.api.Undo_DoUndo2(0)
                undone = True
            c.open_blocks = 0
        finally:
            context.set_current(previous)
        if undone:
            self.stats["undone_blocks"] += 1
            self.console(
                f"reaper-assist bridge: {reason} ({c.peer}) in the middle of an undo block; "
                "its changes were undone\n"
            )


def errno_text(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return "the port is taken (another REAPER, python-reapy's own server, or another program)"
    if exc.errno in (errno.EADDRNOTAVAIL,):
        return "that address is not one of this computer's"
    return exc.strerror or str(exc)
