"""What the tone and dynamics assistants (auto-EQ, unmask, auto-compress, auto-gate) share.

Each action is: host read (1 round trip) -> pre-FX audio from the media files -> analysis -> pure
rules (``reaper_assist.rules.tone`` / ``.dynamics_rules``) -> a Plan that adds or updates ONE
tagged stock plugin per track -> ``host.apply`` in one undo block -> ``last_run`` record with an
evidence entry per change. The per-instrument rule tables ship in ``reaper_assist/rules/tables``
and are overridden by the settings file / project settings (``{"auto-eq": {"instruments":
{"vocal": {...}}}}``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from reaper_assist.app import settings as settings_mod
from reaper_assist.app.records import clean as records_clean
from reaper_assist.app.records import error_record, record_for_plan, write_record
from reaper_assist.app.track_audio import pre_fx_audio
from reaper_assist.errors import ParameterError, ReaperAssistError
from reaper_assist.host.base import FXState, ProjectState, TrackState, parse_tags
from reaper_assist.rules.plan import Change, Plan, TrackDecision

MIN_ACTIVE_S = 1.0  # less sounding audio than this is "too short" to analyse
SILENCE_PEAK_DBFS = -80.0  # a track whose peak stays below this is "silent"
MIN_AUDIO_CONFIDENCE = 0.4  # an audio-only instrument guess below this counts as unknown (generic rules)
NATIVE_TOL = 1e-5  # ReaComp/ReaGate store float32: a re-read native value differs by ~1e-7


# ------------------------------------------------------------------------------------------------
# settings and rule tables
# ------------------------------------------------------------------------------------------------
def load_table(action: str) -> dict[str, dict[str, Any]]:
    """The shipped rule table of ``action`` (``reaper_assist/rules/tables/<action>.json``)."""
    text = resources.files("reaper_assist.rules").joinpath("tables", f"{action}.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def table_with_overrides(action: str, raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Shipped table < ``raw["instruments"]`` (settings file, project, options), merged per row."""
    table = load_table(action)
    over = raw.get("instruments") or {}
    if not isinstance(over, dict):
        raise ParameterError(f"{action} settings 'instruments' must be an object of instrument rows, got {over!r}")
    for inst, row in over.items():
        if not isinstance(row, dict):
            raise ParameterError(f"{action} settings for instrument {inst!r} must be an object, got {row!r}")
        table[inst] = {**table.get(inst, {}), **row}
    return table


def row_for(table: dict[str, dict[str, Any]], instrument: str) -> tuple[dict[str, Any], bool]:
    """(generic row < the instrument's row, whether the instrument has its own row)."""
    known = instrument in table and instrument != "generic"
    return {**table["generic"], **(table.get(instrument, {}) if known else {})}, known


def parse_amount(raw: dict[str, Any], action: str) -> float:
    amount = float(raw.get("amount", 100.0))
    if not 0.0 <= amount <= 100.0:
        raise ParameterError(f"{action} amount {amount:g} %: must be within 0..100 %")
    return amount / 100.0


def load_settings(host, action: str, options: dict[str, Any] | None) -> dict[str, Any]:
    overrides = host.get_proj_ext(settings_mod.EXT_SECTION, settings_mod.SETTINGS_KEY)
    return settings_mod.load(action, project_overrides=overrides, options=options)


# ------------------------------------------------------------------------------------------------
# audio and instrument of a track
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrackSource:
    audio: np.ndarray | None  # (channels, samples), pre-FX, at the project rate
    sample_rate: int
    why_not: str  # non-empty when there is nothing to analyse
    instrument: str = "other"
    instrument_confidence: float = 0.0
    instrument_source: str = "default"


def track_source(track: TrackState, sample_rate: int) -> TrackSource:
    """The track's pre-FX audio and instrument, or why it cannot be analysed (never raises)."""
    from reaper_assist.analysis.instruments import recognise

    pre = pre_fx_audio(track, sample_rate)
    why = pre.why_not(track, "analyse")
    if why:
        return TrackSource(None, sample_rate, why)
    ta = pre.audio
    x = np.asarray(ta.audio, dtype=np.float64)
    if x.size == 0 or not np.all(np.isfinite(x)):
        return TrackSource(None, sample_rate, "no audio to analyse" if x.size == 0 else "audio holds NaN/inf samples")
    peak = float(np.max(np.abs(x)))
    if peak <= 10 ** (SILENCE_PEAK_DBFS / 20):
        return TrackSource(None, sample_rate, f"silent (peak below {SILENCE_PEAK_DBFS:g} dBFS): nothing to analyse")
    mask = ta.active_mask
    active_s = (float(np.count_nonzero(mask)) if mask is not None else x.shape[1]) / sample_rate
    if active_s < MIN_ACTIVE_S:
        return TrackSource(None, sample_rate, f"too short: {active_s:.2f} s of audio, at least {MIN_ACTIVE_S:g} s needed")
    g = recognise(track.name, x, sample_rate)
    inst = g.instrument if (g.source != "audio" or g.confidence >= MIN_AUDIO_CONFIDENCE) else "other"
    return TrackSource(x, sample_rate, "", inst, float(g.confidence), g.source)


