"""FX-chain operations with REAPER's semantics: TrackFX_AddByName and the ReaEQ helper API."""

from __future__ import annotations

from reaper_assist.emulator import defpresets, uncertain
from reaper_assist.emulator.fxmodel import FXModel
from reaper_assist.emulator.project import FX, Track, new_guid
from reaper_assist.emulator.rpp import Chunk, Line
from reaper_assist.plugins import find_spec
from reaper_assist.plugins import vstchunk
from reaper_assist.plugins.base import split_type_prefix

def _norm(s: str) -> str:
    return s.lower() if uncertain.ADDBYNAME_CASE_INSENSITIVE else s


def _matches(fx: FX, name: str) -> bool:
    """Loose matching as in REAPER (facts 1.3): with or without type prefix and vendor suffix."""
    if fx.model.spec is not None and fx.model.spec.matches(name):
        return True
    _, bare = split_type_prefix(name)
    for candidate in (fx.original_name, fx.name):
        _, cand = split_type_prefix(candidate)
        if _norm(cand) == _norm(bare) or _norm(cand.rsplit(" (", 1)[0]) == _norm(bare):
            return True
    if fx.plugin.tag == "JS" and fx.plugin.attrs and _norm(fx.plugin.attrs[0]) == _norm(bare):
        return True
    return False


def find_fx(track: Track, name: str) -> int:
    for i, fx in enumerate(track.fx):
        if _matches(fx, name):
            return i
    return -1


def add_by_name(track: Track, name: str, instantiate: int, *, resource_path: str | None = None) -> int:
    """TrackFX_AddByName: <0 always add, 0 query only, >0 add if missing, <=-1000 insert at
    position -1000-instantiate; -1 when the plugin is unknown (facts 1.3). A new FX starts from the
    user's default preset when ``resource_path`` lists one (:mod:`.defpresets`), else factory fresh."""
    if name.upper().startswith("FXADD:"):
        return -1
    existing = find_fx(track, name)
    if instantiate == 0 or (instantiate > 0 and existing >= 0):
        return existing
    spec = find_spec(name)
    if spec is None:
        return -1  # only stock plugins are "installed" in the emulator
    chain = track.fxchain
    body, model = FXModel.fresh(spec)
    plugin = Chunk.new(spec.chunk_tag, [])
    plugin.head = spec.chunk_tag + " " + " ".join(spec.chunk_header())
    plugin.children = [Line(t) for t in body]
    program = "Program 1"
    preset = defpresets.default_preset(resource_path, plugin.attrs[1]) if spec.chunk_tag == "VST" else None
    if preset is not None:
        plugin.children = [Line(t) for t in _with_state(body, preset.data, preset.name)]
        model = FXModel.for_chunk(plugin)
        program = preset.name
    extras = [Line("FLOATPOS 0 0 0 0"), Line.from_tokens(["FXID", new_guid()]), Line("WAK 0 0")]
    if spec.chunk_tag == "VST":
        extras.insert(0, Line.from_tokens(["PRESETNAME", program]))
    fx = FX(chain, Line("BYPASS 0 0 0"), plugin, extras)
    fx.model = model
    pos = len(chain.fx)
    if instantiate <= -1000:
        pos = min(max(0, -1000 - instantiate), len(chain.fx))
    chain.fx.insert(pos, fx)
    chain.flush()
    return pos


def _with_state(body: list[str], state: bytes, program: str) -> list[str]:
    """A fresh ``<VST`` body with the plugin state (and program name) of a preset (facts 4.4)."""
    blob = vstchunk.decode_blob(body).with_state(state)
    trailer = b"\x00" + program.encode("utf-8") + b"\x00" + blob.trailer[-4:]
    return vstchunk.encode_blob(vstchunk.VstBlob(blob.header, blob.state, trailer))


def get_eq(track: Track, instantiate: bool) -> int:
    """TrackFX_GetEQ: the first ReaEQ on the track, inserting one if asked."""
    for i, fx in enumerate(track.fx):
        if fx.model.key == "reaeq":
            return i
    return add_by_name(track, "ReaEQ", 1) if instantiate else -1


def _bands(fx: FX):
    from reaper_assist.plugins import reaeq

    reaeq.REAEQ.sync(fx.model.state)
    return reaeq, fx.model.state.payload.bands


def eq_param_info(fx: FX, paramidx: int):
    """(bandtype, bandidx, paramtype, normval) of a ReaEQ parameter (TrackFX_GetEQParam)."""
    if fx.model.key != "reaeq":
        return None
    reaeq, bands = _bands(fx)
    info = reaeq.eq_param_info(bands, paramidx)
    if info is None:
        return None
    return (*info, fx.model.get_normalized(paramidx))


def set_eq_param(fx: FX, bandtype: int, bandidx: int, paramtype: int, val: float, isnorm: bool) -> bool:
    """TrackFX_SetEQParam: value normalized, or in Hz / dB / octaves (facts 2.1)."""
    if fx.model.key != "reaeq":
        return False
    reaeq, bands = _bands(fx)
    idx = reaeq.eq_param_index(bands, bandtype, bandidx, paramtype)
    if idx is None:
        return False
    if isnorm:
        return fx.model.set_normalized(idx, val)
    return fx.model.set_param(idx, reaeq.eq_value_to_native(bandtype, paramtype, val))


def _band_number(fx: FX, bandtype: int, bandidx: int) -> int | None:
    if fx.model.key != "reaeq" or bandtype < 0:
        return None
    reaeq, bands = _bands(fx)
    idx = reaeq.eq_param_index(bands, bandtype, bandidx, 0)
    return None if idx is None else idx // 3


def eq_band_enabled(fx: FX, bandtype: int, bandidx: int) -> bool:
    k = _band_number(fx, bandtype, bandidx)
    return k is not None and fx.model.get_named_config(f"BANDENABLED{k}") == "1"


def set_eq_band_enabled(fx: FX, bandtype: int, bandidx: int, enable: bool) -> bool:
    k = _band_number(fx, bandtype, bandidx)
    return k is not None and fx.model.set_named_config(f"BANDENABLED{k}", "1" if enable else "0")
