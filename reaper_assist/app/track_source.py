"""A track as an assistant analyses it: its pre-FX audio (from the media files) and its instrument,
or why it cannot be analysed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reaper_assist.app.track_audio import pre_fx_audio
from reaper_assist.host.base import TrackState

MIN_ACTIVE_S = 1.0  # less sounding audio than this is "too short" to analyse
SILENCE_PEAK_DBFS = -80.0  # a track whose peak stays below this is "silent"
MIN_AUDIO_CONFIDENCE = 0.4  # an audio-only instrument guess below this counts as unknown (generic rules)


@dataclass(frozen=True)
class TrackSource:
    audio: np.ndarray | None  # (channels, samples), pre-FX, at the project rate
    sample_rate: int
    why_not: str  # non-empty when there is nothing to analyse
    instrument: str = "other"
    instrument_confidence: float = 0.0
    instrument_source: str = "default"


def track_source(track: TrackState, sample_rate: int) -> TrackSource:
    """The track's pre-FX audio and instrument, or why it cannot be analysed (never raises)."""
    from reaper_assist.analysis.instruments import recognise

    pre = pre_fx_audio(track, sample_rate)
    why = pre.why_not(track, "analyse")
    if why:
        return TrackSource(None, sample_rate, why)
    ta = pre.audio
    x = np.asarray(ta.audio, dtype=np.float64)
    if x.size == 0 or not np.all(np.isfinite(x)):
        return TrackSource(None, sample_rate, "no audio to analyse" if x.size == 0 else "audio holds NaN/inf samples")
    peak = float(np.max(np.abs(x)))
    if peak <= 10 ** (SILENCE_PEAK_DBFS / 20):
        return TrackSource(None, sample_rate, f"silent (peak below {SILENCE_PEAK_DBFS:g} dBFS): nothing to analyse")
    mask = ta.active_mask
    active_s = (float(np.count_nonzero(mask)) if mask is not None else x.shape[1]) / sample_rate
    if active_s < MIN_ACTIVE_S:
        return TrackSource(None, sample_rate, f"too short: {active_s:.2f} s of audio, at least {MIN_ACTIVE_S:g} s needed")
    g = recognise(track.name, x, sample_rate)
    inst = g.instrument if (g.source != "audio" or g.confidence >= MIN_AUDIO_CONFIDENCE) else "other"
    return TrackSource(x, sample_rate, "", inst, float(g.confidence), g.source)


def instrument_note(src: TrackSource, known: bool) -> str:
    if not known and src.instrument in ("other", "generic", "unknown"):
        return (f"instrument not recognised ({src.instrument_source}, confidence {src.instrument_confidence:.2f}): "
                "generic rules")
    if not known:  # recognised, but this action's table has no row for it
        return (f"{src.instrument} (from {src.instrument_source}, confidence {src.instrument_confidence:.2f}; "
                "no row in this action's rule table): generic rules")
    return f"{src.instrument} (from {src.instrument_source}, confidence {src.instrument_confidence:.2f})"
