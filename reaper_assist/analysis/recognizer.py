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
FEATURE_VERSION = 2
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
    # version 2: cues that hold across sources (how notes start and die, how many sound at once)
    + ("attack_ms_median", "decay_db_s_median", "sustain_db_median", "release_db_median",
       "chroma_active_mean", "chroma_active_std", "peaks_per_frame_mean", "harmonic_fit_mean",
       "harmonic_fit_std", "flux_cv", "centroid_track_corr", "lowest_peak_oct", "fit_f0_oct", "peak_span_oct")
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
    onset_frames = find_peaks(onset, height=float(onset.mean() + onset.std()),
                              distance=max(1, int(0.05 * sr / HOP)))[0]
    n_onsets = len(onset_frames)
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
    vec = np.concatenate([vec, _envelope_shape(y, sr, onset_frames), _polyphony(S[:, loud], cn, freqs),
                          _flux_and_brightness(S, loud, centroid)])
    return np.nan_to_num(vec.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)


_ENV_HOP = 128  # 5.8 ms at FEATURE_RATE


def _envelope_shape(y: np.ndarray, sr: int, onset_frames: np.ndarray) -> list[float]:
    """Medians over note onsets of: attack time (ms from 20 dB under the peak to the peak), decay
    slope over the 250 ms after the peak (dB/s), the level 250 ms after the peak and the level
    just before the next onset, both relative to the peak (dB). A piano or guitar note starts at
    once and dies away, an organ holds, a pad or bowed string swells."""
    n = len(y) // _ENV_HOP
    if n < 8:
        return [200.0, 0.0, 0.0, 0.0]
    env = np.sqrt(np.mean(y[: n * _ENV_HOP].reshape(n, _ENV_HOP) ** 2, axis=1))
    env_db = 20 * np.log10(np.maximum(env, 1e-6))
    env_db = np.maximum(env_db, float(env_db.max()) - 60.0)  # silence between hits: -60 dB, not -120
    per_s = sr / _ENV_HOP
    starts = sorted({int(f * HOP / _ENV_HOP) for f in onset_frames})
    att, dec, sus, rel = [], [], [], []
    for k, s0 in enumerate(starts):
        nxt = starts[k + 1] if k + 1 < len(starts) else n
        lo, hi = max(0, s0 - int(0.05 * per_s)), min(n, s0 + int(0.1 * per_s))
        if hi - lo < 2:
            continue
        p = lo + int(np.argmax(env_db[lo:hi]))
        peak = env_db[p]
        back = env_db[max(0, p - int(0.3 * per_s)): p + 1][::-1]
        below = np.nonzero(back < peak - 20.0)[0]
        att.append(1000.0 * (below[0] if below.size else len(back)) / per_s)
        end = min(n, p + int(0.25 * per_s), max(p + 3, nxt - 1))
        seg = env_db[p:end]
        if seg.size >= 3:
            dec.append(float(np.polyfit(np.arange(seg.size) / per_s, seg, 1)[0]))
            sus.append(float(seg[-1] - peak))
        rel.append(float(env_db[max(p, nxt - 2)] - peak) if nxt > p else 0.0)
    if not att:
        return [200.0, 0.0, 0.0, 0.0]
    return [float(np.median(att)), float(np.median(dec)) if dec else 0.0, float(np.median(sus)) if sus else 0.0,
            float(np.median(rel))]


