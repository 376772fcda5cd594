"""The dry-run render of the master (runs inside REAPER): one named operation.

``master_stats_with(api, trial_ops)`` writes ``trial_ops`` (write kinds of
:mod:`reaper_assist.bridge.writes`, e.g. our master gain and limiter at candidate settings) in an
undo block, runs REAPER's "Calculate loudness of master mix via dry run render" (action 42440),
reads ``RENDER_STATS`` and puts everything back (the block is aborted and undone, facts dry-run
addendum): the project is as it was, the measurement includes the whole master chain (the
user's own FX too). Without ``trial_ops`` it measures the master as it is.

Kept a small separate function so the closed registry of bridge operations can name it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reaper_assist.bridge import txn

MASTER_DRY_RUN = 42440  # Calculate loudness of master mix via dry run render (facts addendum)
_TRIAL_UNDO = "reaper-assist: master trial render"


def _stats(api) -> str:
    api.Main_OnCommand(MASTER_DRY_RUN, 0)
    r = api.GetSetProjectInfo_String(0, "RENDER_STATS", str(MASTER_DRY_RUN), False)
    return str(r[3]) if r[0] else ""


def with_trial(api, trial_ops: list[dict[str, Any]] | None, measure: Callable[[Any], str],
               undo_name: str = _TRIAL_UNDO) -> str:
    """``measure(api)`` with ``trial_ops`` written in an undo block that is aborted and undone
    after it (the project is as it was)."""
    if not trial_ops:
        return measure(api)
    tid = txn.begin_with(api, trial_ops, undo_name)
    try:
        txn.steps_with(api, tid, 0, len(trial_ops))
        return measure(api)
    finally:
        txn.abort_with(api, tid)


def master_stats_with(api, trial_ops: list[dict[str, Any]] | None = None,
                      then_read: dict[str, Any] | None = None) -> Any:
    """The ``RENDER_STATS`` text of a dry-run render of the master, with ``trial_ops`` in place
    during the render only. ``then_read`` (``{"master": bool}``): also the project's state read
    once the trial writes are put back (the master alone, or the tracks), as
    ``{"stats", "state"}``: the state the next writes must expect (an undone FX may come back with
    rounded values), without a request of its own."""
    text = with_trial(api, trial_ops, _stats)
    if then_read is None:
        return text
    from reaper_assist.bridge import remote

    return {"stats": text, "state": remote.read_state_with(api, master=bool(then_read["master"]))}


def master_stats(trial_ops=None, then_read=None):
    """Entry point called by name through the bridge."""
    return master_stats_with(txn._api(), trial_ops, then_read)
