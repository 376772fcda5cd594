"""Pitch of the played notes (librosa's probabilistic YIN) and the lowest note a track plays.

Mixing rules need the fundamentals of what is *played*, not the lowest peak of the spectrum:
rumble at 25-40 Hz is a strong low peak but has no pitch. pYIN (Mauch & Dixon 2014, "pYIN: a
fundamental frequency estimator using probabilistic threshold distributions", ICASSP) tracks the
fundamental frame by frame and says which frames are voiced; rumble, noise and silence are not.

Cost is bounded: at most ``max_seconds`` of the loudest (active) audio is analysed, resampled to
``ANALYSIS_RATE`` (its Nyquist, 4 kHz, is far above any fundamental we look for), with a 50 ms hop
(``bench/bench_tone.py`` measures it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, sosfilt

from reaper_assist.analysis._validate import as_audio, check_sample_rate
from reaper_assist.analysis.spectrum import LongTermSpectrum, bin_peak_hz
from reaper_assist.errors import ParameterError
from reaper_assist.units import db_to_power, power_to_db

ANALYSIS_RATE = 8000  # Hz; pYIN runs on a resampled mono mix
FRAME_LENGTH = 1024  # samples at ANALYSIS_RATE: 128 ms, four periods of 31 Hz
#: pYIN sees the steady band noise of rumble as a (wrong) low pitch; the tracker hears the signal
#: through a steep high-pass here. A note's period survives it through its harmonics (a 41 Hz
#: bass note is still tracked at 41 Hz: the missing-fundamental effect).
PREFILTER_HZ = 60.0
PREFILTER_ORDER = 8
HOP_S = 0.05
CHUNK_S = 1.0  # active audio is chosen in chunks of this length
ACTIVE_RANGE_DB = 30.0  # a chunk counts as active within this many dB of the loudest chunk
#: pYIN is scale-invariant: in a part's rests it finds a "pitch" in whatever is left (rumble
#: through the prefilter, hum, noise). A frame whose prefiltered energy lies this far under the
#: part's loud frames (95th percentile) is not a played note (tuning split: rumble-only frames of
#: a lead's and a comping keys part's rests read 30-37 Hz at 48-71 dB under; the quietest played
#: frames lie within 45 dB).
VOICED_RANGE_DB = 45.0
#: Below this, a spectral line counts as a note's partial for the chord correction only with
#: harmonics of its own (strong lines at 2x and 3x): band noise (rumble) can leave a narrow ripple peak,
#: a played low note has overtones. (One of the two is not enough: on the tuning split a rumble
#: ripple at 34.7 Hz under a guitar chord passed on the chord's 104 Hz note, its 3x.)
HARMONIC_CHECK_MAX_HZ = 400.0
#: ... within a quarter tone, the bound included (every "is there a line at this frequency" of this
#: module, ``_has_line``): spectral lines are read on a 1/96-octave grid
#: (``spectrum.spectral_lines``), so a line and its octave lie a whole number of cells apart, and
#: 4 cells is a quarter tone exactly. In floating point the log of that ratio came out 1/24 plus a
#: rounding error, and the check failed (tuning split, 32 s stems: a MuseScore distortion riff's C#2
#: line at 67.2 Hz, 4 cells under half its 138.4 Hz line, was no partial, the part's lowest sounding
#: line was read at 104 Hz, and the high-pass took 2.0 dB off the C#2).
HARMONIC_TOL_OCT = 1.0 / 24.0 + 1e-9
#: Under this, a line that sits on a band of noise is no note's partial: rumble is a band standing
#: out of the spectrum around it, and its ripple leaves "lines" whose 2x and 3x can meet a chord's
#: own lines within the harmonic check's quarter tone (tuning split at 44.1 kHz: three guitars read
#: such a ripple, or a noise-floor ripple, as their lowest note). A line is on such a band when the
#: mean power within 1/12 octave of it (3 bins or more away) stands :data:`BAND_NOISE_DB` over the
#: median 1/4-1/2 octave away. Tuning split, every tonal stem with MIDI notes, dry and with rumble
#: (``bench/proto_line_precision.py``): no note's line under 70 Hz stood more than 15.5 dB so; on
#: non-bass stems the rumble's lines stood 27-34 dB (quartile to median).
BAND_NOISE_MAX_HZ = 70.0
BAND_NOISE_DB = 20.0
#: ... and the line stands no more than this over that band (its peak bin over the band's mean): a
#: clean tone's window skirts are a "hump" over an empty spectrum too, 40 dB and more under its peak,
#: while the rumble's ripple lines stood at most 17.3 dB over the bins 3-6 away on the same stems.
BAND_NOISE_RIPPLE_DB = 20.0
#: A one-note-at-a-time part's frame that pYIN gives a lower voicing probability than this is no
#: note, even where its HMM path calls it voiced: the tracked pitch of such parts is used as it is
#: (no chord correction), and on the tuning split the frames below it were a GM bass's E1 (41.2 Hz)
#: read a fourth or a third down (30.9, 32.7 Hz, probability 0.01-0.03; its notes' median 0.4-0.7).
#: Chords are not filtered: pYIN's probability is low on them by nature (several periods at once),
#: and 0.05 on them left 12 of 105 tuning tonal stems untracked (2 without it), 6 of them read right before.
MONOPHONIC_MIN_VOICED_PROBABILITY = 0.05
#: A chord part's line this close (dB) to its strongest line that is no rumble ripple, with partials of
#: its own, is a played note. Above :data:`BAND_NOISE_MAX_HZ` such a loud line also counts by its level
#: alone as a harmonic of the tracked pitch for the chord correction: a note's line can be read off its
#: partials' quarter tone (tuning split: a TimGM6mb distortion riff's smeared F2 tops out at 89.7 Hz at
#: 44.1 kHz, its 3x missed the check, and the F1 frames pYIN followed were moved to C3, not to F2).
CHORD_NOTE_RANGE_DB = 12.0
#: pYIN's pitch grid, semitones per bin.
PYIN_RESOLUTION = 0.25


@dataclass(frozen=True, eq=False)
class PitchTrack:
    """Frame-wise fundamental of a (mostly) monophonic part, over its active audio.

    Attributes
    ----------
    f0_hz : ndarray, shape (frames,)
        Fundamental per frame, Hz; NaN where pYIN calls the frame unvoiced.
    voiced_probability : ndarray, shape (frames,)
    voiced_fraction : float
        Share of the analysed frames that are voiced (0 for noise, rumble, silence).
    lowest_hz, median_hz, highest_hz : float or None
        5th, 50th and 95th percentile of the voiced f0 (None when fewer than ``min_voiced``
        frames are voiced): the lowest note played, robust to single-frame octave errors.
    seconds_analysed : float
        Active audio that went into the estimate (<= ``max_seconds``).
    """

    f0_hz: np.ndarray
    voiced_probability: np.ndarray
    voiced_fraction: float
    lowest_hz: float | None
    median_hz: float | None
    highest_hz: float | None
    seconds_analysed: float


def active_excerpt(mono: np.ndarray, sample_rate: float, *, max_seconds: float, chunk_s: float = CHUNK_S,
                   active_range_db: float = ACTIVE_RANGE_DB) -> np.ndarray:
    """At most ``max_seconds`` of a mono signal: its active ``chunk_s`` chunks (within
    ``active_range_db`` of the loudest), evenly spread over the track, joined in order."""
    n = max(1, round(chunk_s * sample_rate))
    count = mono.size // n
    if count == 0:
        return mono
    chunks = mono[: count * n].reshape(count, n)
    energy = np.mean(chunks**2, axis=1)
    if not np.any(energy > 0):
        return mono[:0]
    active = np.nonzero(energy >= energy.max() * 10.0 ** (-active_range_db / 10.0))[0]
    keep = max(1, int(max_seconds / chunk_s))
    if active.size > keep:
        active = active[np.round(np.linspace(0, active.size - 1, keep)).astype(int)]
    return chunks[active].reshape(-1)


def pitch_track(
    audio: np.ndarray,
    sample_rate: float,
    *,
    fmin_hz: float = 30.0,
    fmax_hz: float = 1000.0,
    max_seconds: float = 30.0,
    min_voiced: int = 5,
    min_voiced_probability: float = 0.0,
    name: str | None = None,
) -> PitchTrack:
    """Fundamental frequency per frame of the active audio, with librosa's pYIN.

    Parameters
    ----------
    audio : array_like, shape (channels, samples) or (samples,)
        Linear samples; channels are averaged.
    sample_rate : float
        Hz.
    fmin_hz, fmax_hz : float
        Search range of the fundamental, Hz (30 Hz-1 kHz: a bass's low B to a lead's top notes).
    max_seconds : float
        At most this much active audio is analysed (cost bound).
    min_voiced : int
        Fewer voiced frames than this and the percentiles are None.
    min_voiced_probability : float
        Frames with a lower pYIN voicing probability are unvoiced, whatever the HMM path says.
    name : str, optional
        Track name for error messages.

    Returns
    -------
    PitchTrack

    Raises
    ------
    InvalidAudioError
        NaN/inf samples or an impossible shape.
    ParameterError
        An empty or inverted pitch range, or one outside 20 Hz-2 kHz.
    """
    import librosa

    rate = check_sample_rate(sample_rate, name=name)
    if not (20.0 <= fmin_hz < fmax_hz <= 2000.0):
        raise ParameterError(f"pitch range {fmin_hz:g}-{fmax_hz:g} Hz must lie within 20-2000 Hz, low < high")
    if max_seconds <= 0:
        raise ParameterError(f"max_seconds={max_seconds!r} must be > 0")
    x = as_audio(audio, name=name)
    mono = np.asarray(x, dtype=np.float64).mean(axis=0)
    y = librosa.resample(mono, orig_sr=rate, target_sr=ANALYSIS_RATE) if rate != ANALYSIS_RATE else mono
    y = active_excerpt(y, ANALYSIS_RATE, max_seconds=max_seconds)
    if y.size < FRAME_LENGTH or not np.any(y != 0):
        empty = np.zeros(0)
        return PitchTrack(empty, empty, 0.0, None, None, None, y.size / ANALYSIS_RATE)
    y = sosfilt(butter(PREFILTER_ORDER, PREFILTER_HZ, "highpass", fs=ANALYSIS_RATE, output="sos"), y)
    f0, voiced, prob = librosa.pyin(
        y, fmin=fmin_hz, fmax=fmax_hz, sr=ANALYSIS_RATE, frame_length=FRAME_LENGTH,
        hop_length=int(HOP_S * ANALYSIS_RATE), resolution=PYIN_RESOLUTION, center=False,
    )
    # a frame in the grid's lowest bin is pinned at the search bound, not measured: its period is
    # longer than the range or it has none (tuning split: a 27 Hz rumble under an organ's chords read
    # 30.0 Hz, the bound, on over half the voiced frames); a bass's low B (30.9 Hz) is two bins up
    pinned = f0 < fmin_hz * 2.0 ** (PYIN_RESOLUTION / 2.0 / 12.0)
    energy = librosa.feature.rms(y=y, frame_length=FRAME_LENGTH, hop_length=int(HOP_S * ANALYSIS_RATE),
                                 center=False)[0, : f0.size] ** 2  # pYIN's own frames
    loud = float(np.percentile(energy, 95.0)) if energy.size else 0.0
    audible = energy >= loud * 10.0 ** (-VOICED_RANGE_DB / 10.0)
    f0 = np.where(voiced & audible & ~pinned & (prob >= min_voiced_probability), f0, np.nan)
    good = f0[np.isfinite(f0)]
    frac = float(good.size / f0.size) if f0.size else 0.0
    if good.size < min_voiced:
        return PitchTrack(f0, prob, frac, None, None, None, y.size / ANALYSIS_RATE)
    lo, med, hi = (float(v) for v in np.percentile(good, [5.0, 50.0, 95.0]))
    return PitchTrack(f0, prob, frac, lo, med, hi, y.size / ANALYSIS_RATE)


def note_name(freq_hz: float) -> str:
    """Nearest equal-tempered note (A4 = 440 Hz), e.g. 261.6 -> 'C4', for reasons and evidence."""
    if not (freq_hz > 0 and math.isfinite(freq_hz)):
        return "?"
    midi = round(69 + 12 * math.log2(freq_hz / 440.0))
    return ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"][midi % 12] + str(midi // 12 - 1)


# --- the lowest fundamental a track plays ----------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Fundamentals:
    """Where a track's own notes (or drum fundamentals) begin, and how that was measured.

    Attributes
    ----------
    lowest_hz : float or None
        The lowest fundamental that matters: the 5th percentile of the tracked pitch, each frame's
        pitch moved up to its lowest harmonic present as a spectral line with partials of its
        own, or a loud one (a chord's common "virtual" pitch has no energy of its own); for
        unpitched parts (drums) the lowest frequency within 12 dB of the strongest low partial of
        the *events* (the frames after hits), measured only where the events stand 10 dB above the
        steady floor (rumble, hum: it sounds between hits too). None when neither applies.
    source : str
        "pitch", "events" or "none".
    pitch : PitchTrack
    lines_hz : ndarray
        Narrow peaks (spectral lines, notes' partials) of the long-term spectrum below 1.2 kHz.
    note_lines_hz : ndarray
        The lines that are played notes' fundamentals: strong (within 30 dB of the strongest),
        from the lowest note up, and no multiple (3, 4, 5...) of a lower strong line (those are
        harmonics; an octave is kept, as it may be a doubled note). For chords this lists the
        notes of the voicing.
    highest_hz : float or None
        The highest of the held notes' (corrected) fundamentals, for pitched parts; for drums
        the strongest low partial of the events. With ``lowest_hz`` it spans the track's own
        fundamental range.
    pitch_lowest_hz, event_lowest_hz : float or None
        Each measure alone (rules for drums use the events whatever the pitch tracker says).
    event_peak_hz : float or None
        Strongest low partial of the events (30-250 Hz), Hz.
    event_lowest_peak_hz : float or None
        The peak of the lowest partial within 6 dB of the strongest: where ``event_lowest_hz``'s
        partial tops out (``event_lowest_hz`` is its lower skirt). On a kit this is the kick's
        fundamental, which the strongest partial (often a snare or tom body) is not.
    lowest_line_hz : float or None
        The lowest spectral line within :data:`CHORD_NOTE_RANGE_DB` of the strongest that has
        partials of its own (lines at 2x and 3x below 400 Hz): a sounding note, whatever the
        pitch tracker made of the part (an organ's 16' footage sounds an octave under its keys).
    """

    lowest_hz: float | None
    highest_hz: float | None
    source: str
    pitch: PitchTrack
    lines_hz: np.ndarray
    note_lines_hz: np.ndarray
    pitch_lowest_hz: float | None
    event_lowest_hz: float | None
    event_peak_hz: float | None
    event_lowest_peak_hz: float | None = None
    lowest_line_hz: float | None = None


def fundamentals(
    audio: np.ndarray,
    sample_rate: float,
    *,
    max_seconds: float = 30.0,
    min_voiced_fraction: float = 0.25,
    monophonic: bool = False,
    name: str | None = None,
) -> Fundamentals:
    """The lowest fundamental a track plays, by pitch tracking (pYIN) checked against its
    spectral lines, or for unpitched parts from its events; rumble below is never read as one.

    Parameters
    ----------
    audio : array_like, shape (channels, samples) or (samples,)
    sample_rate : float
        Hz.
    max_seconds : float
        Active audio analysed, at most (cost bound), for the pitch and the events.
    min_voiced_fraction : float
        Below this share of voiced frames the part counts as unpitched.
    monophonic : bool
        The part plays one note at a time (a bass line): the tracked pitch is the note even
        where its fundamental has no spectral line of its own (a synth bass's weak low E is still
        the note heard), so it is not moved up to its lowest present harmonic, the correction
        that chords need (their common "virtual" pitch is no note).
    name : str, optional
        Track name for error messages.

    Returns
    -------
    Fundamentals
    """
    from reaper_assist.analysis.spectrum import long_term_spectrum, spectral_lines

    rate = check_sample_rate(sample_rate, name=name)
    x = as_audio(audio, name=name)
    track = pitch_track(x, rate, max_seconds=max_seconds, name=name,
                        min_voiced_probability=MONOPHONIC_MIN_VOICED_PROBABILITY if monophonic else 0.0)
    mono = np.asarray(x, dtype=np.float64).mean(axis=0)
    excerpt = active_excerpt(mono, rate, max_seconds=max_seconds)
    if excerpt.size == 0:
        return Fundamentals(None, None, "none", track, np.zeros(0), np.zeros(0), None, None, None)
    # long frames (~1.4 s, 0.7 Hz bins): a bass note's partials are lines even at 40-80 Hz
    spec = long_term_spectrum(excerpt, rate, n_fft=int(2 ** round(math.log2(rate * 1.4))))
    lines_hz, lines_db = spectral_lines(spec, min_hz=25.0, max_hz=1200.0, min_excess_db=4.0)
    event_lowest, event_peak, event_lowest_peak = _event_fundamental(excerpt, rate)
    strong = loud = present = lines_hz
    top_db = 0.0
    if lines_hz.size:
        noise = _on_band_noise(spec, lines_hz)
        # lines are loud or strong against the strongest that is no rumble ripple: rumble can be the
        # loudest line, and the notes' levels are not to be read against it
        top_db = float(lines_db[~noise].max() if np.any(~noise) else lines_db.max())
        strong = _harmonic_lines(lines_hz[(lines_db >= top_db - 30.0) & ~noise])
        loud = lines_hz[lines_db >= top_db - CHORD_NOTE_RANGE_DB]
        # above the rumble's band a loud line is a note's partial by its level alone (CHORD_NOTE_RANGE_DB)
        present = np.union1d(strong, loud[loud >= BAND_NOISE_MAX_HZ])
    lowest_line = _lowest_sounding_line(strong, loud)
    pitch_lowest = pitch_highest = None
    if track.voiced_fraction >= min_voiced_fraction and lines_hz.size:
        corrected = (track.f0_hz if monophonic else
                     np.array([np.nan if not np.isfinite(f) else (_lowest_present_harmonic(f, present) or np.nan)
                               for f in track.f0_hz]))
        pitch_lowest, pitch_highest = _held_range(corrected)
        if (pitch_lowest is not None and not monophonic and lowest_line is not None
                and lowest_line < pitch_lowest * 2 ** (-1 / 24)):
            pitch_lowest = lowest_line  # a chord's lowest note (see _lowest_sounding_line)
    if pitch_lowest is not None:
        notes = _note_lines(lines_hz, lines_db, pitch_lowest, top_db)
        highest = max([pitch_highest or pitch_lowest] + [float(f) for f in notes])
        return Fundamentals(pitch_lowest, highest, "pitch", track, lines_hz, notes, pitch_lowest, event_lowest,
                            event_peak, event_lowest_peak, lowest_line)
    if event_lowest is not None:
        return Fundamentals(event_lowest, event_peak, "events", track, lines_hz, np.zeros(0), None, event_lowest,
                            event_peak, event_lowest_peak, lowest_line)
    return Fundamentals(None, None, "none", track, lines_hz, np.zeros(0), None, None, event_peak, event_lowest_peak,
                        lowest_line)


def _lowest_sounding_line(harmonic_hz: np.ndarray, loud_hz: np.ndarray) -> float | None:
    """The lowest strong line with partials of its own (among ``harmonic_hz``) that is loud (among
    ``loud_hz``: within :data:`CHORD_NOTE_RANGE_DB` of the strongest line that is no rumble): a
    sounding note. A chord part's lowest note is no higher: the chord correction only finds notes
    that are harmonics of pYIN's virtual pitch, and a chord's low E2 (82.4 Hz) is 2.5 times a C1
    (tuning split: a GM guitar strum's lowest note read at 98 Hz, and the high-pass took 1.6 dB off
    its E2). An untracked tonal part keeps it too (an organ sounds an octave or two under its keys).
    None without such a line."""
    sounding = harmonic_hz[np.isin(harmonic_hz, loud_hz)]
    return float(sounding.min()) if sounding.size else None


def held_runs(f0_hz: np.ndarray, *, min_frames: int = 3) -> list[tuple[int, int]]:
    """The ``(start, stop)`` frame spans of ``f0_hz`` (Hz, NaN unvoiced) whose pitch stays within a
    semitone from one frame to the next for ``min_frames`` frames or more (>= 2): played notes."""
    spans: list[tuple[int, int]] = []
    start = None
    for i in range(1, f0_hz.size + 1):
        held = (i < f0_hz.size and np.isfinite(f0_hz[i - 1]) and np.isfinite(f0_hz[i])
                and abs(math.log2(f0_hz[i - 1] / f0_hz[i])) <= 1.0 / 12.0)
        if held and start is None:
            start = i - 1
        elif not held and start is not None:
            if i - start >= min_frames:
                spans.append((start, i))
            start = None
    return spans


def _held_range(f0_hz: np.ndarray, *, min_frames: int = 3) -> tuple[float | None, float | None]:
    """Lowest and highest pitch held for ``min_frames`` consecutive frames within a semitone (a
    played note; single-frame octave errors of the tracker are not notes): over the medians of each
    held run's first ``min_frames``, ``min_frames + 1``, ... frames, as a gliding note passes its pitches."""
    notes = [float(np.median(f0_hz[a:i + 1])) for a, b in held_runs(f0_hz, min_frames=min_frames)
             for i in range(a + min_frames - 1, b)]
    return (min(notes), max(notes)) if notes else (None, None)


def _note_lines(lines_hz: np.ndarray, lines_db: np.ndarray, lowest_hz: float, top_db: float) -> np.ndarray:
    """Strong lines (within 30 dB of ``top_db``) from the lowest note up that are not harmonics of a
    lower strong line."""
    strong = lines_hz[(lines_db >= top_db - 30.0) & (lines_hz >= lowest_hz * 2 ** (-1 / 24))]
    notes: list[float] = []
    for f in np.sort(strong):
        lower = strong[strong < f * 2 ** (-1 / 24)]
        ratio = f / lower if lower.size else np.zeros(0)
        # an octave (ratio 2) may be a doubled note of the voicing: kept, to err on the side of the notes
        if not np.any((ratio > 2.5) & (np.abs(np.log2(ratio / np.round(ratio))) <= 1 / 48)):
            notes.append(float(f))
    return np.array(notes)


def _band_noise_levels(spec: LongTermSpectrum, lines_hz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``lines_hz`` under :data:`BAND_NOISE_MAX_HZ`: (the hump, dB: the mean power
    within 1/12 octave of it, 3 bins or more away, over the median 1/4-1/2 octave away; the line,
    dB: its peak bin, +-1, over that mean). NaN for the lines above or at the spectrum's edge."""
    f = spec.freqs_hz
    p = db_to_power(spec.power_db)
    df = f[1] - f[0]
    hump = np.full(lines_hz.size, np.nan)
    over = np.full(lines_hz.size, np.nan)
    for i, a in enumerate(lines_hz):
        k = int(round(a / df))
        if a >= BAND_NOISE_MAX_HZ or k < 3:
            continue
        w = max(4, int(a * (2 ** (1 / 12) - 1) / df))
        near = np.r_[p[max(1, k - w):k - 2], p[k + 3:k + w + 1]]
        far = p[((f >= a * 2 ** -0.5) & (f <= a * 2 ** -0.25)) | ((f >= a * 2 ** 0.25) & (f <= a * 2 ** 0.5))]
        if near.size and far.size:
            level = power_to_db(float(near.mean()))
            hump[i] = level - power_to_db(float(np.median(far)))
            over[i] = power_to_db(float(p[k - 1:k + 2].max())) - level
    return hump, over


def _on_band_noise(spec: LongTermSpectrum, lines_hz: np.ndarray) -> np.ndarray:
    """Which of ``lines_hz`` sit on a band of noise (a hump of :data:`BAND_NOISE_DB`) and are no
    lone sinusoid over it (:data:`BAND_NOISE_RIPPLE_DB`): rumble's ripple, not a note."""
    hump, over = _band_noise_levels(spec, lines_hz)
    return (hump >= BAND_NOISE_DB) & (over <= BAND_NOISE_RIPPLE_DB)  # NaN compares False: not examined


def _harmonic_lines(strong_hz: np.ndarray) -> np.ndarray:
    """The strong lines that can be a note's partial: above :data:`HARMONIC_CHECK_MAX_HZ` every
    one; below it only those with strong lines at 2x and 3x too, within a quarter tone
    (:data:`HARMONIC_TOL_OCT`)."""
    keep = [f for f in strong_hz if f >= HARMONIC_CHECK_MAX_HZ or all(_has_line(strong_hz, k * f) for k in (2, 3))]
    return np.array(keep, dtype=np.float64)


def _has_line(lines_hz: np.ndarray, freq_hz: float) -> bool:
    """Whether one of ``lines_hz`` lies within a quarter tone of ``freq_hz``, the bound included
    (:data:`HARMONIC_TOL_OCT`)."""
    return bool(np.any(np.abs(np.log2(lines_hz / freq_hz)) <= HARMONIC_TOL_OCT))


def _lowest_present_harmonic(f0: float, lines_hz: np.ndarray, *, max_harmonic: int = 8) -> float | None:
    """k * f0 for the smallest k whose frequency is a spectral line (within a quarter tone)."""
    for k in range(1, max_harmonic + 1):
        if _has_line(lines_hz, k * f0):
            return k * f0
    return None


def _event_fundamental(mono: np.ndarray, rate: float, *,
                        n_fft: int | None = None) -> tuple[float | None, float | None, float | None]:
    """(lowest within 6 dB of the strongest, strongest, the peak of that lowest one) low partial of the loud frames,
    where they stand >= 10 dB over the steady floor (each bin's lower quartile over the frames), 30-250 Hz."""
    n = n_fft or int(2 ** round(math.log2(rate * 0.17)))
    hop = n // 2
    if mono.size < n:
        return None, None, None
    count = (mono.size - n) // hop + 1
    idx = (np.arange(count) * hop)[:, None] + np.arange(n)
    spec = np.abs(np.fft.rfft(mono[idx] * np.hanning(n + 1)[:-1], axis=-1)) ** 2
    freqs = np.fft.rfftfreq(n, 1.0 / rate)
    band = (freqs >= 30.0) & (freqs <= 250.0)
    # the loud frames ranked by their whole energy: hits are loud everywhere, while rumble alone
    # fluctuates a lot in its band from frame to frame and must not pick the frames
    energy = spec.sum(axis=1)
    if count < 8 or not np.any(energy > 0):
        return None, None, None
    order = np.argsort(energy)
    # the steady floor per bin, its lower quartile over the frames: the quietest quarter of whole
    # frames was, on sparse hits over narrow rumble, the rumble's slow troughs (in the gaps it is
    # all there is), so at the hits it stood >= 10 dB over its own "floor" and was read as a
    # partial (a snare's 35 Hz, tuning split; tests/analysis/test_analysis_pitch.py)
    steady = np.percentile(spec, 25, axis=0)
    loud = spec[order[-max(1, count // 4):]].mean(axis=0)
    # a little smoothing over neighbouring bins (the grid is 5.9 Hz at 48 kHz)
    k = np.ones(3) / 3
    loud_db = 10 * np.log10(np.maximum(np.convolve(loud, k, mode="same"), 1e-30))[band]
    steady_db = 10 * np.log10(np.maximum(np.convolve(steady, k, mode="same"), 1e-30))[band]
    ok = loud_db >= steady_db + 10.0
    if not np.any(ok):
        return None, None, None
    f = freqs[band]
    peak = int(np.argmax(np.where(ok, loud_db, -np.inf)))
    within = np.nonzero(ok & (loud_db >= loud_db[peak] - 6.0))[0]
    top = int(within[0])  # climb the lowest partial's skirt to its top
    while top + 1 < f.size and ok[top + 1] and loud_db[top + 1] > loud_db[top]:
        top += 1
    # the peaks between the bins (the grid is 5.9 Hz at 48 kHz, a seventh of an octave at a kick's 60 Hz)
    return float(f[within[0]]), bin_peak_hz(f, loud_db, peak), bin_peak_hz(f, loud_db, top)

