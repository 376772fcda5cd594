"""ReaComp (Cockos): parameter table, state codec and settings in real units.

Parameter order and names: REAPER 7, 21 own params + 3 wrapper params = 24 (facts 2.2,
SECONDARY: S12 table, S20 names, S14 chunk). Native ranges: Threshold 0..2 (REAPER-written
PARMENV ``0:_Threshold 0 2 1`` in tests/data/rpp/rpp-editor_test2.rpp), Dry/Wet 0..2 and RMS
size 0..10 (S12), the rest 0..1. Curves marked ``mapping=<id>`` are UNCERTAIN and defined in
:mod:`reaper_assist.plugins.uncertain`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reaper_assist.plugins import uncertain as U
from reaper_assist.plugins.base import PluginState
from reaper_assist.plugins.cockos import (
    LINEAR_DB_ROW,
    Float32VstSpec,
    Row,
    fmt_attack,
    fmt_level,
    fmt_ms1,
    fmt_onoff,
    fmt_release,
    fmt_rms,
)

__all__ = ["REACOMP", "CompSettings", "ReaCompSpec", "format_ratio", "settings"]


def format_ratio(ratio: float) -> str:
    """``"4.0:1"``; infinity as ``"inf:1"`` (UNCERTAIN: REAPER may print a symbol)."""
    return "inf:1" if math.isinf(ratio) else f"{ratio:.1f}:1"


def _fmt_ratio(native: float) -> str:
    return format_ratio(U.ratio(native))


def _fmt_precomp(native: float) -> str:
    return fmt_ms1(U.precomp_ms(native))


def _fmt_knee(native: float) -> str:
    return f"{U.knee_db(native):.1f}"


ROWS: tuple[Row, ...] = (
    Row("Threshold", "threshold_db", 0.0, 2.0, formatter=fmt_level, **LINEAR_DB_ROW),
    Row("Ratio", "ratio", 0.0, 1.0, "ratio", U.ratio, U.ratio_native, _fmt_ratio, "comp_ratio", True),
    Row("Attack", "attack_ms", 0.0, 1.0, "ms", U.attack_ms, U.attack_native, fmt_attack, "attack", True),
    Row("Release", "release_ms", 0.0, 1.0, "ms", U.release_ms, U.release_native, fmt_release,
        "release", True),
    Row("Pre-comp", "precomp_ms", 0.0, 1.0, "ms", U.precomp_ms, U.precomp_native, _fmt_precomp,
        "comp_precomp", True),
    Row("resvd", "reserved_native", 0.0, 1.0),
    Row("Lowpass", "detector_lowpass_native", 0.0, 1.0),
    Row("Hipass", "detector_hipass_native", 0.0, 1.0),
    Row("SignIn", "detector_input_native", 0.0, 1.0),
    Row("AudIn", "audio_input_native", 0.0, 1.0),
    Row("Dry", "dry_db", 0.0, 2.0, formatter=fmt_level, **LINEAR_DB_ROW),
    Row("Wet", "wet_db", 0.0, 2.0, formatter=fmt_level, **LINEAR_DB_ROW),
    Row("Filter Preview", "filter_preview", 0.0, 1.0, formatter=fmt_onoff),
    Row("RMS size", "rms_ms", 0.0, 10.0, "ms", U.rms_ms, U.rms_native, fmt_rms, "rms_size", True),
    Row("Knee", "knee_db", 0.0, 1.0, "dB", U.knee_db, U.knee_native, _fmt_knee, "comp_knee", True),
    Row("Auto Make Up Gain", "auto_makeup", 0.0, 1.0, formatter=fmt_onoff),
    Row("Auto Release", "auto_release", 0.0, 1.0, formatter=fmt_onoff),
    Row("Legacy Attack/Knee Options", "legacy_options_native", 0.0, 1.0),
    Row("Deprecated Broken Anti-Alias", "deprecated_antialias_native", 0.0, 1.0),
    Row("Multichannel Mode", "multichannel_mode_native", 0.0, 1.0),
    Row("Metering Index", "metering_index_native", 0.0, 1.0),
)

# Fresh instance (S14, REAPER 6.82 macOS; equals facts 2.2's defaults table up to float32).
DEFAULT_BODY = (
    "bWNlcu9e7f4EAAAAAQAAAAAAAAACAAAAAAAAAAQAAAAAAAAACAAAAAAAAAACAAAAAQAAAAAAAAACAAAAAAAAAFwAAAAAAAAAAAAQAA==",
    "776t3g3wrd4AAIA/ED74PKabxDsK16M8AAAAAAAAAAAAAIA/AAAAAAAAAAAAAAAAnNEHMwAAgD8AAAAAzcxMPQAAAAAAAAAAAAAAAAAAgD4AAAAAAAAAAAAAAAA=",
)
DEFAULTS = (1.0, 0.030303031, 0.006, 0.02, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 3.1622777e-08, 1.0, 0.0,
            0.05, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class CompSettings:
    """ReaComp settings in real units (inputs of the emulator's compressor model)."""

    threshold_db: float
    ratio: float
    attack_ms: float
    release_ms: float
    knee_db: float
    rms_ms: float
    precomp_ms: float
    auto_makeup: bool
    auto_release: bool
    dry_db: float
    wet_db: float
    detector_lowpass_native: float
    detector_hipass_native: float
    detector_input_native: float


class ReaCompSpec(Float32VstSpec):
    key = "reacomp"
    fx_name = "VST: ReaComp (Cockos)"
    short_name = "ReaComp"
    file_stem = "reacomp"
    unique_id = 1919247213  # "recm"
    default_body = DEFAULT_BODY
    rows = ROWS
    defaults = DEFAULTS

    def get_named_config(self, state: PluginState, key: str) -> str | None:
        # GainReduction_dB (S2) is a live meter; the emulator's engine owns it.
        return None

    def settings(self, state: PluginState) -> CompSettings:
        return settings(state)


REACOMP = ReaCompSpec()


def settings(state: PluginState) -> CompSettings:
    """ReaComp settings of ``state`` in real units."""
    return REACOMP.settings_as(state, CompSettings)
