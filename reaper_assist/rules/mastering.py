"""Mastering for a platform, pure decisions: the platform table, the target and ceiling, the next
gain from a measured render, the limiter's gain reduction, and what each platform's loudness
normalisation does to a master.

The platform table ships in ``rules/tables/master-platforms.json`` (sources in docs/master.md);
settings may override rows (``{"master": {"platforms": {"spotify": {"lufs": -13}}}}``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from reaper_assist.errors import InvalidAudioError, ParameterError
from reaper_assist.rules.tables import load_table, refuse_override_problems

TABLE = "master-platforms"
CUSTOM = "custom"
FIELD = re.compile(r"([A-Z]+):([^;]*);")
MAX_RENDERS = 4  # trial renders after the first measurement ("at most a few renders", issue 16)
CONVERGED_LU = 0.05  # stop iterating once the render is this close to the target


@dataclass(frozen=True)
class Platform:
    key: str
    title: str
    lufs: float
    tp_dbtp: float
    tolerance_lu: float = 0.3
    loud_above_lufs: float | None = None  # a master louder than this ...
    loud_tp_dbtp: float | None = None  # ... gets this stricter ceiling (Spotify: -2 dBTP above -14 LUFS)
    turns_up: bool = False  # the platform raises quieter masters (else it only turns louder ones down)
    delivery_spec: bool = False  # a delivery spec (broadcast, podcast), not a playback normalisation
    accepted_lu: float | None = None  # the spec's own accepted range around the target (podcasts +-1)


def platforms(raw: dict[str, Any] | None = None) -> dict[str, Platform]:
    """The shipped table with the settings' row overrides."""
    table = load_table(TABLE)
    refuse_override_problems("master", raw or {})  # the keys, kinds and ranges of its ``_schema``
    over = (raw or {}).get("platforms") or {}
    out = {}
    for key, row in {**table, **{k: {**table.get(k, {}), **v} for k, v in over.items()}}.items():
        try:
            out[key] = Platform(key=key, title=str(row.get("title", key)), lufs=float(row["lufs"]),
                                tp_dbtp=float(row["tp_dbtp"]), tolerance_lu=float(row.get("tolerance_lu", 0.3)),
                                loud_above_lufs=_opt(row.get("loud_above_lufs")),
                                loud_tp_dbtp=_opt(row.get("loud_tp_dbtp")), turns_up=bool(row.get("turns_up")),
                                delivery_spec=bool(row.get("delivery_spec")), accepted_lu=_opt(row.get("accepted_lu")))
        except (KeyError, TypeError, ValueError) as exc:
            raise ParameterError(f"platform {key!r} in the master table: needs numbers lufs and tp_dbtp ({exc})") from exc
    return out


def _opt(x: Any) -> float | None:
    return None if x is None else float(x)


@dataclass(frozen=True)
class MasterSettings:
    platform: str
    title: str
    target_lufs: float
    ceiling_dbtp: float
    tolerance_lu: float
    max_gain_reduction_db: float
    release_ms: float
    tp_margin_db: float
    report_only: bool

    @property
    def limiter_ceiling_db(self) -> float:
        """ReaLimit's ceiling: the platform's true-peak ceiling less the margin for the
        limiter's true-peak overshoot."""
        return self.ceiling_dbtp - self.tp_margin_db

    def to_json(self) -> dict[str, Any]:
        return {"platform": self.platform, "target_lufs": self.target_lufs, "ceiling_dbtp": self.ceiling_dbtp,
                "tolerance_lu": self.tolerance_lu, "max_gain_reduction_db": self.max_gain_reduction_db,
                "release_ms": self.release_ms, "tp_margin_db": self.tp_margin_db, "report_only": self.report_only}


def _number(raw: dict[str, Any], key: str, what: str) -> float | None:
    v = raw.get(key)
    if v is None:
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise ParameterError(f"master: {what} {v!r} is not a number") from None
    if not math.isfinite(x):
        raise ParameterError(f"master: {what} {v!r} is not a number")
    return x


def parse_settings(raw: dict[str, Any]) -> MasterSettings:
    """Platform (or ``custom``) with ``lufs``/``tp`` overrides; the stricter ceiling of a louder
    master (Spotify) applies unless ``tp`` is given."""
    name = str(raw.get("platform") or "").lower()
    table = platforms(raw)
    lufs, tp = _number(raw, "lufs", "--lufs"), _number(raw, "tp", "--tp")
    if name == CUSTOM:
        if lufs is None or tp is None:
            raise ParameterError("master --platform custom needs both --lufs X and --tp Y")
        p = Platform(CUSTOM, "custom", lufs, tp)
    elif name in table:
        p = table[name]
    else:
        raise ParameterError(f"master: unknown platform {name!r}; use one of {', '.join([*table, CUSTOM])}")
    target = p.lufs if lufs is None else lufs
    ceiling = p.tp_dbtp if tp is None else tp
    if tp is None and p.loud_above_lufs is not None and p.loud_tp_dbtp is not None and target > p.loud_above_lufs:
        ceiling = min(ceiling, p.loud_tp_dbtp)
    if not -70.0 <= target <= 0.0:
        raise ParameterError(f"master: target {target:g} LUFS outside -70..0")
    if not -20.0 <= ceiling <= 0.0:
        raise ParameterError(f"master: true-peak ceiling {ceiling:g} dBTP outside -20..0")
    max_gr = _number(raw, "max_gain_reduction_db", "max gain reduction")
    max_gr = 6.0 if max_gr is None else max_gr
    if not 0.0 <= max_gr <= 20.0:
        raise ParameterError(f"master: max gain reduction {max_gr:g} dB outside 0..20")
    release = _number(raw, "release_ms", "release") or 50.0
    margin = _number(raw, "tp_margin_db", "true-peak margin")
    return MasterSettings(p.key, p.title, target, ceiling, p.tolerance_lu, max_gr, release,
                          0.1 if margin is None else margin, bool(raw.get("report_only")))


