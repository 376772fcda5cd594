"""Where a voice is: phrases found by a hysteresis gate over the noise floor, and the voice's
loudness over time (K-weighted, BS.1770-4) measured only where it is voiced.

Used by the automation actions (ride, dip gaps between phrases). Frames are 10 ms; every time is
in seconds from the first sample of the audio given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import sosfilt

from reaper_assist.analysis._validate import as_audio
from reaper_assist.analysis.loudness import LOUDNESS_OFFSET_DB, k_weighting_sos

FRAME_S = 0.010
SILENCE_DBFS = -90.0  # a track quieter than this everywhere holds no audio to gate


@dataclass(frozen=True)
class Phrases:
    """Voiced phrases of one track.

    Attributes
    ----------
    frame_s : float
        Frame hop and length (10 ms).
    level_db : numpy.ndarray
        Frame RMS in dBFS (all channels).
    voiced : numpy.ndarray of bool
        Frames inside a phrase.
    spans : tuple of (start_s, end_s)
        The phrases, in time order.
    noise_floor_db : float
        The floor the gate opens above (10th percentile of the frame levels).
    """

    frame_s: float
    level_db: np.ndarray
    voiced: np.ndarray
    spans: tuple[tuple[float, float], ...]
    noise_floor_db: float


def _frames(x: np.ndarray, n: int) -> np.ndarray:
    """Mean square of each ``n``-sample frame over all channels."""
    k = x.shape[1] // n
    return (x[:, : k * n].reshape(x.shape[0], k, n) ** 2).mean(axis=(0, 2))


def find_phrases(audio, sample_rate: int, *, open_above_floor_db: float = 12.0, close_above_floor_db: float = 6.0,
                 bridge_s: float = 0.25, min_phrase_s: float = 0.15, breath_below_db: float = 20.0,
                 active: np.ndarray | None = None, name: str = "") -> Phrases:
    """Phrases by a hysteresis gate on 10 ms frames.

    The gate opens where a frame is ``open_above_floor_db`` over the noise floor and closes where
    it falls below ``close_above_floor_db`` over it; pauses shorter than ``bridge_s`` (between
    words) are bridged; phrases shorter than ``min_phrase_s`` or whose loudest frame is
    ``breath_below_db`` under the loudest phrase's (breaths, clicks, noise bursts) are dropped.
    The floor is taken over the frames where ``active`` (per sample: an item plays) holds, so
    silence between items does not hide a recording's noise floor; digital silence inside an item
    counts (as -150 dBFS).
    """
    x = as_audio(audio, name=name)
    n = max(1, int(round(FRAME_S * sample_rate)))
    ms = _frames(x, n)
    with np.errstate(divide="ignore"):
        level = 10.0 * np.log10(np.maximum(ms, 1e-30))
    if ms.size == 0 or level.max() < SILENCE_DBFS:
        return Phrases(FRAME_S, level, np.zeros(level.shape, bool), (), float("-inf"))
    act = np.ones(level.shape, bool) if active is None else _frames(np.asarray(active, float)[None, :], n) > 0
    act = act[: level.size]
    floor = float(np.percentile(np.maximum(level[act] if act.any() else level, -150.0), 10))
    hi, lo = floor + open_above_floor_db, floor + close_above_floor_db
    voiced = np.zeros(level.shape, bool)
    state = False
    for i, v in enumerate(level):  # the hysteresis itself (a few thousand frames per minute)
        state = v >= hi if not state else v >= lo
        voiced[i] = state
    spans = _runs(voiced)
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and (a - merged[-1][1]) * FRAME_S < bridge_s:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    merged = [s for s in merged if (s[1] - s[0]) * FRAME_S >= min_phrase_s]
    if merged:
        top = max(level[a:b].max() for a, b in merged)
        merged = [s for s in merged if level[s[0]:s[1]].max() >= top - breath_below_db]
    voiced = np.zeros(level.shape, bool)
    for a, b in merged:
        voiced[a:b] = True
    return Phrases(FRAME_S, level, voiced, tuple((a * FRAME_S, b * FRAME_S) for a, b in merged), floor)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def voiced_loudness(audio, sample_rate: int, voiced: np.ndarray, *, window_s: float = 1.0,
                    name: str = "") -> np.ndarray:
    """Per 10 ms frame: the K-weighted loudness (LUFS) of the voiced frames within a raised-cosine
    window of ``window_s`` around it; NaN where the window holds no voiced frame."""
    x = as_audio(audio, name=name)
    n = max(1, int(round(FRAME_S * sample_rate)))
    y = sosfilt(k_weighting_sos(float(sample_rate)), x, axis=-1)
    ms = _frames(y, n) * x.shape[0]  # BS.1770: channel mean squares summed (weights 1 for mono/stereo)
    m = voiced[: ms.size].astype(float)
    ms = ms[: m.size]
    half = max(1, int(round(window_s / FRAME_S / 2)))
    w = np.hanning(2 * half + 1)
    num = np.convolve(ms * m, w, mode="same")
    den = np.convolve(m, w, mode="same")
    out = np.full(ms.shape, np.nan)
    ok = den > 1e-6 * w.sum()
    with np.errstate(divide="ignore"):
        out[ok] = LOUDNESS_OFFSET_DB + 10.0 * np.log10(np.maximum(num[ok] / den[ok], 1e-30))
    return out
