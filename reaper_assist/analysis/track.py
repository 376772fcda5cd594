"""One call that measures everything about a track: :func:`analyze_track`.

A single streaming pass feeds the loudness meter (BS.1770-4 / EBU Tech 3341/3342) and the
Welch spectrum together; dynamics come from the loudness pass's 10 ms granules; the instrument
comes from the name or, failing that, from the loudest 12 s of audio (read again through a
caller-supplied function, so a file is never held whole in memory).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from reaper_assist.analysis._validate import as_audio, check_sample_rate
from reaper_assist.analysis.cache import ANALYSIS_VERSION  # defined there (no scipy import with the cache)
from reaper_assist.analysis.dynamics import DynamicsResult, dynamics_from_granules
from reaper_assist.analysis.instruments import (
    MAX_ANALYSIS_S,
    NAME_TRUST,
    InstrumentGuess,
    recognise,
    recognise_name,
)
from reaper_assist.analysis.loudness import LoudnessResult, measure_loudness_stream
from reaper_assist.analysis.spectrum import (
    LongTermSpectrum,
    Resonance,
    _ltas_from_power,
    _WelchAccumulator,
    default_fft_size,
    find_resonances,
)

#: Samples per block when an in-memory array is analysed.
BLOCK_SAMPLES = 1 << 18


@dataclass(frozen=True, eq=False)
class TrackAnalysis:
    """Everything measured about one track.

    Attributes
    ----------
    name : str or None
    sample_rate : float
        Hz.
    loudness : LoudnessResult
    spectrum : LongTermSpectrum
        Third-octave long-term average spectrum.
    resonances : tuple of Resonance
    dynamics : DynamicsResult
    instrument : InstrumentGuess
    """

    name: str | None
    sample_rate: float
    loudness: LoudnessResult
    spectrum: LongTermSpectrum
    resonances: tuple[Resonance, ...]
    dynamics: DynamicsResult
    instrument: InstrumentGuess

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: flat headline figures (``-inf``/NaN become None) plus details."""
        lo, dy, sp = self.loudness, self.dynamics, self.spectrum
        out: dict[str, Any] = {
            "name": self.name,
            "sample_rate": self.sample_rate,
            "channels": lo.channels,
            "duration_s": lo.duration_s,
            "integrated_lufs": lo.integrated_lufs,
            "max_momentary_lufs": lo.max_momentary_lufs,
            "max_short_term_lufs": lo.max_short_term_lufs,
            "lra_lu": lo.lra_lu,
            "sample_peak_dbfs": lo.sample_peak_dbfs,
            "true_peak_dbtp": lo.true_peak_dbtp,
            "rms_dbfs": lo.rms_dbfs,
            "active_rms_dbfs": lo.active_rms_dbfs,
            "too_short": lo.too_short,
            "clipped_samples": lo.clipped_samples,
            "crest_db": dy.crest_db,
            "short_term_crest_db": dy.short_term_crest_db,
            "momentary_range_lu": dy.momentary_range_lu,
            "transient_density_hz": dy.transient_density_hz,
            "noise_floor_dbfs": dy.noise_floor_dbfs,
            "active_fraction": dy.active_fraction,
            "active_regions_s": [list(r) for r in dy.active_regions_s],
            "tilt_db_per_oct": sp.tilt_db_per_oct,
            "low_end_db": sp.low_end_db,
            "low_mid_db": sp.low_mid_db,
            "centroid_hz": sp.centroid_hz,
            "third_octave_hz": sp.band_centres_hz.tolist(),
            "third_octave_db": sp.band_levels_db.tolist(),
            "resonances": [
                {"freq_hz": r.freq_hz, "excess_db": r.excess_db, "q": r.q} for r in self.resonances
            ],
            "instrument": self.instrument.instrument,
            "instrument_confidence": self.instrument.confidence,
            "instrument_source": self.instrument.source,
            "analysis_version": ANALYSIS_VERSION,
        }
        return _json_safe(out)


def _json_safe(value: Any) -> Any:
    """Replace non-finite floats by None (JSON has no -inf), recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def analyze_stream(
    blocks: Iterable[np.ndarray],
    sample_rate: float,
    *,
    name: str | None = None,
    read_excerpt: Callable[[int, int], np.ndarray] | None = None,
) -> TrackAnalysis:
    """:func:`analyze_track` over consecutive ``(channels, samples)`` blocks.

    Parameters
    ----------
    blocks : iterable of array_like, shape (channels, samples)
        The track in order; each block is seen once.
    sample_rate : float
        Hz.
    name : str, optional
        Track name (also used for instrument recognition).
    read_excerpt : callable (start, stop) -> array, optional
        Returns samples ``start:stop`` again, ``(channels, samples)``; used to recognise the
        instrument from the loudest part when the name says nothing. Without it, the
        instrument comes from the name only.
    """
    rate = check_sample_rate(sample_rate, name=name)
    welch: list[_WelchAccumulator] = []

    def tap(source: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        for block in source:
            x = as_audio(block, name=name, check_finite=False)
            if not welch:
                welch.append(_WelchAccumulator(rate, x.shape[0], default_fft_size(rate)))
            yield x
            # after the meter has checked the block for NaN/inf
            welch[0].feed(np.asarray(x, dtype=np.float64))

    loud, gran = measure_loudness_stream(tap(blocks), rate, granule_peaks=True, name=name)
    freqs, power = welch[0].finish()
    spectrum = _ltas_from_power(freqs, power, rate, 3)
    dynamics = dynamics_from_granules(gran, loud)
    instrument = _instrument(name, gran, rate, read_excerpt)
    return TrackAnalysis(
        name, rate, loud, spectrum, find_resonances(spectrum), dynamics, instrument
    )


def _instrument(name, gran, rate, read_excerpt) -> InstrumentGuess:
    by_name = recognise_name(name)
    if (by_name is not None and by_name.confidence >= NAME_TRUST) or read_excerpt is None:
        return recognise(name)
    # loudest MAX_ANALYSIS_S of the track, located from the 10 ms granule energies
    width = int(MAX_ANALYSIS_S * 100)
    energy = gran.raw_energy
    if energy.size > width:
        start_g = int(np.argmax(np.convolve(energy, np.ones(width), mode="valid")))
    else:
        start_g = 0
    edges = np.concatenate([[0], np.cumsum(gran.counts)])
    start = int(edges[start_g])
    stop = int(edges[min(start_g + width, len(edges) - 1)])
    return recognise(name, read_excerpt(start, max(stop, start)), rate)


def analyze_track(
    audio: np.ndarray, sample_rate: float, *, name: str | None = None
) -> TrackAnalysis:
    """Loudness, spectrum, resonances, dynamics and instrument of one track.

    Parameters
    ----------
    audio : array_like, shape (channels, samples) or (samples,)
        Linear samples, 1.0 = full scale.
    sample_rate : float
        Hz.
    name : str, optional
        Track name: decides the instrument when it names one, and appears in error messages.

    Returns
    -------
    TrackAnalysis

    Raises
    ------
    InvalidAudioError
        NaN/inf samples or an impossible shape.
    ParameterError
        Invalid sample rate.
    """
    x = as_audio(audio, name=name, check_finite=False)
    blocks = (x[:, i : i + BLOCK_SAMPLES] for i in range(0, max(x.shape[1], 1), BLOCK_SAMPLES))
    return analyze_stream(blocks, sample_rate, name=name, read_excerpt=lambda a, b: x[:, a:b])
