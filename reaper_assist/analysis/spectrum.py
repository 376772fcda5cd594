"""Spectrum: long-term average spectrum, tilt, resonances, low-end energy, masking.

The long-term average spectrum (LTAS) is a Welch estimate (Hann window, 50 % overlap) of the
mean-square power per frequency bin, averaged over frames and channels and scaled so that the
bins add up to the signal's mean square: a full-scale sine reads -3.01 dB in its band, the same
as ``rms_dbfs`` of :mod:`reaper_assist.analysis.loudness`. Fractional-octave bands follow the
base-2 band edges of IEC 61260-1 (centre ``1000 * 2**(k/N)`` Hz, edges at ``2**(+-1/(2N))``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import median_filter
from scipy.signal import find_peaks

from reaper_assist.analysis._validate import as_audio, check_sample_rate
from reaper_assist.errors import ParameterError
from reaper_assist.units import db_to_power, power_to_db, power_to_db_array

#: Frequency range analysed, Hz (audible range).
MIN_FREQ_HZ = 20.0
MAX_FREQ_HZ = 20000.0
#: Energy bands used by the mixing rules, Hz.
LOW_END_BAND_HZ = (20.0, 120.0)
LOW_MID_BAND_HZ = (200.0, 500.0)
#: Band range over which the tilt is fitted, Hz.
TILT_BAND_HZ = (50.0, 16000.0)
#: Resolution of the log-frequency grid used for resonance search, points per octave.
_GRID_PER_OCT = 96
_FLOOR = 1e-30  # power floor (-300 dB) that keeps logarithms finite without warnings


def parabolic_peak(y0: float, y1: float, y2: float) -> tuple[float, float]:
    """(offset in bins, level) of a spectral peak between its bins: the vertex of the parabola
    through the peak bin's dB level ``y1`` and its two neighbours' (quadratic interpolation,
    J. O. Smith, *Spectral Audio Signal Processing*, "Quadratic Interpolation of Spectral Peaks").
    No offset where ``y1`` is no local maximum; the offset is at most half a bin."""
    den = y0 - 2.0 * y1 + y2
    if not (y1 >= y0 and y1 >= y2) or den >= 0.0:
        return 0.0, float(y1)
    d = float(np.clip(0.5 * (y0 - y2) / den, -0.5, 0.5))
    return d, float(y1 - 0.25 * (y0 - y2) * d)


def peak_hz(freqs_hz: np.ndarray, level_db: np.ndarray, lo_hz: float, hi_hz: float) -> float | None:
    """The strongest peak of a spectrum (uniform bins, dB) within ``lo_hz``..``hi_hz``,
    interpolated between its bins (:func:`parabolic_peak`); None with no bin there."""
    f = np.asarray(freqs_hz, dtype=np.float64)
    y = np.asarray(level_db, dtype=np.float64)
    idx = np.nonzero((f >= lo_hz) & (f <= hi_hz) & np.isfinite(y))[0]
    if idx.size == 0:
        return None
    return bin_peak_hz(f, y, int(idx[np.argmax(y[idx])]))


def lowest_peak_hz(freqs_hz: np.ndarray, level_db: np.ndarray, lo_hz: float, hi_hz: float,
                   within_db: float) -> float | None:
    """The lowest peak (a bin higher than its neighbours) within ``lo_hz``..``hi_hz`` that stands
    within ``within_db`` of the strongest bin there, interpolated between its bins; None where no
    bin there is such a peak. A drum's lowest strong mode is its fundamental, which the strongest (a
    shell's or a beater's mode) often is not."""
    f = np.asarray(freqs_hz, dtype=np.float64)
    y = np.asarray(level_db, dtype=np.float64)
    idx = np.nonzero((f >= lo_hz) & (f <= hi_hz) & np.isfinite(y))[0]
    if idx.size == 0:
        return None
    top = float(np.max(y[idx]))
    for i in idx:
        if 0 < i < len(f) - 1 and y[i] >= top - within_db and y[i] > y[i - 1] and y[i] >= y[i + 1]:
            return bin_peak_hz(f, y, int(i))
    return None


def bin_peak_hz(freqs_hz: np.ndarray, level_db: np.ndarray, i: int) -> float:
    """Bin ``i``'s peak frequency between the bins (uniform bins, dB; :func:`parabolic_peak`);
    the bin's own frequency at the spectrum's ends or beside a non-finite level."""
    f, y = freqs_hz, level_db
    if i <= 0 or i >= len(f) - 1 or not (np.isfinite(y[i - 1]) and np.isfinite(y[i + 1])):
        return float(f[i])
    d, _ = parabolic_peak(float(y[i - 1]), float(y[i]), float(y[i + 1]))
    return float(f[i] + d * (f[1] - f[0]))


def default_fft_size(sample_rate: float) -> int:
    """Welch frame length: the power of two nearest 0.34 s (16384 at 44.1/48 kHz)."""
    return int(2 ** round(math.log2(sample_rate * 0.34)))


@dataclass(frozen=True, eq=False)
class LongTermSpectrum:
    """Long-term average spectrum of one signal.

    Attributes
    ----------
    freqs_hz : ndarray, shape (bins,)
        Bin frequencies of the fine spectrum, Hz.
    power_db : ndarray, shape (bins,)
        Mean-square power per bin, dB re full scale (bins sum to the mean square).
    band_centres_hz, band_levels_db : ndarray, shape (bands,)
        Fractional-octave band centres (Hz) and band powers (dB re full scale).
    fraction : int
        Bands per octave.
    total_db : float
        Mean-square power of the whole signal (dB re full scale), all channels.
    tilt_db_per_oct : float
        Least-squares slope of the band levels against log2 frequency, 50 Hz-16 kHz:
        pink noise 0, white noise +3 dB/octave. NaN for silence.
    low_end_db, low_mid_db : float
        Power in 20-120 Hz and 200-500 Hz relative to the total, dB (``-inf`` if none).
    centroid_hz : float
        Power-weighted mean frequency, Hz (NaN for silence).
    sample_rate : float
    """

    freqs_hz: np.ndarray
    power_db: np.ndarray
    band_centres_hz: np.ndarray
    band_levels_db: np.ndarray
    fraction: int
    total_db: float
    tilt_db_per_oct: float
    low_end_db: float
    low_mid_db: float
    centroid_hz: float
    sample_rate: float

    def band_power_db(self, low_hz: float, high_hz: float) -> float:
        """Power between two frequencies (dB re full scale) from the fine spectrum."""
        p = db_to_power(self.power_db)
        sel = (self.freqs_hz >= low_hz) & (self.freqs_hz < high_hz)
        return power_to_db(float(p[sel].sum()))


@dataclass(frozen=True)
class Resonance:
    """A narrow peak standing above the smoothed spectrum.

    Attributes
    ----------
    freq_hz : float
        Centre frequency, Hz.
    excess_db : float
        Height above the octave-wide smoothed spectrum, dB.
    q : float
        ``freq_hz / bandwidth`` between the points where the excess falls to half its dB
        value: the Q of the RBJ-cookbook peaking EQ that would model (or cancel) it.
    """

    freq_hz: float
    excess_db: float
    q: float


@dataclass(frozen=True, eq=False)
class MaskingResult:
    """How much a masker track covers a target track, per fractional-octave band.

    Attributes
    ----------
    band_centres_hz : ndarray, shape (bands,)
    masking_ratio : ndarray, shape (bands,)
        Mean over frames where the target is active in the band of the masker's share of the
        band power, ``E_masker / (E_masker + E_target)``: 0 = no masking, 0.5 = equal, -> 1 =
        the target is buried. NaN where the target is never active.
    masker_to_target_db : ndarray, shape (bands,)
        ``10 log10(mean E_masker / mean E_target)`` over those frames, dB.
    overlap_fraction : ndarray, shape (bands,)
        Fraction of those frames in which the masker is no more than 6 dB below the target.
    overall_masking : float
        ``masking_ratio`` averaged over bands weighted by the target's band power.
    """

    band_centres_hz: np.ndarray
    masking_ratio: np.ndarray
    masker_to_target_db: np.ndarray
    overlap_fraction: np.ndarray
    overall_masking: float


# --- fractional-octave bands ----------------------------------------------------------------------


def octave_bands(fraction: int, sample_rate: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centres, lower and upper edges (Hz) of 1/``fraction`` octave bands in 20 Hz-20 kHz.

    Base-2 bands of IEC 61260-1: centres ``1000 * 2**(k / fraction)``, edges at
    ``2**(+-1 / (2 fraction))`` of the centre; only bands whose upper edge is below Nyquist.
    """
    if fraction < 1 or fraction > 48:
        raise ParameterError(f"fraction={fraction} bands per octave is outside [1, 48]")
    k_lo = math.ceil(fraction * math.log2(MIN_FREQ_HZ / 1000.0))
    k_hi = math.floor(fraction * math.log2(MAX_FREQ_HZ / 1000.0))
    centres = 1000.0 * 2.0 ** (np.arange(k_lo, k_hi + 1) / fraction)
    lo = centres * 2.0 ** (-0.5 / fraction)
    hi = centres * 2.0 ** (0.5 / fraction)
    keep = hi < sample_rate / 2
    return centres[keep], lo[keep], hi[keep]


