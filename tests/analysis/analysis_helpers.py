"""Signal generators and assertions shared by the analysis tests (not a conftest: importable)."""

from __future__ import annotations

import math

import numpy as np

#: EBU Tech 3341 section 2.8: tolerance of a compliant meter on its test signals.
EBU_TECH_3341_TOL_LU = 0.1
#: EBU Tech 3342: tolerance of the loudness range on its test signals.
EBU_TECH_3342_TOL_LU = 1.0
#: EBU Tech 3341 table 1: true-peak tolerance (+0.2 / -0.4 dB).
TRUE_PEAK_TOL_ABOVE_DB = 0.2
TRUE_PEAK_TOL_BELOW_DB = 0.4
#: Gain invariance asked of every level figure (issue 5 acceptance).
GAIN_SHIFT_TOL_DB = 0.01

RATE = 48000


def assert_db_close(actual: float, expected: float, tol_db: float, what: str = "") -> None:
    """Assert two levels in dB agree within ``tol_db`` (``-inf`` equals only ``-inf``)."""
    if math.isinf(expected) or math.isinf(actual):
        assert actual == expected, f"{what}: {actual} dB, expected {expected} dB"
        return
    assert abs(actual - expected) <= tol_db, (
        f"{what}: {actual:.4f} dB, expected {expected:.4f} +- {tol_db} dB "
        f"(off by {actual - expected:+.4f})"
    )


def tone_segments(segments, *, freq_hz=1000.0, rate=RATE, channels=2):
    """Phase-continuous sine made of (duration_s, peak_dbfs) segments, as in EBU Tech 3341.

    ``peak_dbfs`` may be None for silence. Returns (channels, samples), same in every channel.
    """
    total = sum(round(d * rate) for d, _ in segments)
    t = np.arange(total) / rate
    carrier = np.sin(2 * np.pi * freq_hz * t)
    env = np.zeros(total)
    pos = 0
    for d, level in segments:
        n = round(d * rate)
        if level is not None:
            env[pos : pos + n] = 10 ** (level / 20)
        pos += n
    return np.tile(carrier * env, (channels, 1))


def music_like(seconds: float, rng: np.random.Generator, rate: int = RATE) -> np.ndarray:
    """Asymmetric stereo, roughly music-like: pink-ish noise plus tones, with dynamics.

    Left and right differ in level and content so that a transposition cannot pass.
    """
    n = int(seconds * rate)
    white = rng.standard_normal((2, n))
    spec = np.fft.rfft(white, axis=1)
    f = np.fft.rfftfreq(n, 1 / rate)
    f[0] = f[1]
    spec /= np.sqrt(f)  # pink
    noise = np.fft.irfft(spec, n=n, axis=1)
    noise /= np.abs(noise).max()
    t = np.arange(n) / rate
    env = 0.6 + 0.4 * np.sin(2 * np.pi * 0.25 * t) ** 2  # slow dynamics, 4 s period
    beats = (np.sin(2 * np.pi * 2 * t) > 0.7).astype(float) * 0.5  # 2 Hz hits
    x = np.empty((2, n))
    x[0] = 0.3 * noise[0] * env + 0.2 * np.sin(2 * np.pi * 110 * t) * beats
    x[1] = 0.12 * noise[1] * env + 0.1 * np.sin(2 * np.pi * 440 * t)
    return x


def pink_noise(seconds: float, rng: np.random.Generator, rate: int = RATE, channels: int = 1):
    """Pink (1/f power) noise, peak-normalised to 0.5, shape (channels, samples)."""
    n = int(seconds * rate)
    spec = np.fft.rfft(rng.standard_normal((channels, n)), axis=1)
    f = np.fft.rfftfreq(n, 1 / rate)
    f[0] = f[1]
    x = np.fft.irfft(spec / np.sqrt(f), n=n, axis=1)
    return 0.5 * x / np.abs(x).max()


def peaking_eq(x: np.ndarray, rate: float, freq_hz: float, gain_db: float, q: float) -> np.ndarray:
    """RBJ cookbook peaking EQ applied along the last axis."""
    from scipy.signal import lfilter

    a = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * freq_hz / rate
    alpha = np.sin(w0) / (2 * q)
    b = [1 + alpha * a, -2 * np.cos(w0), 1 - alpha * a]
    den = [1 + alpha / a, -2 * np.cos(w0), 1 - alpha / a]
    return lfilter(b, den, x, axis=-1)


def to_pyloudnorm_layout(audio: np.ndarray) -> np.ndarray:
    """The one conversion to pyloudnorm's (samples, channels) layout."""
    return np.ascontiguousarray(np.asarray(audio).T)
