"""Realize the ``remove`` steps (rules/removal.py) as native writes (bridge/writes_remove.py and the
info-value kinds): registered into :data:`reaper_assist.host.realize._REALIZERS`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reaper_assist.host import realize, restore
from reaper_assist.host.base import ProjectState
from reaper_assist.host.realize import Write, _op, _track
from reaper_assist.rules import removal as R

TAG_EXT = "reaper_assist_tag"  # the track P_EXT keys (without "P_EXT:") of our FX and our lanes
ENV_EXT = "reaper_assist_env"
COMPARE_EXT = "reaper_assist_compare"


def _restore(state: ProjectState, s: R.RestoreValue, base: int) -> list[Write]:
    _track(state, s)
    op = restore.restore_op(s.track_guid, s.track_name, s.item_guid, s.field, s.value, s.expect)
    return [Write(s.track_guid, s.track_name, f"restore {s.label}", s.expect, s.value, s.reason, op, s.evidence)]


def _remove_lane(state: ProjectState, s: R.RemoveLane, base: int) -> list[Write]:
    _track(state, s)
    return [Write(s.track_guid, s.track_name, f"remove the {s.envelope} lane ({s.owner})", s.envelope, None,
                  s.reason, _op(s, "lane_delete", lane_guid=s.lane_guid), s.evidence)]


def _forget(state: ProjectState, s: R.ForgetOwnership, base: int) -> list[Write]:
    tr = _track(state, s)
    out = []
    for flag, key, what in ((s.fx, TAG_EXT, "list of our FX"), (s.lanes, ENV_EXT, "list of our lanes"),
                            (s.compare, COMPARE_EXT, "record of compare")):
        if flag:
            out.append(Write(s.track_guid, s.track_name, f"clear the track's {what}", None, "", s.reason,
                             _op(s, "track_ext", key=key, value=""), s.evidence))
    if s.fx and tr.index >= 0:  # the master (index -1) keeps its FX list (the emulator cannot set its chunk)
        out.append(Write(s.track_guid, s.track_name, "drop the FX chain if it is empty now", None, "", s.reason,
                         _op(s, "fxchain_drop_empty"), s.evidence))
    return out


def _remove_take(state: ProjectState, s: R.RemoveTake, base: int) -> list[Write]:
    _track(state, s)
    extra: dict[str, Any] = {"original_take": s.original_take} if s.original_take else {}
    if s.restore:
        extra["restore"] = restore.take_restore_json(s.restore)
    op = _op(s, "our_take_delete", item=s.item_guid, take_guid=s.take_guid, **extra)
    return [Write(s.track_guid, s.track_name, f"delete the {s.tag} take (item {s.item_index + 1})", s.take_guid,
                  None, s.reason, op, s.evidence)]


def _remove_track(state: ProjectState, s: R.RemoveTrack, base: int) -> list[Write]:
    _track(state, s)
    return [Write(s.track_guid, s.track_name, f"delete the track {s.owner} added", s.track_name, None, s.reason,
                  _op(s, "track_delete"), s.evidence)]


REALIZERS: dict[type, Callable[[ProjectState, Any, int], list[Write]]] = {
    R.RestoreValue: _restore, R.RemoveLane: _remove_lane,
    R.ForgetOwnership: _forget, R.RemoveTrack: _remove_track, R.RemoveTake: _remove_take,
}
realize._REALIZERS.update(REALIZERS)
