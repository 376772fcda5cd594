"""Functions that run *inside* REAPER (or the emulator), one call per host operation.

Each takes the ReaScript API as an object ``api`` whose attributes are the functions without the
``RPR_`` prefix (``reapy.reascript_api`` inside REAPER, or the emulator's in-process binding), and
returns plain JSON-serialisable data. The live host ships a whole operation as ONE reapy request
(callable by module and name, reapy_behaviour 2), so reading 64 tracks costs one round trip.

The entry points without ``api`` (``read_state``, ``undo``, ...) are what reapy calls; they
bind ``reapy.reascript_api`` (and so import reapy) only when called, inside REAPER. Plans are
applied by :mod:`reaper_assist.bridge.txn` with the write kinds of :mod:`reaper_assist.bridge.writes`.
"""

from __future__ import annotations

from typing import Any

NULL_SUFFIX = "0x0000000000000000"
TAG_KEY = "P_EXT:reaper_assist_tag"  # track P_EXT key listing our FX (FX GUID -> tag), JSON
OWNER_KEY = "P_EXT:reaper_assist_track"  # track P_EXT key of a track reaper-assist added: the owning action
ENV_TAG_KEY = "P_EXT:reaper_assist_env"  # track P_EXT key: our envelope lanes {lane name: {owner, guid}}, JSON
COMPARE_KEY = "P_EXT:reaper_assist_compare"  # what "compare" switched off on the track, JSON
VOLUME_LANES = ("Volume", "Volume (Pre-FX)", "Trim Volume")  # the lanes read back (automation actions)


def _tags(text: str) -> dict[str, str]:
    """Our FX on a track: {FX GUID (upper case): tag}, stored as JSON in the track's P_EXT."""
    import json

    try:
        d = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {str(k).upper(): str(v) for k, v in d.items()} if isinstance(d, dict) else {}


def _is_null(ptr: str) -> bool:
    return str(ptr).endswith(NULL_SUFFIX)


def _str(api, fn: str, *args) -> str:
    return getattr(api, fn)(*args)


# ------------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------------
def _item_string(api, item: str, key: str) -> str:
    r = api.GetSetMediaItemInfo_String(item, key, "", False)
    return str(r[3]) if r[0] else ""


def _item_state(api, item: str, index: int) -> dict[str, Any]:
    """One item and its active take; the keys are exactly the fields of ``reaper_assist.items``
    (ItemState, TakeState, SectionState), the one form the host and media use (not imported here:
    this package runs inside REAPER with the standard library and reapy only)."""
    g = api.GetMediaItemInfo_Value
    d: dict[str, Any] = {
        "index": index,
        "guid": api.GetSetMediaItemInfo_String(item, "GUID", "", False)[3],
        "position_s": g(item, "D_POSITION"), "length_s": g(item, "D_LENGTH"),
        "mute": bool(g(item, "B_MUTE")), "item_volume": g(item, "D_VOL"),
        "fade_in_s": g(item, "D_FADEINLEN"), "fade_in_auto_s": g(item, "D_FADEINLEN_AUTO"),
        "fade_in_shape": int(g(item, "C_FADEINSHAPE")), "fade_in_dir": g(item, "D_FADEINDIR"),
        "fade_out_s": g(item, "D_FADEOUTLEN"), "fade_out_auto_s": g(item, "D_FADEOUTLEN_AUTO"),
        "fade_out_shape": int(g(item, "C_FADEOUTSHAPE")), "fade_out_dir": g(item, "D_FADEOUTDIR"),
        "loop_source": bool(g(item, "B_LOOPSRC")),
        "take": None,
        "take_count": int(api.CountTakes(item)),
        "our_takes": _item_string(api, item, "P_EXT:reaper_assist_take"),
    }
    take = api.GetActiveTake(item)
    if _is_null(take):
        return d
    t = api.GetMediaItemTakeInfo_Value
    td: dict[str, Any] = {
        "index": int(t(take, "IP_TAKENUMBER")),
        "guid": api.GetSetMediaItemTakeInfo_String(take, "GUID", "", False)[3],
        "name": api.GetSetMediaItemTakeInfo_String(take, "P_NAME", "", False)[3],
        "volume": t(take, "D_VOL"), "pan": t(take, "D_PAN"),
        "start_offset_s": t(take, "D_STARTOFFS"), "playrate": t(take, "D_PLAYRATE"),
        "chanmode": int(t(take, "I_CHANMODE")),
        "source_type": "", "file": "", "section": None,
    }
    src = api.GetMediaItemTake_Source(take)
    if not _is_null(src):
        td["source_type"] = api.GetMediaSourceType(src, "", 64)[1]
        ok, _, offs, length, rev = api.PCM_Source_GetSectionInfo(src, 0, 0, 0)
        if ok:
            td["section"] = {"start_s": offs, "length_s": length, "reversed": bool(rev)}
            parent = api.GetMediaSourceParent(src)
            if not _is_null(parent):
                src = parent
                td["source_type"] = api.GetMediaSourceType(src, "", 64)[1]
        td["file"] = api.GetMediaSourceFileName(src, "", 4096)[1]
    d["take"] = td
    return d


