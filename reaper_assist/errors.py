"""One exception hierarchy for the whole package (style.md rule 6), and the one record of an
item that played silence (:class:`MediaProblem`)."""

from __future__ import annotations

from dataclasses import dataclass


class ReaperAssistError(Exception):
    """Base of every error reaper-assist raises on purpose."""


class InvalidAudioError(ReaperAssistError, ValueError):
    """Audio that cannot be analysed: empty, NaN/inf, wrong shape."""


class ParameterError(ReaperAssistError, ValueError):
    """An option or plugin parameter outside its valid range."""


class ProjectFormatError(ReaperAssistError, ValueError):
    """A corrupt or truncated .RPP file; ``line`` is 1-based where known."""

    def __init__(self, message: str, *, line: int | None = None, path: str | None = None):
        self.line = line
        self.path = path
        where = ""
        if path:
            where += f"{path}: "
        if line is not None:
            where += f"line {line}: "
        super().__init__(where + message)


class MediaError(ReaperAssistError):
    """A track's media could not be read (missing, offline, MIDI-only)."""


class HostError(ReaperAssistError, RuntimeError):
    """A request to REAPER (live or emulated) failed."""


class HostUnavailableError(HostError):
    """REAPER is not running, or the bridge is not reachable."""


class StaleReferenceError(HostError):
    """A track or FX changed or vanished between analysis and apply."""


#: Why an item played silence, as :class:`MediaProblem` reports it.
MEDIA_PROBLEM_REASONS = {
    "missing": "missing media",
    "unreadable": "unreadable media",
    "midi": "MIDI item, no audio to read",
    "offline": "offline media",
    "empty": "empty item, no source",
}


@dataclass(frozen=True)
class MediaProblem:
    """An item whose audio could not be used: it plays silence, and this says why (never fatal).

    The one record for the product's media reader and the emulator (its project check and its
    audio engine): ``reason`` is a key of :data:`MEDIA_PROBLEM_REASONS`; ``item_index`` is the
    item's 1-based number on its track, as users count items; ``track_index`` (0-based) is known
    to the emulator only.
    """

    track_name: str
    item_index: int
    file: str | None
    reason: str
    detail: str = ""
    track_index: int | None = None

    def __str__(self) -> str:
        where = f"track {self.track_index + 1} " if self.track_index is not None else "track "
        text = f"{where}{self.track_name!r}, item {self.item_index}: "
        text += MEDIA_PROBLEM_REASONS.get(self.reason, self.reason)
        if self.file:
            text += f" ({self.file})"
        if self.detail:
            text += f": {self.detail}"
        return text
