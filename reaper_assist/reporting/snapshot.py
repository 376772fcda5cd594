"""The report's copy of the live project, assembled from the bridge's ``report_view`` (one read
request, bridge/snapshot.py) instead of a save: REAPER's project stays on the user's file whatever
``Main_SaveProjectEx`` to another path would do (emulator/uncertain.py
``SAVE_EX_TO_OTHER_PATH_REPOINTS``).

The tracks' state chunks go in as they are; the master's, which REAPER gives as a ``<TRACK`` chunk
(VOLPAN, MAINSEND, its FX in ``<FXCHAIN``; docs/master.md), goes back to the project's MASTER_* lines
and ``<MASTERFXLIST``, the reverse of the emulator's ``_master_track_chunk``. Not in the view, so not
in the copy: automation-item pools (``<POOLEDENV`` of the project chunk; an item whose pool is missing
renders as the engine says), the tempo envelope (the base tempo is kept), the master's hardware outputs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from reaper_assist.emulator import rpp
from reaper_assist.emulator.project import Project
from reaper_assist.errors import ReaperAssistError

VERSION = "7.0/reaper-assist report view"
# master <TRACK line -> project line (the tokens kept as they are)
_MASTER_LINES = {"VOLPAN": "MASTER_VOLUME", "FX": "MASTER_FX", "MUTESOLO": "MASTERMUTESOLO", "SEL": "MASTER_SEL"}
# master <TRACK envelope chunks -> project chunks (MasterTrack.envelopes)
_MASTER_ENVELOPES = {"VOLENV2": "MASTERVOLENV2", "PANENV2": "MASTERPANENV2", "VOLENV": "MASTERVOLENV"}


def _track_chunk(text: str, whose: str) -> rpp.Chunk:
    """A ``<TRACK`` state chunk from REAPER, or one message naming whose it is."""
    try:
        ch = rpp.parse(text)
    except Exception as exc:  # noqa: BLE001 - any parse failure is one message
        raise ReaperAssistError(f"{whose}'s state chunk from REAPER does not read as a chunk: {exc}") from exc
    if ch.tag != "TRACK":
        raise ReaperAssistError(f"{whose}'s state chunk from REAPER is a <{ch.tag}, not a <TRACK")
    return ch


def _master_nodes(chunk_text: str, guid: str) -> list[rpp.Node]:
    """The master's part of the project chunk, from its state chunk (``""``: REAPER's defaults)."""
    out: list[rpp.Node] = []
    lines: dict[str, list[str]] = {}
    kids: list[rpp.Node] = []
    if chunk_text.strip():
        tr = _track_chunk(chunk_text, "the master")
        lines = {ln.key: ln.tokens[1:] for ln in tr.lines()}
        kids = list(tr.children)
    nch = lines.get("NCHAN", ["2"])[:1] * 2
    out.append(rpp.Line.from_tokens(["MASTER_NCH", *nch]))
    out.append(rpp.Line(" ".join(["MASTER_VOLUME", *lines.get("VOLPAN", ["1", "0", "-1", "-1", "1"])])))
    out.append(rpp.Line(" ".join(["MASTER_FX", *lines.get("FX", ["1"])])))
    out.append(rpp.Line(" ".join(["MASTER_SEL", *lines.get("SEL", ["0"])])))
    if "MUTESOLO" in lines:
        out.append(rpp.Line(" ".join(["MASTERMUTESOLO", *lines["MUTESOLO"]])))
    if guid:
        out.append(rpp.Line.from_tokens(["MASTERTRACKID", guid]))
    for c in kids:
        if isinstance(c, rpp.Chunk) and c.tag == "FXCHAIN":
            out.append(rpp.Chunk("MASTERFXLIST", list(c.children)))
        elif isinstance(c, rpp.Chunk) and c.tag in _MASTER_ENVELOPES:
            out.append(rpp.Chunk(" ".join([_MASTER_ENVELOPES[c.tag], *c.attrs]), list(c.children)))
    return out


def assemble(view: dict[str, Any]) -> Project:
    """The project the view describes, its path the user's project file (so relative media resolve
    as in REAPER): tracks in order, the master, the P_EXT keys and ExtState keys the report reads."""
    root = rpp.Chunk(rpp.Line.from_tokens(["REAPER_PROJECT", 0.1, VERSION, 0]).text)
    root.children.append(rpp.Line.from_tokens(["SAMPLERATE", int(view["sample_rate"]), 0, 0]))
    root.children.append(rpp.Line.from_tokens(["TEMPO", float(view.get("tempo") or 120.0), 4, 4]))
    master = view.get("master") or {}
    root.children.extend(_master_nodes(str(master.get("chunk") or ""), str(master.get("guid") or "")))
    for i, t in enumerate(view["tracks"]):
        root.children.append(_track_chunk(str(t.get("chunk") or ""), f"track {i + 1}"))
    path = str(view.get("project") or "") or None
    project = Project.loads(rpp.dumps(root), path=path)
    for tr, t in zip([*project.tracks, project.master], [*view["tracks"], master]):
        for key, value in (t.get("ext") or {}).items():
            if value and tr.get_ext(key) != value:
                tr.set_ext(key, value)
    for key, value in (view.get("ext") or {}).items():
        if value:
            project.set_ext_state("reaper_assist", key, value)
    return project


def write(view: dict[str, Any], target: str | os.PathLike) -> Path:
    """Write the assembled project to ``target`` atomically (relative media made absolute when the
    folder differs from the project's, as a save elsewhere does). The user's file is not touched."""
    project = assemble(view)
    project.save(target)
    return Path(target)
