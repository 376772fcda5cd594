"""``remove`` decisions, pure: which value to put back from the history of what the tool wrote,
and the steps that take the tool's work off a track (our FX, our lanes, our takes, a track we added).

A value is put back only when it still holds what the tool wrote last; the history of one value
(oldest first) is walked back while each run's ``old`` is the previous run's ``new`` (the user did
not touch it between runs), so the value returns to what it was before the tool's unbroken chain of
writes: the user's own value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reaper_assist.rules.steps import Step

SAME_REL = 1e-9  # the project file keeps every float exactly (shortest repr); 1e-9 as bridge's expect check


def same(a: float, b: float) -> bool:
    return abs(a - b) <= SAME_REL * max(1.0, abs(a), abs(b))


@dataclass(frozen=True)
class Restore:
    status: str  # "restore", "left" (the user changed it since), "original" (already back, e.g. undone)
    value: float  # the value to write back (restore), or the one it holds (left / original)
    wrote: float  # what the tool wrote last
    runs: int  # how many of the tool's runs the restore undoes


def chain_back(entries: Sequence[dict[str, Any]], current: float) -> Restore:
    """What to do with one value, from its history entries (oldest first, each ``old``/``new``)."""
    last = float(entries[-1]["new"])
    if not same(current, last):
        if any(same(current, float(e["old"])) for e in entries[:1]) or same(current, float(entries[-1]["old"])):
            return Restore("original", current, last, 0)
        return Restore("left", current, last, 0)
    value, runs = float(entries[-1]["old"]), 1
    for e in reversed(entries[:-1]):
        if not same(float(e["new"]), value):
            break
        value, runs = float(e["old"]), runs + 1
    return Restore("restore", value, last, runs)


def group(entries: Sequence[dict[str, Any]]) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """History entries by value: (track GUID, item GUID, field) -> entries oldest first."""
    out: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for e in entries:
        key = (str(e["track_guid"]).upper(), str(e.get("item_guid") or "").upper(), str(e["field"]))
        out.setdefault(key, []).append(e)
    return out


# ------------------------------------------------------------------------------------------------
# steps
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class RestoreValue(Step):
    """Put ``field`` ("track volume", "take volume"...) back to ``value``, if it still holds ``expect``."""

    field: str
    item_guid: str = ""
    value: float
    expect: float
    label: str


@dataclass(frozen=True, kw_only=True)
class RemoveLane(Step):
    """Delete the envelope lane ``envelope`` (GUID ``lane_guid``) the tool created for ``owner``."""

    envelope: str
    lane_guid: str
    owner: str


@dataclass(frozen=True, kw_only=True)
class ForgetOwnership(Step):
    """Clear the track's lists of our FX (``fx``) and lanes (``lanes``) once those are gone."""


    fx: bool
    lanes: bool
    compare: bool = False  # compare's record of what it switched off


@dataclass(frozen=True, kw_only=True)
class RemoveTake(Step):
    """Delete the take ``take_guid`` the tool added on item ``item_guid`` (``tag``: denoise's
    rendered take), making the user's ``original_take`` active again if ours is the active one.
    ``restore``: the take values (field, value, the values the tool's writes left it at) to put
    back on the take that is active then, when it holds one of those: the tool's take writes went
    to whichever take was active, the user's before the new take came, ours after."""

    item_guid: str
    item_index: int
    take_guid: str
    tag: str
    original_take: str
    restore: tuple[tuple[str, float, tuple[float, ...]], ...] = ()


def take_restore(entries: Sequence[dict[str, Any]], current: float) -> tuple[float, tuple[float, ...]] | None:
    """For a take value on an item whose active take (ours) goes: the user's value and every value
    the tool's unbroken chain of writes held (the user's take holds one of them, or the user's
    value, when ours is gone), or None if the user changed it since the tool last wrote it."""
    r = chain_back(entries, current)
    if r.status == "left":
        return None
    walked = entries[len(entries) - r.runs:] if r.runs else entries[-1:]
    held = {float(e["new"]) for e in walked} | {float(e["old"]) for e in walked}
    return (r.value if r.status == "restore" else float(entries[0]["old"])), tuple(sorted(held))


@dataclass(frozen=True, kw_only=True)
class RemoveTrack(Step):
    """Delete a track the tool added (for ``owner``)."""

    owner: str