def instrument_note(src: TrackSource, known: bool) -> str:
    if not known and src.instrument in ("other", "generic"):
        return (f"instrument not recognised ({src.instrument_source}, confidence {src.instrument_confidence:.2f}): "
                "generic rules")
    if not known:  # recognised, but this action's table has no row for it
        return (f"{src.instrument} (from {src.instrument_source}, confidence {src.instrument_confidence:.2f}; "
                "no row in this action's rule table): generic rules")
    return f"{src.instrument} (from {src.instrument_source}, confidence {src.instrument_confidence:.2f})"


# ------------------------------------------------------------------------------------------------
# our FX, the user's FX
# ------------------------------------------------------------------------------------------------
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


@dataclass(frozen=True)
class ParamWrite:
    index: int
    native: float
    label: str
    evidence: dict[str, Any]


def param_write(spec, key: str, value: float, label: str, evidence: dict[str, Any], *,
                native: bool = False) -> ParamWrite:
    """A parameter write by our key (``threshold_db``, ``attack_ms``...), converted to REAPER's native
    value through the plugin's own map (reaper_assist.plugins), which also range-checks it;
    ``native=True`` for parameters without a unit map."""
    index, p = spec.param_by_key(None, key)
    return ParamWrite(index, float(value) if native else p.from_units(value), label, evidence)


@dataclass(frozen=True)
class ConfigWrite:
    key: str
    value: str
    label: str
    evidence: dict[str, Any]


def fx_changes(track: TrackState, ours: FXState | None, *, fx_name: str, rename: str, tag: str, position: int,
               params: list[ParamWrite], config: list[ConfigWrite], reason: str) -> list[Change]:
    """Changes that make the track's tagged ``rename`` FX hold ``params``/``config``.

    A missing FX is added (at ``position``), renamed and tagged, then every value is written. An
    existing one (ours only) gets writes for the values that differ, each with the value it had
    as ``expect`` so an edit made meanwhile stops the apply. Nothing differs: no change at all."""
    out: list[Change] = []
    if ours is None:
        ev = {"why": "no tagged instance on the track yet"}
        out.append(Change(track.guid, track.name, f"add {fx_name} ({rename})", None, fx_name, reason,
                          {"op": "add_fx", "name": fx_name, "rename": rename, "position": position, "evidence": ev}))
        out.append(Change(track.guid, track.name, f"tag {rename} as reaper-assist's", None, tag, reason,
                          {"op": "tag_fx", "fx": "@0", "evidence": ev}))
        for c in config:
            out.append(Change(track.guid, track.name, f"{rename}: {c.label}", None, c.value, reason,
                              {"op": "fx_config", "fx": "@0", "key": c.key, "evidence": c.evidence}))
        for p in params:
            out.append(Change(track.guid, track.name, f"{rename}: {p.label}", None, p.native, reason,
                              {"op": "fx_param", "fx": "@0", "param": p.index, "evidence": p.evidence}))
        return out
    cur_cfg = ours.config or {}
    for c in config:
        if str(cur_cfg.get(c.key)) != c.value:
            out.append(Change(track.guid, track.name, f"{fx_label(ours)}: {c.label}", cur_cfg.get(c.key), c.value,
                              reason, {"op": "fx_config", "fx": ours.guid, "key": c.key, "evidence": c.evidence}))
    cur = ours.params or ()
    for p in params:
        old = cur[p.index] if p.index < len(cur) else None
        if old is not None and abs(float(old) - p.native) <= NATIVE_TOL * max(1.0, abs(p.native)):
            continue
        op: dict[str, Any] = {"op": "fx_param", "fx": ours.guid, "param": p.index, "evidence": p.evidence}
        if old is not None:
            op["expect"] = old
        out.append(Change(track.guid, track.name, f"{fx_label(ours)}: {p.label}", old, p.native, reason, op))
    return out


def fix_refs(p: Plan) -> list[dict[str, Any]]:
    """Host operations of a plan: per-track ``@0`` -> plan-wide ``@n``; evidence stays in the record."""
    ops = []
    last_add: dict[str, int] = {}
    for i, c in enumerate(p.changes):
        op = c.to_op()
        op.pop("evidence", None)
        if op["op"] == "add_fx":
            last_add[c.track_guid] = i
        if op.get("fx") == "@0":
            op["fx"] = f"@{last_add[c.track_guid]}"
        ops.append(op)
    return ops


