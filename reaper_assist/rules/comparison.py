"""``compare`` and ``--preview``: the steps that switch the tool's work on a track off and on, and the
loudness match of the comparison, pure.

Off: our tagged FX bypassed, our lanes inactive, the values the tool changed (take and track
volumes, pans: app/history.py) at the user's own values, the user's own take playing where the
tool added one (denoise's), and a tagged gain (``RA Compare``) at the end of the
chain making up the loudness the tool's work added or took away (measured by the caller: the
track's dry-run render with our work on and with it off), so the ear compares sound, not level.
On: what was switched off comes back and the make-up gain goes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reaper_assist.rules.removal import RestoreValue
from reaper_assist.rules.steps import Step

COMPARE_TAG = "compare"
COMPARE_RENAME = "RA Compare"
MAX_MAKEUP_DB = 24.0  # a bigger difference is no level match any more: refused with a message


@dataclass(frozen=True, kw_only=True)
class SetFxEnabled(Step):
    """Our tagged FX ``fx_guid`` on or bypassed."""

    fx_guid: str
    enabled: bool
    label: str


@dataclass(frozen=True, kw_only=True)
class SetLaneActive(Step):
    """Our envelope lane ``lane_guid`` (``envelope``) active or not."""

    envelope: str
    lane_guid: str
    active: bool


@dataclass(frozen=True, kw_only=True)
class SetValue(RestoreValue):
    """A value the tool changed (``field``: "take volume"...) to ``value``, if it holds ``expect``:
    the user's value (from the durable history) when compared off, ours when on again. Remove's
    step, written with compare's own kinds, which the history does not record."""


@dataclass(frozen=True, kw_only=True)
class SwitchTake(Step):
    """On item ``item_guid``, make ``take_guid`` the active take, if ``active_now`` is the active
    one: the user's original take when compared off (a take the tool added, denoise's, plays
    when on), ours again when on. The pair must be listed in the item's own list of our takes.
    ``restore``: the take values (field, the user's value, the values the tool's writes left it
    at) to put on the take that becomes active, where it holds one of those (rules/removal.py
    take_restore): gain-stage may have written the user's take before denoise copied it."""

    item_guid: str
    item_index: int
    take_guid: str
    active_now: str
    restore: tuple[tuple[str, float, tuple[float, ...]], ...] = ()


@dataclass(frozen=True, kw_only=True)
class DropEmptyChain(Step):
    """The track's FX chain block, once ``RA Compare`` (the only FX) is gone and it is empty and was
    never opened: the track as it was before compare added its make-up gain."""


@dataclass(frozen=True, kw_only=True)
class CompareMark(Step):
    """The track's record of what compare switched off (JSON; "" once it is back on)."""

    text: str


def makeup_db(on_lufs: float, off_lufs: float) -> tuple[float | None, str]:
    """The gain that brings the bypassed track to the loudness of the processed one, or None and why."""
    if not (math.isfinite(on_lufs) and math.isfinite(off_lufs)):
        return None, "silent in the dry run: no level to match"
    d = on_lufs - off_lufs
    if abs(d) > MAX_MAKEUP_DB:
        return None, f"the tool's work changes the loudness by {d:+.1f} LU, more than {MAX_MAKEUP_DB:g} to make up"
    return d, ""
