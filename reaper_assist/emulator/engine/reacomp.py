"""ReaComp model: feed-forward compressor in the log domain.

detector (RMS over "RMS size", or peak) -> static curve in dB with a quadratic soft knee
(Giannoulis, Massberg & Reiss, "Digital Dynamic Range Compressor Design", JAES 2012, eq. 4)
-> one-pole attack/release smoothing of the gain reduction in dB -> optional auto make-up ->
``dry * x + wet * x * gain``. Pre-comp makes the detector look ahead. Choices without a source
are in :mod:`.uncertain`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from reaper_assist.emulator.engine import _dyn
from reaper_assist.plugins.reacomp import CompSettings
from reaper_assist.units import db_to_amp_array

__all__ = ["check_settings", "process", "static_gain_reduction_db"]

static_gain_reduction_db = _dyn.static_reduction_db


def check_settings(s: CompSettings) -> None:
    """Raise :class:`ParameterError` naming the parameter and its range."""
    _dyn.check_ranges("ReaComp", (
        ("ratio", s.ratio, 1.0, math.inf, ""), ("attack_ms", s.attack_ms, 0.0, 500.0, "ms"),
        ("release_ms", s.release_ms, 0.0, 5000.0, "ms"), ("knee_db", s.knee_db, 0.0, 24.0, "dB"),
        ("rms_ms", s.rms_ms, 0.0, 1000.0, "ms"), ("precomp_ms", s.precomp_ms, 0.0, 250.0, "ms")))


def process(audio: np.ndarray, sample_rate: float, segments: Sequence[tuple[int, CompSettings]]) -> np.ndarray:
    """Compress ``audio`` ``(channels, samples)``; ``segments`` as in :func:`.reaeq.process`.

    RMS size and pre-comp are taken from the first segment (not automatable here); the other
    settings follow the segments.
    """
    x = np.asarray(audio, dtype=np.float64)
    n = x.shape[1]
    for _, s in segments:
        check_settings(s)
    first = segments[0][1]
    f = lambda name: _dyn.field(segments, name, n)
    level = _dyn.level_db(x, sample_rate, first.rms_ms)
    level = _dyn.look_ahead(level, int(round(first.precomp_ms * sample_rate / 1000.0)))
    thr, ratio, knee = f("threshold_db"), f("ratio"), f("knee_db")
    thr = np.maximum(thr, -200.0)  # native 0 is -inf dB: compress everything, without inf - inf
    target = static_gain_reduction_db(level, thr, ratio, knee)
    gr = _dyn.smooth_attack_release(target, f("attack_ms"), f("release_ms"), sample_rate)
    gain_db = -gr
    if any(s.auto_makeup for _, s in segments):
        makeup = static_gain_reduction_db(np.zeros(1), thr, ratio, knee)  # reduction at 0 dBFS
        gain_db = gain_db + makeup
        auto = f("auto_makeup")
        if not isinstance(auto, bool):
            gain_db = np.where(np.asarray(auto, dtype=bool), gain_db, -gr)
    gain = db_to_amp_array(gain_db)
    wet = db_to_amp_array(f("wet_db"))
    dry = db_to_amp_array(f("dry_db"))
    factor = gain * wet
    factor += dry
    return x * factor
