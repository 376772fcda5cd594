"""Broadband hiss: the noise spectrum of the quietest parts and the spectral gate that lowers it.

The noise profile is the mean power per STFT bin over the quietest ``QUIET_FRACTION`` of the frames
(2048-point Hann, hop 512): steady hiss fills the pauses, so their spectrum is the noise's. Hiss is
"there" when that floor is above ``MIN_FLOOR_DBFS``, broadband (its power spreads over most of the
spectrum: spectral flatness of the profile over 200 Hz-16 kHz >= ``MIN_FLATNESS``) and the
loudest frames stand ``MIN_SNR_DB`` above it (else there is no signal to tell from the noise).

The gate (:func:`gate`) is a decision-directed Wiener gain (Ephraim & Malah 1984; the a-priori SNR
smoothed over frames, which keeps isolated noise peaks from turning into "musical noise"), floored
at ``-floor_db`` (the noise is lowered, never carved out: no underwater sound) and smoothed over
three bins; ``amount`` mixes it toward unity gain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import istft, stft

from reaper_assist.analysis._validate import as_audio

NFFT, HOP = 2048, 512
QUIET_FRACTION = 0.1
MIN_FLOOR_DBFS = -80.0
MIN_FLATNESS = 0.3
MIN_SNR_DB = 15.0
DD_ALPHA = 0.98  # decision-directed smoothing of the a-priori SNR
GAIN_EXPONENT = 1.0  # the square root of the Wiener gain: the spectral magnitude, not power, estimate
FLOOR_DB = 20.0  # the gate lowers the noise by at most this much
ACTIVE_FLOOR_DB = 8.0  # and by at most this much where the signal sounds
NOISE_SNR_DB, ACTIVE_SNR_DB = 3.0, 15.0  # frame SNR (mean over bins) of noise only / of a sounding signal
FLOOR_RELEASE_DB_PER_FRAME = 1.0  # the floor falls back at 1 dB per hop (~94 dB/s at 48 kHz)
MIN_DURATION_S = 1.0


@dataclass(frozen=True)
class HissProfile:
    found: bool
    noise_psd: np.ndarray | None  # mean |X|^2 per bin of the quiet frames (one-sided, STFT scaling)
    floor_dbfs: float  # RMS level of the quiet frames
    flatness: float  # of the noise profile over 200 Hz-16 kHz
    snr_db: float  # the loudest 10 % of frames over the quiet ones
    why: str


def _frames_db(x: np.ndarray) -> np.ndarray:
    n = x.size // HOP
    fr = (x[: n * HOP].reshape(n, HOP) ** 2).mean(axis=1)
    return 10 * np.log10(fr + 1e-20)


def _spec(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    f, _, z = stft(x, sr, window="hann", nperseg=NFFT, noverlap=NFFT - HOP, boundary="even", padded=True)
    return f, z


def profile(audio: np.ndarray, sample_rate: int, *, name: str | None = None) -> HissProfile:
    """The hiss of ``audio`` ``(channels, samples)``: its noise profile, or why there is none."""
    x = np.atleast_2d(as_audio(audio, name=name)).astype(np.float64)
    dur = x.shape[1] / sample_rate
    if dur < MIN_DURATION_S:
        return HissProfile(False, None, -np.inf, 0.0, 0.0, f"too short for a noise profile: {dur:.2f} s, at least "
                           f"{MIN_DURATION_S:g} s needed")
    mono = x.mean(axis=0)
    f, z = _spec(mono, sample_rate)
    p = np.abs(z) ** 2
    e = 10 * np.log10(p.sum(axis=0) + 1e-30)
    order = np.argsort(e)
    quiet = order[: max(1, int(QUIET_FRACTION * e.size))]
    loud = order[-max(1, int(QUIET_FRACTION * e.size)):]
    psd = p[:, quiet].mean(axis=1)
    fd = _frames_db(mono)
    floor = float(np.mean(np.sort(fd)[: max(1, int(QUIET_FRACTION * fd.size))]))
    band = (f >= 200) & (f <= min(16000.0, 0.45 * sample_rate))
    pb = psd[band] + 1e-30
    flat = float(np.exp(np.mean(np.log(pb))) / np.mean(pb))
    snr = float(np.mean(e[loud]) - np.mean(e[quiet]))
    if floor < MIN_FLOOR_DBFS:
        why = f"no hiss: the quietest parts are at {floor:.1f} dBFS (below {MIN_FLOOR_DBFS:g} dBFS)"
    elif flat < MIN_FLATNESS:
        why = (f"no broadband hiss: the floor at {floor:.1f} dBFS is not broadband (flatness {flat:.2f} < "
               f"{MIN_FLATNESS:g}: a tone or hum, not hiss)")
    elif snr < MIN_SNR_DB:
        why = (f"no pauses to learn the hiss from: the loudest parts stand only {snr:.1f} dB over the quietest "
               f"(at least {MIN_SNR_DB:g} dB needed)")
    else:
        return HissProfile(True, psd, floor, flat, snr, f"hiss at {floor:.1f} dBFS in the quiet parts (flatness "
                           f"{flat:.2f}, signal {snr:.0f} dB above it)")
    return HissProfile(False, psd, floor, flat, snr, why)


def _floors(gamma: np.ndarray, gmin: float) -> np.ndarray:
    """The gain floor per frame: ``gmin`` where the frame is noise, rising to ``ACTIVE_FLOOR_DB``
    where the signal stands ``ACTIVE_SNR_DB`` over the noise (the signal masks what is left of the
    noise there, and a gentler gain keeps its spectrum whole); released over ``FLOOR_RELEASE_S``."""
    snr = 10 * np.log10(np.mean(gamma, axis=0) + 1e-30)
    lo, hi = 20 * np.log10(gmin), -ACTIVE_FLOOR_DB
    w = np.clip((snr - NOISE_SNR_DB) / (ACTIVE_SNR_DB - NOISE_SNR_DB), 0.0, 1.0)
    target = lo + w * (hi - lo)
    out = np.empty_like(target)
    cur = lo
    fall = FLOOR_RELEASE_DB_PER_FRAME
    for t, v in enumerate(target):
        cur = v if v > cur else max(v, cur - fall)
        out[t] = cur
    return 10 ** (out / 20)


def gate(audio: np.ndarray, sample_rate: int, noise_psd: np.ndarray, *, amount: float = 1.0,
         floor_db: float = FLOOR_DB) -> np.ndarray:
    """``audio`` ``(channels, samples)`` with the noise of ``noise_psd`` lowered (same shape)."""
    x = np.atleast_2d(np.asarray(audio, dtype=np.float64))
    gmin = 10 ** (-floor_db / 20)
    n = noise_psd[:, None] + 1e-30
    out = np.empty_like(x)
    mono = x.mean(axis=0)
    _, zm = _spec(mono, sample_rate)  # one gain for every channel: the image stays where it was
    gamma = np.abs(zm) ** 2 / n
    floors = _floors(gamma, gmin)
    g = np.empty_like(gamma)
    prev = np.ones(gamma.shape[0])
    prev_gamma = gamma[:, 0]
    for t in range(gamma.shape[1]):
        xi = DD_ALPHA * prev ** 2 * prev_gamma + (1 - DD_ALPHA) * np.maximum(gamma[:, t] - 1.0, 0.0)
        gt = np.maximum((xi / (1.0 + xi)) ** GAIN_EXPONENT, floors[t])
        g[:, t] = gt
        prev, prev_gamma = gt, gamma[:, t]
    k = np.ones(3) / 3
    g = np.apply_along_axis(lambda c: np.convolve(c, k, mode="same"), 0, g)
    g = 1.0 - amount * (1.0 - g)
    for c in range(x.shape[0]):
        _, z = _spec(x[c], sample_rate)
        _, y = istft(z * g, sample_rate, window="hann", nperseg=NFFT, noverlap=NFFT - HOP, boundary=True)
        out[c] = y[: x.shape[1]] if y.size >= x.shape[1] else np.pad(y, (0, x.shape[1] - y.size))
    return out


def quiet_floor_db(x: np.ndarray, like: np.ndarray) -> float:
    """RMS level (dBFS) of ``x`` over the frames that are the quietest in ``like`` (the same frames
    before and after the gate)."""
    a, b = np.atleast_2d(like).mean(axis=0), np.atleast_2d(x).mean(axis=0)
    fa, fb = _frames_db(a), _frames_db(b)
    quiet = np.argsort(fa)[: max(1, int(QUIET_FRACTION * fa.size))]
    return float(10 * np.log10(np.mean(10 ** (fb[quiet] / 10)) + 1e-30))


def band_change_db(x: np.ndarray, y: np.ndarray, sample_rate: int, noise_psd: np.ndarray) -> float:
    """The estimated damage: the largest change (dB) of a third-octave band (50 Hz-16 kHz) of the
    loudest 30 % of frames from ``x`` to ``y``, over the bands that stand 10 dB over the noise there."""
    f, zx = _spec(np.atleast_2d(x).mean(axis=0), sample_rate)
    _, zy = _spec(np.atleast_2d(y).mean(axis=0), sample_rate)
    px, py = np.abs(zx) ** 2, np.abs(zy) ** 2
    loud = np.argsort(px.sum(axis=0))[-max(1, int(0.3 * px.shape[1])):]
    sx, sy = px[:, loud].mean(axis=1), py[:, loud].mean(axis=1)
    worst = 0.0
    for k in range(-13, 13):
        fc = 1000.0 * 2 ** (k / 3)
        b = (f >= fc * 2 ** (-1 / 6)) & (f < fc * 2 ** (1 / 6))
        if b.any() and sx[b].sum() > 10 * noise_psd[b].sum():
            worst = max(worst, abs(10 * np.log10(sy[b].sum() / sx[b].sum())))
    return worst
