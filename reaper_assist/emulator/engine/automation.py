"""Envelope curves at audio rate: a lane's own points and the automation items on it.

A lane's value at time t (docs/engine.md "Envelopes" and "Automation items"): inside an unmuted
automation item (a ``POOLEDENVINST`` line, ``position <= t < position + length``) the item's pooled
points (the project's ``<POOLEDENV`` with its pool index), looped every ``SRCLEN`` quarter notes,
started ``start offset`` seconds in, played at ``play rate``, then moved by baseline/amplitude
(:func:`.uncertain.ai_transform`); elsewhere the lane's own points. The choices no source settles
are named in :mod:`reaper_assist.emulator.uncertain` (``AI_*``, ``POOLED_POINT_TIME_UNIT``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from reaper_assist.emulator import uncertain as EU
from reaper_assist.emulator.envelope_eval import evaluate_array
from reaper_assist.emulator.project import AutomationItem, EnvPoint, Envelope

amp_to_slider = EU.amp_to_slider  # fader scaling (facts addendum Q2), arrays welcome
slider_to_amp = EU.slider_to_amp
evaluate_points = evaluate_array


def default_value(env: Envelope) -> float:
    """The stored value of a lane without points (a PARMENV header's default, 1 for volume and
    mute, 0 otherwise): what Envelope_Evaluate reads there."""
    if env.chunk.tag == "PARMENV":
        a = env.chunk.attrs
        try:
            return float(a[3])
        except (IndexError, ValueError):
            return 0.0
    return 1.0 if env.chunk.tag in ("VOLENV2", "VOLENV", "VOLENV3", "MUTEENV", "MASTERVOLENV2",
                                     "MASTERVOLENV") else 0.0


def _curve(env: Envelope, points: list[EnvPoint], times: np.ndarray) -> np.ndarray:
    """Stored-domain values of ``points`` (sorted); volume lanes interpolate in the fader domain
    (:data:`.uncertain.VOLUME_ENVELOPE_INTERPOLATION`)."""
    if env.scaling_mode == 1:
        scaled = [replace(p, value=float(amp_to_slider(p.value))) for p in points]
        return slider_to_amp(evaluate_points(scaled, times))
    return evaluate_points(points, times)


def to_normalized(env: Envelope, stored: np.ndarray) -> np.ndarray:
    """Stored values as a fraction of the lane's range (:data:`.uncertain.AI_VOLUME_RANGE_SLIDER`)."""
    if env.scaling_mode == 1:
        return np.asarray(amp_to_slider(stored)) / EU.AI_VOLUME_RANGE_SLIDER
    lo, hi = env.value_range()
    return (np.asarray(stored, dtype=np.float64) - lo) / (hi - lo)


def from_normalized(env: Envelope, n: np.ndarray) -> np.ndarray:
    if env.scaling_mode == 1:
        return np.asarray(slider_to_amp(np.asarray(n) * EU.AI_VOLUME_RANGE_SLIDER))
    lo, hi = env.value_range()
    return lo + np.asarray(n, dtype=np.float64) * (hi - lo)


def item_covers(item: AutomationItem, times: np.ndarray) -> np.ndarray:
    """Where the item plays: ``position <= t < position + length``, and not muted."""
    if item.muted and not EU.AI_MUTED_PLAYS or not item.length > 0:
        return np.zeros(times.shape, dtype=bool)
    return (times >= item.position) & (times < item.position + item.length)


def pool_position_qn(item: AutomationItem, times: np.ndarray) -> np.ndarray:
    """Pool position (quarter notes from its start) the item plays at project times ``times``
    (:meth:`.AutomationItem.pool_qn`), wrapped every ``SRCLEN`` when the item loops."""
    q = item.pool_qn(np.asarray(times, dtype=np.float64))
    pool = item.pool
    length = pool.length_qn if pool is not None else 0.0
    if item.loop and length > 0:
        q = np.mod(q, length)
    return q


def item_values(item: AutomationItem, times: np.ndarray) -> np.ndarray:
    """Stored-domain values the item gives at ``times`` (inside it; no coverage test here)."""
    env = item.envelope
    pool = item.pool
    points = sorted(pool.points, key=lambda p: p.time) if pool is not None else []
    q = pool_position_qn(item, times)
    raw = _curve(env, points, q) if points else np.full(q.shape, default_value(env))
    if item.baseline == 0.5 and item.amplitude == 1.0:
        return raw  # REAPER's defaults: the identity (no round trip through the range)
    n = EU.ai_transform(to_normalized(env, raw), item.baseline, item.amplitude)
    return from_normalized(env, n)


def envelope_values(env: Envelope | None, times: np.ndarray, *, respect_active: bool = True) -> np.ndarray | None:
    """Stored-domain values of a lane with points or automation items, else None.

    Inactive lanes (``ACT 0``) give None (with ``respect_active``). Where no item plays and the
    lane has no points of its own the value is NaN: nothing automates the parameter there, and
    the caller uses its unautomated value (the fader, the plug-in's setting).
    Volume envelopes (scaling mode 1) interpolate in the fader domain and return linear
    amplitude (see :data:`.uncertain.VOLUME_ENVELOPE_INTERPOLATION`).
    """
    if env is None or (respect_active and not env.active):
        return None
    times = np.asarray(times, dtype=np.float64)
    pts = sorted(env.points, key=lambda p: p.time)
    items = env.automation_items
    if not pts and not items:
        return None
    out = _curve(env, pts, times) if pts else np.full(times.shape, np.nan)
    for item in items:  # a later item wins where items overlap (uncertain.AI_OVERLAP)
        m = item_covers(item, times)
        if m.any():
            out[m] = item_values(item, times[m])
    return out


def unmodelled_items(env: Envelope) -> list[str]:
    """Why a lane's automation items may render unlike REAPER's: a tempo envelope (the pools are
    timed at the project's base tempo), an item whose pool the project does not hold (it plays
    the lane's default value)."""
    items = env.automation_items
    if not items:
        return []
    out = []
    tempo = env.project.root.chunk("TEMPOENVEX")
    if tempo is not None and next(tempo.lines("PT"), None) is not None:
        out.append(f"automation items on {env.name!r} timed at the base tempo {env.project.tempo:g} BPM "
                   "(the tempo envelope is not applied to them)")
    for k, item in enumerate(items):
        if item.pool is None:
            out.append(f"automation item {k + 1} on {env.name!r}: pool {item.pool_id} is not in the project "
                       "(it plays the lane's default value)")
    return out


def fill(values: np.ndarray | None, unautomated) -> np.ndarray | None:
    """``values`` with NaN (nothing automates there) replaced by ``unautomated``."""
    if values is None or not np.isnan(values).any():
        return values
    return np.where(np.isnan(values), unautomated, values)
