"""The Host protocol: what an action needs from REAPER, live or emulated.

Two implementations pass the same contract tests (tests/host): :class:`~.reapy_host.ReapyHost`
talks to a running REAPER (or the emulator process) through python-reapy, shipping each
operation as one request; :class:`~.inprocess.InProcessHost` runs the very same operations
(:mod:`.remote`) directly on an emulated project, for headless runs on ``.RPP`` files.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from reaper_assist.items import ItemState, SectionState, TakeState

__all__ = ["ApplyResult", "FXState", "Host", "ItemState", "ProjectState", "SectionState", "TakeState",
           "TrackState", "parse_tags"]


@dataclass(frozen=True)
class FXState:
    index: int
    guid: str
    name: str
    renamed_name: str
    original_name: str
    enabled: bool
    n_params: int
    params: tuple[float, ...] | None = None  # native values, read for our own tagged FX only
    config: dict[str, str] | None = None  # ReaEQ BANDTYPE<k>/BANDENABLED<k> of our own tagged ReaEQ only
    # parameter envelopes of our own tagged FX only: {str(param index): [[time_s, native, shape, tension]]}
    param_envelopes: dict[str, list] | None = None


@dataclass(frozen=True)
class TrackState:
    index: int
    guid: str
    name: str
    selected: bool
    volume: float
    pan: float
    mute: bool
    nchan: int
    folder_depth: int
    tags: str
    items: tuple[ItemState, ...] = ()
    fx: tuple[FXState, ...] = ()
    envelopes: dict[str, Any] = field(default_factory=dict)  # volume lanes: {name: {guid, points}}
    env_tags: str = ""  # P_EXT JSON: the lanes reaper-assist owns {name: {owner, guid}}
    solo: int = 0  # I_SOLO
    owner: str = ""  # P_EXT:reaper_assist_track: the action that added this track ("" = the user's)
    compare: str = ""  # P_EXT JSON: what "compare" switched off ("" when the tool's work is on)


@dataclass(frozen=True)
class ProjectState:
    project_file: str
    project_name: str
    sample_rate: int
    track_count: int
    tracks: tuple[TrackState, ...] = field(default_factory=tuple)
    ext: tuple[str | None, ...] = ()  # the project ExtState values asked for with the read (``ext``)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ProjectState:
        tracks = []
        for t in d["tracks"]:
            items = tuple(ItemState.from_dict(it) for it in t["items"])
            fx = tuple(FXState(**{**f, "params": tuple(f["params"]) if f.get("params") is not None else None})
                       for f in t["fx"])
            tracks.append(TrackState(**{**t, "items": items, "fx": fx}))
        return cls(d["project_file"], d["project_name"], d["sample_rate"], d["track_count"], tuple(tracks),
                   tuple(d.get("ext") or ()))

    def track(self, guid: str) -> TrackState | None:
        return next((t for t in self.tracks if t.guid.upper() == guid.upper()), None)


@dataclass(frozen=True)
class ApplyResult:
    results: tuple
    undo_description: str


@runtime_checkable
class Host(Protocol):
    """What every action uses; each method is ONE crossing of the REAPER boundary."""

    round_trips: int

    def read_state(self, *, track_guids: list[str] | None = None, selected_only: bool = False,
                   with_items: bool = True, with_fx: bool = True, master: bool = False,
                   index_range: tuple[int, int] | None = None,
                   ext: list[tuple[str, str]] | None = None) -> ProjectState: ...

    def apply(self, ops: list[dict[str, Any]], undo_name: str) -> ApplyResult: ...

    def batch(self) -> AbstractContextManager[None]:
        """Hold REAPER for the requests inside (an apply and the record after it)."""
        ...

    def undo(self) -> bool: ...

    def get_proj_ext(self, section: str, key: str) -> str | None: ...

    def report_view(self) -> dict[str, Any]:
        """The live project as the report reads it, without saving (bridge/snapshot.py)."""
        ...

    def save(self, path: str) -> None: ...

    def set_proj_ext(self, section: str, key: str, value: str) -> None: ...

    def get_proj_ext_many(self, section: str, keys: list[str]) -> list[str | None]: ...

    def set_proj_ext_many(self, section: str, values: list[tuple[str, str]], console_text: str = "") -> None: ...

    def console(self, text: str) -> None: ...


def parse_tags(text: str) -> dict[str, str]:
    """{FX GUID (upper case): tag} of the FX reaper-assist added to a track (P_EXT JSON)."""
    from reaper_assist.bridge.remote import _tags

    return _tags(text)
