"""The run of an action: read with its settings (one round trip) -> plan -> realize -> apply in one
undo block -> the ``last_run`` record (outside the undo block, so it survives an undo); the apply
and the record are one held batch (``host.batch()``)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from reaper_assist.app import settings as settings_mod
from reaper_assist.app.records import clean as records_clean
from reaper_assist.app.records import error_record, name_added_tracks, record_for_plan, write_record
from reaper_assist.errors import ReaperAssistError
from reaper_assist.host import realize
from reaper_assist.host.base import ProjectState, TrackState
from reaper_assist.host.realize_compare import preview_writes
from reaper_assist.rules.plan import Plan


#: The project ExtState key of the settings, read with the tracks (``read_state(ext=...)``).
SETTINGS_EXT = (settings_mod.EXT_SECTION, settings_mod.SETTINGS_KEY)


def settings_of(state: ProjectState, action: str, options: dict[str, Any] | None) -> dict[str, Any]:
    """The settings of ``action`` from a state read with ``ext=[SETTINGS_EXT]`` (no request)."""
    return settings_mod.load(action, project_overrides=state.ext[0] if state.ext else None, options=options)


def clean(x: Any) -> Any:
    """Evidence values as stored in the record: 3 decimals (see records.clean)."""
    return records_clean(x, 3)


def undo_name(title: str, n: int) -> str:
    return f"reaper-assist: {title} {n} track{'s' if n != 1 else ''}"


PlanFn = Callable[[ProjectState, list[TrackState], dict[str, Any]], Plan]


def run_assistant(host, action: str, plan_fn: PlanFn, *, track_guids: list[str] | None, selected: bool,
                  options: dict[str, Any] | None, dry_run: bool, what: str,
                  ext: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Read -> plan -> apply in one undo block -> ``last_run`` record (outside the undo block).
    ``ext``: more project ExtState keys read with the tracks, in ``state.ext[1:]`` (the settings
    are ``state.ext[0]``)."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    preview = bool((options or {}).get("preview"))
    options = {k: v for k, v in (options or {}).items() if k != "preview"}
    with contextlib.ExitStack() as held:
        try:
            state = host.read_state(track_guids=track_guids, selected_only=selected and not track_guids,
                                    ext=[SETTINGS_EXT, *(ext or [])])
            raw = settings_of(state, action, options)
            timings["read_s"] = time.perf_counter() - t0
            tracks = list(state.tracks)
            if track_guids:
                missing = {g.upper() for g in track_guids} - {t.guid.upper() for t in tracks}
                if missing:
                    raise ReaperAssistError(f"{len(missing)} of the requested tracks no longer exist")
                order = {g.upper(): i for i, g in enumerate(track_guids)}
                tracks.sort(key=lambda t: order[t.guid.upper()])
            if not tracks:
                raise ReaperAssistError(f"no tracks selected: select the tracks to {what} first")
            t1 = time.perf_counter()
            p = plan_fn(state, tracks, raw)
            timings["analyse_s"] = time.perf_counter() - t1
            t2 = time.perf_counter()
            writes = realize.realize(state, p.steps)
            if preview and writes:  # written bypassed: "Compare" switches it on (keeps it), "Remove" discards it
                writes = writes + preview_writes(writes)
            applied = None
            if not dry_run and writes:
                realize.prepare(writes)  # files a write plays (a denoised take): written only now
                held.enter_context(host.batch())  # the apply and the record after it: one held batch
                applied = host.apply(realize.ops(writes), p.undo_name)
            timings["apply_s"] = time.perf_counter() - t2
            record = record_for_plan(p, writes, dry_run=dry_run)
            if applied is not None:
                name_added_tracks(record, realize.added_tracks(writes, applied.results))
            if preview and writes:
                record["preview"] = True
                record["message"] += ("; preview: the new FX and lanes are written bypassed (run compare to keep "
                                      "them on, remove to discard them; volume changes are applied as they are)")
        except ReaperAssistError as exc:
            record = error_record(action, str(exc))
        record["timings"] = {k: round(v, 4) for k, v in timings.items()}
        if not dry_run:
            write_record(host, record)
    return record
