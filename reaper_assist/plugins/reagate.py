"""ReaGate (Cockos): parameter table, state codec and settings in real units.

21 own params + 3 wrapper params = 24 (facts 2.3; S12 table matches the S14 chunk floats).
Threshold, Dry, Wet and Noise level are linear amplitude (Threshold default 3.16e-8 = -150 dB);
ranges 0..2 as for ReaComp (S12). Attack/Release/RMS curves are the UNCERTAIN ReaComp ones
(:mod:`reaper_assist.plugins.uncertain`). Pre-open, Hold, Hysteresis, filters: no known curve,
exposed as native values.
"""

from __future__ import annotations

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

__all__ = ["REAGATE", "GateSettings", "ReaGateSpec", "settings"]


def _fmt_note(native: float) -> str:
    return str(round(native * 127))


ROWS: tuple[Row, ...] = (
    Row("Threshold", "threshold_db", 0.0, 2.0, formatter=fmt_level, **LINEAR_DB_ROW),
    Row("Attack", "attack_ms", 0.0, 1.0, "ms", U.attack_ms, U.attack_native, fmt_attack, "attack", True),
    Row("Release", "release_ms", 0.0, 1.0, "ms", U.release_ms, U.release_native, fmt_release,
        "release", True),
    Row("Pre-open", "preopen_ms", 0.0, 1.0, "ms", U.gate_preopen_ms, U.gate_preopen_native, fmt_ms1,
        "gate_preopen", True),
    Row("Hold", "hold_ms", 0.0, 1.0, "ms", U.gate_hold_ms, U.gate_hold_native, fmt_ms1, "gate_hold", True),
    Row("Lowpass", "detector_lowpass_native", 0.0, 1.0),
    Row("Hipass", "detector_hipass_native", 0.0, 1.0),
    Row("SignIn", "detector_input_native", 0.0, 1.0),
    Row("AudIn", "audio_input_native", 0.0, 1.0),
    Row("Dry", "dry_db", 0.0, 2.0, formatter=fmt_level, **LINEAR_DB_ROW),
    Row("Wet", "wet_db", 0.0, 2.0, formatter=fmt_level, **LINEAR_DB_ROW),
    Row("Noise level", "noise_level_db", 0.0, 2.0, formatter=fmt_level, **LINEAR_DB_ROW),
    Row("Hysteresis", "hysteresis_native", 0.0, 2.0),
    Row("Preview Filter", "filter_preview", 0.0, 1.0, formatter=fmt_onoff),
    Row("RMS size", "rms_ms", 0.0, 10.0, "ms", U.rms_ms, U.rms_native, fmt_rms, "rms_size", True),
    Row("Send MIDI", "send_midi", 0.0, 1.0, formatter=fmt_onoff),
    Row("MIDI Note", "midi_note_native", 0.0, 1.0, formatter=_fmt_note),
    Row("MIDI Channel", "midi_channel_native", 0.0, 1.0),
    Row("Invert Wet", "invert_wet", 0.0, 1.0, formatter=fmt_onoff),
    Row("Multichannel Mode", "multichannel_mode_native", 0.0, 1.0),
    Row("Metering Index", "metering_index_native", 0.0, 1.0),
)

# Fresh instance (S14, REAPER 6.82 macOS).
DEFAULT_BODY = (
    "dGdlcu9e7f4EAAAAAQAAAAAAAAACAAAAAAAAAAQAAAAAAAAACAAAAAAAAAACAAAAAQAAAAAAAAACAAAAAAAAAFwAAAAAAAAAAAAQAA==",
    "776t3g3wrd6c0QczppvEOwrXozwAAAAAAAAAAAAAgD8AAAAAAAAAAAAAAACc0QczAACAP5zRBzMAAIA/AAAAAAAAAAAAAAAALBYLPwAAAAAAAAAAAAAAAAAAAAA=",
)
DEFAULTS = (3.1622777e-08, 0.006, 0.02, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 3.1622777e-08, 1.0,
            3.1622777e-08, 1.0, 0.0, 0.0, 0.0, 0.54330707, 0.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class GateSettings:
    """ReaGate settings in real units."""

    threshold_db: float
    attack_ms: float
    release_ms: float
    preopen_ms: float
    hold_ms: float
    hysteresis_native: float
    rms_ms: float
    dry_db: float
    wet_db: float
    noise_level_db: float
    invert_wet: bool


class ReaGateSpec(Float32VstSpec):
    key = "reagate"
    fx_name = "VST: ReaGate (Cockos)"
    short_name = "ReaGate"
    file_stem = "reagate"
    unique_id = 1919248244  # "regt"
    default_body = DEFAULT_BODY
    rows = ROWS
    defaults = DEFAULTS

    def settings(self, state: PluginState) -> GateSettings:
        return settings(state)


REAGATE = ReaGateSpec()


def settings(state: PluginState) -> GateSettings:
    """ReaGate settings of ``state`` in real units."""
    return REAGATE.settings_as(state, GateSettings)
