"""The closed set of operations the bridge serves, with typed, validated arguments.

A request names one of :data:`OPS` and passes its arguments by name; each argument is checked
against its declared type and size before the handler runs, and anything else (an unknown
operation or argument, a wrong type, a string or list over its limit) is refused without touching
REAPER. Handlers are ``(api, **args)`` calling the ``*_with`` functions of
:mod:`reaper_assist.bridge.remote`, :mod:`reaper_assist.bridge.txn` and
:mod:`reaper_assist.bridge.sweep`. No operation takes a file path: ``save_copy`` writes where the
bridge decides (a private folder of the resource folder) and returns that path.

``reads_only`` operations are also served to other authenticated clients while one client holds
the bridge (they change nothing, so they cannot interleave with a held batch).
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reaper_assist.bridge import dryrun, heard, insertion, remote, render_file, snapshot, sweep, txn
from reaper_assist.bridge.wire import RefusedError

MAX_TEXT = 1 << 20  # an ExtState value, a record, a console message
MAX_NAME = 512  # a section, a key, an undo name, a plugin name
MAX_LIST = 100_000  # GUIDs, plan operations, sweep points
MAX_OP_FIELDS = 64  # fields of one write operation (typedplan validates each kind's own fields)
SNAPSHOT_DIR = "reaper_assist_snapshots"


# -- argument types ------------------------------------------------------------------------------
Check = Callable[[str, Any], Any]


def text(max_len: int = MAX_NAME) -> Check:
    def check(name: str, v: Any) -> str:
        if not isinstance(v, str):
            raise RefusedError(f"{name} must be a string, not {type(v).__name__}")
        if len(v) > max_len:
            raise RefusedError(f"{name} is {len(v)} characters, over the limit of {max_len}")
        return v

    return check


def integer(lo: int, hi: int) -> Check:
    def check(name: str, v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise RefusedError(f"{name} must be an integer in [{lo}, {hi}], not {v!r:.40}")
        return v

    return check


def number(name: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise RefusedError(f"{name} must be a finite number, not {v!r:.40}")
    return float(v)


def flag(name: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise RefusedError(f"{name} must be true or false, not {v!r:.40}")
    return v


def optional(inner: Check) -> Check:
    def check(name: str, v: Any) -> Any:
        return None if v is None else inner(name, v)

    return check


def list_of(inner: Check, max_len: int = MAX_LIST) -> Check:
    def check(name: str, v: Any) -> list[Any]:
        if not isinstance(v, list):
            raise RefusedError(f"{name} must be a list, not {type(v).__name__}")
        if len(v) > max_len:
            raise RefusedError(f"{name} has {len(v)} entries, over the limit of {max_len}")
        return [inner(f"{name}[{i}]", x) for i, x in enumerate(v)]

    return check


def pair(first: Check, second: Check) -> Check:
    def check(name: str, v: Any) -> list[Any]:
        if not isinstance(v, list) or len(v) != 2:
            raise RefusedError(f"{name} must be a pair [a, b]")
        return [first(f"{name}[0]", v[0]), second(f"{name}[1]", v[1])]

    return check


def record(**fields: Check) -> Check:
    def check(name: str, v: Any) -> dict[str, Any]:
        if not isinstance(v, dict) or set(v) != set(fields):
            raise RefusedError(f"{name} must be an object with exactly {sorted(fields)}")
        return {k: c(f"{name}.{k}", v[k]) for k, c in fields.items()}

    return check


def _value(name: str, v: Any, depth: int = 0) -> Any:
    """A JSON value of a write operation's field: finite numbers, bounded strings, and lists or
    objects of those nested at most four deep (the frame limit bounds the total size)."""
    if v is None or isinstance(v, (bool, int)):
        return v
    if isinstance(v, float):
        return number(name, v)
    if isinstance(v, str):
        return text(MAX_TEXT)(name, v)
    if depth >= 4:
        raise RefusedError(f"{name} is nested too deep")
    if isinstance(v, list):
        return [_value(f"{name}[{i}]", x, depth + 1) for i, x in enumerate(v)]
    return {text()(f"{name} key", k): _value(f"{name}.{k}", x, depth + 1) for k, x in v.items()}


def write_op(name: str, v: Any) -> dict[str, Any]:
    """The envelope of one write operation: an object of at most MAX_OP_FIELDS fields with a string
    ``op``. Each kind checks its own fields when it runs; unknown kinds are refused there."""
    if not isinstance(v, dict) or not isinstance(v.get("op"), str):
        raise RefusedError(f"{name} must be an object with a string 'op'")
    if len(v) > MAX_OP_FIELDS:
        raise RefusedError(f"{name} has {len(v)} fields, over the limit of {MAX_OP_FIELDS}")
    return _value(name, v)


# -- the operations ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Op:
    handler: Callable[..., Any]
    params: dict[str, tuple[Check, bool, Any]]  # name -> (check, required, default)
    reads_only: bool = False

    def validated(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(args) - set(self.params))
        if unknown:
            raise RefusedError(f"{op} has no argument {unknown[0][:40]!r}; it takes {sorted(self.params)}")
        out = {}
        for name, (check, required, default) in self.params.items():
            if name not in args:
                if required:
                    raise RefusedError(f"{op} needs the argument {name!r}")
                out[name] = default
            else:
                out[name] = check(name, args[name])
        return out


def req(check: Check) -> tuple[Check, bool, Any]:
    return (check, True, None)


def opt(check: Check, default: Any = None) -> tuple[Check, bool, Any]:
    return (check, False, default)


def _current_project(api) -> str:
    return str(api.EnumProjects(-1, "", 4096)[2] or "")


def _record_result(api, section: str, key: str, record_json: str, console_text: str) -> bool:
    remote.set_proj_ext_with(api, section, key, record_json)
    if console_text:
        remote.console_with(api, console_text)
    return True


def project_state_with(api) -> dict[str, Any]:
    """What the companion's pre-analysis polls (one cheap request): REAPER's project state change
    count (``GetProjectStateChangeCount``: changes whenever the project changes) and the project's file."""
    return {"count": int(api.GetProjectStateChangeCount(0)), "project": _current_project(api)}