def _band_sums(freqs: np.ndarray, power: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sum of ``power`` (last axis) over bins with lo <= f < hi, per band."""
    cum = np.concatenate([np.zeros(power.shape[:-1] + (1,)), np.cumsum(power, axis=-1)], axis=-1)
    i_lo = np.searchsorted(freqs, lo)
    i_hi = np.searchsorted(freqs, hi)
    return cum[..., i_hi] - cum[..., i_lo]


# --- Welch accumulation (streamable) -------------------------------------------------------------


class _WelchAccumulator:
    """Mean-square power per bin over Hann frames at 50 % overlap, fed block by block."""

    def __init__(self, sample_rate: float, channels: int, n_fft: int):
        self.rate = sample_rate
        self.n_fft = n_fft
        self.hop = n_fft // 2
        self.window = np.hanning(n_fft + 1)[:-1]  # periodic Hann: sums exactly at 50 % overlap
        self.carry = np.zeros((channels, 0))
        self.sum_power = np.zeros(n_fft // 2 + 1)
        self.frames = 0
        self.samples = 0
        self.channels = channels

    def feed(self, block: np.ndarray) -> None:
        self.samples += block.shape[1]
        data = np.concatenate([self.carry, block], axis=1) if self.carry.size else block
        n = data.shape[1]
        if n < self.n_fft:
            self.carry = data.copy()
            return
        count = (n - self.n_fft) // self.hop + 1
        batch = max(1, 262_144 // (self.n_fft * self.channels))  # ~2 MB of frames at a time
        for start in range(0, count, batch):
            stop = min(count, start + batch)
            idx = (np.arange(start, stop) * self.hop)[:, None] + np.arange(self.n_fft)
            frames = data[:, idx] * self.window  # (channels, frames, n_fft)
            spec = np.fft.rfft(frames, axis=-1)
            self.sum_power += (spec.real**2 + spec.imag**2).sum(axis=(0, 1))
            self.frames += stop - start
        self.carry = data[:, count * self.hop :].copy()

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        """Frequencies (Hz) and one-sided mean-square power per bin, averaged over channels."""
        if self.frames == 0 and self.carry.shape[1] > 0:
            # shorter than one frame: one Hann window of the signal's own length, zero-padded,
            # scaled so that the bins still add up to the mean square
            m = self.carry.shape[1]
            w = np.hanning(m + 1)[:-1] if m > 1 else np.ones(1)
            frame = np.zeros((self.channels, self.n_fft))
            frame[:, :m] = self.carry * w
            spec = np.fft.rfft(frame, axis=-1)
            scale = np.sum(self.window**2) / max(np.sum(w**2), 1e-12)
            self.sum_power += (spec.real**2 + spec.imag**2).sum(axis=0) * scale
            self.frames = 1
        freqs = np.fft.rfftfreq(self.n_fft, 1.0 / self.rate)
        if self.frames == 0:
            return freqs, np.zeros_like(freqs)
        # Parseval with a window: sum |X|^2 / (n sum w^2) is the mean square of the frame
        power = self.sum_power / (self.frames * self.channels * self.n_fft * np.sum(self.window**2))
        power[1:-1] *= 2.0  # one-sided
        return freqs, power


def _ltas_from_power(
    freqs: np.ndarray, power: np.ndarray, rate: float, fraction: int
) -> LongTermSpectrum:
    centres, lo, hi = octave_bands(fraction, rate)
    band_power = _band_sums(freqs, power, lo, hi)
    total = float(power.sum())
    band_db = power_to_db_array(band_power)
    fit = (centres >= TILT_BAND_HZ[0]) & (centres <= TILT_BAND_HZ[1]) & (band_power > 0)
    if fit.sum() >= 3:
        # bands narrower than a few bins at low frequency are noisy: weight by bins per band
        slope = float(np.polyfit(np.log2(centres[fit]), band_db[fit], 1)[0])
    else:
        slope = math.nan

    def rel(band: tuple[float, float]) -> float:
        sel = (freqs >= band[0]) & (freqs < band[1])
        return power_to_db(float(power[sel].sum()) / total) if total > 0 else -math.inf

    return LongTermSpectrum(
        freqs_hz=freqs,
        power_db=power_to_db_array(power),
        band_centres_hz=centres,
        band_levels_db=band_db,
        fraction=fraction,
        total_db=power_to_db(total),
        tilt_db_per_oct=slope,
        low_end_db=rel(LOW_END_BAND_HZ),
        low_mid_db=rel(LOW_MID_BAND_HZ),
        centroid_hz=float((freqs * power).sum() / total) if total > 0 else math.nan,
        sample_rate=rate,
    )


def long_term_spectrum(
    audio: np.ndarray,
    sample_rate: float,
    *,
    fraction: int = 3,
    n_fft: int | None = None,
    name: str | None = None,
) -> LongTermSpectrum:
    """Long-term average spectrum in 1/``fraction`` octave bands, with tilt and band energies.

    Parameters
    ----------
    audio : array_like, shape (channels, samples) or (samples,)
        Linear samples, 1.0 = full scale.
    sample_rate : float
        Hz.
    fraction : int
        Bands per octave (3 = third-octave, IEC 61260-1 base-2 bands).
    n_fft : int, optional
        Welch frame length in samples; default :func:`default_fft_size` (2.9 Hz bins at 48 kHz,
        fine enough to resolve a Q 8 resonance at 100 Hz).
    name : str, optional
        Track name for error messages.

    Returns
    -------
    LongTermSpectrum
        Silence gives ``-inf`` levels and NaN tilt/centroid; a signal shorter than one frame
        is analysed as one zero-padded frame.

    Raises
    ------
    InvalidAudioError
        NaN/inf samples or an impossible shape.
    """
    rate = check_sample_rate(sample_rate, name=name)
    x = as_audio(audio, name=name)
    acc = _WelchAccumulator(rate, x.shape[0], n_fft or default_fft_size(rate))
    step = 1 << 18
    for start in range(0, x.shape[1], step):
        acc.feed(np.asarray(x[:, start : start + step], dtype=np.float64))
    freqs, power = acc.finish()
    return _ltas_from_power(freqs, power, rate, fraction)


# --- resonances -----------------------------------------------------------------------------------


def _log_grid_power(
    freqs: np.ndarray, power: np.ndarray, fmin: float, fmax: float
) -> tuple[np.ndarray, np.ndarray]:
    """Mean power density on a 1/96-octave grid (exact cell averages via the cumulative sum)."""
    n = math.floor(_GRID_PER_OCT * math.log2(fmax / fmin)) + 1
    grid = fmin * 2.0 ** (np.arange(n) / _GRID_PER_OCT)
    return grid, _cell_power(freqs, power, grid)


def _cell_power(freqs: np.ndarray, power: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Mean power density of each 1/96-octave cell centred on ``grid`` (Hz)."""
    half = 2.0 ** (0.5 / _GRID_PER_OCT)
    df = freqs[1] - freqs[0]
    cum = np.concatenate([[0.0], np.cumsum(power)])  # cum[i] = power of bins < i
    # bin i covers [f_i - df/2, f_i + df/2): position in "bins" of a frequency is f/df + 0.5
    pos = lambda f: np.clip(f / df + 0.5, 0, len(power))
    lo, hi = pos(grid / half), pos(grid * half)
    c_lo = np.interp(lo, np.arange(len(cum)), cum)
    c_hi = np.interp(hi, np.arange(len(cum)), cum)
    return (c_hi - c_lo) / np.maximum(hi - lo, 1e-12)


def find_resonances(
    spectrum: LongTermSpectrum,
    *,
    min_excess_db: float = 3.0,
    smoothing_oct: float = 1.0,
    min_freq_hz: float = 30.0,
    max_freq_hz: float = 16000.0,
    max_count: int = 8,
    width_oct: float | None = None,
) -> tuple[Resonance, ...]:
    """Narrow peaks of the long-term spectrum above its octave-wide smoothed shape.

    The fine spectrum is averaged onto a 1/96-octave grid and lightly smoothed (1/24
    octave, so single harmonics of a tonal part count less than a resonant band); the
    baseline is a running median over ``smoothing_oct`` octaves. Peaks of the difference
    above ``min_excess_db`` are reported with their half-excess Q (the RBJ-cookbook
    peaking-EQ definition: bandwidth between the midpoint-gain frequencies).

    Parameters
    ----------
    spectrum : LongTermSpectrum
        From :func:`long_term_spectrum`.
    min_excess_db : float
        Minimum height above the smoothed spectrum, dB.
    smoothing_oct : float
        Width of the baseline median, octaves.
    min_freq_hz, max_freq_hz : float
        Search range, Hz (capped at 0.9 x Nyquist).
    max_count : int
        At most this many, largest excess first.
    width_oct : float, optional
        Read the Q on the spectrum power-averaged over this many octaves (e.g. 1/7) instead of at
        the tip: on a noisy spectrum (drums) the tip of a broad resonance is a narrow spike of the
        estimate, and its half-excess width is the spike's, not the resonance's. The height and
        centre stay the tip's.

    Returns
    -------
    tuple of Resonance
        Sorted by decreasing excess; empty for silence.
    """
    fmax = min(max_freq_hz, 0.45 * spectrum.sample_rate)
    power = db_to_power(spectrum.power_db)
    if not np.any(power > 0) or fmax <= min_freq_hz * 2:
        return ()
    grid, level, baseline, excess = _excess_profile(spectrum, min_freq_hz, fmax, smoothing_oct)
    peaks, _ = find_peaks(excess, height=min_excess_db, distance=_GRID_PER_OCT // 12)
    wide, w = None, 0
    if width_oct:
        w = max(3, round(width_oct * _GRID_PER_OCT) | 1)
        mean = _wide_mean(spectrum, grid, w)
        wide = power_to_db_array(np.maximum(mean, _FLOOR)) - baseline
    found = []
    for p in peaks:
        band = _half_band(grid, excess, p)
        if wide is not None:  # the width of the averaged peak at the tip (its top within w/2), if any
            top = max(0, p - w // 2) + int(np.argmax(wide[max(0, p - w // 2): p + w // 2 + 1]))
            band = _half_band(grid, wide, top) if wide[top] > 0.0 else band
        if band is None:
            continue
        # height from the unsmoothed level: the light smoothing only steers the search
        height = float(np.max(level[max(0, p - 2) : p + 3] - baseline[max(0, p - 2) : p + 3]))
        if height < min_excess_db:
            continue
        found.append(Resonance(float(grid[p]), height, float(grid[p] / (band[1] - band[0]))))
    found.sort(key=lambda r: -r.excess_db)
    return tuple(found[:max_count])


def _wide_mean(spectrum: LongTermSpectrum, grid: np.ndarray, w: int) -> np.ndarray:
    """Power density averaged over ``w`` (odd) grid points centred on each point of ``grid``.

    The window reads the spectrum past the search range's ends (the grid continued by ``w // 2``
    points each side), so a point near an end averages what is there, not zeros; only cells
    past 0 Hz or the last bin are left out (the mean is over the cells that exist).
    """
    h = w // 2
    ext = grid[0] * 2.0 ** (np.arange(-h, len(grid) + h) / _GRID_PER_OCT)
    freqs = spectrum.freqs_hz
    df = freqs[1] - freqs[0]
    cell = 2.0 ** (0.5 / _GRID_PER_OCT)
    valid = ((ext / cell >= freqs[0] - df / 2) & (ext * cell <= freqs[-1] + df / 2)).astype(np.float64)
    density = _cell_power(freqs, db_to_power(spectrum.power_db), ext)
    ones = np.ones(w)
    mean = np.convolve(density * valid, ones, mode="same") / np.maximum(np.convolve(valid, ones, mode="same"), 1.0)
    return mean[h : h + len(grid)]


def _half_band(grid: np.ndarray, excess: np.ndarray, p: int) -> tuple[float, float] | None:
    """(low, high) Hz where ``excess`` falls to half its value at grid point ``p``, or None."""
    half = excess[p] / 2.0
    left = p
    while left > 0 and excess[left] > half:
        left -= 1
    right = p
    while right < len(excess) - 1 and excess[right] > half:
        right += 1
    f_lo = _cross(grid, excess, left, left + 1, half)
    f_hi = _cross(grid, excess, right - 1, right, half)
    return (f_lo, f_hi) if f_hi > f_lo else None


def _excess_profile(spectrum: LongTermSpectrum, fmin: float, fmax: float,
                    smoothing_oct: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(1/96-octave grid, level dB, running-median baseline dB, lightly smoothed level - baseline)."""
    grid, density = _log_grid_power(spectrum.freqs_hz, db_to_power(spectrum.power_db), fmin, fmax)
    level = power_to_db_array(np.maximum(density, _FLOOR))
    # 5/96 ~ 1/20 octave, cut at the ends (a zero-padded mean of dB would read the ends near 0 dB)
    light = np.convolve(level, np.ones(5), mode="same") / np.convolve(np.ones(len(level)), np.ones(5), mode="same")
    width = max(3, round(smoothing_oct * _GRID_PER_OCT) | 1)
    baseline = median_filter(level, size=width, mode="nearest")
    return grid, level, baseline, light - baseline


def excess_over_smoothed(
    spectrum: LongTermSpectrum,
    *,
    min_freq_hz: float = 30.0,
    max_freq_hz: float = 16000.0,
    smoothing_oct: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Height of the spectrum over its ``smoothing_oct``-wide running median, on the 1/96-octave
    grid of :func:`find_resonances` (1/20-octave light smoothing): (grid_hz, excess_db)."""
    fmax = min(max_freq_hz, 0.45 * spectrum.sample_rate)
    if fmax <= min_freq_hz * 2:
        return np.zeros(0), np.zeros(0)
    grid, _, _, excess = _excess_profile(spectrum, min_freq_hz, fmax, smoothing_oct)
    return grid, excess


def _cross(grid: np.ndarray, y: np.ndarray, i: int, j: int, level: float) -> float:
    """Frequency (log-interpolated) where y crosses ``level`` between grid points i and j."""
    if y[j] == y[i]:
        return float(grid[i])
    t = min(1.0, max(0.0, (level - y[i]) / (y[j] - y[i])))
    return float(grid[i] * (grid[j] / grid[i]) ** t)


# --- masking ---------------------------------------------------------------------------------------


def masking(
    target: np.ndarray,
    masker: np.ndarray,
    sample_rate: float,
    *,
    fraction: int = 3,
    n_fft: int | None = None,
    active_range_db: float = 40.0,
    names: tuple[str | None, str | None] = (None, None),
) -> MaskingResult:
    """Per-band masking of ``target`` by ``masker`` (e.g. vocal by guitars), time-resolved.

    Both signals are cut into Hann frames (``n_fft``, 50 % overlap; by default 85-93 ms,
    4096 samples at 44.1 and 48 kHz and 8192 at 88.2 and 96: a fixed 4096 at 96 kHz made 23 Hz bins,
    and a kick's 34-73 Hz band held none, so a bass never masked it) and their power is summed
    into 1/``fraction`` octave bands per frame. A frame counts for a band when the target is
    within ``active_range_db`` of its own loudest frame in that band (and above -100 dBFS);
    masking is measured only there, so parts that never play together do not mask.

    Parameters
    ----------
    target, masker : array_like, shape (channels, samples) or (samples,)
        Channels are power-averaged; the longer signal is cut to the shorter.
    sample_rate : float
        Hz, common to both.

    Returns
    -------
    MaskingResult
    """
    rate = check_sample_rate(sample_rate, name=names[0])
    a = as_audio(target, name=names[0])
    b = as_audio(masker, name=names[1])
    n = min(a.shape[1], b.shape[1])
    centres, lo, hi = octave_bands(fraction, rate)
    n_fft = int(n_fft or default_fft_size(rate) // 4)  # a quarter of the Welch frame: 85-93 ms
    window = np.hanning(n_fft + 1)[:-1]
    hop = n_fft // 2
    freqs = np.fft.rfftfreq(n_fft, 1.0 / rate)

    def band_frames(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x[:, :n], dtype=np.float64)
        if n < n_fft:
            x = np.pad(x, ((0, 0), (0, n_fft - n)))
        count = (x.shape[1] - n_fft) // hop + 1
        out = np.empty((count, len(centres)))
        for start in range(0, count, 256):
            stop = min(count, start + 256)
            idx = (np.arange(start, stop) * hop)[:, None] + np.arange(n_fft)
            spec = np.fft.rfft(x[:, idx] * window, axis=-1)
            power = (spec.real**2 + spec.imag**2).mean(axis=0)
            out[start:stop] = _band_sums(freqs, power, lo, hi)
        return out

    ea, eb = band_frames(a), band_frames(b)
    floor = db_to_power(-100.0) * n_fft * np.sum(window**2)
    active = (ea > np.max(ea, axis=0) * db_to_power(-active_range_db)) & (ea > floor)
    n_act = active.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(active, eb / np.maximum(ea + eb, _FLOOR), 0.0).sum(axis=0) / n_act
        mean_a = np.where(active, ea, 0.0).sum(axis=0) / n_act
        mean_b = np.where(active, eb, 0.0).sum(axis=0) / n_act
        ratio_db = power_to_db_array(mean_b) - power_to_db_array(mean_a)
        overlap = (active & (eb >= ea * db_to_power(-6.0))).sum(axis=0) / n_act
    share = np.where(n_act > 0, share, np.nan)
    ratio_db = np.where(n_act > 0, ratio_db, np.nan)
    overlap = np.where(n_act > 0, overlap, np.nan)
    weights = np.where(n_act > 0, np.nan_to_num(mean_a), 0.0)
    overall = float(np.nansum(share * weights) / weights.sum()) if weights.sum() > 0 else math.nan
    return MaskingResult(centres, share, ratio_db, overlap, overall)


# --- spectral lines --------------------------------------------------------------------------------


def spectral_lines(
    spectrum: LongTermSpectrum,
    *,
    min_hz: float = 25.0,
    max_hz: float = 1200.0,
    min_excess_db: float = 6.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Narrow peaks of the long-term spectrum (the partials of played notes), Hz and dB.

    A line stands ``min_excess_db`` above the 1/3-octave running median and is no wider (between
    its half-excess points) than four bins or 1/12 of its frequency, whichever is wider: band
    noise such as rumble makes a broad hump. The hump's own ripple can still leave narrow peaks
    that pass; ``analysis.pitch`` tells those from notes by the hump under them.

    Returns
    -------
    (freqs_hz, level_db) : tuple of ndarray
        Sorted by frequency.
    """
    fmax = min(max_hz, 0.45 * spectrum.sample_rate)
    power = db_to_power(spectrum.power_db)
    if not np.any(power > 0) or fmax <= min_hz:
        return np.zeros(0), np.zeros(0)
    grid, density = _log_grid_power(spectrum.freqs_hz, power, min_hz, fmax)
    level = power_to_db_array(np.maximum(density, _FLOOR))
    baseline = median_filter(level, size=_GRID_PER_OCT // 3 | 1, mode="nearest")
    excess = level - baseline
    peaks, _ = find_peaks(excess, height=min_excess_db)
    df = spectrum.freqs_hz[1] - spectrum.freqs_hz[0]
    keep = []
    for p in peaks:
        half = excess[p] / 2.0
        left, right = p, p
        while left > 0 and excess[left] > half:
            left -= 1
        while right < len(excess) - 1 and excess[right] > half:
            right += 1
        if grid[right] - grid[left] <= max(4.0 * df, grid[p] / 12.0):
            keep.append(p)
    idx = np.array(keep, dtype=int)
    return grid[idx], level[idx]
