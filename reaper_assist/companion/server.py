"""The companion's socket server: in the user's private directory, both sides proving the token on
every connection, one job at a time.

A connection carries one request and gets one reply at once (see :mod:`.protocol`); each is handled
on its own short-lived thread (at most :data:`MAX_CONNECTIONS` at once, each closed after
:data:`READ_TIMEOUT_S` of silence), so idle connections cannot keep the action scripts out; accepted jobs
run afterwards on one worker thread, in order. While a job runs, up to ``max_queue`` further jobs
wait (an identical pending request is not queued twice); beyond that a request is refused with
``busy``. With no job and no request for ``idle_minutes`` the companion exits; the next action
press starts it again.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import queue
import socket
import threading
import time
from typing import Any

from reaper_assist.bridge import endpoint
from reaper_assist.companion import protocol
from reaper_assist.companion.config import InstallConfig
from reaper_assist.companion.runner import JobRunner

log = logging.getLogger("reaper_assist.companion")

ACCEPT_POLL_S = 0.5
READ_TIMEOUT_S = 2.0
MAX_CONNECTIONS = 16
CONNECTION_MAX_S = 5.0


def _shut(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def setup_logging(config: InstallConfig) -> None:
    if any(getattr(h, "_reaper_assist", False) for h in log.handlers):
        return
    h: logging.Handler
    try:
        h = logging.handlers.RotatingFileHandler(config.log_path, maxBytes=1 << 20, backupCount=1,
                                                 encoding="utf-8")
    except OSError:
        h = logging.StreamHandler()
    setattr(h, "_reaper_assist", True)  # noqa: B010 - our mark on the handler, found again above
    h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s pid=%(process)d %(message)s"))
    log.addHandler(h)
    log.setLevel(logging.INFO)


def default_preanalyzer(config: InstallConfig):
    """The background pre-analysis of the installed companion (``"preanalysis"`` in
    reaper_assist.json: ``{"off": true}`` turns it off, ``"cpu_share"`` bounds it; default 0.5 of
    one core), on its own connection to REAPER's bridge; None when turned off."""
    from reaper_assist.companion.preanalysis import DEFAULT_CPU_SHARE, Pacer, PreAnalyzer
    from reaper_assist.companion.runner import REQUEST_TIMEOUT_S

    opts = config.preanalysis or {}
    if opts.get("off"):
        return None

    def host():
        from reaper_assist.host.reapy_host import ReapyHost

        return ReapyHost(config.resource_path, token=config.token or None, timeout_s=REQUEST_TIMEOUT_S)

    try:
        pacer = Pacer(float(opts.get("cpu_share", DEFAULT_CPU_SHARE)))
    except (TypeError, ValueError) as exc:  # a bad value in the user's file must not stop the companion
        log.warning("preanalysis cpu_share in %s: %s; using %s", config.resource_path, exc, DEFAULT_CPU_SHARE)
        pacer = Pacer(DEFAULT_CPU_SHARE)
    return PreAnalyzer(host, pacer=pacer)


