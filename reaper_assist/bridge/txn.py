"""Atomic apply, run inside REAPER step by step within one held batch (reapy HOLD ... RELEASE).

``begin`` validates the whole plan against the live project (every GUID exists, every ``expect``ed
value is unchanged) and opens one undo block; ``step`` writes one operation; ``commit`` closes the
block (one undo point); ``abort`` puts back what was written, closes the block and undoes it if it
left a point. If the client vanishes before ``commit`` the bridge runs ``abort`` for it (registered
with :mod:`reaper_assist.bridge.context`), so a plan is either wholly applied or not at all.

An operation may carry ``expect`` (the value the plan was computed from); a mismatch means the
project changed since analysis and nothing is written. Operations on an FX added earlier in the same
plan refer to it as ``"fx": "@<n>"`` (the n-th operation's result, an FX GUID). The operations
themselves are :mod:`reaper_assist.bridge.remote`'s. :func:`apply_with` runs a whole plan in one call
(the in-process host).
"""

from __future__ import annotations

import secrets
from typing import Any

from reaper_assist.bridge import context
from reaper_assist.bridge import remote

_TXNS: dict[str, dict[str, Any]] = {}


def _api() -> Any:
    import reapy.reascript_api as api  # inside REAPER: the real binding (patched by the undo guard)

    return api


def begin_with(
    api: Any, ops: list[dict[str, Any]], undo_name: str, fail_after: int | None = None
) -> str:
    handles = remote.validate_ops(api, ops)
    tid = secrets.token_hex(8)
    api.Undo_BeginBlock2(0)
    txn: dict[str, Any] = {
        "api": api,
        "ops": ops,
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
            raise remote.ApplyError(
                f"operation {n} out of order (expected {len(done)} of {len(ops)})"
            )
        if txn["fail_after"] is not None and n >= int(txn["fail_after"]):
            raise remote.ApplyError(f"injected fault after {n} operations")
        op, h = ops[n], txn["handles"][n]
        if isinstance(op.get("fx"), str) and op["fx"].startswith("@"):
            h = dict(h)
            h["fx"] = remote._fx_by_guid(api, h["track"], txn["results"][int(op["fx"][1:])])
        old = remote._capture(api, op, h)
        res = remote._apply_one(api, op, h)
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
        raise remote.ApplyError(
            f"commit after {len(txn['done'])} of {len(txn['ops'])} operations; nothing applied"
        )
    _TXNS.pop(tid, None)
    context.forget(txn["cleanup"])
    api.Undo_EndBlock2(0, txn["undo_name"], -1)  # -1: all state (facts 1.6)
    return {"results": txn["results"], "undo": remote._can_undo(api) or ""}


def abort_with(api: Any, tid: str) -> bool:
    """Put back what was written, close the block, and undo it if it left a point of ours."""
    txn = _TXNS.pop(tid, None)
    if txn is None:
        return False
    context.forget(txn["cleanup"])
    try:
        for op, h, old, res in reversed(txn["done"]):
            try:
                remote._revert(api, op, h, old, res)
            except Exception:  # noqa: BLE001, S110 - the undo below restores it anyway
                pass
    finally:
        marker = f"{txn['undo_name']} (aborted {tid})"  # unique: never undo someone else's point
        api.Undo_EndBlock2(0, marker, -1)
        if remote._can_undo(api) == marker:
            api.Undo_DoUndo2(0)
    return True


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
        raise remote.ApplyError(f"no open apply {tid!r} (it was aborted or committed)")
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