def clean(x: Any) -> Any:
    """Evidence values as stored in the record: 3 decimals (see records.clean)."""
    return records_clean(x, 3)


def undo_name(title: str, n: int) -> str:
    return f"reaper-assist: {title} {n} track{'s' if n != 1 else ''}"


# ------------------------------------------------------------------------------------------------
# the run skeleton
# ------------------------------------------------------------------------------------------------
PlanFn = Callable[[ProjectState, list[TrackState], dict[str, Any]], Plan]


def run_assistant(host, action: str, plan_fn: PlanFn, *, track_guids: list[str] | None, selected: bool,
                  options: dict[str, Any] | None, dry_run: bool, what: str) -> dict[str, Any]:
    """Read -> plan -> apply in one undo block -> ``last_run`` record (outside the undo block)."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    try:
        raw = load_settings(host, action, options)
        state = host.read_state(track_guids=track_guids, selected_only=selected and not track_guids)
        timings["read_s"] = time.perf_counter() - t0
        tracks = list(state.tracks)
        if track_guids:
            missing = {g.upper() for g in track_guids} - {t.guid.upper() for t in tracks}
            if missing:
                raise ReaperAssistError(f"{len(missing)} of the requested tracks no longer exist")
            order = {g.upper(): i for i, g in enumerate(track_guids)}
            tracks.sort(key=lambda t: order[t.guid.upper()])
        if not tracks:
            raise ReaperAssistError(f"no tracks selected: select the tracks to {what} first")
        t1 = time.perf_counter()
        p = plan_fn(state, tracks, raw)
        timings["analyse_s"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        if not dry_run and not p.is_empty:
            host.apply(fix_refs(p), p.undo_name)
        timings["apply_s"] = time.perf_counter() - t2
        record = record_for_plan(p, dry_run=dry_run)
        for entry, c in zip(record["changes"], p.changes):
            entry["evidence"] = clean(c.op.get("evidence", {}))
    except ReaperAssistError as exc:
        record = error_record(action, str(exc))
    record["timings"] = {k: round(v, 4) for k, v in timings.items()}
    if not dry_run:
        write_record(host, record)
    return record


def decision(track: TrackState, changes: list[Change], reason: str, evidence: dict[str, Any], *,
             before: float | None = None, after: float | None = None, change: float = 0.0,
             no_change_status: str = "at target") -> TrackDecision:
    status = "changed" if changes else no_change_status
    return TrackDecision(track.guid, track.name, status, before, after, change if changes else 0.0, reason,
                         clean(evidence))


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


def track_inputs(track: TrackState, sample_rate: int, tag: str, words, kind: str):
    """The common start of every assistant's per-track step: ``(our FX or None, source)``, or the
    decision to record instead (the user's own plugin does the job; the audio cannot be analysed)."""
    own = users_own(track, tag, words, kind)
    if own is not None:
        return own
    src = track_source(track, sample_rate)
    if src.audio is None:
        return skipped(track, src.why_not)
    return our_fx(track, tag), src


StepFn = Callable[[TrackState, FXState | None, TrackSource, dict[str, dict[str, Any]], float],
                  tuple[list[Change], TrackDecision]]


def plan_each_track(state: ProjectState, tracks: list[TrackState], raw: dict[str, Any], *, action: str,
                    title: str, tag: str, user_words: tuple[str, ...], user_kind: str, step: StepFn) -> Plan:
    """The plan of an assistant that keeps one tagged plugin per track: for every track, either a
    decision without change (the user's own plugin does the job; nothing to analyse) or
    ``step(track, our FX or None, source, rule table, amount) -> (changes, decision)``."""
    amount = parse_amount(raw, action)
    table = table_with_overrides(action, raw)
    changes: list[Change] = []
    decisions: list[TrackDecision] = []
    for tr in tracks:
        inputs = track_inputs(tr, state.sample_rate, tag, user_words, user_kind)
        if isinstance(inputs, TrackDecision):
            decisions.append(inputs)
            continue
        ours, src = inputs
        ch, d = step(tr, ours, src, table, amount)
        changes.extend(ch)
        decisions.append(d)
    return Plan(action, undo_name(title, len(tracks)), tuple(changes), tuple(decisions), {"amount": amount * 100.0})


def skipped(track: TrackState, why: str, evidence: dict[str, Any] | None = None) -> TrackDecision:
    return TrackDecision(track.guid, track.name, "skipped", None, None, 0.0, why, clean(evidence or {}))
