"""The live project as the report sees it, read without saving (runs inside REAPER): one named
operation, ``report_view``.

The report used to save a copy with ``Main_SaveProjectEx(0, other_path, 0)``; whether REAPER then
keeps the open project on the user's file or re-points it to the copy ("Save as") is not
documented (emulator/uncertain.py ``SAVE_EX_TO_OTHER_PATH_REPOINTS``, docs/unverified.md), so the
report reads instead, in one request: every track's state chunk (``GetTrackStateChunk``, isundo
false), the master's (a ``<TRACK`` chunk with its FX in ``<FXCHAIN``, docs/master.md), the
P_EXT keys and GUIDs the state chunks may not carry, the project's sample rate and base tempo,
the ``reaper_assist`` ExtState keys the report reads and the project's file. Nothing is written.
The companion assembles an .RPP from it (:mod:`reaper_assist.reporting.snapshot`). Imports
nothing from the rest of reaper_assist but the bridge's own read helpers.
"""

from __future__ import annotations

from typing import Any

from reaper_assist.bridge.remote import CHUNK_BUF, ENV_TAG_KEY, TAG_KEY, get_proj_ext_with

EXT_SECTION = "reaper_assist"
EXT_KEYS = ("records", "last_run")  # what reporting/collect.py load_records reads
TRACK_EXT_KEYS = (TAG_KEY, ENV_TAG_KEY)  # what reporting/collect.py reads of a track


def _track(api, tr) -> dict[str, Any]:
    r = api.GetTrackStateChunk(tr, "", CHUNK_BUF, False)
    ext = {}
    for key in TRACK_EXT_KEYS:
        got = api.GetSetMediaTrackInfo_String(tr, key, "", False)
        if got[0]:
            ext[key[len("P_EXT:"):]] = str(got[3])
    return {"chunk": str(r[2]) if r[0] else "", "guid": str(api.GetSetMediaTrackInfo_String(tr, "GUID", "", False)[3]),
            "ext": ext}


def report_view_with(api) -> dict[str, Any]:
    """``{"project", "sample_rate", "tempo", "tracks": [{"chunk", "guid", "ext"}], "master": {...},
    "ext": {key: value or None}}``; a chunk REAPER would not give is ``""``."""
    return {
        "project": str(api.EnumProjects(-1, "", 4096)[2] or ""),
        "sample_rate": int(api.GetSetProjectInfo(0, "PROJECT_SRATE", 0, False)),
        "tempo": float(api.Master_GetTempo()),
        "tracks": [_track(api, api.GetTrack(0, i)) for i in range(int(api.CountTracks(0)))],
        "master": _track(api, api.GetMasterTrack(0)),
        "ext": {k: get_proj_ext_with(api, EXT_SECTION, k) for k in EXT_KEYS},
    }
