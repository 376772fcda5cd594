"""Action "Gain-stage selected tracks": each selected track's pre-FX level to a target.

host (read, 1 round trip) -> media files (pre-FX audio) -> analysis (RMS over active parts, LUFS,
peaks) -> rules (change per track, peak guard) -> Plan -> host.apply (1 round trip, one undo block)
-> last_run record (1 round trip, outside the undo block so it survives an undo).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

from reaper_assist.analysis.cache import DiskStore, ResultCache
from reaper_assist.analysis.loudness import measure_loudness_stream
from reaper_assist.app.our_fx import our_fx
from reaper_assist.app.run_action import clean, run_assistant, undo_name
from reaper_assist.app.track_audio import identity_key, pre_fx_stream
from reaper_assist.errors import InvalidAudioError
from reaper_assist.host import realize
from reaper_assist.host.base import ProjectState, TrackState
from reaper_assist.media.stream import BlockProblems
from reaper_assist.rules import gain_staging as rule
from reaper_assist.rules.plan import Plan, TrackDecision
from reaper_assist.rules.steps import ParamValue, Step, TaggedPlugin

ACTION = "gain-stage"
JS_PLUGIN = "js_volume"
JS_TAG = "gain"
JS_RENAME = "RA Gain"


#: Threads measuring uncached tracks (the machines this targets have 2+ cores).
MEASURE_THREADS = 2
Measured = tuple[dict[str, Any] | None, str]  # (figures relative to the reference gain, "") or (None, why not)


FIGURES = frozenset({"rms_dbfs", "active_rms_dbfs", "integrated_lufs", "sample_peak_dbfs", "true_peak_dbtp",
                     "duration_s"})  # what _measure returns


def _decode(v: Any) -> Measured:
    """A cached measurement back from JSON; anything but exactly :data:`FIGURES` as floats (-inf
    for silence, never NaN or +inf) is refused, so a garbage entry is measured again."""
    if not (isinstance(v, list) and len(v) == 2 and isinstance(v[1], str)):
        raise ValueError("not a (figures, why) pair")
    m, why = v
    if m is not None and not (isinstance(m, dict) and set(m) == FIGURES and all(
            isinstance(x, float) and not math.isnan(x) and x != math.inf for x in m.values())):
        raise ValueError("the figures are not gain-stage's numbers")
    return m, why


#: The measurements, in memory and in the user's cache folder (analysis.cache.DiskStore): found
#: again after the companion restarts, and filled ahead of a press by its pre-analysis.
_CACHE: ResultCache[Measured] = ResultCache(max_entries=4096, store=DiskStore(), encode=list, decode=_decode)
_LEVEL_SUFFIXES = ("_dbfs", "_lufs", "_dbtp")


def _shift(m: dict[str, Any] | None, db: float) -> dict[str, Any] | None:
    if m is None:
        return None
    return {k: (v + db if k.endswith(_LEVEL_SUFFIXES) else v) for k, v in m.items()}


def _cache_slot(track: TrackState, sample_rate: int, silence_dbfs: float) -> tuple[str, float]:
    key, g0 = identity_key(track, sample_rate, {"silence_dbfs": silence_dbfs, "what": "gain-stage/1"})
    return key, 20.0 * math.log10(abs(g0))


Blocks = Callable[[Iterator[Any]], Iterator[Any]]


def _measure_relative(track: TrackState, sample_rate: int, silence_dbfs: float, g0_db: float,
                      through: Blocks | None = None) -> Measured:
    """The measurement stored in the cache: levels relative to the reference gain."""
    m, why = _measure(track, sample_rate, silence_dbfs + g0_db, through)
    return _shift(m, -g0_db), why


def is_measured(track: TrackState, sample_rate: int, silence_dbfs: float) -> bool:
    """Whether the track's measurement is cached (in memory or in the cache folder)."""
    return _CACHE.has(_cache_slot(track, sample_rate, silence_dbfs)[0])


def measure_into_cache(track: TrackState, sample_rate: int, silence_dbfs: float, *,
                       through: Blocks | None = None) -> None:
    """Measure the track as a press would and cache the result (the companion's pre-analysis).
    ``through`` wraps the iterator of audio blocks (pausing, pacing); whatever it raises leaves
    the cache as it was."""
    key, g0_db = _cache_slot(track, sample_rate, silence_dbfs)
    _CACHE.put(key, _measure_relative(track, sample_rate, silence_dbfs, g0_db, through))


def cache_notes(since: int = 0) -> list[str]:
    """The cache folder's problems noted since note number ``since`` (still kept)."""
    store = _CACHE.store
    return store.notes_since(since) if store is not None else []


def cache_note_count() -> int:
    """The number the cache folder's next note will have."""
    store = _CACHE.store
    return store.note_count if store is not None else 0


def _measure(track: TrackState, sample_rate: int, silence_dbfs: float,
             through: Blocks | None = None) -> Measured:
    """One streaming pass over the track's float32 pre-FX blocks (memory of one block)."""
    pre, blocks = pre_fx_stream(track, sample_rate)
    why = pre.why_not(track, "measure")
    if why or blocks is None:
        return None, why or "nothing to measure"
    if through is not None:
        blocks = through(blocks)
    try:
        lr, _ = measure_loudness_stream(blocks, sample_rate, true_peak=True,
                                        silence_threshold_dbfs=silence_dbfs, name=track.name)
    except InvalidAudioError as exc:  # NaN/inf in the media: this track is skipped, the others go on
        return None, f"cannot measure: {exc}"
    except BlockProblems as exc:  # a file that became unreadable midway
        return None, f"cannot measure: {exc}"
    return {
        "rms_dbfs": lr.rms_dbfs, "active_rms_dbfs": lr.active_rms_dbfs, "integrated_lufs": lr.integrated_lufs,
        "sample_peak_dbfs": lr.sample_peak_dbfs, "true_peak_dbtp": lr.true_peak_dbtp,
        "duration_s": lr.duration_s,
    }, ""


