"""The de-ess oracle, independent of the product: where the clean speech hisses (its own STFT and
criterion), and band energies of emulator renders during and outside those frames."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import binary_dilation
from scipy.signal import stft

from tests.automation.conftest import POSITION_S
from tests.automation.material import SR, Voice

N_FFT = 1024  # 21 ms
HOP = 256
# a frame is "outside sibilants" only if its window holds no sibilant sample: frames within half a
# window (N_FFT / 2 = 10.7 ms = 2 hops) of a sibilant frame are neither in nor out
GUARD_FRAMES = N_FFT // 2 // HOP


def power(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    f, _, z = stft(x, SR, nperseg=N_FFT, noverlap=N_FFT - HOP, boundary=None, padded=False)
    return f, np.abs(z) ** 2


@dataclass(frozen=True)
class Frames:
    freqs: np.ndarray
    sibilant: np.ndarray  # frames where the clean speech is sibilant
    outside: np.ndarray  # speech frames whose window holds no sibilant sample
    peak_hz: float  # the peak of the sibilant frames' mean spectrum in 2-12 kHz


def sibilant_frames(v: Voice, length: int, *, offset_s: float = 0.0, playrate: float = 1.0) -> Frames:
    """The clean speech placed as the take plays it (position, offset, plain resample) on a
    timeline of ``length`` samples; sibilant = more energy in 3-12 kHz than under 2 kHz, within
    40 dB of the loudest frame."""
    src = v.speech[int(round(offset_s * SR)):]
    if playrate != 1.0:
        t = np.arange(0, src.size / playrate) * playrate
        src = np.interp(t, np.arange(src.size), src)
    x = np.zeros(length)
    i0 = int(round(POSITION_S * SR))
    n = min(src.size, length - i0)
    x[i0:i0 + n] = src[:n]
    f, p = power(x)
    level = 10 * np.log10(p.sum(axis=0) + 1e-20)
    speech = level > level.max() - 40
    sib = (p[(f >= 3000) & (f <= 12000)].sum(axis=0) > p[f < 2000].sum(axis=0)) & speech
    outside = speech & ~binary_dilation(sib, iterations=GUARD_FRAMES)
    mean = p[:, sib].mean(axis=1)
    rng = (f >= 2000) & (f <= 12000)
    return Frames(f, sib, outside, float(f[rng][np.argmax(mean[rng])]))


def fall_db(before: np.ndarray, after: np.ndarray, frames: np.ndarray, bins: np.ndarray) -> float:
    """How far the energy of ``bins`` over ``frames`` fell from ``before`` to ``after`` (power spectra)."""
    return float(10 * np.log10(before[bins][:, frames].sum() / after[bins][:, frames].sum()))
