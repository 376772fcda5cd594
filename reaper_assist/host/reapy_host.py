"""A Host on a running REAPER (or the emulator process) through python-reapy.

Every operation is one reapy request naming a function of :mod:`reaper_assist.host.remote`, which
REAPER's Python resolves by module and name and runs in one defer cycle (reapy_behaviour 2). This
is the only module of the package, with the emulator, that imports reapy (design.md rules).
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

from reaper_assist.errors import HostError, HostUnavailableError, StaleReferenceError
from reaper_assist.host import remote
from reaper_assist.host.base import ApplyResult, ProjectState


class ReapyHost:
    def __init__(self, web_port: int | None = None):
        from reaper_assist.host import reapy_ports

        if web_port is not None:
            reapy_ports.preset_web_interface_port(web_port)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DisabledDistAPIWarning: turned into our own error below
            import reapy
            from reapy.tools.network import machines
        if machines.get_selected_client() is None:
            reapy.reconnect()
        self._client = machines.get_selected_client()
        if self._client is None:
            raise HostUnavailableError(
                "cannot reach REAPER: is it running, with the reaper-assist bridge installed "
                f"(web interface port {web_port or 2307})?")
        reapy_ports.refresh_fx_function_table()
        self._lock = threading.Lock()  # reapy's client is not thread-safe (reapy_behaviour 6.1)
        self.round_trips = 0

    def _request(self, fn, *args, **kwargs) -> Any:
        from reapy.errors import DistError

        with self._lock:
            self.round_trips += 1
            try:
                return self._client.request(fn, {"args": list(args), "kwargs": kwargs})
            except DistError as exc:
                text = str(exc).strip().splitlines()
                last = text[-1] if text else str(exc)
                if "ApplyError" in last:
                    raise StaleReferenceError(last.split(":", 1)[-1].strip()) from exc
                raise HostError(f"REAPER reported an error: {last}") from exc
            except (OSError, ConnectionError) as exc:
                raise HostUnavailableError(f"lost the connection to REAPER: {exc}") from exc

    def read_state(self, *, track_guids=None, selected_only=False, with_items=True, with_fx=True) -> ProjectState:
        return ProjectState.from_dict(self._request(remote.read_state, track_guids=track_guids,
                                                    selected_only=selected_only, with_items=with_items,
                                                    with_fx=with_fx))

    def apply(self, ops: list[dict[str, Any]], undo_name: str, *, fail_after: int | None = None) -> ApplyResult:
        r = self._request(remote.apply_ops, ops, undo_name, fail_after)
        return ApplyResult(tuple(r["results"]), r["undo"])

    def undo(self) -> bool:
        return bool(self._request(remote.undo))

    def get_proj_ext(self, section: str, key: str) -> str | None:
        return self._request(remote.get_proj_ext, section, key)

    def save(self, path: str) -> None:
        self._request(remote.save, path)

    def set_proj_ext(self, section: str, key: str, value: str) -> None:
        self._request(remote.set_proj_ext, section, key, value)

    def console(self, text: str) -> None:
        self._request(remote.console, text)

    def call(self, fn, *args, **kwargs) -> Any:
        """Run any importable function inside REAPER in one request (tests, the demo)."""
        return self._request(fn, *args, **kwargs)
