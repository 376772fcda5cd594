"""Balance decisions, pure: where each track's fader goes so that its loudness as heard sits at
its instrument's offset from the focus track (table ``rules/tables/balance.json``, sources in it).

Every figure is an integrated loudness (LUFS) of a post-FX, post-fader render as the listener hears
the track (through its folders and its sends to buses), measured by REAPER's dry run; the fader acts
after the FX, so a fader change of ``d`` dB moves that loudness by ``d`` LU (exactly for a top-level
track and through linear folders and post-fader sends; through a folder or bus with a dynamics
plugin, or when part of the track goes through a pre-fader send, nearly or partly, which the app's
trial renders measure and correct).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from reaper_assist.errors import ReaperAssistError

DEADBAND_DB = 0.1  # RENDER_STATS prints two decimals; a change under this is "at target" (idempotence)
CONVERGED_LU = 0.1  # a trial render this close to the target needs no correction
MAX_PASSES = 6  # trial renders of the planned faders (the first plan + corrections)
SLOPE_RANGE = (0.05, 2.0)  # LU of heard loudness per fader dB assumed between two renders
MAX_FADER_DB = 12.0  # REAPER's default fader maximum (+12 dB; docs/unverified.md)
MIN_FADER_DB = -60.0  # below this a fader is as good as off: refuse to push a track there
REFERENCE = "vocal"  # the table's offsets are relative to a lead vocal


@dataclass(frozen=True)
class Offset:
    """A track's offset from the focus (LU) and how it was found; ``lu`` None = keep its level."""

    lu: float | None
    note: str
    source: str = ""


def _row_offset(table: dict[str, dict[str, Any]], instrument: str) -> tuple[float | None, str]:
    row = table.get(instrument) if instrument != "generic" else None
    if not row or row.get("offset_lu") is None:
        return None, ""
    v = float(row["offset_lu"])
    if not math.isfinite(v) or abs(v) > 40:
        raise ReaperAssistError(f"balance table: offset_lu {v!r} for {instrument!r} must be a finite number of LU "
                                "within +-40")
    return v, str(row.get("source", ""))


def offset_from_focus(table: dict[str, dict[str, Any]], instrument: str, focus_instrument: str) -> Offset:
    """The track's offset from the focus: its row's offset minus the focus's (both relative to a
    lead vocal); a focus without a row counts as the reference (and the note says so)."""
    own, source = _row_offset(table, instrument)
    if own is None:
        return Offset(None, f"no balance offset for {instrument!r}: level kept")
    ref, _ = _row_offset(table, focus_instrument)
    if ref is None:
        return Offset(own, f"{instrument}: {own:+g} LU from a lead vocal; the focus ({focus_instrument}) has no "
                           "row and is taken as the reference", source)
    off = own - ref
    return Offset(off, f"{instrument}: {own:+g} LU from a lead vocal, the focus ({focus_instrument}) {ref:+g}: "
                       f"{off:+g} LU from the focus", source)


def target_lufs(heard_lufs: float, focus_lufs: float, offset_lu: float, amount: float) -> float:
    """Where the track's heard loudness goes: ``focus + offset``, ``amount`` (0..1) of the way."""
    return heard_lufs + (focus_lufs + offset_lu - heard_lufs) * amount


def clamp_fader(new_db: float, current_db: float) -> tuple[float, str]:
    """``(fader dB within its range, note)``."""
    want = new_db - current_db
    if new_db > MAX_FADER_DB:
        return MAX_FADER_DB, (f"needs {want:+.1f} dB, the fader stops at {MAX_FADER_DB:+g} dB: raise the track's "
                              "gain before the fader (gain-stage) and run again")
    if new_db < MIN_FADER_DB:
        return MIN_FADER_DB, f"needs {want:+.1f} dB, which would put the fader under {MIN_FADER_DB:g} dB: left there"
    return new_db, ""


def headroom_shift(planned_db: dict[str, float]) -> float:
    """dB to lower every fader (the focus too) when a planned fader would pass the fader's maximum:
    the balance is relative, so the whole mix moves down rather than one track falling short."""
    over = max(planned_db.values(), default=MAX_FADER_DB) - MAX_FADER_DB
    return over if over > DEADBAND_DB else 0.0


def next_fader(before: tuple[float, float], now: tuple[float, float], want_lufs: float) -> float:
    """The next fader (dB) from two (fader dB, heard LUFS) renders: a secant step along the slope
    between them (1 LU/dB when the fader hardly moved), kept within :data:`SLOPE_RANGE`."""
    (f0, h0), (f1, h1) = before, now
    slope = (h1 - h0) / (f1 - f0) if abs(f1 - f0) > 0.05 else 1.0
    slope = min(max(slope, SLOPE_RANGE[0]), SLOPE_RANGE[1])
    return f1 + (want_lufs - h1) / slope


def is_at_target(change_db: float) -> bool:
    return abs(change_db) < DEADBAND_DB


# Mastering The Mix, 2023 top-25 Spotify songs: lead vocal 3-5 LU under the full mix, mean 4.5 LU
FOCUS_BELOW_MIX_LU = (3.0, 5.0)
FOCUS_BELOW_MIX_MEAN_LU = 4.5
FOCUS_BELOW_MIX_SOURCE = "Mastering The Mix, analysis of the 2023 top-25 Spotify songs"


def focus_below_mix(focus_lufs: float, mix_lufs: float) -> dict[str, Any]:
    """How far the focus sits under the full mix, against the published figure (reported only:
    it follows from the offsets and the number of tracks)."""
    lo, hi = FOCUS_BELOW_MIX_LU
    d = mix_lufs - focus_lufs
    return {"focus_below_mix_lu": d, "published_range_lu": [lo, hi], "published_mean_lu": FOCUS_BELOW_MIX_MEAN_LU,
            "within_published_range": bool(lo <= d <= hi), "source": FOCUS_BELOW_MIX_SOURCE}
