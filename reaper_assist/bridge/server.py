"""The bridge server: one non-blocking step per REAPER defer cycle.

Each :meth:`BridgeServer.step` reads what has arrived, answers at most one request per
authenticated client (round robin), closes connections that did not authenticate within
``auth_timeout_s``, and accepts new ones within the limits. A connection must complete the mutual
handshake of :mod:`reaper_assist.bridge.wire` before anything else it sends is decoded; until then
it may send one frame of at most ``MAX_AUTH_FRAME`` bytes, and any mistake closes it. Requests name
an operation of :mod:`reaper_assist.bridge.ops`; ``HOLD``/``RELEASE`` serve one client's batch
alone (other clients' read-only operations are still answered), for at most ``hold_max_s`` in all.

Limits: at most ``max_pending`` connections waiting to authenticate (``max_pending_per_peer`` from
one peer: a uid on a Unix socket, an address on TCP); a new one beyond that evicts the oldest
waiting one if it has waited a quarter of ``auth_timeout_s`` (else the newcomer is closed), so idle
sockets cannot hold the bridge and a handshake in progress is not cut short. Authenticated connections have their own
``max_clients`` slots that no unauthenticated connection can take. Nothing a client sends can end
the server; a client that vanishes in the middle of a transaction has it reverted.
"""

from __future__ import annotations

import secrets
import select
import socket
import struct
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reaper_assist.bridge import context, endpoint, ops, wire

READ_CHUNK = 1 << 16
MAX_ACCEPT_PER_STEP = 256  # drain the backlog: a flood must not keep the queue full
EVICT_GRACE = 0.25  # a waiting connection is safe from eviction for this share of auth_timeout_s
SERVICE = "bridge"
HOLD, RELEASE, STATS = "HOLD", "RELEASE", "stats"


@dataclass
class Client:
    sock: socket.socket
    peer: str  # the limit key: "uid:<n>" (Unix socket) or the address (TCP)
    cid: int
    accepted: float
    binding: str
    nonce: str
    inbuf: bytearray = field(default_factory=bytearray)
    outbuf: bytearray = field(default_factory=bytearray)
    authenticated: bool = False
    hold_depth: int = 0
    hold_started: float = 0.0
    last_request: float = 0.0
    waiting: tuple[str, dict[str, Any]] | None = None  # a request deferred until the hold ends
    open_blocks: int = 0
    cleanups: list = field(default_factory=list)
    closed: bool = False

    def __str__(self) -> str:
        return f"client #{self.cid} ({self.peer})"


@dataclass
class Limits:
    max_request_bytes: int = wire.DEFAULT_MAX_REQUEST_BYTES
    max_reply_bytes: int = wire.DEFAULT_MAX_REPLY_BYTES
    max_clients: int = 8  # authenticated connections
    max_pending: int = 64  # connections still authenticating (at most ~520 bytes buffered each)
    max_pending_per_peer: int = 48
    auth_timeout_s: float = 2.0
    hold_slice_s: float = 0.1
    hold_timeout_s: float = 2.0  # a holder silent this long is dropped (its transaction reverted)
    hold_max_s: float = 10.0  # the longest one HOLD may last in all


def _peer_key(conn: socket.socket, address: Any) -> tuple[str, bool]:
    """(limit key, allowed): on a Unix socket the peer's uid (only this user's are allowed)."""
    if conn.family == getattr(socket, "AF_UNIX", None):
        cred = getattr(socket, "SO_PEERCRED", None)
        if cred is None:
            return "unix", True
        _pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, cred, struct.calcsize("3i")))
        return f"uid:{uid}", uid == endpoint._uid()
    host = str(address[0])
    return host, host in ("127.0.0.1", "::1") or host.startswith("127.")


