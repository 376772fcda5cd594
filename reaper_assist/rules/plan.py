"""The Plan: an ordered list of changes, each with its target, old and new value, and reason.

Dry run prints it, the host applies it (as host operations, in one undo block), and it is the
evidence stored in the project's ``last_run`` record. JSON-serialisable by construction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Change:
    """One write. ``op`` is a host operation (bridge/remote.py) with everything but old/new values."""

    track_guid: str
    track_name: str
    what: str  # human label, e.g. "take volume (item 2)"
    old: float | str | None
    new: float | str | None
    reason: str
    op: dict[str, Any] = field(default_factory=dict)

    def to_op(self) -> dict[str, Any]:
        op = dict(self.op)
        op.setdefault("track", self.track_guid)
        op.setdefault("track_name", self.track_name)
        if "value" not in op:
            op["value"] = self.new
        return op


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
    changes: tuple[Change, ...]
    decisions: tuple[TrackDecision, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def ops(self) -> list[dict[str, Any]]:
        return [c.to_op() for c in self.changes]

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "undo_name": self.undo_name, "settings": self.settings,
                "changes": [asdict(c) for c in self.changes], "decisions": [asdict(d) for d in self.decisions]}
