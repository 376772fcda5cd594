"""Bounds on a request whose work keeps REAPER waiting (dry-run and trial renders, inside REAPER):
at most so many items a request, refused before anything runs, and no new item started once a
time budget is spent; and the client's side, a press split into requests of that size. One
mechanism for ``insertion_levels`` and ``tracks_heard`` (with or without trials). Imports nothing
from the rest of reaper_assist but the bridge's ApplyError."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def refuse_over(what: str, n: int, limit: int, each: str) -> None:
    """Refuse ``n`` items over ``limit`` in one request, saying what each costs REAPER."""
    from reaper_assist.bridge.writes import ApplyError

    if n > limit:
        raise ApplyError(f"{what} in one request, over the limit of {limit} ({each})")


def within_budget(items: Sequence[T], measure: Callable[[T], dict[str, Any]], budget_s: float,
                  clock: Callable[[], float], what: str,
                  named: Callable[[T], dict[str, Any]] = lambda x: {}) -> list[dict[str, Any]]:
    """``measure`` of every item in order; once ``budget_s`` have gone by on ``clock``, the items
    not started yet come back ``{**named(item), "measured": False, "why": ...}`` naming the budget."""
    spent = {"measured": False, "why": f"not measured: the {what}' time budget of {budget_s:g} s "
                                       "for one request was spent on the tracks before"}
    start = clock()
    return [{**named(x), **spent} if clock() - start >= budget_s else measure(x) for x in items]


def chunks(seq: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``seq`` in consecutive slices of at most ``size`` (the client's split of a larger press)."""
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def spans(n: int, size: int) -> Iterator[slice]:
    """The slices of :func:`chunks` over ``n`` positions, for lists cut side by side."""
    for i in range(0, n, size):
        yield slice(i, i + size)
