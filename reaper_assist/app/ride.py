"""Action "Ride selected tracks": a level ride toward a target loudness over the voiced parts,
written as points on the track's Trim Volume lane (the user's Volume lane stays theirs).

host (read) -> pre-FX audio -> phrases (hysteresis gate) -> voiced loudness (1 s window) ->
rules.automation (gain curve, pauses held at the lower neighbour, slew limit, RDP) -> one
``OwnedEnvelope`` step per track -> one undo block.
"""

from __future__ import annotations


import numpy as np

from reaper_assist.analysis.phrases import voiced_loudness
from reaper_assist.app.automation import envelope_action, lane_decision, phrases_or_skip
from reaper_assist.host.base import TrackState
from reaper_assist.rules import automation as rule
from reaper_assist.rules.plan import TrackDecision
from reaper_assist.rules.steps import Step

ACTION = "ride"


def _spread(x: np.ndarray) -> float:
    return float(np.percentile(x, 90) - np.percentile(x, 10))


def _plan_track(tr: TrackState, sample_rate: int, s: rule.RideSettings) -> tuple[list[Step], TrackDecision]:
    tp = phrases_or_skip(tr, sample_rate, rule.RIDE_LANE, ACTION, "ride")
    if isinstance(tp, TrackDecision):
        return [], tp
    ph = tp.phrases
    loud = voiced_loudness(tp.audio, tp.sample_rate, ph.voiced, window_s=s.window_s, name=tr.name)
    v = ph.voiced[: loud.size] & np.isfinite(loud)
    target = s.target_lufs if s.target_lufs is not None else float(np.median(loud[v]))
    spans = [(int(round(a / ph.frame_s)), min(loud.size, int(round(b / ph.frame_s)))) for a, b in ph.spans]
    spans = [(a, b) for a, b in spans if b > a]
    gain = rule.ride_curve(loud, spans, ph.frame_s, s, target)
    points = rule.ride_points(gain, ph.frame_s, tp.start_s, s)
    before, after = _spread(loud[v]), _spread(loud[v] + gain[v])
    dur = tp.end_s - tp.start_s
    ev = {"target_lufs": target, "phrases": len(ph.spans), "noise_floor_dbfs": ph.noise_floor_db,
          "spread_before_lu": before, "spread_after_lu": after, "gain_min_db": float(gain.min()),
          "gain_max_db": float(gain.max()), "points": len(points), "points_per_s": len(points) / max(dur, 1e-9)}
    reason = (f"ride {len(ph.spans)} phrases toward {target:.1f} LUFS within +-{s.range_db:g} dB: "
              f"loudness spread {before:.1f} -> {after:.1f} LU, {len(points)} points")
    return lane_decision(tr, rule.RIDE_LANE, ACTION, points, reason, ev, before, after)


plan, run = envelope_action(ACTION, "Ride", rule.RideSettings.parse, _plan_track)