CHUNK_BUF = 4 * 1024 * 1024  # the binding allocates 4 MiB for every string buffer (facts 1.2)


def _chain_fxids(chunk: str) -> list[str]:
    """The ``FXID {GUID}`` lines directly inside the track's ``<FXCHAIN`` block, in chain order
    (facts 4.4: each plugin's FXID follows its plugin block). FXIDs nested deeper (in a container,
    a take's ``<TAKEFX``) and the input chain ``<FXCHAIN_REC`` are not the track FX's."""
    out: list[str] = []
    depth, in_chain = 0, False
    for raw in chunk.splitlines():
        line = raw.strip()
        if line.startswith("<"):
            depth += 1
            if depth == 2:
                in_chain = line.split(None, 1)[0] == "<FXCHAIN"
        elif line == ">":
            if depth == 2:
                in_chain = False
            depth -= 1
        elif in_chain and depth == 2 and line.startswith("FXID "):
            out.append(line.split(None, 1)[1].strip())
    return out


def _fx_guids(api, track: str) -> list[str]:
    """The GUIDs of the track's FX in chain order ("" where the chunk names none).

    From the FXID lines of the track's state chunk: TrackFX_GetFXGUID returns a ``GUID*``, and
    REAPER's stock binding passes a ``GUID*`` on as NULL (its rpr_packp keeps only pointers that
    pass ValidatePtr, which checks no GUID* type; facts 1.2, 1.3), so guidToString would read
    nothing unless reapy's packing had replaced the stock one.
    """
    n = int(api.TrackFX_GetCount(track))
    if n <= 0:
        return []
    r = api.GetTrackStateChunk(track, "", CHUNK_BUF, False)
    ids = _chain_fxids(str(r[2])) if r[0] else []
    return (ids + [""] * n)[:n]


def _fx_params(api, track: str, index: int) -> list[float]:
    return [api.TrackFX_GetParam(track, index, p, 0, 0)[0] for p in range(api.TrackFX_GetNumParams(track, index))]


def _fx_envelopes(api, track: str, index: int, n_params: int) -> dict[str, list]:
    """The parameter envelopes of one of our tagged FX: {str(param): [[time_s, value, shape,
    tension]]} (GetFXEnvelope without create; values as stored, the parameter's native value)."""
    out: dict[str, list] = {}
    for p in range(n_params):
        env = api.GetFXEnvelope(track, index, p, False)
        if env is None or _is_null(str(env)):
            continue
        pts = []
        for i in range(int(api.CountEnvelopePoints(env))):
            r = api.GetEnvelopePoint(env, i, 0, 0, 0, 0, 0)
            if r[0]:
                pts.append([r[3], r[4], int(r[5]), r[6]])
        out[str(p)] = pts
    return out


def _has_band_config(fx: dict[str, Any]) -> bool:
    return "reaeq" in str(fx.get("original_name") or fx.get("name") or "").lower()


LIMIT_CONFIG_KEYS = ("TRUEPEAK",)  # ReaLimit's named config an action sets (facts 2.4)


def _fx_limit_config(api, track: str, index: int, fx: dict[str, Any]) -> dict[str, str] | None:
    """ReaLimit's ``TRUEPEAK`` of one of our tagged FX (it is no parameter): an unchanged limiter
    must be seen as unchanged."""
    if "realimit" not in str(fx.get("original_name") or fx.get("name") or "").lower():
        return None
    out = {}
    for key in LIMIT_CONFIG_KEYS:
        r = api.TrackFX_GetNamedConfigParm(track, index, key, "", 64)
        if r[0]:
            out[key] = str(r[4])
    return out


