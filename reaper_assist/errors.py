"""One exception hierarchy for the whole package (style.md rule 6)."""

from __future__ import annotations


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
