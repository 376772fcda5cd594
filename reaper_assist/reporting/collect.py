"""What the report shows, gathered from a project file: the latest record of every action (project
ExtState ``reaper_assist/records``, kept by app/records.py), and per track the audio with the tool's
work on and off, rendered by the emulator's engine from the saved project (a REAPER project is saved
as a copy first; the user's project is never written).

Renders: each track post-fader (a) with everything as saved, (b) with the tool's FX bypassed, (c) with
only the tool's EQ-type FX on (for the EQ curve), (d) with only its dynamics FX bypassed (for the gain
reduction). Our FX are the ones the track's ``reaper_assist_tag`` list names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

EQ_TAGS = ("eq", "unmask", "auto-eq", "deess", "de-ess", "denoise", "match-reference")  # tone FX (EQ curve)
DYN_WORDS = ("comp", "gate", "limit", "de-ess", "deess")  # dynamics FX (gain reduction)


@dataclass
class TrackView:
    name: str
    guid: str
    sample_rate: int
    ours: list[dict[str, str]]  # [{guid, name, tag}]
    lanes: dict[str, list[tuple[float, float]]]  # our lane -> [(time_s, dB)]
    on: np.ndarray | None = None  # mono renders
    off: np.ndarray | None = None
    eq_only: np.ndarray | None = None
    no_dyn: np.ndarray | None = None
    start_s: float = 0.0
    records: list[dict[str, Any]] = field(default_factory=list)  # per action: {action, track, changes}


def load_records(project) -> dict[str, dict[str, Any]]:
    """{action: its latest record}; the last_run record is one of them."""
    out: dict[str, dict[str, Any]] = {}
    for key in ("records", "last_run"):
        text = project.get_ext_state("reaper_assist", key)
        try:
            d = json.loads(text) if text else {}
        except ValueError:
            d = {}
        if key == "records" and isinstance(d, dict):
            out.update({k: v for k, v in d.items() if isinstance(v, dict)})
        elif isinstance(d, dict) and d.get("action"):
            out.setdefault(str(d["action"]), d)
    return out


def _tags(track) -> dict[str, str]:
    try:
        d = json.loads(track.get_ext("reaper_assist_tag") or "{}")
    except ValueError:
        return {}
    return {str(k).upper(): str(v) for k, v in d.items()} if isinstance(d, dict) else {}


def _render(project, track, enabled: dict[int, bool]):
    from reaper_assist.emulator.engine import render

    saved = [fx.enabled for fx in track.fx]
    try:
        for k, on in enabled.items():
            track.fx[k].enabled = on
        r = render(project, track=track, start_s=0.0)
    finally:
        for fx, on in zip(track.fx, saved):
            fx.enabled = on
    return r.audio.mean(axis=0), r.start_s


def _lanes(track) -> dict[str, list[tuple[float, float]]]:
    from reaper_assist.units import amp_to_db

    try:
        owned = json.loads(track.get_ext("reaper_assist_env") or "{}")
    except ValueError:
        owned = {}
    out = {}
    for env in track.envelopes():
        mine = [n for n, v in owned.items() if isinstance(v, dict) and str(v.get("guid", "")).upper() == env.guid.upper()]
        if mine:
            out[mine[0]] = [(p.time, amp_to_db(p.value)) for p in env.points]
    return out


def track_views(project, records: dict[str, dict[str, Any]], *, audio: bool = True) -> list[TrackView]:
    """One view per track the records or the tags name, in project order."""
    named = {str(t.get("guid", "")).upper() for r in records.values() for t in r.get("tracks", [])}
    views = []
    tracks = list(project.tracks) + [project.master]
    for tr in tracks:
        tags = _tags(tr)
        if tr.guid.upper() not in named and not tags:
            continue
        ours = [{"guid": fx.guid, "name": fx.renamed_name or fx.name, "tag": tags[fx.guid.upper()]}
                for fx in tr.fx if fx.guid.upper() in tags]
        v = TrackView(tr.name or ("MASTER" if tr.is_master else "track"), tr.guid, project.sample_rate, ours,
                      _lanes(tr))
        for action, r in records.items():
            t = next((t for t in r.get("tracks", []) if str(t.get("guid", "")).upper() == tr.guid.upper()), None)
            changes = [c for c in r.get("changes", []) if str(c.get("track_guid", "")).upper() == tr.guid.upper()]
            if t is not None or changes:
                v.records.append({"action": action, "track": t or {}, "changes": changes})
        if audio and not tr.is_master and ours:
            idx = {fx.guid.upper(): k for k, fx in enumerate(tr.fx)}
            mine = {idx[o["guid"].upper()]: o for o in ours}
            v.on, v.start_s = _render(project, tr, {})
            v.off, _ = _render(project, tr, {k: False for k in mine})
            eq = {k: any(w in (o["tag"] + o["name"]).lower() for w in EQ_TAGS) for k, o in mine.items()}
            if any(eq.values()):
                v.eq_only, _ = _render(project, tr, {k: e for k, e in eq.items()})
            dyn = [k for k, o in mine.items() if any(w in (o["tag"] + o["name"]).lower() for w in DYN_WORDS)]
            if dyn:
                v.no_dyn, _ = _render(project, tr, {k: False for k in dyn})
        views.append(v)
    return views
