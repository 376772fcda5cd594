"""Gain staging rule: bring each track's pre-FX level to a target, without letting peaks past a
guard, by the same dB on every item (relative item levels preserved).

Defaults follow common practice (anchors.md): about -18 dBFS RMS (0 VU), peaks never above -6 dBFS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from reaper_assist.errors import ParameterError
from reaper_assist.rules.steps import TakeGain
from reaper_assist.rules.tables import parse_amount
from reaper_assist.rules.targets import Target, parse_target

AT_TARGET_TOL_DB = 0.1  # a second run changes nothing within this (issue 3)


@dataclass(frozen=True)
class GainSettings:
    target: Target
    peak_ceiling_dbfs: float = -6.0
    method: str = "take"  # "take" (take volume of every item) or "js" (tagged JS: Volume Adjustment)
    amount: float = 1.0  # 0..1: apply this fraction of the change

    def to_json(self) -> dict[str, Any]:
        return {"target": str(self.target), "peak_ceiling_dbfs": self.peak_ceiling_dbfs,
                "method": self.method, "amount_pct": round(self.amount * 100.0, 3)}


@dataclass(frozen=True)
class TrackLevel:
    """What the rule needs to know about one track's current pre-FX level."""

    guid: str
    name: str
    level_db: float  # in the target's measure; -inf for silence
    sample_peak_dbfs: float
    current_gain_db: float = 0.0  # gain of our own tagged JS volume already on the track (js method)


def decide(track: TrackLevel, s: GainSettings) -> tuple[float, str, str]:
    """(change in dB, status, reason) for one track."""
    if not math.isfinite(track.level_db):
        return 0.0, "skipped", "silent: no level above the silence threshold to measure"
    wanted = s.target.value - track.level_db
    reason = f"{track.level_db:.1f} -> target {s.target.label}"
    change = wanted
    headroom = s.peak_ceiling_dbfs - track.sample_peak_dbfs
    if change > headroom:
        change = headroom
        reason = (f"{track.level_db:.1f} -> {track.level_db + change:.1f} {s.target.label.split(' ', 1)[1]}: "
                  f"limited by the peak guard (sample peak {track.sample_peak_dbfs:.1f} dBFS may not exceed "
                  f"{s.peak_ceiling_dbfs:.1f} dBFS; target {s.target.value:g} would need {wanted:+.1f} dB)")
    limited = change < wanted
    change *= s.amount
    if abs(change) <= AT_TARGET_TOL_DB:
        if limited and wanted > AT_TARGET_TOL_DB:
            return 0.0, "at target", (f"held by the peak guard: sample peak {track.sample_peak_dbfs:.1f} dBFS is at "
                                      f"the {s.peak_ceiling_dbfs:.1f} dBFS ceiling ({track.level_db:.1f}, target "
                                      f"{s.target.label})")
        return 0.0, "at target", f"already at target ({track.level_db:.1f}, within {AT_TARGET_TOL_DB} dB)"
    return change, "changed", reason


def parse_settings(raw: dict[str, Any]) -> tuple[GainSettings, float]:
    """The rule's settings from the merged settings (:mod:`reaper_assist.app.settings`), and the
    silence threshold of the measurement (dBFS)."""
    method = str(raw.get("method", "take"))
    if method not in ("take", "js"):
        raise ParameterError(f"gain-stage method {method!r}: use 'take' (take volume) or 'js' (JS Volume Adjustment)")
    amount = parse_amount(raw, "gain-stage")
    ceiling = float(raw.get("peak_ceiling_dbfs", -6.0))
    if not -60.0 <= ceiling <= 0.0:
        raise ParameterError(f"gain-stage peak_ceiling_dbfs {ceiling:g}: must be within -60..0 dBFS")
    s = GainSettings(parse_target(raw.get("target", "rms:-18")), ceiling, method, amount)
    return s, float(raw.get("silence_threshold_dbfs", -60.0))


def level_for(target_kind: str, m: dict[str, Any]) -> float:
    """The measured level a target of ``target_kind`` is compared with (the choice of measure)."""
    return {"rms": m["active_rms_dbfs"], "lufs": m["integrated_lufs"], "peak": m["sample_peak_dbfs"]}[target_kind]


def take_gain_steps(track: TrackLevel, change_db: float, items: list[tuple[int, str]], reason: str) -> list[TakeGain]:
    """The same dB on every item's active take (``items``: (index, GUID)): relative levels kept."""
    return [TakeGain(track_guid=track.guid, track_name=track.name, reason=reason, item_guid=guid, item_index=index,
                     gain_db=change_db) for index, guid in items]