def _fx_band_config(api, track: str, index: int) -> dict[str, str]:
    """ReaEQ's per-band named config (BANDTYPE<k>, BANDENABLED<k>) of one of our tagged FX: the
    band layout is not in the params, and an action must see it to leave an unchanged EQ alone;
    and its state (``vst_chunk``, base64), from which a re-run needing another band count builds
    the rewritten state (host/realize.py)."""
    out: dict[str, str] = {}
    r = api.TrackFX_GetNamedConfigParm(track, index, "vst_chunk", "", 1 << 20)
    if r[0]:
        out["vst_chunk"] = str(r[4])
    for k in range(64):
        for key in (f"BANDTYPE{k}", f"BANDENABLED{k}"):
            r = api.TrackFX_GetNamedConfigParm(track, index, key, "", 64)
            if not r[0]:
                return out
            out[key] = str(r[4])
    return out


def _fx_state(api, track: str, index: int, guid: str) -> dict[str, Any]:
    name = api.TrackFX_GetFXName(track, index, "", 2048)[3]
    renamed = api.TrackFX_GetNamedConfigParm(track, index, "renamed_name", "", 2048)
    original = api.TrackFX_GetNamedConfigParm(track, index, "fx_name", "", 2048)
    return {
        "index": index,
        "guid": guid,
        "name": name,
        "renamed_name": renamed[4] if renamed[0] else "",
        "original_name": original[4] if original[0] else name,
        "enabled": bool(api.TrackFX_GetEnabled(track, index)),
        "n_params": int(api.TrackFX_GetNumParams(track, index)),
    }


def _lanes(api, track: str) -> dict[str, Any]:
    """The track's volume lanes that exist: {name: {guid, points [[time_s, amplitude, shape,
    tension]]}} (values through ScaleFromEnvelopeMode: linear amplitude)."""
    out: dict[str, Any] = {}
    for name in VOLUME_LANES:
        env = api.GetTrackEnvelopeByName(track, name)
        if env is None or _is_null(str(env)):
            continue
        mode = api.GetEnvelopeScalingMode(env)
        pts = []
        for i in range(int(api.CountEnvelopePoints(env))):
            r = api.GetEnvelopePoint(env, i, 0, 0, 0, 0, 0)
            if r[0]:
                pts.append([r[3], api.ScaleFromEnvelopeMode(mode, r[4]), int(r[5]), r[6]])
        out[name] = {"guid": api.GetSetEnvelopeInfo_String(env, "GUID", "", False)[3], "points": pts,
                     "active": api.GetSetEnvelopeInfo_String(env, "ACTIVE", "", False)[3] != "0"}
    return out


