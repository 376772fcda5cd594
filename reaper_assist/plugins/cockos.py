"""Common machinery of the Cockos VST plugins (ReaEQ, ReaComp, ReaGate, ReaLimit).

:class:`CockosVstSpec` owns the chunk header, the ``<VST`` body codec and the bookkeeping that
lets ``state.values`` be edited freely and still re-encode byte-identically when unchanged.
:class:`Float32VstSpec` adds the parameter-list state (magic ``EF BE AD DE 0D F0 AD DE`` then one
little-endian float32 per param, facts 4.4) used by ReaComp and ReaGate.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from reaper_assist.errors import ProjectFormatError
from reaper_assist.plugins.base import ParamSpec, PluginSpec, PluginState, make_ident
from reaper_assist.plugins.vstchunk import VstBlob, decode_blob, encode_blob
from reaper_assist.units import amp_to_db, db_to_amp

FLOAT_PARAMS_MAGIC = bytes.fromhex("EFBEADDE0DF0ADDE")

T = TypeVar("T")


def f32(x: float) -> float:
    """``x`` rounded to float32, as the parameter-list state stores it."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


# -- display formatters shared by the Cockos plugins (UNCERTAIN unless a test pins them) ---
def fmt_db_signed1(db: float) -> str:
    """``"+6.0"`` / ``"-12.5"`` / ``"-inf"``; facts give "+6.0" for ReaEQ gain (brief)."""
    if db == -math.inf:
        return "-inf"
    if db == math.inf:
        return "+inf"
    text = f"{db:+.1f}"
    return "+0.0" if text == "-0.0" else text


def fmt_db_signed2(db: float) -> str:
    """``"+0.00"`` (S12: ReaLimit threshold "displayed +0.00 dB")."""
    if db == -math.inf:
        return "-inf"
    text = f"{db:+.2f}"
    return "+0.00" if text == "-0.00" else text


def fmt_ms1(ms: float) -> str:
    """``"3.0"``, ``"100.0"`` (RMS size 0.05 -> "5.0", third-party test; rest UNCERTAIN)."""
    return f"{ms:.1f}"


def fmt_plain3(native: float) -> str:
    """Pass-through params without a known display: three decimals (UNCERTAIN)."""
    return f"{native:.3f}"


def fmt_onoff(native: float) -> str:
    """Toggles (UNCERTAIN wording)."""
    return "On" if native >= 0.5 else "Off"


def linear_db(native: float) -> float:
    return amp_to_db(native)


def linear_from_db(db: float) -> float:
    return db_to_amp(db)


#: Row options of a linear-amplitude parameter shown in dB (threshold, dry, wet, noise level).
LINEAR_DB_ROW: dict[str, Any] = {
    "unit": "dB",
    "to_units": linear_db,
    "from_units": linear_from_db,
    "mapping": "linear_amplitude_db",
    "mapped": True,
}


@dataclass(frozen=True)
class Row:
    """One row of a declarative parameter table."""

    name: str
    key: str
    native_min: float
    native_max: float
    unit: str = "native"
    to_units: Callable[[float], float] | None = None
    from_units: Callable[[float], float] | None = None
    formatter: Callable[[float], str] = fmt_plain3
    mapping: str = "linear"
    mapped: bool = False


# Display of the time and level parameters ReaComp and ReaGate share (same curves, plugins/uncertain.py).
def fmt_level(native: float) -> str:
    """A linear-amplitude parameter (threshold, dry, wet) shown in dB with one decimal."""
    return fmt_db_signed1(linear_db(native))


def fmt_attack(native: float) -> str:
    from reaper_assist.plugins import uncertain as U

    return fmt_ms1(U.attack_ms(native))


def fmt_release(native: float) -> str:
    from reaper_assist.plugins import uncertain as U

    return fmt_ms1(U.release_ms(native))


def fmt_rms(native: float) -> str:
    from reaper_assist.plugins import uncertain as U

    return fmt_ms1(U.rms_ms(native))


def build_params(plugin: str, rows: Sequence[Row], defaults: Sequence[float]) -> list[ParamSpec]:
    out = []
    for i, (row, default) in enumerate(zip(rows, defaults)):
        kwargs: dict[str, Any] = {}
        if row.to_units is not None:
            kwargs["units_of"] = row.to_units
        if row.from_units is not None:
            kwargs["native_of"] = row.from_units
        out.append(
            ParamSpec(
                name=row.name,
                key=row.key,
                native_min=row.native_min,
                native_max=row.native_max,
                default_native=float(default),
                ident=make_ident(i, row.name),
                plugin=plugin,
                unit=row.unit,
                mapping=row.mapping,
                mapped=row.mapped,
                formatter=row.formatter,
                **kwargs,
            )
        )
    return out


