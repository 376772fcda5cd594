"""Action "Dip noise between phrases": on a voice with a noise floor, points on the track's
Volume (Pre-FX) lane that lower the gaps between phrases by a set depth, the fades kept clear
of every phrase's start and tail.
"""

from __future__ import annotations


from reaper_assist.app.automation import envelope_action, lane_decision, phrases_or_skip
from reaper_assist.host.base import TrackState
from reaper_assist.rules import automation as rule
from reaper_assist.rules.plan import TrackDecision
from reaper_assist.rules.steps import Step

ACTION = "dip-gaps"


def _plan_track(tr: TrackState, sample_rate: int, s: rule.DipSettings) -> tuple[list[Step], TrackDecision]:
    tp = phrases_or_skip(tr, sample_rate, rule.DIP_LANE, ACTION, "dip gaps")
    if isinstance(tp, TrackDecision):
        return [], tp
    ph = tp.phrases
    ev = {"phrases": len(ph.spans), "noise_floor_dbfs": ph.noise_floor_db, "depth_db": s.depth_db}
    if ph.noise_floor_db < s.min_floor_dbfs:
        return [], TrackDecision(tr.guid, tr.name, "at target", None, None, 0.0,
                                 f"no noise floor to dip (the gaps are at {ph.noise_floor_db:.1f} dBFS, "
                                 f"below {s.min_floor_dbfs:g})", ev)
    spans = [(tp.start_s + a, tp.start_s + b) for a, b in ph.spans]
    points = rule.dip_points(spans, tp.start_s, tp.end_s, s)
    if not points:
        return [], TrackDecision(tr.guid, tr.name, "at target", None, None, 0.0,
                                 f"no gap between its {len(spans)} phrases is long enough to dip", ev)
    gaps = sum(1 for p in points if p.value_db < 0) // 2 + (1 if points[0].value_db < 0 else 0)
    ev["gaps"] = gaps
    reason = (f"dip {gaps} gaps between {len(spans)} phrases by {s.depth_db:g} dB over a floor of "
              f"{ph.noise_floor_db:.1f} dBFS")
    return lane_decision(tr, rule.DIP_LANE, ACTION, points, reason, ev, ph.noise_floor_db,
                         ph.noise_floor_db + s.depth_db * s.amount / 100.0)


plan, run = envelope_action(ACTION, "Dip gaps on", rule.DipSettings.parse, _plan_track)
