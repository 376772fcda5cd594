"""The tone of a mix or a reference, for matching one to the other: the long-term average
spectra of the mid and the side signal over the loudest pieces.

Loudest pieces, the way Matchering chooses them (matchering/stage_helpers/match_levels.py,
``get_lpis_and_match_rms``): the signal is cut into equal pieces, each piece's RMS of the mid
signal is measured, and the pieces whose RMS is at or above the quadratic mean of all pieces'
RMS are kept. Quiet intros, breaks and fades do not pull the average spectrum toward their own
balance. Matchering's pieces are up to 15 s long; ours are up to :data:`PIECE_S` (references
may be as short as 10 s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from reaper_assist.analysis._validate import as_audio, check_sample_rate
from reaper_assist.analysis.spectrum import long_term_spectrum

PIECE_S = 3.0


@dataclass(frozen=True, eq=False)
class ToneProfile:
    freqs_hz: np.ndarray
    mid_db: np.ndarray  # fine spectrum power per bin, dB
    side_db: np.ndarray
    pieces: int
    loudest: tuple[int, ...]  # 0-based indices of the pieces kept
    piece_s: float
    sample_rate: float

    def to_json(self) -> dict[str, Any]:
        spans = [[round(i * self.piece_s, 2), round((i + 1) * self.piece_s, 2)] for i in self.loudest]
        return {"pieces": self.pieces, "piece_s": round(self.piece_s, 3), "loudest_pieces": len(self.loudest),
                "loudest_spans_s": spans}


def mid_side(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(L + R) / 2 and (L - R) / 2 of a stereo signal."""
    return 0.5 * (audio[0] + audio[1]), 0.5 * (audio[0] - audio[1])


def loudest_pieces(mid: np.ndarray, sample_rate: float) -> tuple[float, list[int]]:
    """(piece length in s, indices of the pieces whose RMS >= the quadratic mean of all)."""
    n = mid.shape[-1]
    divisions = int(n / (PIECE_S * sample_rate)) + 1
    size = n // divisions
    pieces = mid[: size * divisions].reshape(divisions, size)
    rms = np.sqrt(np.mean(np.square(pieces, dtype=np.float64), axis=1))
    average = math.sqrt(float(np.mean(rms**2)))
    return size / sample_rate, [i for i in range(divisions) if rms[i] >= average and rms[i] > 0]


def tone_profile(audio: np.ndarray, sample_rate: float, *, name: str | None = None) -> ToneProfile:
    """Mid and side long-term spectra (Welch) over the loudest pieces of a stereo signal."""
    rate = check_sample_rate(sample_rate, name=name)
    x = as_audio(audio, name=name)
    if x.shape[0] == 1:
        x = np.vstack([x, x])
    mid, side = mid_side(x)
    piece_s, keep = loudest_pieces(mid, rate)
    size = int(round(piece_s * rate))
    if not keep:
        keep = list(range(max(1, mid.shape[-1] // max(size, 1))))
    sel = np.concatenate([np.arange(i * size, (i + 1) * size) for i in keep])
    m = long_term_spectrum(mid[sel], rate, name=name)
    s = long_term_spectrum(side[sel], rate, name=name)
    return ToneProfile(m.freqs_hz, m.power_db, s.power_db, int(mid.shape[-1] // max(size, 1)), tuple(keep),
                       piece_s, rate)


def piece_samples(profile: ToneProfile) -> np.ndarray:
    """The sample indices of the loudest pieces the profile was measured over."""
    size = int(round(profile.piece_s * profile.sample_rate))
    return np.concatenate([np.arange(i * size, (i + 1) * size) for i in profile.loudest])


def band_mid_side(audio: np.ndarray, profile: ToneProfile, lo_hz: float = 40.0,
                  hi_hz: float = 16000.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequencies, mid spectrum, side spectrum): the complex spectra (one FFT) of the mid and
    side of ``audio`` over the profile's loudest pieces, the bins from ``lo_hz`` to ``hi_hz``.
    Sums of their products are the signals' energies and cross terms in that band (Parseval)."""
    x = as_audio(audio)
    sel = piece_samples(profile)
    sel = sel[sel < x.shape[-1]]
    mid, side = mid_side(x[:, sel])
    f = np.fft.rfftfreq(sel.shape[0], 1.0 / profile.sample_rate)
    band = (f >= lo_hz) & (f <= hi_hz)
    return f[band], np.fft.rfft(mid)[band], np.fft.rfft(side)[band]
