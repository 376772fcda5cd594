"""Run one request through the bridge; turn every failure into an ``error`` last_run record.

The companion owns one connection to REAPER's bridge (a :class:`ReapyHost`: one lock, a timeout on
every request, both sides proving the install's token) and rebuilds it with
:meth:`ReapyHost.reconnect` when REAPER was restarted. Jobs run one at a time on the companion's
worker thread, so a plan is never applied twice or interleaved.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from reaper_assist.app import records, registry
from reaper_assist.companion.config import InstallConfig
from reaper_assist.errors import HostUnavailableError

log = logging.getLogger("reaper_assist.companion")


def _same_file(a: str, b: str) -> bool:
    if not a or not b:
        return a == b
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


REQUEST_TIMEOUT_S = 60.0  # the longest any one bridge request may take (a big read_state, an apply step)


class JobRunner:
    def __init__(self, config: InstallConfig, *, host_factory: Callable[[], Any] | None = None):
        self.config = config
        self._host_factory = host_factory or self._reapy_host
        self._host: Any = None

    def _reapy_host(self):
        from reaper_assist.host.reapy_host import ReapyHost

        return ReapyHost(self.config.resource_path, token=self.config.token or None, timeout_s=REQUEST_TIMEOUT_S)

    def host(self, *, fresh: bool = False):
        """The connection to REAPER; ``fresh`` rebuilds it (REAPER was restarted or the link broke).
        Raises HostUnavailableError with the reason (REAPER not running, bridge not installed, ...)."""
        if fresh and self._host is not None:
            reconnect = getattr(self._host, "reconnect", None)
            if reconnect is not None:
                reconnect()  # raises the reason when REAPER is still unreachable
                return self._host
            self._host = None
        if self._host is None:
            self._host = self._host_factory()
        return self._host

    def _checked_host(self):
        """A host that answered one request (the current project), reconnecting once if needed."""
        try:
            host = self.host()
            return host, host.current_project()
        except HostUnavailableError:
            host = self.host(fresh=True)
            return host, host.current_project()

    # -------------------------------------------------------------------------------------------
    def run(self, req: dict[str, Any]) -> dict[str, Any]:
        """Run a request; always returns the ``last_run`` record (status ``ok`` or ``error``)."""
        action = str(req.get("action", ""))
        title = registry.ACTIONS[action].title if action in registry.ACTIONS else action
        t0 = time.monotonic()
        host = None
        try:
            host, current = self._checked_host()
            wanted = str(req.get("project") or "")
            if not _same_file(current, wanted):
                raise RuntimeError(f"the project open in REAPER ({current or 'unsaved'}) is not the one "
                                   f"the action was started in ({wanted or 'unsaved'}); nothing was changed")
            record = registry.run_action(action, host, track_guids=req.get("tracks") or None,
                                         selected=req.get("selection", "selected") == "selected",
                                         options=req.get("options") or {})
            log.info("%s: %s in %.2f s: %s", action, record.get("status"), time.monotonic() - t0,
                     record.get("message", ""))
            return record
        except Exception as exc:
            message = f"{title} failed: {exc}"
            log.exception("%s failed", action)
            record = {**records.error_record(action, message), "source": "companion"}
            self.report(record, host)
            return record

    def report(self, record: dict[str, Any], host=None) -> None:
        """Write an error record into the project and REAPER's console; the web interface's
        SET/PROJEXTSTATE is the fallback when the bridge itself is down."""
        text = json.dumps(record)
        console = f"reaper-assist: {record['message']}\n"
        for attempt in range(2):
            try:
                h = host if (host is not None and attempt == 0) else self.host(fresh=attempt > 0)
                h.record_result(registry.EXT_SECTION, registry.LAST_RUN_KEY, text, console)
                return
            except Exception as exc:  # noqa: BLE001
                log.warning("could not record the error through the bridge: %s", exc)
        try:
            # UNCERTAIN: REAPER's web interface documents SET/PROJEXTSTATE/section/key/value
            # (reaper_www_root/main.js); the emulator does not implement it.
            path = "/".join(urllib.parse.quote(p, safe="") for p in
                            ("SET", "PROJEXTSTATE", registry.EXT_SECTION, registry.LAST_RUN_KEY, text))
            urllib.request.urlopen(f"http://127.0.0.1:{self.config.web_port}/_/{path}", timeout=1.0).read()
        except Exception as exc:  # noqa: BLE001
            log.error("REAPER is unreachable; the error stays in this log only: %s", exc)
