"""The steps of a plan, in real units: what the rules decide, before any REAPER parameter exists.

A step names its target by GUID (track, item, our tagged FX), the value it wants in dB, Hz, ms,
octaves or pan units, the reason, and the evidence that goes into the ``last_run`` record. No step
knows a REAPER API key, a parameter index or a native value: :mod:`reaper_assist.host.realize`
turns steps into native writes through the plugin maps (:mod:`reaper_assist.plugins`), and each
kind of write is one class inside REAPER (:mod:`reaper_assist.bridge.writes`).

A new kind of change (automation, balance, a master limiter, a reference EQ) is one new step
class here, one ``realize`` function for it, and, if REAPER needs a new call for it, one write
kind inside REAPER.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from reaper_assist.errors import ParameterError

ENVELOPE_SHAPES = {"linear": 0, "square": 1, "slow": 2, "fast_start": 3, "fast_end": 4, "bezier": 5}


@dataclass(frozen=True, kw_only=True)
class Step:
    """What every step carries: its track and why."""

    track_guid: str
    track_name: str
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class TakeGain(Step):
    """The same ``gain_db`` on the active take of one item (relative: polarity and the
    take's own level are kept)."""

    item_guid: str
    item_index: int  # 0-based, for the record's label
    gain_db: float


@dataclass(frozen=True, kw_only=True)
class TrackVolume(Step):
    """The track's volume (trim fader) at ``volume_db``."""

    volume_db: float


@dataclass(frozen=True, kw_only=True)
class TrackPan(Step):
    """The track's pan: -1 (left) .. +1 (right)."""

    pan: float

    def __post_init__(self) -> None:
        if not (isinstance(self.pan, (int, float)) and -1.0 <= self.pan <= 1.0):
            raise ParameterError(f"track {self.track_name!r}: pan {self.pan!r} outside -1..1")


@dataclass(frozen=True)
class EnvelopePoint:
    """One automation point: time in seconds, value in dB, REAPER's point shape by name."""

    time_s: float
    value_db: float
    shape: str = "linear"

    def __post_init__(self) -> None:
        if self.shape not in ENVELOPE_SHAPES:
            raise ParameterError(f"envelope point shape {self.shape!r}: use one of {', '.join(ENVELOPE_SHAPES)}")
        if not (math.isfinite(self.time_s) and self.time_s >= 0.0):
            raise ParameterError(f"envelope point time {self.time_s!r} s: must be >= 0")


@dataclass(frozen=True, kw_only=True)
class EnvelopePoints(Step):
    """These points on the track's volume envelope (``"Trim Volume"`` or ``"Volume"``),
    replacing the points between the first and the last one."""

    envelope: str = "Trim Volume"
    points: tuple[EnvelopePoint, ...]

    def __post_init__(self) -> None:
        if self.envelope not in ("Trim Volume", "Volume"):
            raise ParameterError(f"envelope {self.envelope!r}: only 'Trim Volume' and 'Volume' are written")
        if not self.points:
            raise ParameterError(f"track {self.track_name!r}: an envelope step needs at least one point")


@dataclass(frozen=True)
class ParamValue:
    """One parameter of a plugin by our key (``threshold_db``, ``attack_ms``...) in its unit;
    ``label`` is the record's text, ``evidence`` the measurements behind it."""

    key: str
    value: float
    label: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BandValue:
    """One ReaEQ band in real units (band number ``band`` 0-based, ``band_type`` a BANDTYPE code
    of :data:`reaper_assist.plugins.reaeq.BANDTYPE_NAMES`)."""

    band: int
    band_type: int
    enabled: bool
    freq_hz: float
    gain_db: float
    bw_oct: float
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class TaggedPlugin(Step):
    """The track's tagged ``rename`` instance of a stock plugin (registry key ``plugin``) holds
    ``params`` and ``bands``: added at ``position`` (-1 = end) when ``existing_guid`` is None,
    else updated where it differs."""

    plugin: str  # plugins.registry key: "reaeq", "reacomp", "reagate", "js_volume"...
    rename: str
    tag: str
    position: int = -1
    existing_guid: str | None = None
    params: tuple[ParamValue, ...] = ()
    bands: tuple[BandValue, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RemovePlugin(Step):
    """Our tagged FX ``fx_guid`` (``label`` in the record) taken off the track."""

    fx_guid: str
    label: str


@dataclass(frozen=True, kw_only=True)
class AddedTrack(Step):
    """A new last track of ours (``owner``, the action) named ``track_name``, holding one item
    that plays ``file`` from 0 s for ``length_s`` at track volume ``volume_db``; muted, or, with
    ``audition``, unmuted and soloed (a trial render that hears only it). ``track_guid`` is ""."""

    owner: str
    file: str
    length_s: float
    volume_db: float
    audition: bool = False


@dataclass(frozen=True, kw_only=True)
class RemoveAddedTrack(Step):
    """Our track ``track_guid`` (added by ``owner``) deleted."""

    owner: str


@dataclass(frozen=True, kw_only=True)
class TrackAudition(Step):
    """Our track heard alone (``on``: unmuted and soloed) or at rest (muted, not soloed)."""

    on: bool


@dataclass(frozen=True, kw_only=True)
class TrackSolo(Step):
    """A track soloed (``on``) or not: for trial renders that hear some tracks alone (match-reference
    and ab-reference on tracks), never kept."""

    on: bool


def track_steps(steps, guid: str) -> list[Step]:
    """The steps of one track, in plan order."""
    return [s for s in steps if s.track_guid.upper() == guid.upper()]


@dataclass(frozen=True)
class ParamEnvelope:
    """All the points of one parameter envelope on our tagged plugin, in the parameter's unit
    (``value_db`` for a gain): today a ReaEQ band's gain (``param="gain"``, band ``band``)."""

    band: int
    param: str
    points: tuple[EnvelopePoint, ...]

    def __post_init__(self) -> None:
        if self.param != "gain":
            raise ParameterError(f"parameter envelope {self.param!r}: only a ReaEQ band's 'gain' is written")
        if not self.points:
            raise ParameterError("a parameter envelope needs at least one point")


@dataclass(frozen=True, kw_only=True)
class AutomatedPlugin(Step):
    """Our tagged plugin as ``plugin`` says (added or updated) and, on it, these parameter
    envelopes (an envelope on our own FX is ours by construction; a user's FX is never automated)."""

    plugin: TaggedPlugin
    envelopes: tuple[ParamEnvelope, ...]


@dataclass(frozen=True, kw_only=True)
class NewTake(Step):
    """A new take on item ``item_guid`` playing ``file`` (a file reaper-assist wrote, never the
    user's media), named ``name``, made the active take and listed under ``tag``; the item's
    original take (playing ``original``) stays, one click away. ``write`` writes ``file`` and is
    called only when the plan is applied (never in a dry run)."""

    item_guid: str
    item_index: int  # 0-based, for the record's label
    file: str
    original: str
    name: str
    tag: str
    write: Any = field(default=None, compare=False, repr=False)
