"""What the automation actions (ride, dip-gaps) share: whose an envelope lane is, a track's
phrases on the project timeline, and the step (or "unchanged") for the points of a lane we own.

Ownership: a lane is ours when the track's ``P_EXT:reaper_assist_env`` names it with its GUID
(the write that created or adopted it recorded that). A lane with no points, or only the one 0 dB
point REAPER puts on a lane it shows for the first time, is adopted. A lane holding anything
else is the user's: the action refuses that track with a message and moves none of its points.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from reaper_assist.analysis.phrases import Phrases, find_phrases
from reaper_assist.app.run_action import clean, run_assistant, undo_name
from reaper_assist.app.track_audio import pre_fx_audio
from reaper_assist.errors import InvalidAudioError
from reaper_assist.host.base import ProjectState, TrackState
from reaper_assist.rules.automation import OwnedEnvelope, same_points
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import ENVELOPE_SHAPES, EnvelopePoint, Step
from reaper_assist.units import amp_to_db

SHAPE_NAMES = {v: k for k, v in ENVELOPE_SHAPES.items()}


def _owners(track: TrackState) -> dict[str, Any]:
    try:
        d = json.loads(track.env_tags or "{}")
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def lane_points(track: TrackState, lane: str) -> list[tuple[float, float, int]]:
    """The lane's points as ``(time_s, dB, shape)``."""
    pts = (track.envelopes.get(lane) or {}).get("points", [])
    return [(float(t), amp_to_db(float(a)), int(sh)) for t, a, sh, *_ in pts]


def refusal(track: TrackState, lane: str, action: str) -> str:
    """Why ``action`` must not write this track's ``lane`` (it holds the user's points), or ""."""
    info = track.envelopes.get(lane)
    if info is None:
        return ""
    mine = _owners(track).get(lane) or {}
    if str(mine.get("guid", "")).upper() == str(info.get("guid", "")).upper() and mine.get("owner") == action:
        return ""
    pts = info.get("points", [])
    if not pts or (len(pts) == 1 and abs(float(pts[0][1]) - 1.0) < 1e-6):
        return ""
    whose = f"reaper-assist {mine.get('owner')}'s" if mine.get("owner") not in (None, action) and \
        str(mine.get("guid", "")).upper() == str(info.get("guid", "")).upper() else "your own"
    return (f"its {lane} lane already holds {len(pts)} points of {whose}; {action} never moves them "
            f"(clear or move them to another lane, then run {action} again)")


@dataclass(frozen=True)
class TrackPhrases:
    phrases: Phrases
    audio: np.ndarray
    sample_rate: int
    start_s: float  # project time of the audio's first sample
    end_s: float


def track_phrases(track: TrackState, sample_rate: int, verb: str) -> tuple[TrackPhrases | None, str]:
    """The track's pre-FX audio (as its items play: positions, offsets, playrate) and its phrases,
    or ``(None, why not)``."""
    pre = pre_fx_audio(track, sample_rate)
    why = pre.why_not(track, verb)
    if why:
        return None, why
    ta = pre.audio
    if ta is None:
        return None, f"no audio to {verb}"
    try:
        ph = find_phrases(ta.audio, ta.sample_rate, active=ta.active_mask, name=track.name)
    except InvalidAudioError as exc:
        return None, f"cannot {verb}: {exc}"
    if not ph.spans:
        return None, (f"no voiced parts found (nothing rises {12:g} dB over the track's floor of "
                      f"{ph.noise_floor_db:.1f} dBFS: silence or noise only)")
    return TrackPhrases(ph, ta.audio, ta.sample_rate, ta.start_s, ta.start_s + ta.audio.shape[-1] / ta.sample_rate), ""


def phrases_or_skip(track: TrackState, sample_rate: int, lane: str, action: str,
                    verb: str) -> TrackPhrases | TrackDecision:
    """The common start of an envelope action on one track: its phrases, or the "skipped" decision
    (the lane holds the user's points, or there is nothing voiced to work on)."""
    why = refusal(track, lane, action)
    tp = None
    if not why:
        tp, why = track_phrases(track, sample_rate, verb)
    if tp is None:
        return TrackDecision(track.guid, track.name, "skipped", None, None, 0.0, why)
    return tp


def lane_decision(track: TrackState, lane: str, action: str, points: tuple[EnvelopePoint, ...], reason: str,
                  evidence: dict[str, Any], before: float | None, after: float | None
                  ) -> tuple[list[Step], TrackDecision]:
    """The step writing ``points`` on our ``lane``, or none when the lane holds exactly them."""
    ev = clean(evidence)
    if _owned(track, lane, action) and same_points(points, lane_points(track, lane)):
        return [], TrackDecision(track.guid, track.name, "at target", before, after, 0.0,
                                 f"its {lane} lane already holds this {action} ({len(points)} points)", ev)
    step = OwnedEnvelope(track_guid=track.guid, track_name=track.name, reason=reason, evidence=ev, envelope=lane,
                         owner=action, points=points)
    change = (after - before) if before is not None and after is not None else 0.0
    return [step], TrackDecision(track.guid, track.name, "changed", before, after, change, reason, ev)


def _owned(track: TrackState, lane: str, action: str) -> bool:
    info = track.envelopes.get(lane)
    mine = _owners(track).get(lane) or {}
    return info is not None and mine.get("owner") == action and \
        str(mine.get("guid", "")).upper() == str(info.get("guid", "")).upper()


def envelope_action(action: str, title: str, parse, plan_track):
    """The ``plan`` and ``run`` of an automation action from its per-track decision
    ``plan_track(track, sample_rate, settings) -> (steps, decision)``."""

    def plan(state: ProjectState, tracks: list[TrackState], raw: dict[str, Any]) -> Plan:
        s = parse(raw)
        steps: list = []
        decisions: list[TrackDecision] = []
        for tr in tracks:
            st, d = plan_track(tr, state.sample_rate, s)
            steps += st
            decisions.append(d)
        return Plan(action, undo_name(title, len(tracks)), tuple(steps), tuple(decisions), s.to_json())

    def run(host, *, track_guids: list[str] | None = None, selected: bool = True,
            options: dict[str, Any] | None = None, dry_run: bool = False) -> dict[str, Any]:
        """Run the action; returns the ``last_run`` record (also written into the project unless dry run)."""
        return run_assistant(host, action, plan, track_guids=track_guids, selected=selected, options=options,
                             dry_run=dry_run, what=title.lower())

    return plan, run
