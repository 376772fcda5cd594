"""The Plan: an action's typed steps (:mod:`reaper_assist.rules.steps`, real units, each with its
reason) and one decision per track.

Dry run prints it, :mod:`reaper_assist.host.realize` turns its steps into native writes that the
host applies in one undo block, and it is the evidence stored in the project's ``last_run`` record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reaper_assist.rules.steps import Step


@dataclass(frozen=True)
class TrackDecision:
    """The per-track summary that goes into ``last_run`` and the printed table."""

    guid: str
    name: str
    status: str  # "changed", "at target", "skipped"
    before_db: float | None
    after_db: float | None
    change_db: float
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    action: str
    undo_name: str
    steps: tuple[Step, ...]
    decisions: tuple[TrackDecision, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    note: str = ""  # said after the summary in the record's message (e.g. a mix-wide check)

    @property
    def is_empty(self) -> bool:
        return not self.steps
