"""What the actions on the master share (master, match-reference, ab-reference): the step of a
tagged gain stage (JS Volume), the trial writes that take our tagged FX out for a measurement, one
dry-run render's figures, and the choice between the master and a group of tracks."""

from __future__ import annotations

from typing import Any

from reaper_assist.app.our_fx import fx_label
from reaper_assist.errors import ParameterError
from reaper_assist.host import realize
from reaper_assist.host.base import FXState, ProjectState, TrackState
from reaper_assist.rules import mastering as rule
from reaper_assist.rules.steps import ParamValue, RemovePlugin, TaggedPlugin, TrackSolo

GAIN_MAX_VOLUME_DB = 24.0  # JS Volume's hard clamp, out of the way (the stage's gain stays far below it)


def gain_step(track: TrackState, ours: FXState | None, gain_db: float, *, tag: str, rename: str, reason: str,
              evidence: dict[str, Any]) -> TaggedPlugin:
    """Our tagged JS Volume gain stage at ``gain_db``, at the end of the chain when added."""
    return TaggedPlugin(
        track_guid=track.guid, track_name=track.name, reason=reason, evidence=evidence, plugin="js_volume",
        rename=rename, tag=tag, position=-1, existing_guid=ours.guid if ours is not None else None,
        params=(ParamValue("gain_db", gain_db, f"Adjustment ({gain_db:+.2f} dB)"),
                ParamValue("passes_db", GAIN_MAX_VOLUME_DB, "Max Volume (dB)")))


def without_ours(state: ProjectState, track: TrackState, ours: list[FXState]) -> list[dict[str, Any]]:
    """Trial writes that take our plugins out for the measurement of the mix (highest index
    first: each removal finds its FX where it is before any of them runs)."""
    steps = [RemovePlugin(track_guid=track.guid, track_name=track.name, reason="measure the mix without it",
                          fx_guid=fx.guid, label=fx_label(fx)) for fx in sorted(ours, key=lambda f: -f.index)]
    return realize.ops(realize.realize(state, steps))


def render_stats(host, ops: list[dict[str, Any]] | None) -> rule.MasterStats:
    """One dry-run render of the master with ``ops`` in place during it."""
    return rule.parse_render_stats(host.master_stats(ops or None))


def solo_alone(state: ProjectState, guids: list[str] | None, *, skip_owner: str = "") -> list[dict[str, Any]]:
    """Trial writes that solo the tracks ``guids`` and unsolo every other (``None``: nothing, the
    whole mix is heard); tracks added by ``skip_owner`` are left as they are."""
    if guids is None:
        return []
    want = {g.upper() for g in guids}
    steps = [TrackSolo(track_guid=t.guid, track_name=t.name, reason="hear the tracks matched alone",
                     on=t.guid.upper() in want)
             for t in state.tracks if not (skip_owner and t.owner == skip_owner)]
    return realize.ops(realize.realize(state, steps))


def target_guids(host, action: str, track_guids: list[str] | None, options: dict[str, Any]) -> list[str] | None:
    """What ``action`` acts on: None for the master (``--master``, or no tracks asked for), else
    the GUIDs of the tracks given or (``--selected``) selected; refused when none is selected."""
    if options.get("master") or not (track_guids or options.get("selected")):
        return None
    guids = list(track_guids or [t.guid for t in host.read_state(selected_only=True, with_items=False,
                                                                 with_fx=False).tracks])
    if not guids:
        raise ParameterError(f"{action} --selected: no tracks are selected (select the tracks to match, or use "
                             "--master)")
    return guids