@dataclass(frozen=True)
class MasterStats:
    """One dry-run render of the master (RENDER_STATS, facts dry-run addendum)."""

    integrated_lufs: float
    lra_lu: float
    max_short_term_lufs: float
    max_momentary_lufs: float
    peak_db: float
    peak_kind: str  # "true" (TRUEPEAK: true peak on in the render settings) or "sample" (PEAK)

    @property
    def plr_db(self) -> float:
        """Peak to loudness ratio: peak - integrated loudness."""
        return self.peak_db - self.integrated_lufs

    @property
    def silent(self) -> bool:
        return not math.isfinite(self.integrated_lufs)

    def to_json(self) -> dict[str, Any]:
        return {"integrated_lufs": self.integrated_lufs, "lra_lu": self.lra_lu,
                "max_short_term_lufs": self.max_short_term_lufs, "max_momentary_lufs": self.max_momentary_lufs,
                f"{self.peak_kind}_peak_db": self.peak_db, "plr_db": self.plr_db}


def _float(text: str) -> float:
    t = text.strip().lower()
    if t in ("-inf", "-1.#inf", "-1.#inf00"):
        return -math.inf
    return float(t)


def parse_render_stats(text: str) -> MasterStats:
    """The first ``FILE:...;`` group of ``RENDER_STATS`` (the master mix)."""
    group: dict[str, str] = {}
    for k, v in FIELD.findall(text or ""):
        if k == "FILE" and group:
            break
        group[k] = v
    if "LUFSI" not in group:
        raise InvalidAudioError(f"the dry-run render of the master measured nothing (RENDER_STATS {text!r})")
    try:
        peak_kind = "true" if "TRUEPEAK" in group else "sample"
        return MasterStats(_float(group["LUFSI"]), _float(group.get("LRA", "0")),
                           _float(group.get("LUFSSMAX", "-inf")), _float(group.get("LUFSMMAX", "-inf")),
                           _float(group["TRUEPEAK" if peak_kind == "true" else "PEAK"]), peak_kind)
    except (KeyError, ValueError) as exc:
        raise InvalidAudioError(f"the dry-run render of the master: unreadable RENDER_STATS {text!r} ({exc})") from exc


def next_gain(gain_db: float, measured: MasterStats, s: MasterSettings) -> float:
    """The gain for the next trial: the loudness error added to the gain that gave it (the
    limiter makes loudness grow a little less than the gain, so this converges from below)."""
    return gain_db + (s.target_lufs - measured.integrated_lufs)


def gain_reduction_db(pre: MasterStats, gain_db: float, s: MasterSettings) -> float:
    """The limiter's maximum gain reduction: how far the master's peak before it, raised by the
    gain, goes over the limiter's ceiling (exact for the peak the render reports)."""
    return max(0.0, pre.peak_db + gain_db - s.limiter_ceiling_db)


def refusal(pre: MasterStats, gain_db: float, s: MasterSettings, *, limiter: str = "the limiter") -> str:
    """Why this target is refused (the limit on gain reduction), or "" when it is allowed."""
    gr = gain_reduction_db(pre, gain_db, s)
    if gr <= s.max_gain_reduction_db + 1e-9:
        return ""
    reachable = s.target_lufs - (gr - s.max_gain_reduction_db)
    return (f"reaching {s.target_lufs:g} LUFS for {s.title} needs {gain_db:+.1f} dB, which would drive {limiter} "
            f"into {gr:.1f} dB of gain reduction (the master peaks at {pre.peak_db:.1f} dB {pre.peak_kind} peak, "
            f"{pre.integrated_lufs:.1f} LUFS, PLR {pre.plr_db:.1f} dB), more than the {s.max_gain_reduction_db:g} dB "
            f"allowed: that would crush the mix. Nothing was changed. About {reachable:.1f} LUFS is reachable; "
            "compress the mix, lower --lufs, or raise max_gain_reduction_db")


def normalisation(integrated_lufs: float, table: dict[str, Platform]) -> list[dict[str, Any]]:
    """What each platform's loudness normalisation does to a master of this loudness."""
    out = []
    for p in table.values():
        if p.delivery_spec or not math.isfinite(integrated_lufs):
            continue
        change = p.lufs - integrated_lufs
        if change < -0.05:
            text = f"{p.title} turns this down {-change:.1f} dB"
        elif change > 0.05:
            text = (f"{p.title} turns this up {change:.1f} dB (as far as its peak headroom allows)" if p.turns_up
                    else f"{p.title} plays this {change:.1f} dB under its {p.lufs:g} LUFS (it does not turn it up)")
        else:
            text = f"{p.title} plays this as it is"
        out.append({"platform": p.key, "title": p.title, "target_lufs": p.lufs, "change_db": round(change, 2),
                    "text": text})
    return out
