"""Undo history over whole-project snapshots.

REAPER records an undo point when an outermost ``Undo_EndBlock`` closes (nested blocks merge into
it). Each point keeps the project text before and after, so undoing restores the project exactly
as it was saved before the block (issue 2) and redo replays it. Pointers stay valid across an
undo because the pointer table keys objects by GUID (binding.PointerTable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from reaper_assist.emulator.reascript import Reaper


@dataclass(frozen=True)
class UndoPoint:
    description: str
    before: str
    after: str
    flags: int


class UndoHistory:
    def __init__(self, reaper: Reaper):
        self.reaper = reaper
        self.points: list[UndoPoint] = []
        self.redo_stack: list[UndoPoint] = []
        self.depth = 0
        # GetProjectStateChangeCount: moves with every point recorded, undone or redone
        # (uncertain.STATE_CHANGE_COUNT_MOVES_WITH_UNDO)
        self.changes = 0
        self._before: str | None = None
        # the project as loaded: what a point made before any other point goes back to
        self._baseline = self._text()

    def _text(self) -> str:
        return self.reaper.project.dumps()

    def begin(self) -> None:
        if self.depth == 0:
            self._before = self._text()
        self.depth += 1

    def end(self, description: str, flags: int = -1) -> None:
        if self.depth == 0:  # an unbalanced EndBlock: REAPER records a point of what changed
            self.point(description, flags)
            return
        self.depth -= 1
        if self.depth == 0 and self._before is not None:
            before, self._before = self._before, None
            after = self._text()
            if after != before:
                self.points.append(UndoPoint(description, before, after, flags))
                self.redo_stack.clear()
                self.changes += 1

    def point(self, description: str, flags: int = -1) -> None:
        """An undo point for a change made outside a block (e.g. a native action). Inside an
        open block the change merges into the block's point (scripts wrap Main_OnCommand calls
        in one Undo_BeginBlock/EndBlock to get one undo point; docs/emulator.md)."""
        if self.depth > 0:
            return
        after = self._text()
        before = self.points[-1].after if self.points else self._baseline
        if before != after:
            self.points.append(UndoPoint(description, before, after, flags))
            self.redo_stack.clear()
            self.changes += 1

    def can_undo(self) -> str | None:
        return self.points[-1].description if self.points else None

    def can_redo(self) -> str | None:
        return self.redo_stack[-1].description if self.redo_stack else None

    def undo(self) -> bool:
        if not self.points or self.depth:
            return False
        p = self.points.pop()
        self._restore(p.before)
        self.redo_stack.append(p)
        self.changes += 1
        return True

    def redo(self) -> bool:
        if not self.redo_stack or self.depth:
            return False
        p = self.redo_stack.pop()
        self._restore(p.after)
        self.points.append(p)
        self.changes += 1
        return True

    def _restore(self, text: str) -> None:
        from reaper_assist.emulator.project import MasterTrack, Project

        project = self.reaper.project
        fresh = Project.loads(text, path=project.path)
        project.root, project.fragment = fresh.root, fresh.fragment
        project._track_cache.clear()
        project._tracks_memo = None
        project.master = MasterTrack(project)