def read_state_with(api, *, track_guids: list[str] | None = None, selected_only: bool = False,
                    with_items: bool = True, with_fx: bool = True, master: bool = False,
                    index_range: list[int] | None = None, ext: list[list[str]] | None = None) -> dict[str, Any]:
    """The project's state the actions need, in one call (see :class:`ProjectState`);
    ``master``: the master track alone (index -1, GetMasterTrack) in place of the tracks;
    ``index_range`` ``[start, stop]``: only the tracks with those indices (a slice of the project);
    ``ext``: project ExtState ``[section, key]`` pairs read in the same call (their values, or None,
    under ``"ext"``), so a press reads its settings with the tracks."""
    proj = api.EnumProjects(-1, "", 2048)
    project_file = proj[2]
    wanted = {g.upper() for g in track_guids} if track_guids else None
    tracks = []
    n = api.CountTracks(0)
    indices = range(n) if index_range is None else range(max(0, index_range[0]), min(n, index_range[1]))
    handles = [(-1, api.GetMasterTrack(0))] if master else [(i, api.GetTrack(0, i)) for i in indices]
    if master:
        selected_only, wanted = False, None
    for i, tr in handles:
        selected = bool(api.GetMediaTrackInfo_Value(tr, "I_SELECTED"))
        guid = api.GetSetMediaTrackInfo_String(tr, "GUID", "", False)[3]
        if selected_only and not selected:
            continue
        if wanted is not None and guid.upper() not in wanted:
            continue
        v = api.GetMediaTrackInfo_Value
        td: dict[str, Any] = {
            "index": i, "guid": guid, "name": api.GetTrackName(tr, "", 2048)[2],
            "selected": selected, "volume": v(tr, "D_VOL"), "pan": v(tr, "D_PAN"),
            "mute": bool(v(tr, "B_MUTE")), "nchan": int(v(tr, "I_NCHAN")),
            "folder_depth": int(v(tr, "I_FOLDERDEPTH")),
            "tags": api.GetSetMediaTrackInfo_String(tr, TAG_KEY, "", False)[3],
            "items": [], "fx": [],
            "envelopes": _lanes(api, tr),
            "env_tags": api.GetSetMediaTrackInfo_String(tr, ENV_TAG_KEY, "", False)[3],
            "solo": int(v(tr, "I_SOLO")),
            "owner": api.GetSetMediaTrackInfo_String(tr, OWNER_KEY, "", False)[3],
            "compare": api.GetSetMediaTrackInfo_String(tr, COMPARE_KEY, "", False)[3],
        }
        if with_items:
            td["items"] = [_item_state(api, api.GetTrackMediaItem(tr, k), k)
                           for k in range(api.CountTrackMediaItems(tr))]
        if with_fx:
            td["fx"] = [_fx_state(api, tr, k, g) for k, g in enumerate(_fx_guids(api, tr))]
            ours = _tags(td["tags"])
            for fx in td["fx"]:  # parameter values only for our own tagged FX (few round trips inside)
                mine = str(fx["guid"]).upper() in ours
                fx["params"] = _fx_params(api, tr, fx["index"]) if mine else None
                fx["param_envelopes"] = _fx_envelopes(api, tr, fx["index"], fx["n_params"]) if mine else None
                if mine and _has_band_config(fx):
                    fx["config"] = _fx_band_config(api, tr, fx["index"])
                elif mine:
                    fx["config"] = _fx_limit_config(api, tr, fx["index"], fx)
        tracks.append(td)
    rp = api.GetSetProjectInfo_String(0, "PROJECT_NAME", "", False)
    return {
        "project_file": project_file,
        "project_name": rp[3] if rp[0] else "",
        "sample_rate": int(api.GetSetProjectInfo(0, "PROJECT_SRATE", 0, False)) or 44100,
        "track_count": n,
        "tracks": tracks,
        "ext": [get_proj_ext_with(api, section, key) for section, key in ext or ()],
    }


# ------------------------------------------------------------------------------------------------
# writing: the write kinds are reaper_assist.bridge.writes' classes, applied by bridge.txn
# ------------------------------------------------------------------------------------------------
def set_proj_ext_with(api, section: str, key: str, value: str) -> int:
    """Project ExtState outside any undo block (the tool's own record survives an undo)."""
    return api.SetProjExtState(0, section, key, value)


def console_with(api, text: str) -> None:
    api.ShowConsoleMsg(text)


def undo_with(api) -> bool:
    return bool(api.Undo_DoUndo2(0))


def get_proj_ext_with(api, section: str, key: str) -> str | None:
    r = api.GetProjExtState(0, section, key, "", 1 << 20)
    return r[4] if r[0] else None


def save_with(api, path: str) -> None:
    api.Main_SaveProjectEx(0, path, 0)


# ------------------------------------------------------------------------------------------------
# entry points called by name through reapy (inside REAPER)
# ------------------------------------------------------------------------------------------------
def _api():
    import reapy.reascript_api as api  # inside REAPER: the real binding

    return api


def read_state(**kwargs):
    return read_state_with(_api(), **kwargs)


def undo():
    return undo_with(_api())


def get_proj_ext(section, key):
    return get_proj_ext_with(_api(), section, key)


def save(path):
    return save_with(_api(), path)


def set_proj_ext(section, key, value):
    return set_proj_ext_with(_api(), section, key, value)


def console(text):
    return console_with(_api(), text)


# ------------------------------------------------------------------------------------------------
# companion operations (were companion/remote_ops.py)
# ------------------------------------------------------------------------------------------------
def current_project() -> str:
    """The file of the project open in REAPER now ("" when it was never saved)."""
    return str(_api().EnumProjects(-1, "", 4096)[2] or "")


def record_result(section: str, key: str, record_json: str, console_text: str) -> bool:
    """Store a ``last_run`` record in the current project's ExtState and tell the user."""
    api = _api()
    api.SetProjExtState(0, section, key, record_json)
    if console_text:
        api.ShowConsoleMsg(console_text)
    return True
