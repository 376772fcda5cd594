"""A Host on an emulated project in this process (headless runs on ``.RPP`` files, tests)."""

from __future__ import annotations

import contextlib
import types
from collections.abc import Iterator
from typing import Any

from reaper_assist.bridge import dryrun, heard, insertion, ops, remote, render_file, snapshot, txn
from reaper_assist.bridge.budget import chunks
from reaper_assist.bridge.writes import ApplyError
from reaper_assist.errors import HostError, StaleReferenceError
from reaper_assist.host.base import ApplyResult, ProjectState


def api_namespace(reaper) -> types.SimpleNamespace:
    """The emulator's RPR_* functions under their bare names, as ``reapy.reascript_api`` has them."""
    return types.SimpleNamespace(**{k[4:]: v for k, v in reaper.rpr_functions().items()})


class InProcessHost:
    def __init__(self, reaper):
        self.reaper = reaper
        self.api = api_namespace(reaper)
        self.round_trips = 0

    @classmethod
    def open(cls, project_path: str, *, resource_path: str | None = None) -> InProcessHost:
        from reaper_assist.emulator import audio_actions
        from reaper_assist.emulator.project import Project
        from reaper_assist.emulator.reascript import Reaper

        reaper = Reaper(Project.load(project_path), resource_path=resource_path)
        audio_actions.install(reaper)  # the dry-run actions, as the emulator process has them
        return cls(reaper)

    def _call(self, fn, *args, **kwargs):
        self.round_trips += 1
        try:
            return fn(self.api, *args, **kwargs)
        except ApplyError as exc:
            raise StaleReferenceError(str(exc)) from exc

    def read_state(self, *, track_guids=None, selected_only=False, with_items=True, with_fx=True,
                   master=False, index_range=None, ext=None) -> ProjectState:
        return ProjectState.from_dict(self._call(
            remote.read_state_with, track_guids=track_guids, selected_only=selected_only, with_items=with_items,
            with_fx=with_fx, master=master, index_range=list(index_range) if index_range is not None else None,
            ext=[[s, k] for s, k in ext] if ext else None))

    def master_stats(self, trial_ops: list[dict[str, Any]] | None = None) -> str:
        """RENDER_STATS of a dry-run render of the master, ``trial_ops`` in place during it only."""
        return self._call(dryrun.master_stats_with, trial_ops)

    def master_stats_then_read(self, trial_ops: list[dict[str, Any]] | None, *,
                               master: bool) -> tuple[str, ProjectState]:
        """As :meth:`ReapyHost.master_stats_then_read`."""
        r = self._call(dryrun.master_stats_with, trial_ops, {"master": bool(master)})
        return str(r["stats"] or ""), ProjectState.from_dict(r["state"])

    def master_render_file(self, trial_ops: list[dict[str, Any]] | None = None) -> str:
        """The path of a WAV of the master mix rendered with ``trial_ops`` in place (bridge.render_file)."""
        return self._call(render_file.master_file_with, trial_ops)

    def apply(self, ops: list[dict[str, Any]], undo_name: str, *, fail_after: int | None = None) -> ApplyResult:
        try:
            r = self._call(txn.apply_with, ops, undo_name, fail_after)
        except StaleReferenceError:
            raise
        except Exception as exc:  # pragma: no cover - defensive
            raise HostError(f"apply failed: {exc}") from exc
        return ApplyResult(tuple(r["results"]), r["undo"])

    def tracks_heard(self, track_guids: list[str], trial_ops: list[dict[str, Any]] | None = None, *,
                     trials: list[list[dict[str, Any]]] | None = None) -> list[dict[str, Any]]:
        """Post-FX loudness of each track as heard through its folders (bridge.heard), in requests of
        at most ``heard.MAX_TRACKS`` tracks, as :meth:`ReapyHost.tracks_heard`."""
        return [r for guids, ops, each in heard.requests(track_guids, trial_ops, trials)
                for r in self._call(heard.tracks_heard_with, guids, ops, each)]

    def insertion_levels(self, points: list[tuple[str, int]]) -> list[dict[str, Any]]:
        """Per (track GUID, stop FX): dry-run levels with the chain up to it and without (bridge.insertion),
        ``insertion.MAX_TRACKS`` tracks a call as over the bridge."""
        return [r for part in chunks(points, insertion.MAX_TRACKS)
                for r in self._call(insertion.insertion_levels_with, [g for g, _ in part], [int(k) for _, k in part])]

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """As :meth:`ReapyHost.batch`; nothing runs beside this host, so there is nothing to hold."""
        yield

    def undo(self) -> bool:
        return bool(self._call(remote.undo_with))

    def get_proj_ext(self, section: str, key: str) -> str | None:
        return self._call(remote.get_proj_ext_with, section, key)

    def report_view(self) -> dict[str, Any]:
        return self._call(snapshot.report_view_with)

    def save(self, path: str) -> None:
        self._call(remote.save_with, path)

    def set_proj_ext(self, section: str, key: str, value: str) -> None:
        self._call(remote.set_proj_ext_with, section, key, value)

    def console(self, text: str) -> None:
        self._call(remote.console_with, text)

    def get_proj_ext_many(self, section: str, keys: list[str]) -> list[str | None]:
        return self._call(ops.get_proj_ext_many_with, section, keys)

    def set_proj_ext_many(self, section: str, values: list[tuple[str, str]], console_text: str = "") -> None:
        self._call(ops.set_proj_ext_many_with, section, [list(kv) for kv in values], console_text)

    def project_state(self) -> dict[str, Any]:
        """REAPER's project state change count and the project file (bridge op ``project_state``)."""
        return self._call(ops.project_state_with)
