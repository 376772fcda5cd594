"""Shared pieces of the dynamics models: detectors, the compressor's static curve, smoothers,
segment fields. The emulator's own code, independent of the product's (issue 12 point 5)."""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from reaper_assist.emulator.engine import uncertain as U
from reaper_assist.errors import ParameterError


def check_ranges(plugin: str, checks: Sequence[tuple[str, float, float, float, str]]) -> None:
    """Raise :class:`ParameterError` for the first ``(name, value, lo, hi, unit)`` outside
    ``[lo, hi]`` (NaN included), naming the plugin, the parameter, the value and the range."""
    for name, v, lo, hi, unit in checks:
        if not (lo <= v <= hi):
            u = f" {unit}" if unit else ""
            raise ParameterError(f"{plugin} parameter {name!r}: {v!r}{u} outside the range [{lo:g}, {hi:g}]{u}")


def look_ahead(level: np.ndarray, samples: int) -> np.ndarray:
    """The detector ``samples`` ahead (pre-comp, pre-open): shifted earlier, the end held."""
    n = level.shape[0]
    if samples <= 0 or n == 0:
        return level
    return np.concatenate([level[samples:], np.full(min(samples, n), level[-1])])


def field(segments: Sequence[tuple[int, Any]], name: str, n: int) -> float | np.ndarray:
    """One settings field over ``n`` samples: a float if it never changes, else per sample."""
    values = [getattr(s, name) for _, s in segments]
    if all(v == values[0] for v in values):
        return values[0]
    out = np.empty(n)
    bounds = [s for s, _ in segments] + [n]
    for v, a, b in zip(values, bounds[:-1], bounds[1:]):
        out[a:b] = v
    return out


def level_db(x: np.ndarray, sample_rate: float, rms_ms: float) -> np.ndarray:
    """Detector level in dB per sample, channels linked by the loudest (``uncertain``).

    RMS over a causal window of ``rms_ms`` (a moving average of the square: the running sum of
    squares minus its value one window earlier; the first samples average over what exists so
    far), or the absolute sample value when ``rms_ms`` is 0 (below one sample). The power is
    compiled (:func:`._kernels.mean_square`), the logarithm numpy's.
    """
    w = int(round(rms_ms * sample_rate / 1000.0))
    out = run("mean_square", np.ascontiguousarray(x, dtype=np.float64), max(w, 1))
    with np.errstate(divide="ignore"):
        np.log10(out, out=out)
    out *= 10.0
    return out


def static_reduction_db(level_db: np.ndarray, threshold_db, ratio, knee_db) -> np.ndarray:
    """Gain reduction (dB, >= 0) of a compressor's static curve at a detector level.

    Giannoulis, Massberg & Reiss, "Digital Dynamic Range Compressor Design", JAES 2012, eq. 4:
    output ``y = x`` below the knee, ``T + (x - T)/R`` above it, and inside the knee
    (``|x - T| <= W/2``) ``y = x + (1/R - 1)(x - T + W/2)^2 / (2W)``; the reduction is ``x - y``.
    Arguments may be scalars or per-sample arrays; ratio inf is a limiter.
    """
    x = np.asarray(level_db, dtype=np.float64)
    over = x - threshold_db
    keep = 1.0 - 1.0 / np.asarray(ratio, dtype=np.float64)  # share of the overshoot removed
    if np.ndim(knee_db) == 0 and knee_db == 0:  # hard knee, the common case
        return np.clip(over, 0.0, None) * keep
    w = np.broadcast_to(np.asarray(knee_db, dtype=np.float64), over.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        above = np.clip(over, 0.0, None) * keep
        knee = keep * np.square(over + w / 2.0) / (2.0 * w)
    in_knee = (w > 0) & (2.0 * np.abs(over) <= w)
    out = np.where(in_knee, knee, above)
    out[~np.isfinite(out)] = 0.0  # -inf levels (digital silence) are not reduced
    return out


def one_pole_coef(tau_ms: float | np.ndarray, sample_rate: float, step: int = 1) -> float | np.ndarray:
    """Per-step coefficient ``exp(-step / (tau * sr))``; 0 (instant) for tau <= 0."""
    tau = np.asarray(tau_ms, dtype=np.float64) / 1000.0 * sample_rate
    with np.errstate(divide="ignore"):
        c = np.where(tau > 0, np.exp(-step / np.where(tau > 0, tau, 1.0)), 0.0)
    return float(c) if c.ndim == 0 else c


def smoother_step(*taus_ms: float | np.ndarray, sample_rate: float) -> int:
    """Control-rate step so the shortest time constant spans >= ``SMOOTHER_STEPS_PER_TAU`` steps."""
    shortest = min(float(np.min(t)) for t in taus_ms)
    if shortest <= 0:
        return 1
    step = int(shortest / 1000.0 * sample_rate / U.SMOOTHER_STEPS_PER_TAU)
    return max(1, min(U.SMOOTHER_MAX_STEP, step))


def smoother(attack_ms, release_ms, sample_rate: float) -> tuple[int, np.ndarray, np.ndarray]:
    """``(step, up, down)`` of the attack/release smoother at its control rate: one step per
    ``step`` samples (:func:`smoother_step`), the per-step coefficients ``exp(-step/tau)`` of
    attack and release taken at the start of each step (length 1 when constant).

    The smoother (:func:`._kernels.gain_reduction`) is exact at the step points, takes the step's
    largest target and interpolates linearly in between; each step the output moves the fraction
    ``1 - c`` of the way to the target, ``c`` from ``up`` while the target is above the output
    (attack) and from ``down`` otherwise (release).
    """
    step = smoother_step(attack_ms, release_ms, sample_rate=sample_rate)
    return (step, per_sample(one_pole_coef(_step_starts(attack_ms, step), sample_rate, step)),
            per_sample(one_pole_coef(_step_starts(release_ms, step), sample_rate, step)))


def _step_starts(v, step: int):
    return v[::step] if isinstance(v, np.ndarray) else v


def per_sample(v) -> np.ndarray:
    """A setting for the kernels: a float64 array of length 1 (constant) or one value a sample."""
    return np.ascontiguousarray(np.atleast_1d(np.asarray(v, dtype=np.float64)))


class KernelError(RuntimeError):
    """numba is missing, or could not compile one of the engine's kernels (:mod:`._kernels`)."""


def run(name: str, *args):
    """Call the compiled kernel ``name`` of :mod:`._kernels`; :class:`KernelError` naming it and
    the cause when numba is missing or cannot compile it."""
    try:
        kernels = importlib.import_module("reaper_assist.emulator.engine._kernels")
    except ImportError as exc:
        raise KernelError(f"the emulator's audio engine needs numba for its per-sample loops "
                          f"(kernel {name!r}; pip install numba): {exc}") from exc
    from numba.core.errors import NumbaError

    try:
        return getattr(kernels, name)(*args)
    except NumbaError as exc:
        raise KernelError(f"numba could not compile the emulator's kernel {name!r}: {exc}") from exc


def finite_or(x: float, default: float) -> float:
    return x if math.isfinite(x) else default
