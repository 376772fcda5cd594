"""The realize step: a plan's typed steps (real units) -> native REAPER writes, through the plugin maps.

This and the inside-REAPER package (:mod:`reaper_assist.bridge`) are the only places that know
REAPER's API keys (``D_VOL``, ``BANDTYPE<k>``...) and native values: every parameter index, native
range and curve comes from :mod:`reaper_assist.plugins`. Each :class:`Write` is one write kind of
:mod:`reaper_assist.bridge.writes` (its ``op``) plus what the ``last_run`` record shows (label,
old and new native value, reason, evidence).

A parameter of an FX we are about to add is written by REAPER's parameter name, a ReaEQ band by its
number: the FX REAPER gives us may come from the user's default preset (issue 10 point 3). An FX we
added earlier is updated only where its value differs, each write with the value it had as
``expect`` (an edit made meanwhile stops the apply).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reaper_assist.errors import ReaperAssistError
from reaper_assist.host.base import FXState, ProjectState, TrackState
from reaper_assist.plugins import get_spec, js_volume
from reaper_assist.plugins import uncertain as PU
from reaper_assist.plugins.base import PluginSpec
from reaper_assist.plugins.reaeq import (BANDTYPE_NAMES, band_count, bw_native, freq_native, with_band_count,
                                         with_bands)
from reaper_assist.rules import automation as A
from reaper_assist.rules import steps as S
from reaper_assist.units import db_to_amp

NATIVE_TOL = 1e-5  # ReaComp/ReaGate store float32: a re-read native value differs by ~1e-7
ADD_NAMES = {"js_volume": "JS: Volume Adjustment", "js_ms_encoder": "JS: Mid/Side Encoder",
             "js_ms_decoder": "JS: Mid/Side Decoder"}  # TrackFX_AddByName name when not the short name


@dataclass(frozen=True)
class Write:
    """One native write and its line in the record."""

    track_guid: str
    track_name: str
    what: str  # human label, e.g. "take volume (item 2)"
    old: float | str | None
    new: float | str | None
    reason: str
    op: dict[str, Any]
    evidence: dict[str, Any] = field(default_factory=dict)
    prepare: Callable[[], Any] | None = field(default=None, compare=False, repr=False)  # e.g. write our file

    def record(self) -> dict[str, Any]:
        return {"track_guid": self.track_guid, "track_name": self.track_name, "what": self.what, "old": self.old,
                "new": self.new, "reason": self.reason, "evidence": self.evidence}


def realize(state: ProjectState, steps: Iterable[S.Step]) -> list[Write]:
    """The native writes of ``steps``, in order (an FX's writes follow the write that adds it)."""
    out: list[Write] = []
    for s in steps:
        fn = _REALIZERS.get(type(s))
        if fn is None:
            raise TypeError(f"no realize step for {type(s).__name__}")
        out.extend(fn(state, s, len(out)))
    return out


def track_writes(track: TrackState, steps: Iterable[S.Step]) -> list[Write]:
    """The writes ``steps`` of one track would make, from that track's state alone (does a
    step change anything?)."""
    return realize(ProjectState("", "", 0, 1, (track,)), steps)


def ops(writes: Sequence[Write]) -> list[dict[str, Any]]:
    """The host operations of the writes (what ``host.apply`` sends)."""
    return [w.op for w in writes]


def param_units(plugin: str, fx: FXState, key: str) -> float | None:
    """The current value, in our unit, of parameter ``key`` of one of our tagged FX (read state)."""
    if not fx.params:
        return None
    spec = get_spec(plugin)
    derived = _DERIVED.get((plugin, key))
    index, p = spec.param_by_key(None, derived[0] if derived else key)
    if index >= len(fx.params):
        return None
    return derived[2](fx.params[index]) if derived else p.to_units(fx.params[index])


# ------------------------------------------------------------------------------------------------
# track, item and take values
# ------------------------------------------------------------------------------------------------
def _track(state: ProjectState, s: S.Step) -> TrackState:
    tr = state.track(s.track_guid)
    if tr is None:
        raise ReaperAssistError(f"track {s.track_name!r} is not in the state the plan was made from")
    return tr


def _op(s: S.Step, kind: str, **fields: Any) -> dict[str, Any]:
    return {"op": kind, "track": s.track_guid, "track_name": s.track_name, **fields}


def _take_gain(state: ProjectState, s: S.TakeGain, base: int) -> list[Write]:
    """Take volume x 10^(dB/20); the sign (polarity) is kept (style rule 4)."""
    tr = _track(state, s)
    item = next((it for it in tr.items if it.guid.upper() == s.item_guid.upper()), None)
    if item is None or item.take is None:
        raise ReaperAssistError(f"track {s.track_name!r}: item {s.item_index + 1} has no active take")
    old = item.take.volume
    new = old * db_to_amp(s.gain_db)
    op = _op(s, "take_info", item=item.guid, parm="D_VOL", value=new, expect=old)
    return [Write(s.track_guid, s.track_name, f"take volume (item {s.item_index + 1})", old, new, s.reason, op,
                  s.evidence)]


def _track_volume(state: ProjectState, s: S.TrackVolume, base: int) -> list[Write]:
    tr = _track(state, s)
    new = db_to_amp(s.volume_db)
    op = _op(s, "track_info", parm="D_VOL", value=new, expect=tr.volume)
    return [Write(s.track_guid, s.track_name, f"track volume ({s.volume_db:+.1f} dB)", tr.volume, new, s.reason,
                  op, s.evidence)]


def _track_pan(state: ProjectState, s: S.TrackPan, base: int) -> list[Write]:
    tr = _track(state, s)
    op = _op(s, "track_info", parm="D_PAN", value=float(s.pan), expect=tr.pan)
    return [Write(s.track_guid, s.track_name, f"track pan ({s.pan:+.2f})", tr.pan, float(s.pan), s.reason, op,
                  s.evidence)]


def _envelope(state: ProjectState, s: S.EnvelopePoints, base: int) -> list[Write]:
    _track(state, s)
    pts = [[float(p.time_s), db_to_amp(p.value_db), S.ENVELOPE_SHAPES[p.shape]] for p in s.points]
    op = _op(s, "envelope_points", envelope=s.envelope, points=pts)
    span = f"{s.points[0].time_s:.2f}-{s.points[-1].time_s:.2f} s"
    return [Write(s.track_guid, s.track_name, f"{s.envelope} envelope: {len(pts)} points ({span})", None,
                  len(pts), s.reason, op, s.evidence)]


def _owned_envelope(state: ProjectState, s: A.OwnedEnvelope, base: int) -> list[Write]:
    tr = _track(state, s)
    lane = tr.envelopes.get(s.envelope) or {}
    pts = [[float(p.time_s), db_to_amp(p.value_db), S.ENVELOPE_SHAPES[p.shape]] for p in s.points]
    op = _op(s, "owned_envelope", envelope=s.envelope, owner=s.owner, points=pts, lane_guid=lane.get("guid", ""))
    span = f"{s.points[0].time_s:.2f}-{s.points[-1].time_s:.2f} s"
    return [Write(s.track_guid, s.track_name, f"{s.envelope} envelope: {len(pts)} points ({span})",
                  len(lane.get("points", [])), len(pts), s.reason, op, s.evidence)]


# ------------------------------------------------------------------------------------------------
# our tagged plugin
# ------------------------------------------------------------------------------------------------
def _js_max_volume(db: float) -> float:
    """The Max Volume slider that lets ``db`` dB through: at least 0, whole slider steps (its
    clamp is 2^(max/6), facts 2.6)."""
    return max(0.0, math.ceil(js_volume.slider_for_gain_db(db)))


# (plugin, our key) -> (the plugin map's key, units -> native, native -> units) for keys in true dB
# where the plugin's own scale is not dB (JS Volume's sliders follow 2^(x/6))
_DERIVED: dict[tuple[str, str], tuple[str, Callable[[float], float], Callable[[float], float]]] = {
    ("js_volume", "gain_db"): ("adjustment_db", js_volume.slider_for_gain_db, js_volume.gain_db),
    ("js_volume", "passes_db"): ("max_volume_db", _js_max_volume, js_volume.gain_db),
}


# (plugin, our key) -> the plugin's named config key, for settings that are no parameter (facts 2.4:
# ReaLimit's true-peak switch is named config TRUEPEAK, "0"/"1")
_CONFIG: dict[tuple[str, str], str] = {("realimit", "true_peak"): "TRUEPEAK"}


def _config_text(value: float) -> str:
    return "1" if value else "0"


def _native(plugin: str, spec: PluginSpec, key: str, value: float) -> tuple[str, int, float]:
    """(REAPER's parameter name, its index on a factory instance, native value) of our key."""
    derived = _DERIVED.get((plugin, key))
    index, p = spec.param_by_key(None, derived[0] if derived else key)
    native = p.check_native(derived[1](value)) if derived else p.from_units(value)
    return p.name, index, native


def _band_natives(b: S.BandValue) -> dict[str, float]:
    return {"freq": freq_native(b.freq_hz), "gain": PU.reaeq_gain_native(b.gain_db), "bw": bw_native(b.bw_oct)}


def _band_labels(b: S.BandValue) -> tuple[str, dict[str, str]]:
    name = f"band {b.band + 1} ({BANDTYPE_NAMES[b.band_type]})"
    return name, {"freq": f"{name} freq ({b.freq_hz:.0f} Hz)", "gain": f"{name} gain ({b.gain_db:+.1f} dB)",
                  "bw": f"{name} BW ({b.bw_oct:.2f} oct)"}


def _fx_label(fx: FXState) -> str:
    return fx.renamed_name or fx.name


def _tagged(state: ProjectState, s: S.TaggedPlugin, base: int) -> list[Write]:
    tr = _track(state, s)
    spec = get_spec(s.plugin)
    ours = None
    if s.existing_guid is not None:
        ours = next((fx for fx in tr.fx if fx.guid.upper() == s.existing_guid.upper()), None)
        if ours is None:
            raise ReaperAssistError(f"track {s.track_name!r}: our {s.rename} is not in the state the plan was made from")
    return _update(s, spec, ours) if ours is not None else _add(s, spec, base)


def _add(s: S.TaggedPlugin, spec: PluginSpec, base: int) -> list[Write]:
    """Add, rename, tag, then every value, each by name or band (whatever the user's default preset gave)."""
    name = ADD_NAMES.get(s.plugin, spec.short_name)
    ev = {"why": "no tagged instance on the track yet"}
    ref = f"@{base}"
    w = [Write(s.track_guid, s.track_name, f"add {name} ({s.rename})", None, name, s.reason,
               _op(s, "add_fx", name=name, rename=s.rename, position=s.position), ev),
         Write(s.track_guid, s.track_name, f"tag {s.rename} as reaper-assist's", None, s.tag, s.reason,
               _op(s, "tag_fx", fx=ref, value=s.tag), ev)]
    label = f"{s.rename}: "
    if s.bands:  # a default preset with fewer bands than the layout: start from the factory state
        need = max(b.band for b in s.bands) + 1
        blob = spec.default_state().blob.state
        factory = base64.b64encode(with_bands(blob, need) if s.plugin == "reaeq" else blob).decode("ascii")
        w.append(Write(s.track_guid, s.track_name, f"{label}factory layout if it has fewer than {need} bands", None,
                       need, s.reason, _op(s, "eq_factory_if_fewer_bands", fx=ref, bands=need, factory=factory), ev))
    for b in s.bands:
        bname, _ = _band_labels(b)
        bev = dict(b.evidence)
        w.append(Write(s.track_guid, s.track_name, f"{label}{bname} type", None, str(b.band_type), s.reason,
                       _op(s, "fx_config", fx=ref, key=f"BANDTYPE{b.band}", value=str(b.band_type)), bev))
        on = "1" if b.enabled else "0"
        w.append(Write(s.track_guid, s.track_name, f"{label}{bname} {'on' if b.enabled else 'off'}", None, on,
                       s.reason, _op(s, "fx_config", fx=ref, key=f"BANDENABLED{b.band}", value=on), bev))
    for b in s.bands:
        _, labels = _band_labels(b)
        for param, native in _band_natives(b).items():
            w.append(Write(s.track_guid, s.track_name, f"{label}{labels[param]}", None, native, s.reason,
                           _op(s, "eq_band_param", fx=ref, band=b.band, param=param, value=native), dict(b.evidence)))
    if s.bands:  # a default preset may bring more bands, and its own global gain
        first = max(b.band for b in s.bands) + 1
        w.append(Write(s.track_guid, s.track_name, f"{label}bands {first + 1} and up off", None, "0", s.reason,
                       _op(s, "eq_bands_off_from", fx=ref, first=first), ev))
        pname, _, native = _native(s.plugin, spec, "global_gain_db", 0.0)
        w.append(Write(s.track_guid, s.track_name, f"{label}{pname} (+0.0 dB)", None, native, s.reason,
                       _op(s, "fx_param", fx=ref, name=pname, value=native), ev))
    written = set()
    for p in s.params:
        cfg_key = _CONFIG.get((s.plugin, p.key))
        if cfg_key is not None:
            w.append(Write(s.track_guid, s.track_name, f"{label}{p.label}", None, _config_text(p.value), s.reason,
                           _op(s, "fx_config", fx=ref, key=cfg_key, value=_config_text(p.value)), dict(p.evidence)))
            continue
        pname, _, native = _native(s.plugin, spec, p.key, p.value)
        written.add(pname)
        w.append(Write(s.track_guid, s.track_name, f"{label}{p.label}", None, native, s.reason,
                       _op(s, "fx_param", fx=ref, name=pname, value=native), dict(p.evidence)))
    if s.params and not s.bands:  # what the plan does not set starts at the factory value, not a preset's
        for pspec in spec.params(None):
            if pspec.name not in written:
                w.append(Write(s.track_guid, s.track_name, f"{label}{pspec.name} (factory default)", None,
                               pspec.default_native, s.reason,
                               _op(s, "fx_param", fx=ref, name=pspec.name, value=pspec.default_native), ev))
    return w


def _differs(old: float | None, new: float) -> bool:
    return old is None or abs(float(old) - new) > NATIVE_TOL * max(1.0, abs(new))


def _band_count(cfg: dict[str, str]) -> int:
    """How many bands our ReaEQ had when read (its ``BANDTYPE<k>`` keys, as REAPER reports them)."""
    n = 0
    while f"BANDTYPE{n}" in cfg:
        n += 1
    return n


def _factory_bands(spec: PluginSpec) -> int:
    """The band count of a fresh ReaEQ (its factory state, facts 2.1: five)."""
    return band_count(spec.default_state().blob.state)


def _bands_to_keep(have: int, need: int, factory: int) -> int:
    """The band count our ReaEQ should hold for a plan using ``need`` bands when it holds ``have``.

    It grows to ``need`` when it has fewer. It never shrinks below the factory count, nor below
    ``need``: a fresh instance (or a default preset with more bands) keeps the bands the plan does
    not use, switched off, exactly as an added instance is left. Only bands past the factory count
    that no band of the plan uses are removed. So the count a write leaves is the count the next
    plan on the same material asks for, and a re-run on unchanged material writes no state."""
    if have < need:
        return need
    return max(need, min(have, factory))


def _rewrite(s: S.TaggedPlugin, ours: FXState, have: int, keep: int, need: int) -> Write:
    """The one write that gives our ReaEQ ``keep`` bands instead of ``have`` for a plan using
    ``need`` (:func:`_bands_to_keep`): its state as read
    (``vst_chunk``) with the first bands kept, the rest dropped or appended switched off
    (:func:`reaper_assist.plugins.reaeq.with_band_count`); the band writes that follow set them.
    Same FX (GUID, position, bypass: those are not in the plugin's state). Refused, with nothing
    written, when the state read is missing or unreadable, or when an envelope of ours sits on a
    parameter whose index the new count would move (ReaEQ's Global Gain and the wrapper's follow
    the bands)."""
    cfg = ours.config or {}
    old = cfg.get("vst_chunk")
    where = f"track {s.track_name!r}: our {_fx_label(ours)} has {have} bands, the plan needs {keep}"
    if not old:
        raise ReaperAssistError(f"{where}, and its state could not be read: nothing was changed")
    try:
        new = base64.b64encode(with_band_count(base64.b64decode(old, validate=True), keep)).decode("ascii")
    except (ValueError, ReaperAssistError) as e:
        raise ReaperAssistError(f"{where}, and its state is not one ReaEQ's codec reads ({e}): nothing was "
                                "changed") from None
    moved = sorted(int(k) for k in (ours.param_envelopes or {}) if int(k) >= 3 * min(have, keep))
    if moved:
        raise ReaperAssistError(f"{where}, and the envelope on its parameter {moved[0] + 1} would move to "
                                "another parameter: nothing was changed")
    ev = {"bands_before": have, "bands_after": keep,
          "why": f"the plan uses {need} bands, the instance holds {have} and keeps {keep} (at least ReaEQ's "
                 "factory count): ReaEQ keeps any number of bands in its state (its \"Add band\"), so the state "
                 "is rewritten, the same instance kept"}
    return Write(s.track_guid, s.track_name, f"{_fx_label(ours)}: {have} -> {keep} bands (state rewritten)", have,
                 keep, s.reason, _op(s, "eq_state_rewrite", fx=ours.guid, state=new, bands=keep, old_state=old), ev)


def _update(s: S.TaggedPlugin, spec: PluginSpec, ours: FXState) -> list[Write]:
    """Writes for the values of our FX that differ, by name/band, each expecting what it held;
    a ReaEQ whose band count differs from the plan's first gets its state rewritten (:func:`_rewrite`)."""
    label = f"{_fx_label(ours)}: "
    cfg = ours.config or {}
    cur = ours.params or ()
    w: list[Write] = []
    have = _band_count(cfg)
    need = max((b.band for b in s.bands), default=-1) + 1
    keep = have
    if s.plugin == "reaeq" and s.bands and have:  # have 0: its bands were not read
        keep = _bands_to_keep(have, need, _factory_bands(spec))
        if keep != have:
            w.append(_rewrite(s, ours, have, keep, need))
    if any(str(cfg.get(f"BANDENABLED{k}", "0")) != "0" for k in range(need, keep)):
        # bands the plan does not use: off, by the same write an added instance gets
        w.append(Write(s.track_guid, s.track_name, f"{label}bands {need + 1} and up off", None, "0", s.reason,
                       _op(s, "eq_bands_off_from", fx=ours.guid, first=need),
                       {"why": f"the plan uses {need} bands; the instance keeps {keep}, the rest switched off"}))
    for b in s.bands:
        bname, _ = _band_labels(b)
        for key, value, text in ((f"BANDTYPE{b.band}", str(b.band_type), "type"),
                                 (f"BANDENABLED{b.band}", "1" if b.enabled else "0", "on" if b.enabled else "off")):
            if str(cfg.get(key)) != value:
                w.append(Write(s.track_guid, s.track_name, f"{label}{bname} {text}", cfg.get(key), value, s.reason,
                               _op(s, "fx_config", fx=ours.guid, key=key, value=value), dict(b.evidence)))
    for b in s.bands:
        _, labels = _band_labels(b)
        for j, (param, native) in enumerate(_band_natives(b).items()):
            i = 3 * b.band + j  # the layout we read back from this FX (three params per band, facts 2.1)
            old = cur[i] if i < len(cur) and (b.band < have or not have) else None  # past its bands: Global Gain...
            if not _differs(old, native):
                continue
            op = _op(s, "eq_band_param", fx=ours.guid, band=b.band, param=param, value=native)
            if old is not None:
                op["expect"] = old
            w.append(Write(s.track_guid, s.track_name, f"{label}{labels[param]}", old, native, s.reason, op,
                           dict(b.evidence)))
    for p in s.params:
        cfg_key = _CONFIG.get((s.plugin, p.key))
        if cfg_key is not None:
            text = _config_text(p.value)
            if str(cfg.get(cfg_key)) != text:
                w.append(Write(s.track_guid, s.track_name, f"{label}{p.label}", cfg.get(cfg_key), text, s.reason,
                               _op(s, "fx_config", fx=ours.guid, key=cfg_key, value=text), dict(p.evidence)))
            continue
        pname, index, native = _native(s.plugin, spec, p.key, p.value)
        old = cur[index] if index < len(cur) else None
        if not _differs(old, native):
            continue
        op = _op(s, "fx_param", fx=ours.guid, name=pname, value=native)
        if old is not None:
            op["expect"] = old
        w.append(Write(s.track_guid, s.track_name, f"{label}{p.label}", old, native, s.reason, op,
                       dict(p.evidence)))
    return w


def _remove(state: ProjectState, s: S.RemovePlugin, base: int) -> list[Write]:
    tr = _track(state, s)
    if not any(fx.guid.upper() == s.fx_guid.upper() for fx in tr.fx):
        raise ReaperAssistError(f"track {s.track_name!r}: {s.label} is not in the state the plan was made from")
    return [Write(s.track_guid, s.track_name, f"remove {s.label}", s.label, None, s.reason,
                  _op(s, "our_fx_delete", fx_guid=s.fx_guid), s.evidence)]


# ------------------------------------------------------------------------------------------------
# parameter envelopes on our tagged plugin
# ------------------------------------------------------------------------------------------------
def _gain_index(band: int) -> int:
    return 3 * band + 1  # three params per band, in band order (facts 2.1), as _update reads them


def envelope_units(fx: FXState, band: int, param: str) -> list[tuple[float, float, int]]:
    """The points ``(time_s, dB, shape)`` of the band-``param`` envelope of our ReaEQ ``fx`` (read state)."""
    pts = (fx.param_envelopes or {}).get(str(_gain_index(band)), [])
    return [(float(t), PU.reaeq_gain_db(float(v)), int(sh)) for t, v, sh, *_ in pts]


def _same_envelope(planned: tuple[S.EnvelopePoint, ...], existing: list[tuple[float, float, int]]) -> bool:
    return len(planned) == len(existing) and all(
        abs(p.time_s - t) <= 1e-6 + 1e-9 * t and abs(p.value_db - v) <= A.SAME_DB
        and S.ENVELOPE_SHAPES[p.shape] == sh for p, (t, v, sh) in zip(planned, existing))


def _automated(state: ProjectState, s: S.AutomatedPlugin, base: int) -> list[Write]:
    """Our plugin's writes (if any), then each envelope that differs from what our FX holds:
    dB -> ReaEQ's native gain (plugins.uncertain), written on the FX by GUID or as ``@base`` when
    the plugin is added by this very step (its add_fx is the step's first write)."""
    if s.plugin.plugin != "reaeq":
        raise ReaperAssistError(f"track {s.track_name!r}: parameter envelopes are written on ReaEQ only")
    w = _tagged(state, s.plugin, base)
    tr = _track(state, s)
    ours = next((fx for fx in tr.fx if s.plugin.existing_guid and fx.guid.upper() == s.plugin.existing_guid.upper()),
                None)
    ref = ours.guid if ours is not None else f"@{base}"
    for e in s.envelopes:
        old = envelope_units(ours, e.band, e.param) if ours is not None else []
        if ours is not None and _same_envelope(e.points, old):
            continue
        pts = [[float(p.time_s), PU.reaeq_gain_native(p.value_db), S.ENVELOPE_SHAPES[p.shape]] for p in e.points]
        op = _op(s, "fx_envelope", fx=ref, band=e.band, param=e.param, points=pts)
        span = f"{e.points[0].time_s:.2f}-{e.points[-1].time_s:.2f} s"
        w.append(Write(s.track_guid, s.track_name,
                       f"{s.plugin.rename}: band {e.band + 1} {e.param} envelope: {len(pts)} points ({span})",
                       len(old), len(pts), s.reason, op, s.evidence))
    return w


# ------------------------------------------------------------------------------------------------
# tracks we add (the A/B reference)
# ------------------------------------------------------------------------------------------------
def _added_track(state: ProjectState, s: S.AddedTrack, base: int) -> list[Write]:
    op = {"op": "insert_tagged_track", "owner": s.owner, "name": s.track_name, "file": s.file,
          "length": float(s.length_s), "volume": db_to_amp(s.volume_db), "take_name": f"RA {s.owner}",
          "audition": int(s.audition)}
    return [Write("", s.track_name, f"add track {s.track_name!r} playing {s.file} ({s.volume_db:+.2f} dB, "
                  f"{'soloed' if s.audition else 'muted'})", None, s.file, s.reason, op, s.evidence)]


def added_tracks(writes: list[Write], results: tuple) -> dict[str, str]:
    """The GUID REAPER gave each track the applied ``writes`` added, by name (their write's result)."""
    return {w.op["name"]: str(res) for w, res in zip(writes, results)
            if w.op.get("op") == "insert_tagged_track" and isinstance(res, str) and res}


def _remove_added_track(state: ProjectState, s: S.RemoveAddedTrack, base: int) -> list[Write]:
    tr = _track(state, s)
    if tr.owner != s.owner:
        raise ReaperAssistError(f"track {s.track_name!r} was not added by reaper-assist's {s.owner}")
    return [Write(s.track_guid, s.track_name, f"delete track {s.track_name!r}", s.track_name, None, s.reason,
                  _op(s, "delete_tagged_track", owner=s.owner), s.evidence)]


def _audition(state: ProjectState, s: S.TrackAudition, base: int) -> list[Write]:
    tr = _track(state, s)
    out = []
    for parm, old, new, what in (("B_MUTE", float(tr.mute), 0.0 if s.on else 1.0, "mute"),
                                 ("I_SOLO", float(tr.solo), 1.0 if s.on else 0.0, "solo")):
        if old != new:
            out.append(Write(s.track_guid, s.track_name, f"track {what} {'on' if new else 'off'}", old, new,
                             s.reason, _op(s, "track_info", parm=parm, value=new, expect=old), s.evidence))
    return out


def _solo(state: ProjectState, s: S.TrackSolo, base: int) -> list[Write]:
    tr = _track(state, s)
    old, new = float(tr.solo), 1.0 if s.on else 0.0
    if bool(old) == bool(new):
        return []
    return [Write(s.track_guid, s.track_name, f"track solo {'on' if s.on else 'off'}", old, new, s.reason,
                  _op(s, "track_info", parm="I_SOLO", value=new, expect=old), s.evidence)]


def _new_take(state: ProjectState, s: S.NewTake, base: int) -> list[Write]:
    tr = _track(state, s)
    item = next((it for it in tr.items if it.guid.upper() == s.item_guid.upper()), None)
    if item is None or item.take is None:
        raise ReaperAssistError(f"track {s.track_name!r}: item {s.item_index + 1} has no active take")
    op = _op(s, "add_take_from_file", item=item.guid, file=s.file, name=s.name, tag=s.tag, original=s.original)
    return [Write(s.track_guid, s.track_name, f"new active take {s.name!r} (item {s.item_index + 1})",
                  item.take.name, s.name, s.reason, op, s.evidence, prepare=s.write)]


def prepare(writes: Sequence[Write]) -> None:
    """What the writes need before they are applied (the files a new take plays)."""
    for w in writes:
        if w.prepare is not None:
            w.prepare()


_REALIZERS: dict[type, Callable[[ProjectState, Any, int], list[Write]]] = {
    S.TakeGain: _take_gain,
    S.TrackVolume: _track_volume,
    S.TrackPan: _track_pan,
    S.EnvelopePoints: _envelope,
    A.OwnedEnvelope: _owned_envelope,
    S.TaggedPlugin: _tagged,
    S.RemovePlugin: _remove,
    S.AutomatedPlugin: _automated,
    S.AddedTrack: _added_track,
    S.RemoveAddedTrack: _remove_added_track,
    S.TrackAudition: _audition,
    S.TrackSolo: _solo,
    S.NewTake: _new_take,
}
# the realize functions of other modules' steps (each adds itself to _REALIZERS when imported)
from reaper_assist.host import realize_compare, realize_remove  # noqa: E402, F401
