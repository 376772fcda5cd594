"""A Host on a running REAPER (or the emulator process) through reaper-assist's bridge.

The bridge is found only through this user's private directory for the REAPER resource folder
(:mod:`reaper_assist.bridge.endpoint`: a Unix socket in a 0700 directory, or a loopback port
published in a 0600 file there), never through REAPER's web interface or reapy's ExtState. Each
connection starts with the mutual handshake of :mod:`reaper_assist.bridge.wire`: this side proves
it holds the per-install token and refuses to send anything until the bridge has proved it too,
for this connection and both nonces. Every method is one named operation of
:mod:`reaper_assist.bridge.ops`; an apply is one held batch (HOLD, ``txn_begin``, ``txn_steps``...,
``txn_commit``, RELEASE), so if this process or its connection dies halfway the bridge reverts what
was written. Adds one lock, a timeout on every request, :meth:`ReapyHost.reconnect` after REAPER
restarts, and errors that say what is wrong. Imports no reapy.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from reaper_assist.bridge import endpoint, heard, insertion, wire
from reaper_assist.bridge.budget import chunks
from reaper_assist.errors import HostError, HostUnavailableError, StaleReferenceError
from reaper_assist.host.base import ApplyResult, ProjectState

CONFIG_NAME = "reaper_assist.json"


def read_token(resource_path: str) -> str:
    try:
        with open(os.path.join(resource_path, CONFIG_NAME), encoding="utf-8") as f:
            return str(json.load(f).get("token") or "")
    except (OSError, ValueError, AttributeError):
        return ""


def default_resource_path() -> str:
    from reaper_assist.reaper_paths import detect_resource_path

    found = detect_resource_path()
    if found is None:
        raise HostUnavailableError("no REAPER resource folder found on this machine; pass --resource-path")
    return str(found)


class _TurnedAway(Exception):
    """The bridge closed the connection before greeting it (all handshake slots busy)."""


class _Connection:
    """One authenticated connection: frames of :mod:`reaper_assist.bridge.wire`."""

    def __init__(self, sock: socket.socket, token: str, timeout_s: float):
        self.sock = sock
        sock.settimeout(timeout_s)
        try:
            greeting = self._recv_json(wire.MAX_AUTH_FRAME)
        except (ConnectionResetError, BrokenPipeError):
            raise _TurnedAway() from None  # closed before the greeting: no slot for now
        if not isinstance(greeting, dict) or greeting.get("bridge") != "reaper-assist" \
                or not wire.is_nonce(greeting.get("nonce")):
            raise HostUnavailableError("what answers in the reaper-assist directory is not reaper-assist's bridge")
        if greeting.get("protocol") != wire.PROTOCOL_VERSION:
            raise HostUnavailableError(f"the bridge speaks protocol {greeting.get('protocol')!r}, this "
                                       f"reaper-assist {wire.PROTOCOL_VERSION}: restart REAPER after updating")
        bind = endpoint.binding(sock, server=False)
        mine = secrets.token_hex(16)
        self._send_json({"nonce": mine, "proof": wire.proof(token, "client", greeting["nonce"], mine, bind)})
        try:
            answer = self._recv_json(4096)
        except (ConnectionError, OSError):
            raise HostUnavailableError("the bridge refused the token: the companion and REAPER's bridge come from "
                                       "different installs; run `reaper-assist install` and restart REAPER") from None
        expected = wire.proof(token, "bridge", greeting["nonce"], mine, bind)
        if not isinstance(answer, dict) or not wire.proof_ok(expected, answer.get("proof")):
            raise HostUnavailableError("the bridge could not prove it holds this install's token: "
                                       "refusing to talk to it")
        self.info = answer

    def _recv_exact(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(min(n - len(buf), 1 << 20))
            if not chunk:
                raise ConnectionResetError("REAPER closed the connection")
            buf += chunk
        return bytes(buf)

    def _recv_json(self, limit: int) -> Any:
        n = int.from_bytes(self._recv_exact(wire.HEADER_BYTES), "little")
        if n > limit:
            raise ConnectionError(f"a reply of {n} bytes is over the limit of {limit}")
        return wire.decode_json(self._recv_exact(n))

    def _send_json(self, msg: dict[str, Any]) -> None:
        self.sock.sendall(wire.frame(json.dumps(msg).encode()))

    def request(self, op: str, args: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        self.sock.settimeout(timeout_s)
        self.sock.sendall(wire.frame(wire.encode_request(op, args)))
        reply = self._recv_json(2 * wire.DEFAULT_MAX_REPLY_BYTES)
        if not isinstance(reply, dict) or reply.get("type") not in ("result", "error"):
            raise ConnectionError("REAPER sent something that is not a bridge reply")
        return reply

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class ReapyHost:
    """Parameters
    ----------
    resource_path : the REAPER resource folder whose bridge to use (default: the one found on this
        machine, as ``reaper-assist install`` finds it).
    token : the per-install token; by default read from that folder's ``reaper_assist.json``.
    timeout_s : the longest wait for any one reply.
    """

    def __init__(self, resource_path: str | os.PathLike | None = None, *, token: str | None = None,
                 timeout_s: float = 30.0, connect_timeout_s: float = 5.0):
        self.resource_path = str(resource_path) if resource_path is not None else default_resource_path()
        self._token = token
        self.timeout_s, self.connect_timeout_s = timeout_s, connect_timeout_s
        self._lock = threading.RLock()  # one request at a time; an apply holds it throughout
        self._conn: _Connection | None = None
        self.bridge: dict[str, Any] | None = None  # the bridge's handshake answer
        self.round_trips = 0
        self._held = False  # inside batch(): this connection holds the bridge
        self._connect()

    # -- connecting -------------------------------------------------------------------------------
    def _connect(self) -> None:
        token = self._token if self._token is not None else read_token(self.resource_path)
        if not token:
            raise HostUnavailableError(f"no reaper-assist token for {self.resource_path} (reaper_assist.json "
                                       "missing or unreadable): run `reaper-assist install`")
        deadline = time.monotonic() + self.connect_timeout_s
        while True:
            sock = self._open_socket()
            try:
                conn = _Connection(sock, token, self.connect_timeout_s)
                break
            except _TurnedAway:
                sock.close()  # every handshake slot was taken by young connections: try again shortly
                if time.monotonic() > deadline:
                    raise HostUnavailableError("REAPER's bridge is turning connections away (too many others "
                                               "are connecting)") from None
                time.sleep(0.02)
            except TimeoutError:
                sock.close()
                raise HostUnavailableError("REAPER's bridge accepted but does not answer (is REAPER frozen?)") from None
            except (OSError, ValueError) as exc:
                sock.close()
                raise HostUnavailableError(f"lost the connection to REAPER's bridge during the handshake: {exc}") from None
            except HostUnavailableError:
                sock.close()
                raise
        self._conn, self.bridge = conn, conn.info

    def _open_socket(self) -> socket.socket:
        try:
            directory = endpoint.runtime_dir(self.resource_path)
            return endpoint.connect(directory, "bridge", timeout_s=self.connect_timeout_s)
        except endpoint.EndpointError as exc:
            if "does not exist" in str(exc):
                raise HostUnavailableError(self._not_running()) from None
            raise HostUnavailableError(str(exc)) from None
        except (ConnectionRefusedError, FileNotFoundError):
            raise HostUnavailableError(self._not_running()) from None
        except OSError as exc:
            raise HostUnavailableError(f"cannot connect to REAPER's bridge: {exc}") from None

    def _not_running(self) -> str:
        return (f"REAPER's bridge is not running for {self.resource_path}: start REAPER (reaper-assist's "
                "start-up starts it) or run the action 'reaper-assist: Start bridge'")

    def reconnect(self) -> None:
        """Drop the connection and make a new one (after REAPER restarted)."""
        with self._lock:
            self.close()
            self._connect()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @property
    def connected(self) -> bool:
        return self._conn is not None

    # -- requests ---------------------------------------------------------------------------------
    def _send(self, op: str, **args: Any) -> Any:
        """One request on the current connection; a dead or silent connection is closed (never
        retried: the request may have run)."""
        with self._lock:
            if self._conn is None:
                self._connect()  # nothing was sent yet: safe to connect now
            assert self._conn is not None
            self.round_trips += 1
            try:
                reply = self._conn.request(op, args, self.timeout_s)
            except TimeoutError:
                self.close()
                raise HostUnavailableError(f"REAPER did not answer within {self.timeout_s:g} s (is it busy or "
                                           "frozen?); the connection was closed") from None
            except (OSError, ConnectionError, ValueError) as exc:
                self.close()
                raise HostUnavailableError(f"lost the connection to REAPER: {exc}") from exc
        if reply["type"] == "result":
            return reply.get("value")
        message = str(reply.get("message") or "unknown error")
        if reply.get("kind") == "stale":
            raise StaleReferenceError(message.split(":", 2)[-1].strip())
        if reply.get("kind") == "refused":
            raise HostError(f"REAPER's bridge refused the request: {message.split(':', 1)[-1].strip()}")
        raise HostError(f"REAPER reported an error: {message.split(':', 1)[-1].strip()}")

    def read_state(self, *, track_guids=None, selected_only=False, with_items=True, with_fx=True,
                   master=False, index_range=None, ext=None) -> ProjectState:
        return ProjectState.from_dict(self._send(
            "read_state", track_guids=track_guids, selected_only=selected_only, with_items=with_items,
            with_fx=with_fx, master=master, index_range=list(index_range) if index_range is not None else None,
            ext=[[s, k] for s, k in ext] if ext else None))

    def master_stats(self, trial_ops: list[dict[str, Any]] | None = None) -> str:
        """RENDER_STATS of a dry-run render of the master (one request; ``trial_ops`` in place
        during the render only, bridge.dryrun)."""
        return str(self._send("master_stats", trial_ops=trial_ops) or "")

    def master_stats_then_read(self, trial_ops: list[dict[str, Any]] | None, *,
                               master: bool) -> tuple[str, ProjectState]:
        """:meth:`master_stats` and then the state (the master alone, or the tracks) once the trial
        writes are put back, in one request."""
        r = self._send("master_stats", trial_ops=trial_ops, then_read={"master": bool(master)})
        return str(r["stats"] or ""), ProjectState.from_dict(r["state"])

    def tracks_heard(self, track_guids: list[str], trial_ops: list[dict[str, Any]] | None = None, *,
                     trials: list[list[dict[str, Any]]] | None = None) -> list[dict[str, Any]]:
        """Post-FX loudness of each track as heard through its folders (bridge.heard), ``trial_ops``
        in place for all or ``trials`` each track's own, in one request per ``heard.MAX_TRACKS``
        tracks (``heard.requests``)."""
        return [r for guids, ops, each in heard.requests(track_guids, trial_ops, trials)
                for r in self._send("tracks_heard", track_guids=guids, trial_ops=ops, trials=each) or []]

    def master_render_file(self, trial_ops: list[dict[str, Any]] | None = None) -> str:
        """The path of a WAV of the master mix rendered inside REAPER with ``trial_ops`` in place
        (one request, bridge.render_file); the companion runs on the same machine and reads it."""
        return str(self._send("master_render_file", trial_ops=trial_ops) or "")

    def apply(self, ops: list[dict[str, Any]], undo_name: str, *, fail_after: int | None = None,
              fault: Callable[[str], None] | None = None, ops_per_request: int | None = None) -> ApplyResult:
        """Validate and write ``ops`` in one undo block inside one held batch; all or nothing.

        By default (``ops_per_request=None``) the begin, every write and the commit are one
        ``txn_apply`` request, so an apply costs three requests (hold, apply, release; one inside
        :meth:`batch`) whatever the number of tracks; with ``ops_per_request`` it is ``txn_begin``,
        the writes that many per ``txn_steps`` request, and ``txn_commit``.
        ``fail_after`` (tests) makes REAPER's side fail after that many operations; ``fault``
        (tests) is called with ``"before:<step>"`` / ``"after:<step>"`` around every request (steps
        ``hold``, ``apply``, or ``begin``, ``op:<n>`` or ``ops:<a>-<b>``, ``commit``; ``release``):
        a test kills the process there to check that nothing is left half-applied.
        """

        def call(step: str, op: str, **args: Any) -> Any:
            if fault is not None:
                fault(f"before:{step}")
            r = self._send(op, **args)
            if fault is not None:
                fault(f"after:{step}")
            return r

        with self._lock:
            held = self._held  # inside batch(): the batch's own HOLD covers the apply
            if not held:
                call("hold", "HOLD")
            try:
                if ops_per_request is None:
                    r = call("apply", "txn_apply", ops=list(ops), undo_name=str(undo_name), fail_after=fail_after)
                else:
                    tid = call("begin", "txn_begin", ops=list(ops), undo_name=str(undo_name), fail_after=fail_after)
                    size = max(1, int(ops_per_request))
                    for a in range(0, len(ops), size):
                        b = min(len(ops), a + size)
                        call(f"op:{a}" if b - a == 1 else f"ops:{a}-{b - 1}", "txn_steps", tid=tid, start=a, stop=b)
                    r = call("commit", "txn_commit", tid=tid)
            finally:
                if not held and self._conn is not None:
                    try:
                        call("release", "RELEASE")
                    except HostError:
                        pass
        return ApplyResult(tuple(r["results"]), r["undo"])

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Several operations in one held batch: one HOLD before, one RELEASE after, and an
        :meth:`apply` inside sends neither. While held the bridge serves this connection's requests
        without waiting for REAPER's next defer cycle, so an apply and the record after it cost the
        requests themselves and no cycles between them. Keep it short (the bridge drops a holder
        silent for more than its hold timeout, 2 s, reverting an unfinished apply); nothing slow
        (analysis) belongs inside. Nested batches are one."""
        with self._lock:
            if self._held:
                yield
                return
            self._send("HOLD")
            self._held = True
            try:
                yield
            finally:
                self._held = False
                if self._conn is not None:
                    try:
                        self._send("RELEASE")
                    except HostError:
                        pass

    def undo(self) -> bool:
        return bool(self._send("undo"))

    def insertion_levels(self, points: list[tuple[str, int]]) -> list[dict[str, Any]]:
        """Per (track GUID, stop FX): dry-run levels with the chain up to FX ``stop_fx`` and without
        it (bridge.insertion), in one request per ``insertion.MAX_TRACKS`` tracks."""
        return [r for part in chunks(points, insertion.MAX_TRACKS)
                for r in self._send("insertion_levels", track_guids=[g for g, _ in part],
                                    stop_fx=[int(k) for _, k in part])]

    def get_proj_ext(self, section: str, key: str) -> str | None:
        return self._send("get_proj_ext", section=section, key=key)

    def report_view(self) -> dict[str, Any]:
        """What the report needs of the live project, read in one request without saving
        (bridge.snapshot; reporting.snapshot assembles it into an .RPP)."""
        return dict(self._send("report_view"))

    def save(self, path: str) -> None:
        """Save the project as ``path``: the bridge writes a snapshot where it chooses (its own
        folder of the resource folder) and this process, the user's, moves it to ``path``.
        ``Main_SaveProjectEx`` to another path may re-point REAPER's open project to that file
        (UNCERTAIN, emulator/uncertain.py ``SAVE_EX_TO_OTHER_PATH_REPOINTS``): only for saves the
        user asked for (a headless ``--save``) and the demo's throwaway project, never the report."""
        snapshot = str(self._send("save_copy"))
        shutil.move(snapshot, path)

    def set_proj_ext(self, section: str, key: str, value: str) -> None:
        self._send("set_proj_ext", section=section, key=key, value=value)

    def console(self, text: str) -> None:
        self._send("console", text=text)

    def get_proj_ext_many(self, section: str, keys: list[str]) -> list[str | None]:
        """Several keys of one project ExtState section in one request."""
        return list(self._send("get_proj_ext_many", section=section, keys=list(keys)))

    def set_proj_ext_many(self, section: str, values: list[tuple[str, str]], console_text: str = "") -> None:
        """Several keys of one project ExtState section, then the console, in one request."""
        self._send("set_proj_ext_many", section=section, values=[[k, v] for k, v in values],
                   console_text=console_text)

    def project_state(self) -> dict[str, Any]:
        """REAPER's project state change count and the project file, in one cheap read."""
        return dict(self._send("project_state"))

    # -- the companion's and calibrate's own operations ---------------------------------------------
    def current_project(self) -> str:
        return str(self._send("current_project") or "")

    def record_result(self, section: str, key: str, record_json: str, console_text: str) -> bool:
        return bool(self._send("record_result", section=section, key=key, record_json=record_json,
                               console_text=console_text))

    def calibrate_sweep(self, plan: list[dict[str, Any]]) -> dict[str, Any]:
        return self._send("calibrate_sweep", plan=plan)

    def stats(self) -> dict[str, Any]:
        """The bridge's counters (tests, the soak bench)."""
        return self._send("stats")
