"""Stereo measures of a (2, samples) signal: how much of it is side (a stereo source or a mono
one), and how a mix folds down to mono per octave band."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.signal import butter, sosfilt

OCTAVES_HZ = (63.0, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0)


def side_to_mid_db(audio: np.ndarray) -> float:
    """Energy of (L-R)/2 against (L+R)/2, dB; -inf for a mono signal (one channel or L = R)."""
    x = np.asarray(audio, dtype=np.float64)
    if x.ndim == 1 or x.shape[0] < 2:
        return -math.inf
    mid = float(np.sum(((x[0] + x[1]) / 2) ** 2))
    side = float(np.sum(((x[0] - x[1]) / 2) ** 2))
    if side <= 0:
        return -math.inf
    return 10 * math.log10(side / mid) if mid > 0 else math.inf


def mono_fold_down(mix: np.ndarray, sample_rate: int) -> dict[str, Any]:
    """Fold-down loss per octave band (mono (L+R)/2 on both channels against the stereo mix, dB;
    negative = quieter in mono) and the channel correlation of a stereo mix (2, samples)."""
    left, right = mix[0], mix[1]
    den = math.sqrt(float(np.dot(left, left) * np.dot(right, right)))
    corr = float(np.dot(left, right) / den) if den > 0 else 1.0
    losses = {}
    for fc in OCTAVES_HZ:
        hi = min(fc * math.sqrt(2), 0.45 * sample_rate)
        sos = butter(4, [fc / math.sqrt(2), hi], btype="bandpass", fs=sample_rate, output="sos")
        b = sosfilt(sos, mix, axis=-1)
        stereo = float(np.sum(b**2))
        if stereo <= 1e-12:
            continue
        mono = 2.0 * float(np.sum(((b[0] + b[1]) / 2) ** 2))
        losses[f"{fc:g}"] = 10 * math.log10(max(mono, 1e-30) / stereo)
    worst = min(losses.values(), default=0.0)
    return {"correlation": corr, "fold_down_loss_db": losses, "worst_band_loss_db": worst}
