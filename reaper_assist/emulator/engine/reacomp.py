"""ReaComp model: feed-forward compressor in the log domain.

detector (RMS over "RMS size", or peak) -> static curve in dB with a quadratic soft knee
(Giannoulis, Massberg & Reiss, "Digital Dynamic Range Compressor Design", JAES 2012, eq. 4)
-> one-pole attack/release smoothing of the gain reduction in dB -> optional auto make-up ->
``dry * x + wet * x * gain``. Pre-comp makes the detector look ahead. Choices without a source
are in :mod:`.uncertain`. The detector's power and the gain computer with its smoother are
compiled loops (:mod:`._kernels`).
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
    look = int(round(first.precomp_ms * sample_rate / 1000.0))  # pre-comp: the detector looks ahead
    thr, ratio, knee = f("threshold_db"), f("ratio"), f("knee_db")
    thr = np.maximum(thr, -200.0)  # native 0 is -inf dB: compress everything, without inf - inf
    step, up, down = _dyn.smoother(f("attack_ms"), f("release_ms"), sample_rate)
    P = _dyn.per_sample
    gr = _dyn.run("gain_reduction", level, look, P(thr), P(ratio), P(knee), step, up, down)
    gain_db = np.negative(gr, out=gr)
    if any(s.auto_makeup for _, s in segments):
        makeup = static_gain_reduction_db(np.zeros(1), thr, ratio, knee)  # reduction at 0 dBFS
        auto = f("auto_makeup")
        if not isinstance(auto, bool):
            makeup = np.where(np.asarray(auto, dtype=bool), makeup, 0.0)
        gain_db += makeup
    gain_db /= 20.0
    factor = np.power(10.0, gain_db, out=gain_db)  # units.db_to_amp_array, in place
    wet, dry = db_to_amp_array(f("wet_db")), db_to_amp_array(f("dry_db"))
    if np.any(wet != 1.0):
        factor *= wet
    if np.any(dry != 0.0):
        factor += dry
    return x * factor
