"""Our tagged FX and the user's: which FX an action added earlier (only those are ever updated),
which of the user's own plugins already do the job, and the step that makes our plugin hold a plan."""

from __future__ import annotations

import json
from typing import Any

from reaper_assist.host import realize
from reaper_assist.host.base import FXState, TrackState, parse_tags
from reaper_assist.rules.plan import TrackDecision
from reaper_assist.rules.steps import BandValue, ParamValue, Step, TaggedPlugin


def our_fx(track: TrackState, tag: str) -> FXState | None:
    """The FX this action added earlier (listed in the track's tag JSON), never a user's FX."""
    tags = parse_tags(track.tags)
    for fx in track.fx:
        if tags.get(str(fx.guid).upper()) == tag:
            return fx
    return None


def user_fx_doing(track: TrackState, keywords: tuple[str, ...]) -> list[FXState]:
    """Enabled FX of the user (not tagged by reaper-assist) whose name says they do this job."""
    tags = parse_tags(track.tags)
    out = []
    for fx in track.fx:
        if str(fx.guid).upper() in tags or not fx.enabled:
            continue
        names = f"{fx.name} {fx.renamed_name} {fx.original_name}".lower()
        if any(k in names for k in keywords):
            out.append(fx)
    return out


def fx_label(fx: FXState) -> str:
    return fx.renamed_name or fx.name


def plugin_steps(track: TrackState, ours: FXState | None, *, plugin: str, rename: str, tag: str, position: int,
                 reason: str, params: tuple[ParamValue, ...] = (), bands: tuple[BandValue, ...] = (),
                 evidence: dict[str, Any] | None = None) -> list[Step]:
    """The step that makes the track's tagged ``rename`` plugin hold ``params``/``bands``: added
    (at ``position``) when missing; when ours is there and already holds them, no step at all."""
    step = TaggedPlugin(track_guid=track.guid, track_name=track.name, reason=reason, evidence=evidence or {},
                        plugin=plugin, rename=rename, tag=tag, position=position,
                        existing_guid=ours.guid if ours is not None else None, params=params, bands=bands)
    return [step] if realize.track_writes(track, [step]) else []


def users_own(track: TrackState, tag: str, words, kind: str) -> TrackDecision | None:
    """A "kept" decision when the user's own plugin already does the job and ours is not there
    (reported, never doubled), else None."""
    if our_fx(track, tag) is not None:
        return None
    theirs = user_fx_doing(track, words)
    if not theirs:
        return None
    names = ", ".join(repr(fx_label(f)) for f in theirs)
    return TrackDecision(track.guid, track.name, "kept", None, None, 0.0,
                         f"the track already has your own {kind} ({names}): not doubled", {})


def owned_lanes(track: TrackState) -> dict[str, dict[str, Any]]:
    """The envelope lanes the tool created on the track (its P_EXT list): {lane name: {owner, guid}}."""
    try:
        d = json.loads(track.env_tags or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in d.items() if isinstance(v, dict) and v.get("guid")} if isinstance(d, dict) else {}