class Companion:
    """``preanalyzer``: the background pre-analysis (:mod:`.preanalysis`); by default the
    installed one when the default runner is used, none with a runner given (tests)."""

    def __init__(self, config: InstallConfig, *, runner: JobRunner | None = None,
                 idle_minutes: float | None = None, max_queue: int = 4, preanalyzer: Any = "default"):
        if not config.token:
            raise ValueError("the install configuration has no token")
        self.config = config
        if preanalyzer == "default":
            preanalyzer = default_preanalyzer(config) if runner is None else None
        self.preanalyzer = preanalyzer
        self.runner = runner or JobRunner(config)
        self.idle_s = 60.0 * (config.idle_minutes if idle_minutes is None else idle_minutes)
        self.address: Any = None
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.jobs: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=max_queue)
        self._pending: list[tuple[str, str]] = []
        self._lock = threading.Lock()  # guards _pending, running, last_activity
        self.running: dict[str, Any] | None = None
        self.last_activity = time.monotonic()
        self.results: list[dict[str, Any]] = []  # records of finished jobs (tests, logging)
        self._stop = threading.Event()
        self.sock: socket.socket | None = None

    # -------------------------------------------------------------------------------------------
    def bind(self) -> Any:
        """Listen in the private directory; raises OSError when another companion answers there."""
        directory = endpoint.runtime_dir(self.config.resource_path, create=True)
        s = endpoint.listen(directory, protocol.SERVICE, backlog=64)
        s.setblocking(True)
        s.settimeout(ACCEPT_POLL_S)
        self.sock, self.directory = s, directory
        self.address = s.getsockname()
        return self.address

    def serve_forever(self) -> None:
        if self.sock is None:
            self.bind()
        assert self.sock is not None
        worker = threading.Thread(target=self._work, name="companion-worker", daemon=True)
        worker.start()
        if self.preanalyzer is not None:
            self.preanalyzer.start()
        log.info("companion listening on %s (pid %d)", self.address, os.getpid())
        try:
            while not self._stop.is_set():
                try:
                    conn, _ = self.sock.accept()
                except TimeoutError:
                    if self._idle():
                        log.info("idle for %.0f s: exiting", self.idle_s)
                        break
                    continue
                except OSError:
                    break
                if not self._slots.acquire(blocking=False):
                    conn.close()  # too many at once: the launcher tries again
                    continue
                threading.Thread(target=self._serve_connection, args=(conn,), daemon=True).start()
        finally:
            self._stop.set()
            if self.preanalyzer is not None:
                self.preanalyzer.stop()
            endpoint.unpublish(self.directory, protocol.SERVICE, self.sock)
            self.sock.close()
            worker.join(timeout=1.0)

    def _serve_connection(self, conn: socket.socket) -> None:
        cutoff = threading.Timer(CONNECTION_MAX_S, _shut, args=(conn,))  # a slow drip ends too
        cutoff.start()
        try:
            with conn:
                self._handle(conn)
        finally:
            cutoff.cancel()
            self._slots.release()

    def stop(self) -> None:
        self._stop.set()

    def _idle(self) -> bool:
        with self._lock:
            return (self.running is None and not self._pending
                    and time.monotonic() - self.last_activity > self.idle_s)

    # -------------------------------------------------------------------------------------------
    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(READ_TIMEOUT_S)
        try:
            if not protocol.serve_handshake(conn, self.config.token):
                log.warning("refused a connection that did not prove the token")
                return  # closed without a word: nothing is said to whoever does not hold the token
            reply = self.respond(protocol.decode(protocol.read_line(conn)))
        except protocol.ProtocolError as exc:
            log.warning("refused a connection: %s", exc)
            return
        except OSError as exc:
            log.warning("connection error: %s", exc)
            return
        if not reply.get("ok"):
            log.warning("refused a request: %s", reply.get("message"))
        try:
            conn.sendall(protocol.encode(reply))
        except OSError:
            pass

    def respond(self, msg: dict[str, Any]) -> dict[str, Any]:
        """The reply to one decoded request of an authenticated launcher (a job may be queued)."""
        action = msg.get("action")
        with self._lock:
            self.last_activity = time.monotonic()
            busy = self.running is not None
        if action == protocol.PING:
            pre = self.preanalyzer.status() if self.preanalyzer is not None else {"state": "off"}
            return {"ok": True, "status": "pong", "pid": os.getpid(), "busy": busy, "preanalysis": pre}
        from reaper_assist.app import registry

        if not isinstance(action, str) or action not in registry.ACTIONS:
            return {"ok": False, "status": "refused",
                    "message": f"unknown action {action!r}; known: {', '.join(sorted(registry.ACTIONS))}"}
        title = registry.ACTIONS[action].title
        key = (action, str(msg.get("project") or ""))
        with self._lock:
            if key in self._pending:
                return {"ok": True, "status": "queued", "message": f"{title}: already waiting to run"}
            try:
                self.jobs.put_nowait(dict(msg))
            except queue.Full:
                return {"ok": False, "status": "busy",
                        "message": f"busy with {self.running.get('action') if self.running else 'other jobs'}"
                                   f" and {self.jobs.qsize()} waiting; {title} was not started, try again"}
            self._pending.append(key)
            ahead = len(self._pending) - 1 + (1 if self.running is not None else 0)
        if ahead:
            return {"ok": True, "status": "queued", "message": f"{title}: queued behind {ahead} job(s)"}
        return {"ok": True, "status": "accepted", "message": f"{title}: started"}

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                job = self.jobs.get(timeout=0.2)
            except queue.Empty:
                continue
            with self._lock:
                self._pending.remove((str(job.get("action")), str(job.get("project") or "")))
                self.running = job
            gate = self.preanalyzer.gate if self.preanalyzer is not None else None
            if gate is not None:
                gate.close()  # the press first: the background pauses at its next block
            try:
                record = self.runner.run(job)
            except BaseException as exc:
                log.exception("job crashed")
                record = {"action": job.get("action"), "status": "error", "message": str(exc)}
            finally:
                if gate is not None:
                    gate.open()
                with self._lock:
                    self.running = None
                    self.last_activity = time.monotonic()
            self.results.append(record)
