"""ReaGate model: level detector, open/close with hysteresis and hold, attack/release on the
gate gain, ``dry * x + wet * x * gate``. Curves without a source are in :mod:`.uncertain`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from reaper_assist.emulator.engine import _dyn
from reaper_assist.plugins.reagate import GateSettings
from reaper_assist.units import db_to_amp_array

__all__ = ["gate_state", "process"]


def _check(s: GateSettings) -> None:
    _dyn.check_ranges("ReaGate", (
        ("attack_ms", s.attack_ms, 0.0, 500.0, "ms"), ("release_ms", s.release_ms, 0.0, 5000.0, "ms"),
        ("rms_ms", s.rms_ms, 0.0, 1000.0, "ms"), ("hold_ms", s.hold_ms, 0.0, 1000.0, "ms"),
        ("preopen_ms", s.preopen_ms, 0.0, 250.0, "ms"),
        ("hysteresis_native", s.hysteresis_native, 0.0, 2.0, "")))


def gate_state(level_db: np.ndarray, open_db, close_db, hold_samples: int) -> np.ndarray:
    """Open (True) / closed per sample: opens above ``open_db``, closes below ``close_db``
    (hysteresis: in between it keeps its state), and stays open ``hold_samples`` after the last
    sample that kept it open. Vectorised: the state is the last decision, carried forward."""
    n = level_db.shape[0]
    decided = np.full(n, -1, dtype=np.int64)
    decided[level_db >= open_db] = 1
    decided[level_db < close_db] = 0
    idx = np.where(decided >= 0, np.arange(n), -1)
    np.maximum.accumulate(idx, out=idx)
    state = np.where(idx >= 0, decided[np.maximum(idx, 0)], 0).astype(bool)
    if hold_samples > 0 and n:
        last_open = np.where(state, np.arange(n), -hold_samples - 1)
        np.maximum.accumulate(last_open, out=last_open)
        state = (np.arange(n) - last_open) <= hold_samples
    return state


def _smooth_binary(state: np.ndarray, attack_ms: float, release_ms: float, sample_rate: float) -> np.ndarray:
    """One-pole on a 0/1 target, exact: per constant run the output moves toward the target
    geometrically (attack while opening, release while closing); :func:`._kernels.gate_smooth`."""
    return _dyn.run("gate_smooth", np.ascontiguousarray(state, dtype=np.bool_),
                    float(_dyn.one_pole_coef(attack_ms, sample_rate)),
                    float(_dyn.one_pole_coef(release_ms, sample_rate)))


def process(audio: np.ndarray, sample_rate: float, segments: Sequence[tuple[int, GateSettings]]) -> np.ndarray:
    """Gate ``audio`` ``(channels, samples)``. Times and detector settings come from the first
    segment; threshold, dry and wet follow the segments."""
    x = np.asarray(audio, dtype=np.float64)
    n = x.shape[1]
    for _, s in segments:
        _check(s)
    first = segments[0][1]
    f = lambda name: _dyn.field(segments, name, n)
    level = _dyn.level_db(x, sample_rate, first.rms_ms)
    level = _dyn.look_ahead(level, int(round(first.preopen_ms
                                             * sample_rate / 1000.0)))
    thr = f("threshold_db")
    hyst = min(first.hysteresis_native, 1.0)
    close = thr + (20.0 * math.log10(hyst) if hyst > 0 else -math.inf)
    hold = int(round(first.hold_ms * sample_rate / 1000.0))
    state = gate_state(level, thr, close, hold)
    g = _smooth_binary(state, first.attack_ms, first.release_ms, sample_rate)
    if first.invert_wet:
        g = 1.0 - g
    wet = db_to_amp_array(f("wet_db"))
    dry = db_to_amp_array(f("dry_db"))
    return x * (dry + wet * g)
