"""What the mix-level actions (balance, auto-pan) share: the focus track, each track's source and
instrument (the recogniser; the name alone when the audio cannot be read), folder parents whose
children are selected too, and each track's loudness as heard (REAPER's dry run, bridge.heard)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from reaper_assist.app.track_source import TrackSource, track_source
from reaper_assist.errors import ReaperAssistError
from reaper_assist.host.base import TrackState


def pick_focus(tracks: list[TrackState], focus: str | None) -> TrackState:
    """The focus: ``focus`` (a track name or GUID) among the tracks, else the first of them."""
    if not focus:
        return tracks[0]
    for t in tracks:
        if t.guid.upper() == str(focus).upper() or t.name == focus:
            return t
    raise ReaperAssistError(f"focus track {focus!r} is not among the selected tracks "
                            f"({', '.join(t.name for t in tracks)})")


@dataclass(frozen=True)
class MixTrack:
    track: TrackState
    source: TrackSource  # audio None when it cannot be read (the instrument then comes from the name)
    instrument: str
    instrument_note: str


def mix_track(track: TrackState, sample_rate: int) -> MixTrack:
    from reaper_assist.analysis.instruments import recognise_name

    src = track_source(track, sample_rate)
    if src.audio is not None:
        note = f"{src.instrument} (from {src.instrument_source}, confidence {src.instrument_confidence:.2f})"
        return MixTrack(track, src, src.instrument, note)
    g = recognise_name(track.name)
    if g is None:
        return MixTrack(track, src, "other", f"instrument unknown (audio: {src.why_not}; the name says nothing)")
    return MixTrack(track, src, g.instrument, f"{g.instrument} (from the name, confidence {g.confidence:.2f}; "
                                              f"audio: {src.why_not})")


def folder_with_selected_children(track: TrackState, selected_indices: set[int]) -> bool:
    """A folder parent whose first child is selected too: its children are handled through it."""
    return track.folder_depth > 0 and track.index + 1 in selected_indices


def bus_with_selected_sources(heard_: Heard, selected_guids: set[str]) -> list[str]:
    """The names of the selected tracks that send to this one (a bus): they are handled through it."""
    return [n for n, g in zip(heard_.sources, heard_.source_guids) if g in selected_guids]


def route_evidence(h: Heard) -> dict[str, Any]:
    """How the track reaches the listener, for the record."""
    return {"heard_through": h.through, "sends": [dict(s) for s in h.sends], "fader_moves_heard": h.fader,
            "pre_fader_sends": list(h.pre_fader_sends)}


@dataclass(frozen=True)
class Heard:
    lufs: float | None  # None: not measured (``why``); -inf: silent after its FX
    why: str
    through: str  # the top-level tracks its routes end in: folder, bus ("" for only itself)
    fader: str = "all"  # how its fader moves what is heard: "all", "part", "none" (pre-fader sends)
    pre_fader_sends: tuple[str, ...] = ()  # the tracks it reaches through pre-fader / pre-FX sends
    sends: tuple[dict[str, str], ...] = ()  # its live sends: {"to", "mode"}
    sources: tuple[str, ...] = ()  # the tracks that send to it (a bus), by name
    source_guids: tuple[str, ...] = ()  # the same tracks, by GUID (upper case)

    @property
    def silent(self) -> bool:
        return self.lufs is not None and not math.isfinite(self.lufs)


def heard(host, guids: list[str], trial_ops: list[dict[str, Any]] | None = None) -> dict[str, Heard]:
    """``{GUID (upper): Heard}`` from one dry-run request (``trial_ops`` in place meanwhile)."""
    measure = getattr(host, "tracks_heard", None)
    if measure is None:
        raise ReaperAssistError("this host cannot run REAPER's dry-run render of tracks (update the bridge: "
                                "run `reaper-assist install` again)")
    out = {}
    for r in measure(guids, trial_ops or None):
        lufs = float(r["LUFSI"]) if r.get("measured") else None
        out[str(r["guid"]).upper()] = Heard(lufs, str(r.get("why", "")), str(r.get("through", "")),
                                            str(r.get("fader", "all")), tuple(r.get("pre_fader_sends", ())),
                                            tuple(r.get("sends", ())), tuple(r.get("sources", ())),
                                            tuple(str(g).upper() for g in r.get("source_guids", ())))
    return out
