"""ReaEQ (Cockos): band struct codec, parameter list, named config and the EQ helper API.

State (facts 2.1, decoded from S14 and checked on the blobs in tests/data/rpp)::

    int32 version (33), int32 nbands,
    nbands x {int32 BANDTYPE code, int32 enabled, f64 freq_hz, f64 gain_linear, f64 bw_oct, u8 flag},
    tail: int32, int32, f64 global gain (linear, UNCERTAIN), then UI data (kept verbatim)

Params: three per band in band order (Freq, Gain, BW), then Global Gain; REAPER appends the
three wrapper params (19 for the default 5 bands). Band params are reported with native range
0..1 (= normalized; INFER, facts open question 1); Global Gain 0..4 linear (S12).

* Freq: ``Hz = 20 + 23980 (401^x - 1)/400`` [SECONDARY, strong: four code copies, S12/S13 points].
* BW: ``oct = 4 x`` [SECONDARY: S13, S12 defaults, S14 chunk].
* Gain: UNCERTAIN, ``uncertain.reaeq_gain_*`` (linear/4 chosen, facts Q1).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass

from reaper_assist.errors import ParameterError, ProjectFormatError
from reaper_assist.plugins import uncertain as U
from reaper_assist.plugins.base import ParamSpec, PluginState, make_ident
from reaper_assist.plugins.cockos import CockosVstSpec, fmt_db_signed1, linear_db, linear_from_db

__all__ = [
    "ReaEqSpec",
    "REAEQ",
    "EqBandRecord",
    "EqPayload",
    "EqBandSettings",
    "EqSettings",
    "BANDTYPE_NAMES",
    "EQ_API_TYPES",
    "EQ_API_TO_BANDTYPE",
    "BANDTYPE_TO_EQ_API",
    "freq_hz",
    "freq_native",
    "with_bands",
    "with_band_count",
    "band_count",
    "bw_oct",
    "bw_native",
    "band_param_name",
    "eq_param_index",
    "eq_param_info",
    "eq_value_to_native",
    "eq_native_to_value",
    "settings",
]

FREQ_MIN_HZ = 20.0
FREQ_MAX_HZ = 24000.0
_FREQ_BASE = 401.0
BW_OCT_PER_NATIVE = 4.0
STATE_VERSION = 33
_BAND = struct.Struct("<iidddB")

# BANDTYPE<k> codes (PRIMARY S5, Cockos; 10 from MPL's bandtypemap, SECONDARY).
BANDTYPE_NAMES: dict[int, str] = {
    0: "Low Shelf",
    1: "High Shelf",
    2: "Band (alt 2)",
    3: "Low Pass",
    4: "High Pass",
    5: "All Pass",
    6: "Notch",
    7: "Band Pass",
    8: "Band",
    9: "Band (alt)",
    10: "Parallel Band Pass",
}

# TrackFX_GetEQParam / SetEQParam band types (PRIMARY S2); -1 is the master (global) gain.
EQ_API_TYPES: dict[int, str] = {
    -1: "master gain",
    0: "hipass",
    1: "loshelf",
    2: "band",
    3: "notch",
    4: "hishelf",
    5: "lopass",
    6: "bandpass",
    7: "parallel bandpass",
}
EQ_API_TO_BANDTYPE: dict[int, int] = {0: 4, 1: 0, 2: 8, 3: 6, 4: 1, 5: 3, 6: 7, 7: 10}
# The "alt" band variants count as "band" for the EQ API (UNCERTAIN); All Pass has no API type.
BANDTYPE_TO_EQ_API: dict[int, int] = {4: 0, 0: 1, 8: 2, 9: 2, 2: 2, 6: 3, 1: 4, 3: 5, 7: 6, 10: 7}
EQ_PARAMTYPES = {0: "freq", 1: "gain", 2: "bw"}


# -- maps --------------------------------------------------------------------------------
def freq_hz(native: float) -> float:
    """Band frequency in Hz of a native (= normalized) value."""
    return FREQ_MIN_HZ + (FREQ_MAX_HZ - FREQ_MIN_HZ) * (_FREQ_BASE**native - 1.0) / (_FREQ_BASE - 1.0)


def freq_native(hz: float) -> float:
    """Native (= normalized) value of a band frequency in Hz."""
    return math.log((hz - FREQ_MIN_HZ) / (FREQ_MAX_HZ - FREQ_MIN_HZ) * (_FREQ_BASE - 1.0) + 1.0) / (
        math.log(_FREQ_BASE)
    )


def bw_oct(native: float) -> float:
    return BW_OCT_PER_NATIVE * native


def bw_native(octaves: float) -> float:
    return octaves / BW_OCT_PER_NATIVE


# -- display (one function per param kind) ------------------------------------------------
def format_freq(native: float) -> str:
    """``"1000"``: whole Hz (brief example; above 10 kHz or below 100 Hz UNCERTAIN)."""
    return f"{freq_hz(native):.0f}"


def format_gain(native: float) -> str:
    """``"+6.0"`` (brief example); ``"-inf"`` at 0 and the sign of 0 dB UNCERTAIN."""
    return fmt_db_signed1(U.reaeq_gain_db(native))


def format_bw(native: float) -> str:
    """``"2.00"`` octaves (UNCERTAIN; ReaEQ can be set to show Q instead)."""
    return f"{bw_oct(native):.2f}"


def format_global_gain(native: float) -> str:
    return fmt_db_signed1(linear_db(native))


def band_param_name(kind: str, band_index: int, band_type: int) -> str:
    """REAPER's name of a band param, e.g. ``"Freq-Low Shelf"``, ``"Gain-Band 2"``.

    ``kind`` is ``"Freq"``, ``"Gain"`` or ``"BW"``. The first band carries no number, later
    bands their 1-based number (facts 2.1 default names; the rule for other layouts and the
    labels of the "alt" band types are UNCERTAIN).
    """
    label = BANDTYPE_NAMES.get(band_type, f"Type {band_type}")
    suffix = "" if band_index == 0 else f" {band_index + 1}"
    return f"{kind}-{label}{suffix}"


# -- state structs ------------------------------------------------------------------------
@dataclass
class EqBandRecord:
    """One band exactly as the state blob stores it (linear gain, Hz, octaves). The decoded band
    is :class:`EqBandSettings`; a planned band in real units, :class:`reaper_assist.rules.tone.EqBand`."""

    type: int
    enabled: int
    freq_hz: float
    gain_linear: float
    bw_oct: float
    flag: int = 1  # trailing byte: 1 in REAPER 6/7 blobs, 0 in a 7.51 preset; meaning unknown


@dataclass
class EqPayload:
    version: int
    bands: list[EqBandRecord]
    tail: bytes  # int32, int32, f64 global gain, UI data

    @property
    def global_gain(self) -> float:
        if len(self.tail) >= 16:
            return struct.unpack_from("<d", self.tail, 8)[0]
        return 1.0

    @global_gain.setter
    def global_gain(self, value: float) -> None:
        if len(self.tail) < 16:
            raise ParameterError("ReaEQ: this state blob has no global gain field")
        self.tail = self.tail[:8] + struct.pack("<d", value) + self.tail[16:]


@dataclass(frozen=True)
class EqBandSettings:
    type: int
    type_name: str
    enabled: bool
    freq_hz: float
    gain_db: float
    bw_oct: float


@dataclass(frozen=True)
class EqSettings:
    bands: tuple[EqBandSettings, ...]
    global_gain_db: float


def _decode(state: bytes) -> EqPayload:
    if len(state) < 8:
        raise ProjectFormatError(f"ReaEQ: state too short ({len(state)} bytes)")
    version, nbands = struct.unpack_from("<ii", state, 0)
    if version != STATE_VERSION:
        raise ProjectFormatError(f"ReaEQ: unknown state version {version} (expected 33)")
    if not 0 <= nbands <= 64 or len(state) < 8 + nbands * _BAND.size:
        raise ProjectFormatError(f"ReaEQ: implausible band count {nbands} for {len(state)} bytes")
    bands = []
    off = 8
    for _ in range(nbands):
        bands.append(EqBandRecord(*_BAND.unpack_from(state, off)))
        off += _BAND.size
    return EqPayload(version, bands, state[off:])


def _encode(payload: EqPayload) -> bytes:
    out = [struct.pack("<ii", payload.version, len(payload.bands))]
    for b in payload.bands:
        out.append(_BAND.pack(b.type, b.enabled, b.freq_hz, b.gain_linear, b.bw_oct, b.flag))
    out.append(payload.tail)
    return b"".join(out)


def band_count(state: bytes) -> int:
    """How many bands a ReaEQ state holds (raises :class:`ProjectFormatError` for one its codec
    cannot read)."""
    return len(_decode(state).bands)


def with_bands(state: bytes, n_bands: int) -> bytes:
    """A state with at least ``n_bands`` bands: the missing ones appended as disabled Band
    (type 8) records at 1 kHz, 0 dB, 1 octave (ReaEQ keeps any number of bands in its state,
    as its "Add band" does; docs/unverified.md)."""
    return with_band_count(state, max(n_bands, len(_decode(state).bands)))


def with_band_count(state: bytes, n_bands: int) -> bytes:
    """The state with exactly ``n_bands`` bands: the first ones kept as they are (records and
    everything after the bands: global gain, UI data), bands past ``n_bands`` dropped, missing ones
    appended as :func:`with_bands` does. Raises :class:`ProjectFormatError` for a state ReaEQ's
    codec cannot read (nothing is guessed)."""
    if not 1 <= n_bands <= 64:
        raise ParameterError(f"ReaEQ: {n_bands} bands asked (1..64)")
    payload = _decode(state)
    del payload.bands[n_bands:]
    while len(payload.bands) < n_bands:
        payload.bands.append(EqBandRecord(8, 0, 1000.0, 1.0, 1.0))
    return _encode(payload)


def _clamp(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


def _values(payload: EqPayload) -> list[float]:
    vals: list[float] = []
    for b in payload.bands:
        vals.append(_clamp(freq_native(max(b.freq_hz, FREQ_MIN_HZ)), 0.0, 1.0))
        vals.append(_clamp(U.reaeq_gain_linear_to_native(b.gain_linear), 0.0, 1.0))
        vals.append(_clamp(bw_native(b.bw_oct), 0.0, 1.0))
    vals.append(_clamp(payload.global_gain, 0.0, 4.0))
    return vals


# Fresh instance (S14, REAPER 6.82 macOS; facts 2.1 table).
DEFAULT_BODY = (
    "cWVlcu5e7f4CAAAAAQAAAAAAAAACAAAAAAAAAAIAAAABAAAAAAAAAAIAAAAAAAAAzQAAAAEAAAAAABAA",
    "IQAAAAUAAAAAAAAAAQAAAAAAAAAAAFlAAAAAAAAA8D+amZmZmZnpPwEIAAAAAQAAAAAAAAAAwHJAAAAAAAAA8D8AAAAAAAAAQAEIAAAAAQAAAAAAAAAAQI9AAAAAAAAA"  # noqa: E501
    "8D8AAAAAAAAAQAEBAAAAAQAAAAAAAAAAiLNAAAAAAAAA8D+amZmZmZnpPwEEAAAAAAAAAAAAAAAAAFlAAAAAAAAA8D8AAAAAAAAAQAEBAAAAAQAAAAAAAAAAAPA/AAAAAEACAABrAQAAAgAAAA==",  # noqa: E501
)
# Values of a band param at an index beyond the fresh layout's 5 bands.
_EXTRA_BAND_DEFAULTS = (freq_native(1000.0), 0.25, 0.5)


class ReaEqSpec(CockosVstSpec):
    key = "reaeq"
    fx_name = "VST: ReaEQ (Cockos)"
    short_name = "ReaEQ"
    file_stem = "reaeq"
    unique_id = 1919247729  # "reeq"
    default_body = DEFAULT_BODY

    def __init__(self) -> None:
        self._cache: dict[tuple[int, ...], list[ParamSpec]] = {}
        self._fresh_defaults: list[float] | None = None

    # -- params ---------------------------------------------------------------------------
    def _layout(self, state: PluginState | None) -> tuple[int, ...]:
        if state is None:
            return (0, 8, 8, 1, 4)
        return tuple(b.type for b in state.payload.bands)

    def params(self, state: PluginState | None = None) -> list[ParamSpec]:
        layout = self._layout(state)
        cached = self._cache.get(layout)
        if cached is not None:
            return cached
        if self._fresh_defaults is None:
            self._fresh_defaults = []  # guards the recursion through default_state()
            self._fresh_defaults = list(self.default_state().values)
        fresh = self._fresh_defaults
        specs: list[ParamSpec] = []
        for k, btype in enumerate(layout):
            for j, (kind, key, unit, to_u, from_u, fmt, mapping, mapped) in enumerate(
                (
                    ("Freq", "freq_hz", "Hz", freq_hz, freq_native, format_freq, "reaeq_freq", True),
                    ("Gain", "gain_db", "dB", U.reaeq_gain_db, U.reaeq_gain_native, format_gain,
                     "reaeq_gain", True),
                    ("BW", "bw_oct", "oct", bw_oct, bw_native, format_bw, "reaeq_bw", True),
                )
            ):
                i = 3 * k + j
                name = band_param_name(kind, k, btype)
                default = fresh[i] if i < len(fresh) - 1 else _EXTRA_BAND_DEFAULTS[j]
                specs.append(
                    ParamSpec(name, f"band{k + 1}_{key}", 0.0, 1.0, default, make_ident(i, name),
                              self.short_name, unit, mapping, mapped, to_u, from_u, fmt)
                )
        i = len(specs)
        specs.append(
            ParamSpec("Global Gain", "global_gain_db", 0.0, 4.0, 1.0, make_ident(i, "Global Gain"),
                      self.short_name, "dB", "linear_amplitude_db", True, linear_db,
                      linear_from_db, format_global_gain)
        )
        self._cache[layout] = specs
        return specs

    # -- codec ----------------------------------------------------------------------------
    def _decode_payload(self, state_bytes: bytes) -> tuple[EqPayload, list[float]]:
        payload = _decode(state_bytes)
        return payload, _values(payload)

    def _encode_payload(self, payload: EqPayload) -> bytes:
        return _encode(payload)

    def _write_value(self, state: PluginState, index: int, native: float) -> float:
        payload: EqPayload = state.payload
        nb = len(payload.bands)
        if index == 3 * nb:
            payload.global_gain = native
            return native
        band = payload.bands[index // 3]
        j = index % 3
        if j == 0:
            band.freq_hz = freq_hz(native)
        elif j == 1:
            band.gain_linear = U.reaeq_gain_native_to_linear(native)
        else:
            band.bw_oct = bw_oct(native)
        return native

    # -- named config ---------------------------------------------------------------------
    @staticmethod
    def _band_key(key: str) -> tuple[str, int] | None:
        for prefix in ("BANDTYPE", "BANDENABLED"):
            if key.upper().startswith(prefix) and key[len(prefix):].isdigit():
                return prefix, int(key[len(prefix):])
        return None

    def get_named_config(self, state: PluginState, key: str) -> str | None:
        """``BANDTYPE<k>`` / ``BANDENABLED<k>`` (k 0-based, decimal strings; S2, S5).

        A band that does not exist reads as None (REAPER returns false; MPL counts bands so).
        """
        parsed = self._band_key(key)
        if parsed is None:
            return None
        prefix, k = parsed
        bands = state.payload.bands
        if k >= len(bands):
            return None
        return str(bands[k].type if prefix == "BANDTYPE" else bands[k].enabled)

    def set_named_config(self, state: PluginState, key: str, value: str) -> bool:
        parsed = self._band_key(key)
        if parsed is None:
            return False
        prefix, k = parsed
        bands = state.payload.bands
        if k >= len(bands):
            return False
        try:
            number = int(float(str(value).strip()))
        except ValueError:
            return False
        if prefix == "BANDTYPE":
            if number not in BANDTYPE_NAMES:
                return False
            bands[k].type = number
        else:
            bands[k].enabled = 1 if number else 0
        return True

    def settings(self, state: PluginState) -> EqSettings:
        return settings(state)


REAEQ = ReaEqSpec()


def settings(state: PluginState) -> EqSettings:
    """ReaEQ bands in real units, read from the stored struct (no uncertain curve involved)."""
    REAEQ.sync(state)
    payload: EqPayload = state.payload
    bands = tuple(
        EqBandSettings(
            type=b.type,
            type_name=BANDTYPE_NAMES.get(b.type, f"Type {b.type}"),
            enabled=bool(b.enabled),
            freq_hz=b.freq_hz,
            gain_db=linear_db(b.gain_linear),
            bw_oct=b.bw_oct,
        )
        for b in payload.bands
    )
    return EqSettings(bands, linear_db(payload.global_gain))


# -- TrackFX_GetEQParam / SetEQParam helpers ----------------------------------------------
def eq_param_index(bands: list[EqBandRecord], api_type: int, band_idx: int, param_type: int) -> int | None:
    """Param index for ``(bandtype, bandidx, paramtype)`` of the EQ API, or None.

    ``band_idx`` counts bands of that API type in band order; ``api_type`` -1 is the master
    gain (param ``3*nbands``; ``param_type`` ignored).
    """
    if api_type == -1:
        return 3 * len(bands)
    if api_type not in EQ_API_TO_BANDTYPE or param_type not in EQ_PARAMTYPES or band_idx < 0:
        return None
    seen = 0
    for k, b in enumerate(bands):
        if BANDTYPE_TO_EQ_API.get(b.type) == api_type:
            if seen == band_idx:
                return 3 * k + param_type
            seen += 1
    return None


def eq_param_info(bands: list[EqBandRecord], param_index: int) -> tuple[int, int, int] | None:
    """``(api_type, band_idx, param_type)`` of a param index (``GetEQParam``), or None."""
    n = len(bands)
    if param_index == 3 * n:
        return (-1, 0, 1)
    if not 0 <= param_index < 3 * n:
        return None
    k, param_type = divmod(param_index, 3)
    api_type = BANDTYPE_TO_EQ_API.get(bands[k].type)
    if api_type is None:
        return None
    band_idx = sum(1 for b in bands[:k] if BANDTYPE_TO_EQ_API.get(b.type) == api_type)
    return (api_type, band_idx, param_type)


# (value -> native, native -> value) per EQ param type: 0 freq (Hz), 1 gain (dB), 2 bandwidth (oct)
_EQ_CURVES = {
    0: (freq_native, freq_hz),
    1: (U.reaeq_gain_native, U.reaeq_gain_db),
    2: (bw_native, bw_oct),
}
_EQ_MASTER_CURVES = (linear_from_db, linear_db)


def _eq_curves(api_type: int, param_type: int) -> tuple[Callable[[float], float], Callable[[float], float]]:
    if api_type == -1:
        return _EQ_MASTER_CURVES
    if param_type not in _EQ_CURVES:
        raise ParameterError(f"ReaEQ EQ param type {param_type} outside 0..2 (freq, gain, bw)")
    return _EQ_CURVES[param_type]


def eq_value_to_native(api_type: int, param_type: int, value: float) -> float:
    """Native value for ``SetEQParam(..., isnorm=False)``: Hz, dB, octaves (facts 2.1, INFER).

    The master gain (``api_type`` -1) is in dB too.
    """
    return _eq_curves(api_type, param_type)[0](value)


def eq_native_to_value(api_type: int, param_type: int, native: float) -> float:
    """Inverse of :func:`eq_value_to_native`."""
    return _eq_curves(api_type, param_type)[1](native)

