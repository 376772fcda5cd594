"""Level targets as users write them: ``rms:-18`` (dBFS RMS over active parts, the default),
``lufs:-23`` (integrated loudness), ``peak:-10`` (sample peak, dBFS)."""

from __future__ import annotations

from dataclasses import dataclass

from reaper_assist.errors import ParameterError

KINDS = {"rms": "dBFS RMS (active parts)", "lufs": "LUFS integrated", "peak": "dBFS sample peak"}


@dataclass(frozen=True)
class Target:
    kind: str  # "rms", "lufs", "peak"
    value: float

    def __str__(self) -> str:
        return f"{self.kind}:{self.value:g}"

    @property
    def label(self) -> str:
        return f"{self.value:g} {KINDS[self.kind]}"


def parse_target(text: str | float) -> Target:
    """``"rms:-18"`` / ``"lufs:-23"`` / ``"peak:-10"``; a bare number means dBFS RMS."""
    if isinstance(text, (int, float)):
        return Target("rms", float(text))
    s = str(text).strip().lower()
    kind, _, num = s.partition(":")
    if not num:
        kind, num = "rms", kind
    if kind not in KINDS:
        raise ParameterError(f"target {text!r}: kind must be one of {', '.join(KINDS)} (e.g. rms:-18, lufs:-23)")
    try:
        value = float(num)
    except ValueError:
        raise ParameterError(f"target {text!r}: {num!r} is not a number") from None
    if not -80.0 <= value <= 0.0:
        raise ParameterError(f"target {text!r}: {value:g} is outside -80..0")
    return Target(kind, value)
