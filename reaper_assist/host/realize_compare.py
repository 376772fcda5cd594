"""Realize the ``compare`` steps (rules/comparison.py) and the ``--preview`` bypass of a plan's own
writes: registered into :data:`reaper_assist.host.realize._REALIZERS`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from reaper_assist.host import realize, restore
from reaper_assist.host.base import ProjectState
from reaper_assist.host.realize import Write, _op, _track
from reaper_assist.host.realize_remove import _restore
from reaper_assist.rules import comparison as C

# compare's own kinds for a value (bridge/writes_compare.py), which the durable history does not record
VALUE_KINDS = {"track_info": "compare_track_info", "item_info": "compare_item_info", "take_info": "compare_take_info"}
COMPARE_EXT = "reaper_assist_compare"  # the track P_EXT key (without "P_EXT:") of compare's record


def _fx_enabled(state: ProjectState, s: C.SetFxEnabled, base: int) -> list[Write]:
    _track(state, s)
    return [Write(s.track_guid, s.track_name, f"{s.label} {'on' if s.enabled else 'bypassed'}", None,
                  1 if s.enabled else 0, s.reason, _op(s, "fx_enabled", fx=s.fx_guid, value=1 if s.enabled else 0),
                  s.evidence)]


def _lane_active(state: ProjectState, s: C.SetLaneActive, base: int) -> list[Write]:
    _track(state, s)
    on = "1" if s.active else "0"
    return [Write(s.track_guid, s.track_name, f"the {s.envelope} lane {'on' if s.active else 'off'}", None, on,
                  s.reason, _op(s, "lane_active", envelope=s.envelope, value=on), s.evidence)]


def _value(state: ProjectState, s: C.SetValue, base: int) -> list[Write]:
    """Remove's restore of a value, as compare's kind of write."""
    return [replace(w, what=s.label, op={**w.op, "op": VALUE_KINDS[w.op["op"]]}) for w in _restore(state, s, base)]


def _switch_take(state: ProjectState, s: C.SwitchTake, base: int) -> list[Write]:
    _track(state, s)
    extra: dict[str, Any] = {}
    if s.restore:
        extra["restore"] = restore.take_restore_json(s.restore)
    op = _op(s, "compare_take", item=s.item_guid, take_guid=s.take_guid, active_now=s.active_now, **extra)
    return [Write(s.track_guid, s.track_name, f"the active take of item {s.item_index + 1}", s.active_now, s.take_guid,
                  s.reason, op, s.evidence)]


def _drop_chain(state: ProjectState, s: C.DropEmptyChain, base: int) -> list[Write]:
    _track(state, s)
    return [Write(s.track_guid, s.track_name, "drop the FX chain if it is empty now", None, "", s.reason,
                  _op(s, "fxchain_drop_empty"), s.evidence)]


def _mark(state: ProjectState, s: C.CompareMark, base: int) -> list[Write]:
    _track(state, s)
    return [Write(s.track_guid, s.track_name, "compare's record on the track", None, s.text, s.reason,
                  _op(s, "track_ext", key=COMPARE_EXT, value=s.text), s.evidence)]


def preview_writes(writes: Sequence[Write]) -> list[Write]:
    """The writes that leave a plan's own work bypassed: every FX it adds or updates, every lane it
    writes (appended after the plan's writes, so ``@n`` names the n-th write's FX)."""
    out: list[Write] = []
    seen: set[tuple[str, str]] = set()
    for n, w in enumerate(writes):
        kind = w.op.get("op")
        if kind == "add_fx":
            target: dict[str, Any] = {"fx": f"@{n}", "value": 0}
            key, new = (w.track_guid, f"@{n}"), "fx_enabled"
        elif isinstance(w.op.get("fx"), str) and not str(w.op["fx"]).startswith("@"):
            target = {"fx": w.op["fx"], "value": 0}
            key, new = (w.track_guid, str(w.op["fx"]).upper()), "fx_enabled"
        elif kind == "owned_envelope":
            target = {"envelope": w.op["envelope"], "value": "0"}
            key, new = (w.track_guid, "lane " + str(w.op["envelope"])), "lane_active"
        else:
            continue
        if key in seen:
            continue
        seen.add(key)
        op = {"op": new, "track": w.track_guid, "track_name": w.track_name, **target}
        what = f"the {w.op['envelope']} lane off (preview)" if new == "lane_active" else "bypassed (preview)"
        out.append(Write(w.track_guid, w.track_name, what, None, target["value"], "--preview: written bypassed", op))
    return out


REALIZERS: dict[type, Callable[[ProjectState, Any, int], list[Write]]] = {
    C.SetFxEnabled: _fx_enabled, C.SetLaneActive: _lane_active, C.CompareMark: _mark, C.SetValue: _value,
    C.DropEmptyChain: _drop_chain, C.SwitchTake: _switch_take,
}
realize._REALIZERS.update(REALIZERS)