def get_proj_ext_many_with(api, section: str, keys: list[str]) -> list[str | None]:
    return [remote.get_proj_ext_with(api, section, k) for k in keys]


def set_proj_ext_many_with(api, section: str, values: list[list[str]], console_text: str) -> bool:
    """Several keys of one ExtState section, then the console: what an action's record writes at
    its end (history, kept records, ``last_run``) in one request."""
    for key, value in values:
        remote.set_proj_ext_with(api, section, key, value)
    if console_text:
        remote.console_with(api, console_text)
    return True


def _save_copy(api) -> str:
    """Save the project as a new file in ``<resource>/reaper_assist_snapshots`` (mode 0700); the
    bridge chooses the name. The caller moves it where it wants it."""
    folder = os.path.join(str(api.GetResourcePath()), SNAPSHOT_DIR)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    path = os.path.join(folder, f"snapshot-{secrets.token_hex(8)}.rpp")
    remote.save_with(api, path)
    return path


GUID = text(64)
PLAN_ENTRY = record(key=text(64), name=text(), params=list_of(pair(integer(0, 4096), list_of(number, 1001)), 4096))

OPS: dict[str, Op] = {
    "read_state": Op(remote.read_state_with, {
        "track_guids": opt(optional(list_of(GUID))), "selected_only": opt(flag, False),
        "with_items": opt(flag, True), "with_fx": opt(flag, True), "master": opt(flag, False),
        "index_range": opt(optional(pair(integer(0, MAX_LIST), integer(0, MAX_LIST)))),
        "ext": opt(optional(list_of(pair(text(), text()), 8)))}, reads_only=True),
    "current_project": Op(_current_project, {}, reads_only=True),
    "get_proj_ext": Op(remote.get_proj_ext_with, {"section": req(text()), "key": req(text())}, reads_only=True),
    "get_proj_ext_many": Op(get_proj_ext_many_with, {"section": req(text()), "keys": req(list_of(text(), 64))},
                            reads_only=True),
    "project_state": Op(project_state_with, {}, reads_only=True),
    "set_proj_ext_many": Op(set_proj_ext_many_with, {"section": req(text()),
                                                 "values": req(list_of(pair(text(), text(MAX_TEXT)), 64)),
                                                 "console_text": opt(text(MAX_TEXT), "")}),
    "set_proj_ext": Op(remote.set_proj_ext_with,
                       {"section": req(text()), "key": req(text()), "value": req(text(MAX_TEXT))}),
    "record_result": Op(_record_result, {"section": req(text()), "key": req(text()),
                                         "record_json": req(text(MAX_TEXT)), "console_text": req(text(MAX_TEXT))}),
    "console": Op(remote.console_with, {"text": req(text(MAX_TEXT))}),
    "undo": Op(remote.undo_with, {}),
    # a saved copy (host.save: the demo's and a headless --save's files; never the report's): whether
    # REAPER then re-points the open project to it is UNCERTAIN (emulator/uncertain.py)
    "save_copy": Op(_save_copy, {}),
    # what the report needs of the live project, read without saving (bridge/snapshot.py)
    "report_view": Op(snapshot.report_view_with, {}, reads_only=True),
    "txn_begin": Op(txn.begin_with, {"ops": req(list_of(write_op)), "undo_name": req(text()),
                                     "fail_after": opt(optional(integer(0, MAX_LIST)))}),
    "txn_steps": Op(txn.steps_with, {"tid": req(text(64)), "start": req(integer(0, MAX_LIST)),
                                     "stop": req(integer(0, MAX_LIST))}),
    "txn_commit": Op(txn.commit_with, {"tid": req(text(64))}),
    # begin, every write and commit in one request (a press's apply: one round trip, not three)
    "txn_apply": Op(txn.apply_with, {"ops": req(list_of(write_op)), "undo_name": req(text()),
                                     "fail_after": opt(optional(integer(0, MAX_LIST)))}),
    "txn_abort": Op(txn.abort_with, {"tid": req(text(64))}),
    "calibrate_sweep": Op(sweep.sweep_with, {"plan": req(list_of(PLAN_ENTRY, 64))}),
    # dry runs at a plugin's insertion point (auto-compress); toggles bypass and selection meanwhile
    "insertion_levels": Op(insertion.insertion_levels_with, {
        "track_guids": req(list_of(GUID, insertion.MAX_TRACKS)),
        "stop_fx": req(list_of(integer(0, MAX_LIST), insertion.MAX_TRACKS))}),
    # the master's dry-run render (RENDER_STATS), trial writes in place only while it renders
    "master_stats": Op(dryrun.master_stats_with, {"trial_ops": opt(optional(list_of(write_op))),
                                                  "then_read": opt(optional(record(master=flag)))}),
    # post-FX loudness of tracks as heard (through their folders), trial writes in place meanwhile (balance)
    # (``trials``: one list of trial writes per track, in place while that track is measured: compare)
    "tracks_heard": Op(heard.tracks_heard_with, {"track_guids": req(list_of(GUID, heard.MAX_TRACKS)),
                                                 "trial_ops": opt(optional(list_of(write_op))),
                                                 "trials": opt(optional(list_of(list_of(write_op), heard.MAX_TRACKS)))}),
    # the master mix rendered to a WAV in a private folder the bridge chooses (match-reference)
    "master_render_file": Op(render_file.master_file_with, {"trial_ops": opt(optional(list_of(write_op)))}),
}


def prepare(op: str, args: dict[str, Any]) -> tuple[Op, dict[str, Any]]:
    """The operation and its validated arguments, or RefusedError."""
    spec = OPS.get(op)
    if spec is None:
        raise RefusedError(f"unknown operation {op[:40]!r}")
    return spec, spec.validated(op, args)
