"""The plan of an assistant that keeps one tagged plugin per track: the per-track loop and the
decisions it records (changed, at target, kept for the user's own plugin, skipped)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reaper_assist.app.our_fx import our_fx, users_own
from reaper_assist.app.run_action import clean, undo_name
from reaper_assist.app.track_source import TrackSource, track_source
from reaper_assist.host.base import FXState, ProjectState, TrackState
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import Step
from reaper_assist.rules.tables import parse_amount, table_with_overrides


def decision(track: TrackState, changes: list[Step], reason: str, evidence: dict[str, Any], *,
             before: float | None = None, after: float | None = None, change: float = 0.0,
             no_change_status: str = "at target") -> TrackDecision:
    status = "changed" if changes else no_change_status
    return TrackDecision(track.guid, track.name, status, before, after, change if changes else 0.0, reason,
                         clean(evidence))


def skipped(track: TrackState, why: str, evidence: dict[str, Any] | None = None) -> TrackDecision:
    return TrackDecision(track.guid, track.name, "skipped", None, None, 0.0, why, clean(evidence or {}))


def track_inputs(track: TrackState, sample_rate: int, tag: str, words, kind: str):
    """The common start of every assistant's per-track step: ``(our FX or None, source)``, or the
    decision to record instead (the user's own plugin does the job; the audio cannot be analysed)."""
    own = users_own(track, tag, words, kind)
    if own is not None:
        return own
    src = track_source(track, sample_rate)
    if src.audio is None:
        return skipped(track, src.why_not)
    return our_fx(track, tag), src


StepFn = Callable[[TrackState, FXState | None, TrackSource, dict[str, dict[str, Any]], float],
                  tuple[list[Step], TrackDecision]]


def plan_each_track(state: ProjectState, tracks: list[TrackState], raw: dict[str, Any], *, action: str,
                    title: str, tag: str, user_words: tuple[str, ...], user_kind: str, step: StepFn) -> Plan:
    """The plan of an assistant that keeps one tagged plugin per track: for every track, either a
    decision without change (the user's own plugin does the job; nothing to analyse) or
    ``step(track, our FX or None, source, rule table, amount) -> (steps, decision)``."""
    amount = parse_amount(raw, action)
    table = table_with_overrides(action, raw)
    changes: list[Step] = []
    decisions: list[TrackDecision] = []
    for tr in tracks:
        inputs = track_inputs(tr, state.sample_rate, tag, user_words, user_kind)
        if isinstance(inputs, TrackDecision):
            decisions.append(inputs)
            continue
        ours, src = inputs
        ch, d = step(tr, ours, src, table, amount)
        changes.extend(ch)
        decisions.append(d)
    return Plan(action, undo_name(title, len(tracks)), tuple(changes), tuple(decisions), {"amount": amount * 100.0})
