"""A track's FX chain through the stock-plugin models, with parameter envelopes and the
Bypass/Wet/Delta wrapper params (facts 2.0)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from reaper_assist.emulator.engine import js_midside, js_volume, reacomp, reaeq, reagate, realimit
from reaper_assist.emulator.engine import uncertain as U
from reaper_assist.emulator.engine.automation import envelope_values, fill
from reaper_assist.emulator.project import FX, Envelope, Track
from reaper_assist.errors import ParameterError

# registry key of reaper_assist.plugins -> model
MODELS: dict[str, Callable[[np.ndarray, float, list], np.ndarray]] = {
    "reaeq": reaeq.process,
    "reacomp": reacomp.process,
    "reagate": reagate.process,
    "realimit": realimit.process,
    "js_volume": js_volume.process,
    "js_ms_encoder": js_midside.encode,
    "js_ms_decoder": js_midside.decode,
}


def _where(track: Track, k: int, fx: FX) -> str:
    return f"track {track.name!r}, FX {k + 1} ({fx.name})"


def _param_envelopes(fx: FX) -> dict[int, Envelope]:
    """Active parameter lanes with points or automation items, by parameter index."""
    out = {}
    for env in fx.envelopes():
        if env.active and env.param_index is not None and (env.points or env.automation_items):
            out[env.param_index] = env
    return out


def _values(env: Envelope, times: np.ndarray, unautomated: float) -> np.ndarray:
    """The lane's values (points and automation items, engine/automation.py); where neither
    applies, the parameter's own setting."""
    v = fill(envelope_values(env, times), unautomated)
    return v if v is not None else np.full(np.shape(times), float(unautomated))


def segments(fx: FX, envs: dict[int, Envelope], n: int, sample_rate: float, start_s: float,
             where: str) -> list[tuple[int, Any]]:
    """``[(start_sample, settings)]``: the FX settings, re-evaluated every
    :data:`.uncertain.AUTOMATION_BLOCK` samples where own parameters are automated."""
    m = fx.model
    spec, state = m.spec, m.state
    n_own = m.num_own_params  # then Bypass, Wet, Delta
    own = {p: pts for p, pts in envs.items() if 0 <= p < n_own}
    if not own:
        return [(0, spec.settings(state))]
    starts = np.arange(0, max(n, 1), U.AUTOMATION_BLOCK)
    times = start_s + starts / sample_rate
    table = {p: _values(env, times, m.get_param(p)) for p, env in own.items()}
    work = state.copy()
    out: list[tuple[int, Any]] = []
    prev = None
    for b, s0 in enumerate(starts.tolist()):
        row = tuple(float(v[b]) for v in table.values())
        if row == prev:
            continue
        for p, v in zip(table, row):
            try:
                spec.set_param(work, p, v)
            except ParameterError as exc:
                raise ParameterError(f"{where}: envelope at {times[b]:.3f} s: {exc}") from exc
        out.append((s0, spec.settings(work)))
        prev = row
    return out


def run_chain(track: Track, audio: np.ndarray, sample_rate: float, start_s: float,
              unmodelled: list[str]) -> np.ndarray:
    """Process ``audio`` ``(channels, samples)`` through the track's enabled FX, in order.

    Bypassed and offline FX are skipped; FX without a model pass audio through and are added to
    ``unmodelled`` as ``"<track>: <fx name>"``.

    Raises
    ------
    ParameterError
        A setting or envelope value outside the plugin's range (names track, FX, parameter).
    """
    n = audio.shape[1]
    for k, fx in enumerate(track.fx):
        if not fx.enabled or fx.offline:
            continue
        m = fx.model
        model = MODELS.get(m.key) if m.key and m.spec is not None and m.state is not None else None
        if model is None:
            unmodelled.append(f"{track.name}: {fx.name}")
            continue
        if n == 0:  # an empty window: nothing to process (sosfilt & co. reject 0 samples)
            continue
        where = _where(track, k, fx)
        envs = _param_envelopes(fx)
        try:
            segs = segments(fx, envs, n, sample_rate, start_s, where)
            wet_y = model(audio, sample_rate, segs)
        except ParameterError as exc:
            if str(exc).startswith(where):
                raise
            raise ParameterError(f"{where}: {exc}") from exc
        n_own = m.num_own_params  # then Bypass, Wet, Delta
        wrapper_automated = bool(envs.keys() & {n_own, n_own + 1, n_own + 2})
        times = start_s + np.arange(n) / sample_rate if wrapper_automated else np.zeros(0)
        wet = _values(envs[n_own + 1], times, m.wet) if n_own + 1 in envs else m.wet
        delta = _values(envs[n_own + 2], times, m.delta) >= 0.5 if n_own + 2 in envs else m.delta >= 0.5
        y = wet_y if np.all(np.asarray(wet) == 1.0) else audio + np.asarray(wet) * (wet_y - audio)
        if np.any(delta):
            y = np.where(delta, y - audio, y)
        if n_own in envs:  # bypass automation: dry where the envelope is >= 0.5
            y = np.where(_values(envs[n_own], times, m.bypass_param) >= 0.5, audio, y)
        audio = y
    return audio
