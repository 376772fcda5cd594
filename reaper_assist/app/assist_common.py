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
from reaper_assist.host import realize
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import BandValue, ParamValue, Step, TaggedPlugin

MIN_ACTIVE_S = 1.0  # less sounding audio than this is "too short" to analyse
SILENCE_PEAK_DBFS = -80.0  # a track whose peak stays below this is "silent"
MIN_AUDIO_CONFIDENCE = 0.4  # an audio-only instrument guess below this counts as unknown (generic rules)


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


def plugin_steps(track: TrackState, ours: FXState | None, *, plugin: str, rename: str, tag: str, position: int,
                 reason: str, params: tuple[ParamValue, ...] = (), bands: tuple[BandValue, ...] = (),
                 evidence: dict[str, Any] | None = None) -> list[Step]:
    """The step that makes the track's tagged ``rename`` plugin hold ``params``/``bands``: added
    (at ``position``) when missing; when ours is there and already holds them, no step at all."""
    step = TaggedPlugin(track_guid=track.guid, track_name=track.name, reason=reason, evidence=evidence or {},
                        plugin=plugin, rename=rename, tag=tag, position=position,
                        existing_guid=ours.guid if ours is not None else None, params=params, bands=bands)
    return [step] if realize.track_writes(track, [step]) else []


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
        writes = realize.realize(state, p.steps)
        if not dry_run and writes:
            host.apply(realize.ops(writes), p.undo_name)
        timings["apply_s"] = time.perf_counter() - t2
        record = record_for_plan(p, writes, dry_run=dry_run)
    except ReaperAssistError as exc:
        record = error_record(action, str(exc))
    record["timings"] = {k: round(v, 4) for k, v in timings.items()}
    if not dry_run:
        write_record(host, record)
    return record


def decision(track: TrackState, changes: list[Step], reason: str, evidence: dict[str, Any], *,
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
                  tuple[list[Step], TrackDecision]]


def plan_each_track(state: ProjectState, tracks: list[TrackState], raw: dict[str, Any], *, action: str,
                    title: str, tag: str, user_words: tuple[str, ...], user_kind: str, step: StepFn) -> Plan:
    """The plan of an assistant that keeps one tagged plugin per track: for every track, either a
    decision without change (the user's own plugin does the job; nothing to analyse) or
    ``step(track, our FX or None, source, rule table, amount) -> (steps, decision)``."""
    amount = parse_amount(raw, action)
    table = table_with_overrides(action, raw)
    changes: list[Step] = []
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
