"""Instrument recognition from audio: librosa features and the shipped, calibrated model.

The model is a multinomial logistic regression over :data:`FEATURE_NAMES` (standardised),
trained by ``scripts/train_recognizer.py`` on the TUNING split of the issue-13 corpus only
(``bench/corpus.py``) and shipped as ``reaper_assist/data/instrument_model.json``: weights,
standardisation, a softmax temperature fitted on out-of-source predictions (each tuning source
predicted by a model that never saw it) and the confidence below which the answer is "unknown".
Inference is numpy only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

#: Features are computed at this rate (content above 11 kHz is ignored: speech material and
#: many recordings have none, so it must not decide).
FEATURE_RATE = 22050
N_FFT = 2048
HOP = 512
N_MFCC = 20
#: At most this much audio is analysed (the caller picks the loudest part).
MAX_SECONDS = 12.0
#: Bump when :func:`features` changes (the model file records the version it was trained with).
FEATURE_VERSION = 1
MODEL_FILE = "instrument_model.json"
_BANDS_HZ = ((20, 60), (60, 120), (120, 250), (250, 500), (500, 1000), (1000, 2000), (2000, 4000),
             (4000, 8000), (8000, 11000))

FEATURE_NAMES: tuple[str, ...] = (
    tuple(f"mfcc{i}_mean" for i in range(N_MFCC))
    + tuple(f"mfcc{i}_std" for i in range(N_MFCC))
    + tuple(f"dmfcc{i}_std" for i in range(6))
    + tuple(f"contrast{i}_mean" for i in range(7))
    + tuple(f"band_{lo}_{hi}_db" for lo, hi in _BANDS_HZ)
    + ("log_centroid_mean", "log_centroid_std", "log_bandwidth_mean", "log_rolloff_mean", "log_rolloff_std",
       "flatness_db_mean", "flatness_db_std", "zcr_mean", "zcr_std",
       "onset_mean", "onset_std", "onset_rate_hz", "rms_range_db", "active_fraction", "frame_crest_db",
       "chroma_peak_mean", "chroma_entropy_mean", "percussive_share_db")
)


def features(audio: np.ndarray, sample_rate: float) -> np.ndarray:
    """The recogniser's feature vector of ``audio`` ``(channels, samples)``, any rate."""
    import librosa

    x = np.asarray(audio)
    y = x.mean(axis=0, dtype=np.float32) if x.ndim == 2 else x.astype(np.float32)  # mono, float32: small
    if int(sample_rate) != FEATURE_RATE:
        y = librosa.resample(y, orig_sr=float(sample_rate), target_sr=FEATURE_RATE, res_type="soxr_hq")
    y = y.astype(np.float32)[: int(MAX_SECONDS * FEATURE_RATE)]
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak > 0:
        y = y / peak  # level-independent
    sr = FEATURE_RATE
    S = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP))
    S **= 2  # in place: the complex STFT is already freed
    frame_db = 10 * np.log10(np.maximum(S.sum(axis=0), 1e-12))
    loud = frame_db >= np.max(frame_db) - 40.0  # frames that sound (silences would dominate the means)
    if np.count_nonzero(loud) < 4:
        loud = np.ones_like(loud)
    Sa = S[:, loud]
    mel = librosa.feature.melspectrogram(S=Sa, sr=sr, n_mels=64, fmax=11000)
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel), n_mfcc=N_MFCC)
    dmfcc = librosa.feature.delta(mfcc[:6], mode="nearest") if mfcc.shape[1] >= 9 else np.zeros((6, 1))
    mag = np.sqrt(Sa)
    contrast = librosa.feature.spectral_contrast(S=mag, sr=sr, n_bands=6, fmin=100.0)
    freqs = librosa.fft_frequencies(sr=sr, n_fft=N_FFT)
    total = float(Sa.sum()) or 1e-12
    bands = [10 * math.log10(max(float(Sa[(freqs >= lo) & (freqs < hi)].sum()) / total, 1e-10))
             for lo, hi in _BANDS_HZ]
    centroid = librosa.feature.spectral_centroid(S=mag, sr=sr)[0]
    bandwidth = librosa.feature.spectral_bandwidth(S=mag, sr=sr)[0]
    rolloff = librosa.feature.spectral_rolloff(S=mag, sr=sr, roll_percent=0.85)[0]
    flat = 10 * np.log10(np.maximum(librosa.feature.spectral_flatness(S=mag)[0], 1e-10))
    zcr = librosa.feature.zero_crossing_rate(y, frame_length=N_FFT, hop_length=HOP)[0]
    onset = librosa.onset.onset_strength(S=librosa.power_to_db(librosa.feature.melspectrogram(S=S, sr=sr)), sr=sr)
    from scipy.signal import find_peaks

    # onsets: peaks of the onset strength standing out of its spread, >= 50 ms apart
    n_onsets = len(find_peaks(onset, height=float(onset.mean() + onset.std()), distance=max(1, int(0.05 * sr / HOP)))[0])
    seconds = max(len(y) / sr, 1e-3)
    rms_db = frame_db[loud]
    active = float(np.mean(frame_db >= np.max(frame_db) - 30.0))
    rms_lin = np.sqrt(np.maximum(S.sum(axis=0), 1e-12))
    crest = 20 * math.log10(float(np.max(rms_lin)) / float(np.mean(rms_lin)))
    chroma = librosa.feature.chroma_stft(S=Sa, sr=sr, tuning=0.0)
    cn = chroma / np.maximum(chroma.sum(axis=0, keepdims=True), 1e-12)
    entropy = -np.sum(cn * np.log(np.maximum(cn, 1e-12)), axis=0)
    # harmonic/percussive split by median filtering (Fitzgerald 2010) on the 64 mel bands
    from scipy.ndimage import median_filter

    harm = median_filter(mel, size=(1, 17), mode="nearest")
    perc = median_filter(mel, size=(17, 1), mode="nearest")
    perc_share = 10 * math.log10(max(float(mel[perc > harm].sum()) / max(float(mel.sum()), 1e-12), 1e-6))
    lc = np.log2(np.maximum(centroid, 20.0))
    lr = np.log2(np.maximum(rolloff, 20.0))
    vec = np.concatenate([
        mfcc.mean(axis=1), mfcc.std(axis=1), dmfcc.std(axis=1), contrast.mean(axis=1), bands,
        [lc.mean(), lc.std(), np.log2(max(float(bandwidth.mean()), 20.0)), lr.mean(), lr.std(),
         flat.mean(), flat.std(), zcr.mean(), zcr.std(),
         onset.mean(), onset.std(), n_onsets / seconds,
         float(np.percentile(rms_db, 95) - np.percentile(rms_db, 10)), active, crest,
         float(np.mean(np.max(cn, axis=0))), float(np.mean(entropy)), perc_share],
    ])
    return np.nan_to_num(vec.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)