class CockosVstSpec(PluginSpec):
    """A Cockos VST2 plugin stored as ``<VST "VST: Name (Cockos)" file 0 "" id<hex> ""``."""

    chunk_tag = "VST"
    file_stem: str = ""  # "reaeq"
    unique_id: int = 0  # 1919247729
    # Fresh-instance body as REAPER 6.82 (macOS) wrote it (S14: decoded in facts 2.1-2.4):
    # header segment line, state lines; the trailer is the empty program "AAAQAAAA".
    default_body: tuple[str, ...] = ()

    @property
    def fourcc(self) -> str:
        return self.unique_id.to_bytes(4, "big").decode("latin-1")

    def chunk_header(self) -> list[str]:
        # The hex suffix is "VST" + 4cc + the lower-cased name truncated to 9 bytes, zero-padded
        # to 16 bytes (every Cockos header in tests/data/rpp follows it).
        tail = ("VST" + self.fourcc + self.short_name.lower()[:9]).encode("latin-1")
        tail = tail.ljust(16, b"\x00")
        return [
            f'"{self.fx_name}"',
            f"{self.file_stem}.dll",
            "0",
            '""',
            f"{self.unique_id}<{tail.hex().upper()}>",
            '""',
        ]

    def matches_chunk(self, tag: str, header_tokens: list[str]) -> bool:
        if tag.upper() != "VST" or not header_tokens:
            return False
        if len(header_tokens) >= 5:
            uid = header_tokens[4].split("<", 1)[0].split("{", 1)[0]
            if uid.isdigit():
                return int(uid) == self.unique_id
        return header_tokens[0].strip('"') == self.fx_name

    # -- codec ----------------------------------------------------------------------------
    def _decode_payload(self, state_bytes: bytes) -> tuple[Any, list[float]]:
        raise NotImplementedError

    def _encode_payload(self, payload: Any) -> bytes:
        raise NotImplementedError

    def _write_value(self, state: PluginState, index: int, native: float) -> float:
        """Store a checked native value into ``state.payload``; return the value kept."""
        raise NotImplementedError

    def decode(self, header_tokens: list[str], body_lines: list[str]) -> PluginState:
        lines = [ln.strip() for ln in body_lines if ln.strip()]
        blob = decode_blob(lines)
        if blob.fourcc != self.fourcc:
            raise ProjectFormatError(
                f"{self.short_name}: state blob belongs to plugin id {blob.fourcc!r}, "
                f"expected {self.fourcc!r}"
            )
        payload, values = self._decode_payload(blob.state)
        return PluginState(
            plugin=self.key,
            values=list(values),
            payload=payload,
            blob=blob,
            source_lines=lines,
            synced_values=list(values),
        )

    def default_state(self) -> PluginState:
        state = self.decode(self.chunk_header(), list(self.default_body) + ["AAAQAAAA"])
        state.source_lines = None  # a fresh instance is always written from its parts
        return state

    def sync(self, state: PluginState) -> None:
        """Write values changed directly in ``state.values`` into the payload."""
        for i, (new, old) in enumerate(zip(state.values, state.synced_values)):
            if new != old:
                kept = self._write_value(state, i, self.param(state, i).check_native(new))
                state.values[i] = kept
                state.synced_values[i] = kept

    def encode(self, state: PluginState) -> list[str]:
        self.sync(state)
        old: VstBlob = state.blob
        new = old.with_state(self._encode_payload(state.payload))
        if (
            state.source_lines is not None
            and new.state == old.state
            and new.header == old.header
            and new.trailer == old.trailer
        ):
            return list(state.source_lines)
        return encode_blob(new)

    def set_param(self, state: PluginState, index: int, native: float) -> None:
        spec = self.param(state, index)
        kept = self._write_value(state, index, spec.check_native(native))
        state.values[index] = kept
        state.synced_values[index] = kept

    def program_name(self, state: PluginState) -> str:
        return state.blob.program_name


class Float32VstSpec(CockosVstSpec):
    """Cockos plugin whose state is the magic plus one float32 per own parameter."""

    rows: tuple[Row, ...] = ()
    defaults: tuple[float, ...] = ()

    def params(self, state: PluginState | None = None) -> list[ParamSpec]:
        cached = self.__dict__.get("_params")
        if cached is None:
            cached = build_params(self.short_name, self.rows, self.defaults)
            self.__dict__["_params"] = cached
        return cached

    def _decode_payload(self, state_bytes: bytes) -> tuple[list[float], list[float]]:
        if state_bytes[:8] != FLOAT_PARAMS_MAGIC or (len(state_bytes) - 8) % 4:
            raise ProjectFormatError(
                f"{self.short_name}: state is not magic + float32 list ({len(state_bytes)} bytes)"
            )
        n = (len(state_bytes) - 8) // 4
        stored = list(struct.unpack(f"<{n}f", state_bytes[8:]))
        if n > len(self.rows):
            raise ProjectFormatError(
                f"{self.short_name}: state has {n} params, this REAPER version knows "
                f"{len(self.rows)}"
            )
        # Older REAPER versions store fewer params (19 in 5.x); the rest keep their defaults.
        values = stored + [f32(d) for d in self.defaults[n:]]
        params = self.params()
        values = [min(max(v, p.native_min), p.native_max) for v, p in zip(values, params)]
        return stored, values

    def _encode_payload(self, payload: list[float]) -> bytes:
        return FLOAT_PARAMS_MAGIC + struct.pack(f"<{len(payload)}f", *payload)

    def settings_as(self, state: PluginState, cls: type[T]) -> T:
        """Dataclass ``cls`` filled from ``state``, each field from the row with the same key.

        Mapped rows give real units (``to_units``), ``bool`` fields are toggles (on at >= 0.5),
        other rows pass the native value through.
        """
        params = self.params(state)
        index = {p.key: i for i, p in enumerate(params)}
        values: dict[str, Any] = {}
        for f in fields(cls):  # type: ignore[arg-type]
            i = index[f.name]
            native = state.values[i]
            if f.type in ("bool", bool):
                values[f.name] = native >= 0.5
            else:
                values[f.name] = params[i].to_units(native) if params[i].mapped else native
        return cls(**values)

    def _write_value(self, state: PluginState, index: int, native: float) -> float:
        stored: list[float] = state.payload
        while len(stored) <= index:
            stored.append(state.values[len(stored)])
        stored[index] = f32(native)
        return stored[index]
