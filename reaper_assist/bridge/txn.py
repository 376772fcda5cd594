"""Atomic apply, run inside REAPER step by step within one held batch (reapy HOLD ... RELEASE).

``begin`` validates the whole plan against the live project (every GUID exists, every ``expect``ed
value is unchanged) and opens one undo block; ``step`` writes one operation; ``commit`` closes the
block (one undo point); ``abort`` puts back what was written, closes the block and undoes it if it
left a point. If the client vanishes before ``commit`` the bridge runs ``abort`` for it (registered
with :mod:`reaper_assist.bridge.context`), so a plan is either wholly applied or not at all.

An operation may carry ``expect`` (the value the plan was computed from); a mismatch means the
project changed since analysis and nothing is written. Operations on an FX added earlier in the same
plan refer to it as ``"fx": "@<n>"`` (the n-th operation's result, an FX GUID). Each operation is an
instance of its write kind (:mod:`reaper_assist.bridge.writes`). :func:`apply_with` runs a whole plan
in one call (the in-process host).

The batch runs with REAPER's UI refresh held (``PreventUIRefresh(1)`` from ``begin`` to ``commit`` or
``abort``), then the arrange view and the track list are refreshed once (``UpdateArrange``,
``TrackList_AdjustWindows``), so a plan of many writes redraws once (issue 10 point 6).
"""

from __future__ import annotations

import secrets
from typing import Any

from reaper_assist.bridge import context, writes
from reaper_assist.bridge.writes import ApplyError

_TXNS: dict[str, dict[str, Any]] = {}


def _api() -> Any:
    import reapy.reascript_api as api  # inside REAPER: the real binding (patched by the undo guard)

    return api


def begin_with(
    api: Any, ops: list[dict[str, Any]], undo_name: str, fail_after: int | None = None
) -> str:
    kinds, handles = writes.prepare(api, ops)
    tid = secrets.token_hex(8)
    api.PreventUIRefresh(1)
    api.Undo_BeginBlock2(0)
    txn: dict[str, Any] = {
        "api": api,
        "ops": kinds,
        "handles": handles,
        "done": [],
        "results": [],
        "undo_name": str(undo_name),
        "fail_after": fail_after,
        "cleanup": None,
    }
    _TXNS[tid] = txn
    txn["cleanup"] = context.on_disconnect(lambda: abort_with(api, tid))
    return tid


def step_with(api: Any, tid: str, n: int) -> Any:
    txn = _get(tid)
    ops, done = txn["ops"], txn["done"]
    try:
        if n != len(done) or not 0 <= n < len(ops):
            raise ApplyError(
                f"operation {n} out of order (expected {len(done)} of {len(ops)})"
            )
        if txn["fail_after"] is not None and n >= int(txn["fail_after"]):
            raise ApplyError(f"injected fault after {n} operations")
        op = ops[n]
        h = op.bind(api, txn["handles"][n], txn["results"])
        old = op.capture(api, h)
        res = op.apply(api, h)
        txn["results"].append(res)
        done.append((op, h, old, res))
        return res
    except BaseException:
        abort_with(api, tid)
        raise


def steps_with(api: Any, tid: str, start: int, stop: int) -> list[Any]:
    """Operations ``start`` .. ``stop - 1`` in one request (a plan's writes cost one round trip)."""
    return [step_with(api, tid, n) for n in range(start, stop)]


def commit_with(api: Any, tid: str) -> dict[str, Any]:
    txn = _get(tid)
    if len(txn["done"]) != len(txn["ops"]):
        abort_with(api, tid)
        raise ApplyError(
            f"commit after {len(txn['done'])} of {len(txn['ops'])} operations; nothing applied"
        )
    _TXNS.pop(tid, None)
    context.forget(txn["cleanup"])
    api.Undo_EndBlock2(0, txn["undo_name"], -1)  # -1: all state (facts 1.6)
    _refresh(api)
    return {"results": txn["results"], "undo": _can_undo(api) or ""}


def abort_with(api: Any, tid: str) -> bool:
    """Put back what was written, close the block, and undo it if it left a point of ours."""
    txn = _TXNS.pop(tid, None)
    if txn is None:
        return False
    context.forget(txn["cleanup"])
    try:
        for op, h, old, res in reversed(txn["done"]):
            try:
                op.revert(api, h, old, res)
            except Exception:  # noqa: BLE001, S110 - the undo below restores it anyway
                pass
    finally:
        marker = f"{txn['undo_name']} (aborted {tid})"  # unique: never undo someone else's point
        api.Undo_EndBlock2(0, marker, -1)
        if _can_undo(api) == marker:
            api.Undo_DoUndo2(0)
        _refresh(api)
    return True


def _refresh(api: Any) -> None:
    """End the held UI refresh of this batch and redraw what the writes changed, once."""
    api.PreventUIRefresh(-1)
    api.UpdateArrange()
    api.TrackList_AdjustWindows(False)


def _can_undo(api: Any) -> str | None:
    try:
        return api.Undo_CanUndo2(0)
    except AttributeError:  # NULL: nothing to undo (facts 1.2)
        return None


def apply_with(
    api: Any, ops: list[dict[str, Any]], undo_name: str, fail_after: int | None = None
) -> dict[str, Any]:
    """``begin``, every ``step`` and ``commit`` in one call; ``fail_after`` (tests) raises after
    that many operations, and what was written is put back."""
    tid = begin_with(api, ops, undo_name, fail_after)
    steps_with(api, tid, 0, len(ops))
    return commit_with(api, tid)


def _get(tid: str) -> dict[str, Any]:
    txn = _TXNS.get(str(tid))
    if txn is None:
        raise ApplyError(f"no open apply {tid!r} (it was aborted or committed)")
    return txn


# entry points called by name through the bridge
def steps(tid, start, stop):
    return steps_with(_api(), tid, start, stop)


def begin(ops, undo_name, fail_after=None):
    return begin_with(_api(), ops, undo_name, fail_after)


def step(tid, n):
    return step_with(_api(), tid, n)


def commit(tid):
    return commit_with(_api(), tid)


def abort(tid):
    return abort_with(_api(), tid)