def _measure_all(tracks: list[TrackState], sample_rate: int, silence_dbfs: float):
    """Pre-FX measurements of several tracks, each ``(figures, "")`` or ``(None, why not)``.

    "Active parts" are the 10 ms blocks where the *recording* (at the first item's gain) is above
    ``silence_dbfs``: a property of the material, not of the gain applied to it. So every figure
    shifts exactly with a common gain, and the result is cached relative to the track's reference
    gain (``track_audio.identity_key``): a repeated action on unchanged media, even after its own
    gain change, neither re-reads nor re-analyses. Cached tracks come back at once, the others
    are measured in turn.

    Uncached tracks are measured by two threads: libsndfile decodes with the GIL released, so
    one file decodes while another is metered (a process pool is fragile inside REAPER's
    companion: forkserver re-imports ``__main__``).
    """
    from concurrent.futures import ThreadPoolExecutor

    slots = [_cache_slot(t, sample_rate, silence_dbfs) for t in tracks]
    results: list[Any] = [_CACHE.get(key) for key, _ in slots]
    todo = [i for i, r in enumerate(results) if r is None]

    def work(i: int):
        return _measure_relative(tracks[i], sample_rate, silence_dbfs, slots[i][1])

    if len(todo) > 1:
        with ThreadPoolExecutor(max_workers=MEASURE_THREADS) as pool:
            fresh = list(pool.map(work, todo))
    else:
        fresh = [work(i) for i in todo]
    for i, r in zip(todo, fresh):
        _CACHE.put(slots[i][0], r)
        results[i] = r
    return [(_shift(m, g0_db), why) for (m, why), (_, g0_db) in zip(results, slots)]


def plan(state: ProjectState, tracks: list[TrackState], s: rule.GainSettings, silence_dbfs: float) -> Plan:
    changes: list[Step] = []
    decisions: list[TrackDecision] = []
    notes0 = cache_note_count()
    measured = _measure_all(tracks, state.sample_rate, silence_dbfs)
    for tr, (m, why) in zip(tracks, measured):
        if m is None:
            decisions.append(TrackDecision(tr.guid, tr.name, "skipped", None, None, 0.0, why))
            continue
        js = our_fx(tr, JS_TAG) if s.method == "js" else None
        js_gain = (realize.param_units(JS_PLUGIN, js, "gain_db") if js is not None else None) or 0.0
        level = rule.level_for(s.target.kind, m) + js_gain
        level_in = m["sample_peak_dbfs"] + js_gain
        tl = rule.TrackLevel(tr.guid, tr.name, level, level_in, js_gain)
        change, status, reason = rule.decide(tl, s)
        ev = clean(m)
        if status == "changed":
            if s.method == "take":
                items = [(it.index, it.guid) for it in tr.items if it.take is not None]
                changes.extend(rule.take_gain_steps(tl, change, items, reason))
            else:
                changes.extend(_js_steps(tr, js, js_gain + change, s, reason))
        decisions.append(TrackDecision(tr.guid, tr.name, status, level if math.isfinite(level) else None,
                                       (level + change) if math.isfinite(level) else None, change, reason, ev))
    store = _CACHE.store
    notes = list(dict.fromkeys(([store.problem] if store is not None and store.problem else [])
                               + cache_notes(notes0)))
    return Plan(ACTION, undo_name("Gain-stage", len(tracks)), tuple(changes), tuple(decisions), s.to_json(),
                note="; ".join(notes))


def _js_steps(tr: TrackState, js, total_gain_db: float, s: rule.GainSettings, reason: str) -> list[Step]:
    """Our tagged JS Volume at ``total_gain_db``; a new one also lets the peak guard's level
    through (its Max Volume clamps the output, facts 2.6)."""
    params = [ParamValue("gain_db", total_gain_db, "Adjustment (dB)")]
    if js is None:
        params.append(ParamValue("passes_db", s.peak_ceiling_dbfs + 6.0, "Max Volume (dB)"))
    step = TaggedPlugin(track_guid=tr.guid, track_name=tr.name, reason=reason, plugin=JS_PLUGIN, rename=JS_RENAME,
                        tag=JS_TAG, position=0, existing_guid=js.guid if js is not None else None,
                        params=tuple(params))
    return [step]


def _plan_from_settings(state: ProjectState, tracks: list[TrackState], raw: dict[str, Any]) -> Plan:
    s, silence = rule.parse_settings(raw)
    return plan(state, tracks, s, silence)


def run(host, *, track_guids: list[str] | None = None, selected: bool = True, options: dict[str, Any] | None = None,
        dry_run: bool = False) -> dict[str, Any]:
    """Run the action; returns the ``last_run`` record (also written into the project unless dry run)."""
    return run_assistant(host, ACTION, _plan_from_settings, track_guids=track_guids, selected=selected,
                         options=options, dry_run=dry_run, what="gain-stage")
