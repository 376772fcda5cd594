"""Where a voice hisses: its sibilant frames and events, and the band (2-12 kHz) they sit in.

A frame (about 21 ms, every 5 ms) is sibilant when the energy of the sibilance range
(2-12 kHz) is at least ``min_ratio_db`` over the energy of the voice's body (100 Hz-2 kHz),
stands ``above_floor_db`` over that range's floor (10th percentile of its frames), and is within
``within_db`` of its loudest frame. Runs of sibilant frames (gaps under 20 ms closed) of at least
20 ms are the events. The band is where the events' mean spectrum (smoothed over a third of an
octave) stays within 6 dB of its peak inside 2-12 kHz. Every time is in seconds from the first
sample of the audio given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from reaper_assist.analysis._validate import as_audio

SIB_LO_HZ, SIB_HI_HZ = 2000.0, 12000.0  # issue 14: the sibilance range
BODY_LO_HZ, BODY_HI_HZ = 100.0, 2000.0
HOP_S = 0.005
WINDOW_S = 0.0213  # 1024 samples at 48 kHz
MIN_EVENT_S = 0.020
CLOSE_GAP_S = 0.020
EDGE_DB = 6.0  # the band's edges: where the smoothed sibilant spectrum is this far under its peak


@dataclass(frozen=True)
class Sibilance:
    """The sibilance of one voice.

    Attributes
    ----------
    events : tuple of (start_s, end_s)
        Sibilant events.
    peak_hz, lo_hz, hi_hz : float
        Peak of the events' mean spectrum and the band around it (nan when there are no events).
    band_db : numpy.ndarray
        Per frame, the energy of the sibilance range in dB.
    sibilant : numpy.ndarray of bool
        Per frame, sibilant or not.
    voice : numpy.ndarray of bool
        Per frame, voiced, loud enough and not sibilant: the voice's own sound, which an event's
        excess is measured against (:meth:`reference_db`).
    freqs : numpy.ndarray
        The spectrum's bin frequencies (Hz).
    power : numpy.ndarray, shape (bins, frames)
        The power spectrum of every frame (for the caller's per-event measurements).
    hop_s, window_s : float
        Frame hop and window length; frame k covers ``[k*hop_s, k*hop_s + window_s)``.
    """

    events: tuple[tuple[float, float], ...]
    peak_hz: float
    lo_hz: float
    hi_hz: float
    band_db: np.ndarray
    sibilant: np.ndarray
    voice: np.ndarray
    freqs: np.ndarray
    power: np.ndarray
    hop_s: float
    window_s: float

    def energy_db(self, lo_hz: float, hi_hz: float) -> np.ndarray:
        """Per frame, the energy in ``lo_hz..hi_hz`` in dB (relative)."""
        m = (self.freqs >= lo_hz) & (self.freqs <= hi_hz)
        return 10 * np.log10(self.power[m].sum(axis=0) + 1e-20)

    def reference_db(self, lo_hz: float, hi_hz: float) -> float:
        """The voice's own energy in ``lo_hz..hi_hz`` (median of its non-sibilant frames)."""
        e = self.energy_db(lo_hz, hi_hz)
        pick = e[self.voice] if self.voice.any() else e
        return float(10 * np.log10(np.median(10 ** (pick / 10))))

    def frames(self, start_s: float, end_s: float) -> np.ndarray:
        """Indices of the frames whose centre lies in ``[start_s, end_s)``."""
        centres = np.arange(self.power.shape[1]) * self.hop_s + self.window_s / 2
        return np.flatnonzero((centres >= start_s) & (centres < end_s))


def _stft_power(x: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    n = 2 ** int(round(math.log2(WINDOW_S * sample_rate)))
    hop = max(1, int(round(HOP_S * sample_rate)))
    if x.size < n:
        x = np.concatenate([x, np.zeros(n - x.size)])
    count = 1 + (x.size - n) // hop
    idx = np.arange(n)[None, :] + hop * np.arange(count)[:, None]
    w = np.hanning(n)
    spec = np.fft.rfft(x[idx] * w, axis=1)
    power = (np.abs(spec) ** 2).T / np.sum(w**2)
    return np.fft.rfftfreq(n, 1.0 / sample_rate), power, n, hop


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    d = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def _smooth_octave(freqs: np.ndarray, p: np.ndarray, fraction: float) -> np.ndarray:
    out = np.empty_like(p)
    c = np.concatenate([[0.0], np.cumsum(p)])
    lo = np.searchsorted(freqs, freqs * 2 ** (-fraction / 2))
    hi = np.searchsorted(freqs, freqs * 2 ** (fraction / 2), side="right")
    hi = np.maximum(hi, lo + 1)
    out[:] = (c[hi] - c[lo]) / (hi - lo)
    return out


def find_sibilance(audio, sample_rate: int, *, voiced: np.ndarray | None = None, voiced_frame_s: float = 0.01,
                   min_ratio_db: float = 3.0, above_floor_db: float = 20.0, within_db: float = 45.0,
                   name: str = "audio") -> Sibilance:
    """The sibilant events and band of ``audio`` (channels summed to mono); ``voiced`` (a frame
    mask of ``voiced_frame_s`` frames, e.g. :class:`~.phrases.Phrases`' ``voiced``) limits the
    events to the phrases."""
    x = as_audio(audio, name=name)
    mono = np.asarray(x, dtype=np.float64).mean(axis=0)
    freqs, power, n, hop = _stft_power(mono, sample_rate)
    hi_edge = min(SIB_HI_HZ, 0.45 * sample_rate)
    sib_bins = (freqs >= SIB_LO_HZ) & (freqs <= hi_edge)
    body_bins = (freqs >= BODY_LO_HZ) & (freqs < BODY_HI_HZ)
    tiny = 1e-20
    band = 10 * np.log10(power[sib_bins].sum(axis=0) + tiny)
    body = 10 * np.log10(power[body_bins].sum(axis=0) + tiny)
    frames = power.shape[1]
    centres = np.arange(frames) * hop / sample_rate + n / (2 * sample_rate)
    in_voice = np.ones(frames, bool)
    if voiced is not None and voiced.size:
        k = np.clip((centres / voiced_frame_s).astype(int), 0, voiced.size - 1)
        in_voice = voiced[k]
    floor = float(np.percentile(band, 10))
    loud = band >= max(floor + above_floor_db, float(band.max()) - within_db)
    mask = (band - body >= min_ratio_db) & loud & in_voice
    # close short gaps, then drop short runs
    gap = int(round(CLOSE_GAP_S * sample_rate / hop))
    runs = _runs(mask)
    merged: list[list[int]] = []
    for a, b in runs:
        if merged and a - merged[-1][1] <= gap:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    min_len = int(math.ceil(MIN_EVENT_S * sample_rate / hop))
    keep = [(a, b) for a, b in merged if b - a >= min_len]
    sib = np.zeros(frames, bool)
    for a, b in keep:
        sib[a:b] = True
    half = hop / (2 * sample_rate)
    events = tuple((float(centres[a] - half), float(centres[b - 1] + half)) for a, b in keep)
    rest = in_voice & ~sib & loud
    peak = lo = hi = math.nan
    if keep:
        mean = _smooth_octave(freqs, power[:, sib].mean(axis=1), 1 / 3)
        idx = np.flatnonzero(sib_bins)
        j = idx[int(np.argmax(mean[idx]))]
        peak = float(freqs[j])
        level = mean[j] * 10 ** (-EDGE_DB / 10)
        a = j
        while a - 1 >= idx[0] and mean[a - 1] >= level:
            a -= 1
        b = j
        while b + 1 <= idx[-1] and mean[b + 1] >= level:
            b += 1
        lo, hi = float(freqs[a]), float(freqs[b])
    return Sibilance(events, peak, lo, hi, band, sib, rest, freqs, power, hop / sample_rate, n / sample_rate)
