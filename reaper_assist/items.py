"""An item and its active take as REAPER reports them: the one form from the read to the render.

``reaper_assist.bridge.remote`` reads each item inside REAPER into a JSON object whose keys are
exactly the fields below (``D_POSITION`` -> ``position_s``, ``D_FADEINLEN_AUTO`` ->
``fade_in_auto_s``, ...: facts 1.4); :meth:`ItemState.from_dict` makes the frozen dataclasses of
it, the host hands them to the actions, and :func:`reaper_assist.media.render_items` renders them
as they are. Nothing converts them on the way. Plain data: no numpy, no I/O, no host.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SectionState:
    """A ``SECTION`` source wrapper (``PCM_Source_GetSectionInfo``): the window of the file the
    take plays, in source seconds, possibly reversed."""

    start_s: float
    length_s: float
    reversed: bool


@dataclass(frozen=True)
class TakeState:
    """The active take. ``volume`` is linear ``D_VOL``, negative when the take's polarity is
    flipped; ``start_offset_s`` is ``D_STARTOFFS`` in source seconds; ``playrate`` resamples
    tape-style; ``file`` is the file behind the source (after ``GetMediaSourceParent``)."""

    index: int
    guid: str
    name: str
    volume: float
    pan: float
    start_offset_s: float
    playrate: float
    chanmode: int
    source_type: str
    file: str
    section: SectionState | None = None

    @property
    def is_midi(self) -> bool:
        return self.source_type.upper() in ("MIDI", "MIDIPOOL")

    @property
    def source_kind(self) -> str:
        """'audio', 'midi', 'offline' (``_OFFLINE_*`` source types, facts 4.3) or 'empty'."""
        st = self.source_type.upper()
        if self.is_midi:
            return "midi"
        if st.startswith("_OFFLINE"):
            return "offline"
        return "audio" if st else "empty"


@dataclass(frozen=True)
class ItemState:
    """One item (``GetMediaItemInfo_Value`` keys, facts 1.4) with its active take, or ``None``.

    ``index`` is the item's 0-based position on its track. Fades: ``fade_in_s`` is the manual
    ``D_FADEINLEN``, ``fade_in_auto_s`` the auto-crossfade length ``D_FADEINLEN_AUTO`` ("-1=no
    auto-fadein"), and REAPER plays the auto one when it is set (:attr:`fade_in_played_s`).
    """

    index: int
    guid: str
    position_s: float
    length_s: float
    mute: bool
    item_volume: float
    fade_in_s: float
    fade_in_auto_s: float
    fade_in_shape: int
    fade_in_dir: float
    fade_out_s: float
    fade_out_auto_s: float
    fade_out_shape: int
    fade_out_dir: float
    loop_source: bool
    take: TakeState | None
    take_count: int = 1  # CountTakes
    our_takes: str = ""  # P_EXT:reaper_assist_take, JSON {take GUID: tag} (takes reaper-assist added)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ItemState:
        """The item as :func:`reaper_assist.bridge.remote.read_state_with` returns it."""
        t = d.get("take")
        take = None
        if t:
            sec = t.get("section")
            take = TakeState(**{**t, "section": SectionState(**sec) if sec else None})
        return cls(**{**d, "take": take})

    @property
    def number(self) -> int:
        """1-based, as users count items (and problems name them)."""
        return self.index + 1

    @property
    def end_s(self) -> float:
        return self.position_s + self.length_s

    @property
    def gain(self) -> float:
        """Item volume times take volume, sign kept (negative = polarity flipped)."""
        return float(self.item_volume) * (float(self.take.volume) if self.take is not None else 1.0)

    @property
    def fade_in_played_s(self) -> float:
        """The fade-in REAPER plays: the auto-crossfade's when set (> 0), else the manual one.
        0 counts as not set: REAPER-saved projects write 0 there beside a playing manual fade."""
        return self.fade_in_auto_s if self.fade_in_auto_s > 0 else self.fade_in_s

    @property
    def fade_out_played_s(self) -> float:
        """The fade-out REAPER plays (see :attr:`fade_in_played_s`)."""
        return self.fade_out_auto_s if self.fade_out_auto_s > 0 else self.fade_out_s