def _polyphony(Sa: np.ndarray, cn: np.ndarray, freqs: np.ndarray) -> list[float]:
    """How many pitches sound at once, and where: pitch classes within 6 dB of the frame's strongest
    (mean, spread), spectral peaks per frame (60 Hz-4 kHz, within 40 dB of the frame's strongest),
    the share of those peaks one harmonic series explains (a single note: most; a chord: few), and
    medians over frames of the register (octaves over 55 Hz of the lowest peak within 20 dB of the
    strongest, and of the best-fitting series' fundamental) and of the octaves those peaks span."""
    from scipy.signal import find_peaks

    active = np.sum(cn >= 0.5 * np.max(cn, axis=0, keepdims=True), axis=0)
    band = (freqs >= 60.0) & (freqs <= 4000.0)
    fb = freqs[band]
    cols = np.linspace(0, Sa.shape[1] - 1, num=min(Sa.shape[1], 120)).astype(int)  # empty without frames
    counts, fits, lows, f0s, spans = [], [], [], [], []
    for j in cols:
        db = 10 * np.log10(np.maximum(Sa[band, j], 1e-14))
        idx, _ = find_peaks(db, prominence=10.0, height=float(db.max()) - 40.0)
        if idx.size == 0:
            continue
        counts.append(idx.size)
        pf = fb[idx]
        strong = pf[np.argsort(db[idx])[::-1][:3]]
        best, best_f0 = 0.0, float(strong[0])
        for f0 in np.concatenate([strong / k for k in (1, 2, 3)]):
            if f0 < 40.0:
                continue
            h = pf / f0
            fit = float(np.mean((np.abs(h - np.round(h)) < 0.08) & (h > 0.9)))
            if fit > best:
                best, best_f0 = fit, float(f0)
        fits.append(best)
        f0s.append(math.log2(best_f0 / 55.0))
        top = pf[db[idx] >= float(db[idx].max()) - 20.0]
        lows.append(math.log2(float(top.min()) / 55.0))
        spans.append(math.log2(float(top.max()) / float(top.min())))
    if not counts:
        return [float(active.mean()), float(active.std()), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    return [float(active.mean()), float(active.std()), float(np.mean(counts)), float(np.mean(fits)),
            float(np.std(fits)), float(np.median(lows)), float(np.median(f0s)), float(np.median(spans))]


def _flux_and_brightness(S: np.ndarray, loud: np.ndarray, centroid: np.ndarray) -> list[float]:
    """Spectral flux's coefficient of variation (steady tones: low; struck or plucked notes: high)
    and the correlation of brightness with level over the sounding frames (struck notes darken as
    they die away)."""
    logS = np.log1p(S / max(float(S.max()), 1e-12) * 1e4)
    flux = np.sum(np.maximum(np.diff(logS, axis=1), 0.0), axis=0)
    fl = flux[loud[1:]] if flux.size else flux
    cv = float(fl.std() / max(float(fl.mean()), 1e-9)) if fl.size else 0.0
    lev = 10 * np.log10(np.maximum(S[:, loud].sum(axis=0), 1e-12))
    c = np.log2(np.maximum(centroid, 20.0))
    corr = float(np.corrcoef(lev, c)[0, 1]) if lev.size > 2 and lev.std() > 0 and c.std() > 0 else 0.0
    return [cv, corr]


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
    #: farther than this from the training material (:meth:`distance`) is out of what the model
    #: knows: "unknown" however sure the softmax is (a plain sine is no instrument of the corpus)
    max_distance: float = math.inf

    def distance(self, feats: np.ndarray) -> float:
        """RMS over the features of their standardised distance from the training mean."""
        z = (np.asarray(feats, dtype=np.float64) - self.mean) / self.scale
        return float(np.sqrt(np.mean(z * z)))

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
                "unknown_below": self.unknown_below, "max_distance": self.max_distance, "info": self.info}

    @classmethod
    def from_json(cls, d: dict) -> Model:
        if d.get("feature_version") != FEATURE_VERSION or list(d.get("feature_names", [])) != list(FEATURE_NAMES):
            raise ValueError(f"{MODEL_FILE} was trained on other features (version {d.get('feature_version')}, "
                             f"this code computes version {FEATURE_VERSION}): re-run scripts/train_recognizer.py")
        return cls(tuple(d["classes"]), np.array(d["mean"]), np.array(d["scale"]), np.array(d["weights"]),
                   np.array(d["bias"]), float(d["temperature"]), float(d["unknown_below"]), dict(d.get("info", {})),
                   float(d.get("max_distance", math.inf)))


@lru_cache(maxsize=1)
def shipped_model() -> Model | None:
    """The model shipped in ``reaper_assist/data``; None when no model file is installed."""
    try:
        text = resources.files("reaper_assist").joinpath("data").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    return Model.from_json(json.loads(text))