class BridgeServer:
    def __init__(self, directory: str, *, token: str, api: Any = None, resource_path: str = "",
                 limits: Limits | None = None, console: Callable[[str], Any] | None = None,
                 clock: Callable[[], float] = time.monotonic):
        if not token:
            raise ValueError("the bridge needs the per-install token (reaper_assist.json)")
        self.directory, self.token, self.api = directory, token, api
        self.resource_path = resource_path
        self.limits = limits or Limits()
        self.console = console or (lambda text: None)
        self.clock = clock
        self.clients: dict[int, Client] = {}
        self.holder: Client | None = None
        self.stats = dict.fromkeys((
            "accepted", "authenticated", "auth_failures", "auth_timeouts", "evicted", "turned_away", "rejected_peers",
            "requests", "results", "errors", "refused", "malformed", "dropped", "undone_blocks",
            "aborted_applies", "hold_timeouts", "peak_unauthenticated_bytes", "cycles"), 0)
        # requests per operation name (only the names the bridge knows: a client cannot grow it)
        self.by_op: dict[str, int] = {}
        self._next_id = 0
        self._rotate = 0
        self.sock = endpoint.listen(directory, SERVICE)
        self.address = self.sock.getsockname()

    def close(self) -> None:
        for c in list(self.clients.values()):
            self._drop(c, "the bridge is stopping")
        endpoint.unpublish(self.directory, SERVICE, self.sock)
        try:
            self.sock.close()
        except OSError:
            pass

    # -- one defer cycle --------------------------------------------------------------------------
    def step(self) -> None:
        self.stats["cycles"] += 1  # one per defer cycle: the defer loop's rate, as the bench reads it
        now = self.clock()
        clients = list(self.clients.values())
        if clients:
            self._rotate = (self._rotate + 1) % len(clients)
            clients = clients[self._rotate:] + clients[: self._rotate]
        for c in clients:  # first those already connected: a pending handshake completes before
            if c.closed:   # any new connection can evict it
                continue
            self._read(c)
            if c.closed:
                continue
            if not c.authenticated:
                self._handshake(c, now)
                continue
            if self.holder is c:
                continue  # served below, alone
            if self.holder is not None:
                self._serve_beside_holder(c)
                continue
            self._flush(c)
            if c.outbuf or c.closed:
                continue  # backpressure: no new request until the last reply is out
            self._serve_one(c)
        if self.holder is not None:
            self._serve_holder(self.holder)
        self._accept(now)
        pending = sum(len(c.inbuf) for c in self.clients.values() if not c.authenticated)
        self.stats["peak_unauthenticated_bytes"] = max(self.stats["peak_unauthenticated_bytes"], pending)

    # -- connections ------------------------------------------------------------------------------
    def _accept(self, now: float) -> None:
        for _ in range(MAX_ACCEPT_PER_STEP):
            try:
                conn, address = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            try:
                peer, allowed = _peer_key(conn, address)
                binding = endpoint.binding(conn, server=True)
            except OSError:
                conn.close()
                continue
            if not allowed:
                self.stats["rejected_peers"] += 1
                conn.close()
                continue
            pending = [c for c in self.clients.values() if not c.authenticated]
            if len(pending) >= min(self.limits.max_pending, self.limits.max_pending_per_peer):
                for c in pending:  # reap those already gone (a flood closes as fast as it opens)
                    self._read(c)
                pending = [c for c in pending if not c.closed]
            mine = [c for c in pending if c.peer == peer]
            full = mine if len(mine) >= self.limits.max_pending_per_peer else (
                pending if len(pending) >= self.limits.max_pending else None)
            if full is not None:
                oldest = min(full, key=lambda c: c.accepted)
                if now - oldest.accepted < EVICT_GRACE * self.limits.auth_timeout_s:
                    self.stats["turned_away"] += 1  # all young: the newcomer waits, not them
                    conn.close()
                    continue
                self._evict(oldest)
            conn.setblocking(False)
            self._next_id += 1
            c = Client(conn, peer, self._next_id, now, binding, secrets.token_hex(16))
            self.clients[c.cid] = c
            self.stats["accepted"] += 1
            greeting = {"bridge": "reaper-assist", "protocol": wire.PROTOCOL_VERSION, "nonce": c.nonce}
            self._send(c, wire.encode(greeting, max_bytes=wire.MAX_AUTH_FRAME))

    def _evict(self, c: Client) -> None:
        self.stats["evicted"] += 1
        self._drop(c, "evicted: too many connections waiting to authenticate")

    def _handshake(self, c: Client, now: float) -> None:
        payload = self._next_frame(c)
        if payload is None:
            if not c.closed and now - c.accepted > self.limits.auth_timeout_s:
                self.stats["auth_timeouts"] += 1
                self._drop(c, "did not authenticate in time")
            return
        try:
            msg = wire.decode_json(payload)
        except (ValueError, RecursionError):
            msg = None
        ok = (isinstance(msg, dict) and wire.is_nonce(msg.get("nonce"))
              and wire.proof_ok(wire.proof(self.token, "client", c.nonce, msg["nonce"], c.binding), msg.get("proof")))
        if not ok:
            self.stats["auth_failures"] += 1
            if self.stats["auth_failures"] <= 20:
                self.console(f"reaper-assist bridge: refused a connection that did not prove the token ({c.peer})\n")
            self._drop(c, "wrong proof")
            return
        server_nonce, c.nonce = c.nonce, ""
        if self._authenticated() >= self.limits.max_clients:
            for x in [x for x in self.clients.values() if x.authenticated]:
                self._read(x)  # reap those already gone before turning a client away
        if self._authenticated() >= self.limits.max_clients:
            self._send(c, wire.encode(wire.error_reply("refused", "too many clients"), max_bytes=4096))
            self._flush(c)
            self._drop(c, "too many authenticated clients")
            return
        c.authenticated, c.last_request = True, now
        self.stats["authenticated"] += 1
        answer = {"proof": wire.proof(self.token, "bridge", server_nonce, msg["nonce"], c.binding),
                  "resource_path": self.resource_path, "protocol": wire.PROTOCOL_VERSION}
        self._send(c, wire.encode(answer, max_bytes=4096))

    def _authenticated(self) -> int:
        return sum(1 for x in self.clients.values() if x.authenticated)

    # -- bytes in and out -------------------------------------------------------------------------
    def _budget(self, c: Client) -> int:
        return wire.HEADER_BYTES + (self.limits.max_request_bytes if c.authenticated else wire.MAX_AUTH_FRAME)

    def _read(self, c: Client) -> None:
        budget = self._budget(c)
        while len(c.inbuf) < budget:
            try:
                chunk = c.sock.recv(min(READ_CHUNK, budget - len(c.inbuf)))
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
        limit = self._budget(c) - wire.HEADER_BYTES
        if n == 0 or n > limit:
            self.stats["malformed"] += 1
            if c.authenticated:
                self._send(c, wire.encode(wire.error_reply(
                    "refused", f"a request of {n} bytes (limit {limit}); closing"), max_bytes=4096))
                self._flush(c)
            self._drop(c, "empty or oversized frame")
            return None
        if len(c.inbuf) < wire.HEADER_BYTES + n:
            return None
        payload = bytes(c.inbuf[wire.HEADER_BYTES: wire.HEADER_BYTES + n])
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
    def _parse(self, c: Client) -> tuple[str, dict[str, Any]] | None:
        if c.waiting is not None:
            return c.waiting
        payload = self._next_frame(c)
        if payload is None:
            return None
        try:
            return wire.decode_request(payload)
        except (ValueError, RecursionError) as exc:
            self.stats["malformed"] += 1
            self._reply(c, wire.error_reply("refused", f"malformed request: {exc}"))
            return None

    def _serve_one(self, c: Client) -> None:
        req = self._parse(c)
        if req is not None:
            c.waiting = None
            self._handle(c, *req)

    def _serve_beside_holder(self, c: Client) -> None:
        """While another client holds: answer this one's read-only operations, keep the rest."""
        self._flush(c)
        if c.outbuf or c.closed:
            return
        req = self._parse(c)
        if req is None:
            return
        spec = ops.OPS.get(req[0])
        if spec is not None and spec.reads_only:
            c.waiting = None
            self._handle(c, *req)
        else:
            c.waiting = req

    def _handle(self, c: Client, op: str, args: dict[str, Any]) -> None:
        c.last_request = self.clock()
        self.stats["requests"] += 1
        if op in ops.OPS or op in (HOLD, RELEASE, STATS):
            self.by_op[op] = self.by_op.get(op, 0) + 1
        if op in (HOLD, RELEASE, STATS):
            self._reply(c, self._builtin(c, op))
            return
        try:
            spec, valid = ops.prepare(op, args)
        except wire.RefusedError as exc:
            self.stats["refused"] += 1
            self._reply(c, wire.error_reply("refused", str(exc)))
            return
        previous = context.set_current(c)
        try:
            reply = wire.result_reply(spec.handler(self.api, **valid))
            self.stats["results"] += 1
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported to the client, never raised in REAPER
            self.stats["errors"] += 1
            kind = "stale" if type(exc).__name__ == "ApplyError" else "error"
            last = traceback.format_exception_only(type(exc), exc)[-1].strip()
            reply = wire.error_reply(kind, last)
        finally:
            context.set_current(previous)
        self._reply(c, reply)

    def _reply(self, c: Client, reply: dict[str, Any]) -> None:
        self._send(c, wire.encode(reply, max_bytes=self.limits.max_reply_bytes))

    def _builtin(self, c: Client, name: str) -> dict[str, Any]:
        if name == HOLD:
            c.hold_depth += 1
            if c.hold_depth == 1:
                c.hold_started = self.clock()
            self.holder = c
            return wire.result_reply(None)
        if name == RELEASE:
            if c.hold_depth > 0:
                c.hold_depth -= 1
            if c.hold_depth == 0 and self.holder is c:
                self.holder = None
            return wire.result_reply(None)
        return wire.result_reply({**self.stats, "clients": len(self.clients),
                                  "authenticated_clients": self._authenticated(), "by_op": dict(self.by_op)})

    # -- a held batch -----------------------------------------------------------------------------
    def _serve_holder(self, c: Client) -> None:
        deadline = self.clock() + self.limits.hold_slice_s
        while self.holder is c and not c.closed:
            self._flush(c)
            if not c.outbuf:
                req = self._parse(c)
                if req is not None:
                    self._handle(c, *req)
                    continue
            if c.closed:
                break
            now = self.clock()
            if now - c.last_request > self.limits.hold_timeout_s or now - c.hold_started > self.limits.hold_max_s:
                self.stats["hold_timeouts"] += 1
                self._drop(c, f"held the bridge for {now - c.hold_started:.1f} s")
                break
            remaining = deadline - now
            if remaining <= 0:
                break
            try:
                r, _w, _x = select.select([c.sock], [c.sock] if c.outbuf else [], [], min(remaining, 0.005))
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
                marker = f"reaper-assist bridge: interrupted batch of {c} #{secrets.token_hex(4)}"
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
            self.console(f"reaper-assist bridge: {reason} ({c}) in the middle of a change; its changes were undone\n")