@dataclass(frozen=True)
class Model:
    classes: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # (classes, features)
    bias: np.ndarray
    temperature: float
    unknown_below: float
    info: dict

    def probabilities(self, feats: np.ndarray) -> np.ndarray:
        z = (np.asarray(feats, dtype=np.float64) - self.mean) / self.scale
        logits = (self.weights @ z + self.bias) / self.temperature
        logits -= logits.max()
        p = np.exp(logits)
        return p / p.sum()

    def to_json(self) -> dict:
        return {"feature_version": FEATURE_VERSION, "feature_names": list(FEATURE_NAMES),
                "classes": list(self.classes), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "bias": self.bias.tolist(), "temperature": self.temperature,
                "unknown_below": self.unknown_below, "info": self.info}

    @classmethod
    def from_json(cls, d: dict) -> Model:
        if d.get("feature_version") != FEATURE_VERSION or list(d.get("feature_names", [])) != list(FEATURE_NAMES):
            raise ValueError(f"{MODEL_FILE} was trained on other features (version {d.get('feature_version')}, "
                             f"this code computes version {FEATURE_VERSION}): re-run scripts/train_recognizer.py")
        return cls(tuple(d["classes"]), np.array(d["mean"]), np.array(d["scale"]), np.array(d["weights"]),
                   np.array(d["bias"]), float(d["temperature"]), float(d["unknown_below"]), dict(d.get("info", {})))


@lru_cache(maxsize=1)
def shipped_model() -> Model | None:
    """The model shipped in ``reaper_assist/data``; None when no model file is installed."""
    try:
        text = resources.files("reaper_assist").joinpath("data").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    return Model.from_json(json.loads(text))
