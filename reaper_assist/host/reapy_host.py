"""A Host on a running REAPER (or the emulator process) through python-reapy's protocol.

Every read is one request naming a function of :mod:`reaper_assist.bridge.remote`, which REAPER's
Python resolves by module and name and runs in one defer cycle (reapy_behaviour 2). An apply is one
held batch (HOLD, validate + open the undo block, one request per operation, close the block,
RELEASE: see :mod:`reaper_assist.bridge.txn`), so if this process or its connection dies halfway,
reaper-assist's bridge undoes what was written. This is the only module of the package, with the
emulator and the bridge (which run inside REAPER), that imports reapy (design.md rules).

The connection is found the way reapy finds it (REAPER's web interface, ExtState
``reapy/server_port``), carries reapy's frames, and adds what reapy lacks: one lock, a timeout on
every request, the per-install token (reaper-assist's bridge), :meth:`ReapyHost.reconnect` after
REAPER restarts, and errors that say what is wrong.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable
from typing import Any

from reaper_assist.bridge import wire
from reaper_assist.bridge.server import AUTH, HELLO, auth_digest
from reaper_assist.errors import HostError, HostUnavailableError, StaleReferenceError
from reaper_assist.bridge import remote
from reaper_assist.host.base import ApplyResult, ProjectState

DEFAULT_WEB_PORT = 2307


class _Connection:
    """One TCP connection speaking reapy's frames (8-byte little-endian length + JSON)."""

    def __init__(self, port: int, timeout_s: float):
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout_s)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.address = self._recv(timeout_s).decode("ascii", "replace")  # reapy's greeting

    def _recv_exact(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(min(n - len(buf), 1 << 20))
            if not chunk:
                raise ConnectionResetError("REAPER closed the connection")
            buf += chunk
        return bytes(buf)

    def _recv(self, timeout_s: float) -> bytes:
        self.sock.settimeout(timeout_s)
        n = int.from_bytes(self._recv_exact(wire.HEADER_BYTES), "little")
        return self._recv_exact(n)

    def request(
        self, function: Any, args: list[Any], kwargs: dict[str, Any], timeout_s: float
    ) -> dict[str, Any]:
        from reapy.tools import json as rjson  # reapy's encoder: callables by module + qualname

        data = rjson.dumps(
            {"function": function, "input": {"args": list(args), "kwargs": kwargs}}
        ).encode()
        self.sock.settimeout(timeout_s)
        self.sock.sendall(wire.frame(data))
        reply = json.loads(
            self._recv(timeout_s).decode("utf-8")
        )  # plain JSON: never import what a server names
        if not isinstance(reply, dict) or reply.get("type") not in ("result", "error"):
            raise ConnectionError("REAPER sent something that is not a reapy reply")
        return reply

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class ReapyHost:
    """Parameters
    ----------
    web_port : REAPER's web-interface port (reapy's handshake); default 2307.
    token : the per-install token; by default read from ``reaper_assist.json`` in the resource
        folder the bridge reports.
    timeout_s : the longest wait for any one reply.
    require_bridge : raise unless reaper-assist's bridge (not python-reapy's own server) answers and
        accepts the token (the companion sets it; tests against reapy's own server do not).
    """

    def __init__(
        self,
        web_port: int | None = None,
        *,
        token: str | None = None,
        timeout_s: float = 30.0,
        connect_timeout_s: float = 5.0,
        require_bridge: bool = False,
    ):
        self.web_port = int(web_port or DEFAULT_WEB_PORT)
        self._token = token
        self.timeout_s, self.connect_timeout_s = timeout_s, connect_timeout_s
        self.require_bridge = require_bridge
        self._lock = (
            threading.RLock()
        )  # one request at a time (reapy_behaviour 6.1); an apply holds it throughout
        self._conn: _Connection | None = None
        self.bridge: dict[str, Any] | None = (
            None  # RA_HELLO's answer; None: python-reapy's own server
        )
        self.authenticated = False
        self.round_trips = 0
        self._import_reapy()
        self._connect()

    # -- connecting -------------------------------------------------------------------------------
    def _import_reapy(self) -> None:
        import sys

        from reaper_assist.host import reapy_ports

        if "reapy" in sys.modules:
            return  # reapy's own client is bound already; ours does not need it (and must not rebind it)
        reapy_ports.preset_web_interface_port(self.web_port)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DisabledDistAPIWarning: we say it better below
            import reapy  # noqa: F401 - reapy connects its own client at import (for reapy objects)

    def _server_port(self) -> int:
        url = f"http://127.0.0.1:{self.web_port}/_/GET/EXTSTATE/reapy/server_port"
        try:
            text = (
                urllib.request.urlopen(url, timeout=min(2.0, self.connect_timeout_s))
                .read()
                .decode("utf-8")
            )
        except (urllib.error.URLError, OSError) as exc:
            raise HostUnavailableError(
                f"cannot reach REAPER: nothing answers on its web-interface port {self.web_port} ({exc}); is REAPER "
                "running, with the web interface `reaper-assist install` set up?"
            ) from None
        value = text.split("\t")[-1].strip() if text.startswith("EXTSTATE") else ""
        if not value:
            raise HostUnavailableError(
                "REAPER is running but its bridge is not: reaper-assist's start-up did not run (is reaper-assist "
                "installed in this REAPER? run the action 'reaper-assist: Start bridge')"
            )
        try:
            return int(json.loads(value))
        except (ValueError, TypeError):
            raise HostUnavailableError(
                f"REAPER reports a bridge port {value!r} that is not a number"
            ) from None

    def _connect(self) -> None:
        port = self._server_port()
        try:
            conn = _Connection(port, self.connect_timeout_s)
        except ConnectionRefusedError:
            raise HostUnavailableError(
                f"REAPER says its bridge is on port {port}, but nothing listens there (the bridge stopped or "
                "another program took the port): restart REAPER or run 'reaper-assist: Start bridge'"
            ) from None
        except TimeoutError:
            raise HostUnavailableError(
                f"the bridge on port {port} accepted but does not answer (python-reapy's own server stops like "
                "this after a bad request): restart REAPER"
            ) from None
        except OSError as exc:
            raise HostUnavailableError(
                f"cannot connect to the bridge on port {port}: {exc}"
            ) from None
        self._conn = conn
        try:
            hello = self._send(HELLO)
        except HostError:
            hello = None
        if not isinstance(hello, dict) or hello.get("bridge") != "reaper-assist":
            self.bridge = None
            if self.require_bridge:
                self.close()
                raise HostUnavailableError(
                    f"python-reapy's own server answers on port {port}, not reaper-assist's bridge: run "
                    "`reaper-assist install` and restart REAPER"
                )
        else:
            self.bridge = hello
            self.authenticated = False
            token = (
                self._token
                if self._token is not None
                else self._token_from(hello.get("resource_path", ""))
            )
            if token:
                try:
                    self.authenticated = bool(
                        self._send(AUTH, auth_digest(token, hello["nonce"], hello["address"]))
                    )
                except HostError as exc:
                    if self.require_bridge:
                        self.close()
                        raise HostUnavailableError(
                            f"the bridge refused the token ({exc}): the companion and REAPER's bridge come from "
                            "different installs; run `reaper-assist install` and restart REAPER"
                        ) from None
            elif self.require_bridge:
                self.close()
                raise HostUnavailableError(
                    "no reaper-assist token to authenticate with (reaper_assist.json missing)"
                )
        try:
            from reaper_assist.host import reapy_ports

            reapy_ports.refresh_fx_function_table()
        except Exception:  # noqa: BLE001, S110 - only reapy objects need it; our requests do not
            pass

    @staticmethod
    def _token_from(resource_path: str) -> str:
        if not resource_path:
            return ""
        try:
            with open(os.path.join(resource_path, "reaper_assist.json"), encoding="utf-8") as f:
                return str(json.load(f).get("token") or "")
        except (OSError, ValueError, AttributeError):
            return ""

    def reconnect(self) -> None:
        """Drop the connection and make a new one (after REAPER restarted), reapy's own client too."""
        with self._lock:
            self.close()
            try:
                import reapy

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    reapy.reconnect()
            except Exception:  # noqa: BLE001, S110 - reapy's client is for reapy objects only; ours is below
                pass
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
    def _send(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """One request on the current connection; a dead or silent connection is closed (never
        retried: the request may have run)."""
        with self._lock:
            if self._conn is None:
                self._connect()  # nothing was sent yet: safe to connect now
            assert self._conn is not None
            self.round_trips += 1
            try:
                reply = self._conn.request(fn, list(args), kwargs, self.timeout_s)
            except TimeoutError:
                self.close()
                raise HostUnavailableError(
                    f"REAPER did not answer within {self.timeout_s:g} s (is it busy or "
                    "frozen?); the connection was closed"
                ) from None
            except (OSError, ConnectionError, ValueError) as exc:
                self.close()
                raise HostUnavailableError(f"lost the connection to REAPER: {exc}") from exc
        if reply["type"] == "result":
            return reply.get("value")
        text = str(reply.get("traceback", "")).strip().splitlines()
        last = text[-1] if text else "unknown error"
        if "ApplyError" in last:
            raise StaleReferenceError(last.split(":", 1)[-1].strip())
        if last.startswith("reaper-assist bridge:") and "token" in last:
            raise HostError(f"REAPER's bridge refused the request: {last.split(':', 1)[1].strip()}")
        raise HostError(f"REAPER reported an error: {last}")

    def read_state(
        self, *, track_guids=None, selected_only=False, with_items=True, with_fx=True
    ) -> ProjectState:
        return ProjectState.from_dict(
            self._send(
                remote.read_state,
                track_guids=track_guids,
                selected_only=selected_only,
                with_items=with_items,
                with_fx=with_fx,
            )
        )

    def apply(
        self,
        ops: list[dict[str, Any]],
        undo_name: str,
        *,
        fail_after: int | None = None,
        fault: Callable[[str], None] | None = None,
        ops_per_request: int | None = None,
    ) -> ApplyResult:
        """Validate and write ``ops`` in one undo block inside one held batch; all or nothing.

        The writes go in one request by default (``ops_per_request=None``), so an apply costs the
        same five requests (hold, begin, ops, commit, release) whatever the number of tracks, and
        only the first waits for a defer cycle. ``fail_after`` (tests) makes REAPER's side fail
        after that many operations; ``fault`` (tests) is called with ``"before:<step>"`` /
        ``"after:<step>"`` around every request (steps ``hold``, ``begin``, ``op:<n>`` or
        ``ops:<a>-<b>``, ``commit``, ``release``): a test kills the process there to check that
        nothing is left half-applied.
        """
        from reaper_assist.bridge import txn

        def at(point: str) -> None:
            if fault is not None:
                fault(point)

        def call(step: str, fn: Any, *args: Any) -> Any:
            at(f"before:{step}")
            r = self._send(fn, *args)
            at(f"after:{step}")
            return r

        with self._lock:
            call("hold", "HOLD")
            try:
                tid = call("begin", txn.begin, ops, undo_name, fail_after)
                size = len(ops) if ops_per_request is None else max(1, int(ops_per_request))
                for a in range(0, len(ops), max(1, size)):
                    b = min(len(ops), a + size)
                    if b - a == 1:
                        call(f"op:{a}", txn.step, tid, a)
                    else:
                        call(f"ops:{a}-{b - 1}", txn.steps, tid, a, b)
                r = call("commit", txn.commit, tid)
            finally:
                if self._conn is not None:
                    try:
                        call("release", "RELEASE")
                    except HostError:
                        pass
        return ApplyResult(tuple(r["results"]), r["undo"])

    def undo(self) -> bool:
        return bool(self._send(remote.undo))

    def get_proj_ext(self, section: str, key: str) -> str | None:
        return self._send(remote.get_proj_ext, section, key)

    def save(self, path: str) -> None:
        self._send(remote.save, path)

    def set_proj_ext(self, section: str, key: str, value: str) -> None:
        self._send(remote.set_proj_ext, section, key, value)

    def console(self, text: str) -> None:
        self._send(remote.console, text)

    def call(self, fn, *args, **kwargs) -> Any:
        """Run any importable function inside REAPER in one request (tests, the demo)."""
        return self._send(fn, *args, **kwargs)
