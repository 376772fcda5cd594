"""ReaLimit (Cockos): parameters, named config and the state codec.

Params: 0 Threshold, 1 Ceiling, 2 Release (+ Bypass, Wet, Delta = 6; facts 2.4, S12/S11).
All three curves are UNCERTAIN (facts Q4) and live in :mod:`reaper_assist.plugins.uncertain`.

State (48 bytes; INFER from the fresh S14 blob and a second public blob described as
"Threshold 0, Ceiling -1 dB, True peak", which differs from it exactly in the marked fields)::

    int32 version (3), int32 true peak (0/1), f64 threshold_dB, f64 ceiling_dB,
    int32 (2), int32 (0), f64 (0.0), f64 release (stored; native = stored^0.6)

Prefer the named config ``THRESHOLD``, ``CEILING``, ``TRUEPEAK`` (PRIMARY S2); their value
strings (dB numbers, "0"/"1") are UNCERTAIN.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from reaper_assist.errors import ProjectFormatError
from reaper_assist.plugins import uncertain as U
from reaper_assist.plugins.base import ParamSpec, PluginState
from reaper_assist.plugins.cockos import CockosVstSpec, Row, build_params, fmt_db_signed2, fmt_ms1

__all__ = ["ReaLimitSpec", "REALIMIT", "LimitPayload", "LimitSettings", "settings"]

_STATE = struct.Struct("<iiddiidd")


@dataclass
class LimitPayload:
    version: int
    truepeak: int
    threshold_db: float
    ceiling_db: float
    unknown_a: int
    unknown_b: int
    unknown_c: float
    release_stored: float
    extra: bytes = b""  # anything after the 48 known bytes, verbatim


@dataclass(frozen=True)
class LimitSettings:
    threshold_db: float
    ceiling_db: float
    release_ms: float
    truepeak: bool


def _fmt_threshold(native: float) -> str:
    return fmt_db_signed2(U.limit_threshold_db(native))


def _fmt_ceiling(native: float) -> str:
    return fmt_db_signed2(U.limit_ceiling_db(native))


def _fmt_release(native: float) -> str:
    return fmt_ms1(U.limit_release_ms(native))


ROWS = (
    Row("Threshold", "threshold_db", 0.0, 1.0, "dB", U.limit_threshold_db, U.limit_threshold_native,
        _fmt_threshold, "limit_threshold", True),
    Row("Ceiling", "ceiling_db", 0.0, 1.0, "dB", U.limit_ceiling_db, U.limit_ceiling_native,
        _fmt_ceiling, "limit_ceiling", True),
    Row("Release", "release_ms", 0.0, 1.0, "ms", U.limit_release_ms, U.limit_release_native,
        _fmt_release, "limit_release", True),
)

# Fresh instance (S14, REAPER 6.82 macOS).
DEFAULT_BODY = (
    "dG1scu5e7f4CAAAAAQAAAAAAAAACAAAAAAAAAAIAAAABAAAAAAAAAAIAAAAAAAAAMAAAAAEAAAAAABAA",
    "AwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAAAAAAAAAAAAAAAAD+fduMQw8Y/",
)


def format_db_config(db: float) -> str:
    """Named-config dB text, e.g. ``"-1"``, ``"-0.5"`` (UNCERTAIN)."""
    return f"{db:.6f}".rstrip("0").rstrip(".") if math.isfinite(db) else str(db)


class ReaLimitSpec(CockosVstSpec):
    key = "realimit"
    fx_name = "VST: ReaLimit (Cockos)"
    short_name = "ReaLimit"
    file_stem = "realimit"
    unique_id = 1919708532  # "rlmt"
    default_body = DEFAULT_BODY

    def params(self, state: PluginState | None = None) -> list[ParamSpec]:
        cached = self.__dict__.get("_params")
        if cached is None:
            defaults = (U.limit_threshold_native(0.0), 1.0, U.limit_release_native_from_stored(
                struct.unpack("<d", bytes.fromhex("3f9f76e310c3c63f"))[0]))
            cached = build_params(self.short_name, ROWS, defaults)
            self.__dict__["_params"] = cached
        return cached

    def _decode_payload(self, state_bytes: bytes) -> tuple[LimitPayload, list[float]]:
        if len(state_bytes) < _STATE.size:
            raise ProjectFormatError(f"ReaLimit: state too short ({len(state_bytes)} bytes)")
        payload = LimitPayload(*_STATE.unpack_from(state_bytes), extra=state_bytes[_STATE.size:])
        values = [
            min(max(U.limit_threshold_native(payload.threshold_db), 0.0), 1.0),
            min(max(U.limit_ceiling_native(payload.ceiling_db), 0.0), 1.0),
            min(max(U.limit_release_native_from_stored(payload.release_stored), 0.0), 1.0),
        ]
        return payload, values

    def _encode_payload(self, p: LimitPayload) -> bytes:
        return _STATE.pack(p.version, p.truepeak, p.threshold_db, p.ceiling_db, p.unknown_a,
                           p.unknown_b, p.unknown_c, p.release_stored) + p.extra

    def _write_value(self, state: PluginState, index: int, native: float) -> float:
        p: LimitPayload = state.payload
        if index == 0:
            p.threshold_db = U.limit_threshold_db(native)
        elif index == 1:
            p.ceiling_db = U.limit_ceiling_db(native)
        else:
            p.release_stored = U.limit_release_stored_from_native(native)
        return native

    def get_named_config(self, state: PluginState, key: str) -> str | None:
        p: LimitPayload = state.payload
        k = key.upper()
        if k == "THRESHOLD":
            return format_db_config(p.threshold_db)
        if k == "CEILING":
            return format_db_config(p.ceiling_db)
        if k == "TRUEPEAK":
            return "1" if p.truepeak else "0"
        return None

    def set_named_config(self, state: PluginState, key: str, value: str) -> bool:
        k = key.upper()
        try:
            number = float(str(value).strip())
        except ValueError:
            return False
        if k == "TRUEPEAK":
            state.payload.truepeak = 1 if number else 0
            return True
        if k in ("THRESHOLD", "CEILING"):
            index = 0 if k == "THRESHOLD" else 1
            spec = self.params(state)[index]
            lo, hi = sorted((spec.units_min, spec.units_max))
            if not lo <= number <= hi:
                return False
            if index == 0:
                state.payload.threshold_db = number
            else:
                state.payload.ceiling_db = number
            native = spec.native_of(number)
            state.values[index] = native
            state.synced_values[index] = native
            return True
        return False

    def settings(self, state: PluginState) -> LimitSettings:
        return settings(state)


REALIMIT = ReaLimitSpec()


def settings(state: PluginState) -> LimitSettings:
    """ReaLimit settings in real units (threshold/ceiling read from the stored dB fields)."""
    REALIMIT.sync(state)
    p: LimitPayload = state.payload
    return LimitSettings(p.threshold_db, p.ceiling_db, U.limit_release_ms(state.values[2]),
                         bool(p.truepeak))
