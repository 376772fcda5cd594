"""JS: Volume Adjustment model (Cockos ``utility/volume``, facts 2.6, S18 source):
gain ``2^(dB/6)`` then a hard clamp to ``+-2^(max/6)`` (so the default Max Volume 0 dB clips
at 0 dBFS)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reaper_assist.emulator.engine import _dyn
from reaper_assist.plugins.js_volume import VolumeSettings

__all__ = ["process"]


def process(audio: np.ndarray, sample_rate: float, segments: Sequence[tuple[int, VolumeSettings]]) -> np.ndarray:
    x = np.asarray(audio, dtype=np.float64)
    out = np.empty_like(x)
    bounds = [s for s, _ in segments] + [x.shape[1]]
    for (start, s), end in zip(segments, bounds[1:]):
        _dyn.check_ranges("JS: Volume Adjustment", [(name, getattr(s, name), -150.0, 150.0, "dB")
                                                    for name in ("adjustment_db", "max_volume_db")])
        lim = 2.0 ** (s.max_volume_db / 6.0)
        out[:, start:end] = np.clip(x[:, start:end] * 2.0 ** (s.adjustment_db / 6.0), -lim, lim)
    return out
