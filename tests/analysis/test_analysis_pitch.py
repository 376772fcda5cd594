"""Issue 13 point 3: the lowest played note by pitch tracking (pYIN), never the rumble below it.

Seeded synthetic parts with known notes: a bass line, a chord (whose common "virtual" pitch lies
two octaves below its lowest note), a kick-like hit; each over band noise at 25-40 Hz.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from reaper_assist.analysis.pitch import active_excerpt, fundamentals, note_name, pitch_track
from reaper_assist.errors import InvalidAudioError, ParameterError

RATE = 48000
DATA = Path(__file__).resolve().parents[1] / "data" / "audio"
SEMITONE_OCT = 1.0 / 12.0  # a note is found when within a semitone of the played one


def _tone(freq_hz: float, seconds: float, *, harmonics: int = 8) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    x = sum(np.sin(2 * np.pi * k * freq_hz * t) / k for k in range(1, harmonics + 1))
    env = np.minimum(1.0, np.minimum(t / 0.01, (seconds - t) / 0.02))
    return x * env


def _rumble(n: int, level_db: float, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    r = sosfilt(butter(4, [25, 40], btype="bandpass", fs=RATE, output="sos"), rng.standard_normal(n))
    return r * 10 ** (level_db / 20) / np.sqrt(np.mean(r**2))


def _bass_line(notes_hz, seconds_each=0.5):
    x = np.concatenate([_tone(f, seconds_each) for f in notes_hz])
    return 0.3 * x / np.sqrt(np.mean(x**2))


def test_bass_line_lowest_note_not_the_rumble_below_it():
    notes = [55.0, 73.4, 61.7, 82.4, 55.0, 98.0, 73.4, 61.7] * 2  # A1 D2 B1 E2 ... lowest A1
    x = _bass_line(notes)
    x = x + _rumble(x.size, -20.0)  # rumble 25-40 Hz, 10 dB under the bass
    fu = fundamentals(x, RATE)
    assert fu.source == "pitch"
    assert abs(math.log2(fu.lowest_hz / 55.0)) < SEMITONE_OCT, fu.lowest_hz
    # every played note is a note line; the range reaches the top note (an octave above may be a doubled note)
    for f in sorted(set(notes)):
        assert np.any(np.abs(np.log2(fu.note_lines_hz / f)) < SEMITONE_OCT), (f, fu.note_lines_hz)
    assert 98.0 * 2 ** -SEMITONE_OCT <= fu.highest_hz <= 2 * 98.0 * 2 ** SEMITONE_OCT, fu.highest_hz


def test_chord_lowest_note_not_its_virtual_pitch():
    # C3 E3 G3: the common period is that of C1 (32.7 Hz), which has no energy
    chord = sum(_tone(f, 4.0) for f in (130.8, 164.8, 196.0))
    x = 0.3 * chord / np.sqrt(np.mean(chord**2))
    x = x + _rumble(x.size, -24.0)
    fu = fundamentals(x, RATE)
    assert fu.lowest_hz is not None and abs(math.log2(fu.lowest_hz / 130.8)) < SEMITONE_OCT, fu.lowest_hz


def test_a_strummed_chords_low_e_is_its_lowest_note_though_no_harmonic_of_the_virtual_pitch():
    # an open C chord over a low E (E2 G2 C3 E3 G3 C4): pYIN's virtual pitch is C1 (32.7 Hz), whose
    # harmonics are C2, G2, C3, ...; E2 (82.4 Hz = 2.5 x C1) is none of them, but it is a strong line
    # with partials of its own
    strum = sum(_tone(f, 1.0) for f in (82.4, 98.0, 130.8, 164.8, 196.0, 261.6))
    x = np.concatenate([strum] * 4)
    x = 0.3 * x / np.sqrt(np.mean(x**2)) + _rumble(x.size, -30.0)
    fu = fundamentals(x, RATE)
    assert fu.source == "pitch" and abs(math.log2(fu.lowest_hz / 82.4)) < SEMITONE_OCT / 4, fu.lowest_hz


def test_kick_fundamental_from_its_events_not_the_steady_rumble():
    t = np.arange(int(0.4 * RATE)) / RATE
    hit = np.sin(2 * np.pi * 60.0 * t) * np.exp(-t / 0.08)
    x = np.zeros(8 * RATE)
    for start in range(0, x.size - hit.size, RATE // 2):
        x[start:start + hit.size] += hit
    x = 0.5 * x + _rumble(x.size, -30.0)
    fu = fundamentals(x, RATE)
    assert fu.event_lowest_hz is not None and 45.0 <= fu.event_lowest_hz <= 62.0, fu.event_lowest_hz
    assert abs(math.log2(fu.event_peak_hz / 60.0)) < SEMITONE_OCT, fu.event_peak_hz


def test_rumble_alone_has_no_played_note():
    fu = fundamentals(_rumble(6 * RATE, -20.0), RATE)
    assert fu.pitch_lowest_hz is None and fu.lowest_hz is None or fu.lowest_hz > 40.0


def test_narrow_rumble_below_the_range_is_not_a_pitch_pinned_at_its_bound():
    """1/6-octave noise at 27 Hz, below the tracker's 30 Hz bound: pYIN's best candidate is the
    bound itself, on every frame (tuning split: a MuseScore organ's chords over such a rumble read
    30.0 Hz on over half the voiced frames, and the high-pass went to 20 Hz). A frame in the
    grid's lowest bin is not a measurement; a played B0 (30.9 Hz), two bins up, still is."""
    rng = np.random.default_rng(3)
    band = butter(4, [27.0 * 2 ** (-1 / 12), 27.0 * 2 ** (1 / 12)], btype="bandpass", fs=RATE, output="sos")
    r = sosfilt(band, rng.standard_normal(6 * RATE))
    tr = pitch_track(0.05 * r / np.sqrt(np.mean(r**2)), RATE)
    f0 = tr.f0_hz[np.isfinite(tr.f0_hz)]
    assert not np.any(f0 < 30.0 * 2 ** (0.125 / 12)), np.round(f0[:10], 2)
    assert tr.voiced_fraction < 0.25, tr.voiced_fraction  # fundamentals' min_voiced_fraction: unpitched
    b0 = pitch_track(0.3 * _tone(30.87, 2.0, harmonics=11), RATE)
    assert b0.lowest_hz is not None and abs(math.log2(b0.lowest_hz / 30.87)) < SEMITONE_OCT / 4, b0.lowest_hz


def test_a_gm_bass_lines_low_probability_frames_are_no_note_below_it():
    """One second of a GM bass line (tuning corpus, MuseScore General; ``tests/data/audio``) whose
    notes are C2 then G#1: pYIN's HMM keeps four loud frames voiced at 32.7 Hz, a third under the
    part's lowest note E1, with a voicing probability of 0.01, and a bass line's tracked pitch is
    used as it is. Frames under 5 % voicing probability are no note: the lowest is a played note."""
    import soundfile as sf

    played = (41.2, 43.6, 51.9, 58.3, 65.4, 69.3, 73.4, 77.8, 87.3)
    x, rate = sf.read(DATA / "gm-bassline-e1-6s-7s.flac")
    fu = fundamentals(x, rate, monophonic=True)
    assert fu.source == "pitch" and fu.lowest_hz is not None
    assert fu.lowest_hz >= 41.2 * 2 ** -SEMITONE_OCT, fu.lowest_hz
    assert min(abs(math.log2(fu.lowest_hz / f)) for f in played) < SEMITONE_OCT / 4, fu.lowest_hz


def test_pitch_analysis_is_bounded_to_max_seconds():
    x = _bass_line([55.0, 73.4] * 60)  # 60 s
    track = pitch_track(x, RATE, max_seconds=10.0)
    assert track.seconds_analysed <= 10.0 + 1e-9
    assert track.lowest_hz is not None and abs(math.log2(track.lowest_hz / 55.0)) < SEMITONE_OCT


def test_active_excerpt_skips_silence():
    x = np.concatenate([np.zeros(5 * 1000), np.ones(3 * 1000), np.zeros(5 * 1000)])
    assert np.all(active_excerpt(x, 1000.0, max_seconds=30.0) == 1.0)


def test_bad_input_is_refused_with_the_track_name():
    x = np.zeros(RATE)
    x[10] = np.nan
    with pytest.raises(InvalidAudioError, match="Bass"):
        pitch_track(x, RATE, name="Bass")
    with pytest.raises(ParameterError, match="pitch range"):
        pitch_track(np.zeros(RATE), RATE, fmin_hz=500.0, fmax_hz=100.0)


def test_silence_has_no_pitch():
    track = pitch_track(np.zeros(2 * RATE), RATE)
    assert track.lowest_hz is None and track.voiced_fraction == 0.0


def test_note_names():
    assert note_name(261.63) == "C4" and note_name(440.0) == "A4" and note_name(55.0) == "A1"


def test_monophonic_bass_keeps_a_low_note_whose_fundamental_is_weak():
    """A synth bass's low E (41.2 Hz) with its fundamental 50 dB down is still the note heard: for
    a monophonic part the tracked pitch stands; the chord correction (lowest present harmonic)
    would read the E an octave up and let the high-pass take it."""
    t = np.arange(int(0.5 * RATE)) / RATE
    env = np.minimum(1.0, np.minimum(t / 0.01, (0.5 - t) / 0.02))

    def note(f: float) -> np.ndarray:
        return env * (0.003 * np.sin(2 * np.pi * f * t) + sum(np.sin(2 * np.pi * k * f * t) / k for k in range(2, 8)))

    x = np.concatenate([note(f) for f in [41.2, 55.0, 61.7, 49.0] * 3])
    x = 0.3 * x / np.sqrt(np.mean(x**2))
    mono, chord = fundamentals(x, RATE, monophonic=True), fundamentals(x, RATE)
    assert chord.lowest_hz is not None and abs(math.log2(chord.lowest_hz / 82.4)) < SEMITONE_OCT  # the octave error
    assert mono.lowest_hz is not None and abs(math.log2(mono.lowest_hz / 41.2)) < SEMITONE_OCT, mono.lowest_hz


def test_a_lead_with_rests_is_not_read_at_the_rumble_between_its_notes():
    """pYIN finds a "pitch" in the rumble left in a part's rests (through the 60 Hz prefilter);
    frames 45 dB under the part's loud frames are not notes."""
    notes = [349.2, 392.0, 440.0, 392.0] * 3
    parts = []
    for f in notes:
        parts += [_tone(f, 0.4), np.zeros(int(0.3 * RATE))]
    x = 0.3 * np.concatenate(parts)
    x = x + _rumble(x.size, -22.0)
    fu = fundamentals(x, RATE, monophonic=True)  # a lead: the tracked pitch is the note
    assert fu.source == "pitch"
    assert abs(math.log2(fu.lowest_hz / 349.2)) < SEMITONE_OCT, (fu.lowest_hz, fu.pitch.lowest_hz)


def test_a_chord_over_a_rumble_ripple_keeps_its_lowest_note():
    """A narrow ripple of the rumble at a third of the chord's root is no note: a low line counts
    for the chord correction only with its own 2nd and 3rd harmonic lines."""
    # 3, 4 and 5 x 34.6 Hz (G#2 C#3 F3): the chord's common period is 34.6 Hz, where the ripple is
    chord = sum(_tone(f, 6.0) for f in (103.8, 138.4, 173.0))
    x = 0.3 * chord / np.sqrt(np.mean(chord**2))
    t = np.arange(x.size) / RATE
    x = x + _rumble(x.size, -30.0) + 0.02 * np.sin(2 * np.pi * 34.6 * t)  # a steady line in the rumble
    fu = fundamentals(x, RATE)
    assert fu.lowest_hz is not None and abs(math.log2(fu.lowest_hz / 103.8)) < SEMITONE_OCT, fu.lowest_hz


def _kit(kick_hz: float, seconds: float = 8.0, seed: int = 4) -> np.ndarray:
    """A kit: a kick (decaying sine at ``kick_hz``) on the beats, a louder snare (a 200 Hz body
    ring and 1-8 kHz noise) on the off-beats."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(0.4 * RATE)) / RATE
    kick = np.sin(2 * np.pi * kick_hz * t) * np.exp(-t / 0.12)
    noise = sosfilt(butter(2, [1000.0, 8000.0], btype="bandpass", fs=RATE, output="sos"), rng.standard_normal(t.size))
    snare = (1.0 * np.sin(2 * np.pi * 200.0 * t) + 0.5 * noise / np.max(np.abs(noise))) * np.exp(-t / 0.06)
    x = np.zeros(int(seconds * RATE))
    for k, start in enumerate(range(0, x.size - t.size, RATE // 4)):
        x[start:start + t.size] += kick if k % 2 == 0 else snare
    return 0.3 * x / np.max(np.abs(x))


EVENT_BIN_HZ = RATE / 8192  # the events' spectrum grid (0.17 s frames)


def test_a_kits_lowest_peak_is_its_kicks_fundamental_not_the_skirt_below_it():
    """A kit's kick at 45 Hz with a snare, over steady rumble at 25-40 Hz: the lowest strong event
    partial tops out at the kick (within one bin of the events' grid), while ``event_lowest_hz``,
    the lowest bin within 6 dB, is the kick's lower skirt, a bin or more under it."""
    x = _kit(45.0)
    x = x + _rumble(x.size, -36.0)
    fu = fundamentals(x, RATE)
    assert fu.event_lowest_peak_hz is not None and abs(fu.event_lowest_peak_hz - 45.0) <= EVENT_BIN_HZ, \
        fu.event_lowest_peak_hz
    assert fu.event_lowest_hz is not None and fu.event_lowest_hz <= fu.event_lowest_peak_hz - EVENT_BIN_HZ, \
        (fu.event_lowest_hz, fu.event_lowest_peak_hz)


def _snare(seconds: float = 8.0, seed: int = 5) -> np.ndarray:
    """A snare alone on beat 3 at 120 bpm (one hit every 2 s): a 150-300 Hz body thump (shell
    noise, as a real snare's body is broad, not one line) and 1-8 kHz wire noise, nothing below
    150 Hz of its own beyond the filters' skirts."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(0.4 * RATE)) / RATE

    def band(lo: float, hi: float) -> np.ndarray:
        n = sosfilt(butter(4, [lo, hi], btype="bandpass", fs=RATE, output="sos"), rng.standard_normal(t.size))
        return n / np.max(np.abs(n))

    hit = (band(150.0, 300.0) + 0.5 * band(1000.0, 8000.0)) * np.exp(-t / 0.06)
    x = np.zeros(int(seconds * RATE))
    for start in range(RATE // 2, x.size - t.size, 2 * RATE):
        x[start:start + t.size] += hit
    return 0.3 * x / np.max(np.abs(x))


@pytest.mark.parametrize("seed", [7, 8, 9])
@pytest.mark.parametrize("centre_hz", [28.0, 33.0, 38.0])
def test_a_snares_lowest_partial_is_its_body_not_loud_narrow_rumble_between_its_hits(centre_hz, seed):
    """Narrow rumble (1/6 octave, as issue 13's scorecard injects it) 10 dB under a sparse snare:
    its slow swells and troughs, when frames were ranked by their whole energy, made the quietest
    quarter its troughs and put its swells among the hits, so at the hits it read >= 10 dB above
    its "steady floor" and was taken for the snare's lowest partial (6 of these 9 cases, 35 Hz;
    hydrogen HardElectro1's snare on the tuning split: the high-pass went from 80 Hz to 30 Hz and
    the rumble dropped 2 dB). Ranked by their energy above the band measured, hits and gaps see the
    same rumble: the lowest partial is the body's (150-300 Hz; the events' grid is ~6 Hz)."""
    rng = np.random.default_rng([seed, int(centre_hz)])
    x = _snare()
    lo, hi = centre_hz * 2 ** (-1 / 12), centre_hz * 2 ** (1 / 12)
    r = sosfilt(butter(4, [lo, hi], btype="bandpass", fs=RATE, output="sos"), rng.standard_normal(x.size + RATE))[RATE:]
    x = x + r * 10 ** ((20 * np.log10(np.sqrt(np.mean(x**2))) - 10.0) / 20) / np.sqrt(np.mean(r**2))
    fu = fundamentals(x, RATE)
    assert fu.event_lowest_hz is not None and fu.event_lowest_hz >= 150.0 * 2 ** (-1 / 6), fu.event_lowest_hz
    assert 150.0 <= fu.event_peak_hz <= 300.0, fu.event_peak_hz


KICK_PEAK_TOL_HZ = 1.0  # a sixth of the events' 5.9 Hz grid: the peak is read between its bins


@pytest.mark.parametrize("f0", [43.0, 55.3, 61.7, 67.0, 80.9])
def test_a_kicks_fundamental_is_read_between_the_bins_of_the_events_spectrum(f0):
    """Decaying sine kicks at frequencies off the 5.9 Hz grid: the strongest event partial lands
    within a sixth of a bin, where the bin alone is up to half a bin off (a 14th of an octave at
    60 Hz, and unmask's key band for a kick is +-1/6 octave around it)."""
    t = np.arange(int(0.5 * RATE)) / RATE
    hit = np.sin(2 * np.pi * f0 * t) * np.exp(-t / 0.12)
    x = np.zeros(8 * RATE)
    for start in range(0, x.size - hit.size, RATE // 2):
        x[start:start + hit.size] += hit
    x = 0.5 * x + 1e-4 * np.random.default_rng(0).standard_normal(x.size)
    fu = fundamentals(np.stack([x, x]), RATE)
    assert abs(fu.event_peak_hz - f0) <= KICK_PEAK_TOL_HZ, fu.event_peak_hz
    assert abs(fu.event_lowest_peak_hz - f0) <= KICK_PEAK_TOL_HZ, fu.event_lowest_peak_hz


def _chord_over_band_noise(rate: int, seed: int, *, rumble: bool = True, floor: bool = True) -> np.ndarray:
    """C#2 and G#2 (69.3 and 103.8 Hz, eight harmonics each: their common period is 34.65 Hz), over
    a -60 dBFS noise floor and 1/6-octave rumble centred at 34.65 Hz, 14 dB under the chord."""
    t = np.arange(8 * rate) / rate
    chord = sum(np.sin(2 * np.pi * k * f * t) / k for f in (69.3, 103.8) for k in range(1, 9))
    x = 0.3 * chord / np.sqrt(np.mean(chord**2))
    rng = np.random.default_rng(seed)
    if floor:
        x = x + 10 ** (-60 / 20) * rng.standard_normal(x.size)
    if rumble:
        sos = butter(4, [34.65 * 2 ** (-1 / 12), 34.65 * 2 ** (1 / 12)], btype="bandpass", fs=rate, output="sos")
        r = sosfilt(sos, rng.standard_normal(x.size))
        x = x + 0.3 * 10 ** (-14 / 20) * r / np.sqrt(np.mean(r**2))
    return x


@pytest.mark.parametrize("seed", range(6))
def test_a_rumble_ripple_under_a_chord_is_no_note_at_44_1_khz(seed):
    """The rumble's ripple leaves a "line" at the chord's common period whose 2x and 3x are the
    chord's notes; it sits on a band of noise, so it is no note (seed 1 read 34.7 Hz before)."""
    fu = fundamentals(_chord_over_band_noise(44100, seed), 44100)
    assert fu.lowest_hz is not None and abs(math.log2(fu.lowest_hz / 69.3)) < SEMITONE_OCT, fu.lowest_hz


def test_a_clean_chords_low_line_is_no_band_of_noise():
    """A clean tone's own window skirts stand over an empty spectrum like a hump; its line stands far
    over them, so the chord's C#2 is kept as its lowest note."""
    fu = fundamentals(_chord_over_band_noise(RATE, 0, rumble=False, floor=False), RATE)
    assert fu.lowest_hz is not None and abs(math.log2(fu.lowest_hz / 69.3)) < SEMITONE_OCT, fu.lowest_hz


def _power_chord_with_a_sharp_low_line(rate: int, *, sharp_oct: float = 0.038) -> np.ndarray:
    """F2 + C3 (87.31 and 130.81 Hz, eight harmonics each; their common period is F1's, 43.65 Hz),
    with F2's own first partial read ``sharp_oct`` sharp, as a TimGM6mb distortion riff's smeared F2
    line tops out at 89.7 Hz at 44.1 kHz (tuning split). Its 3x, 269 Hz, lies 0.043 octave over the
    chord's C4 line: outside the harmonic check's quarter tone, though F2 is the loudest low line."""
    t = np.arange(8 * rate) / rate
    x = sum(np.sin(2 * np.pi * k * f * (2 ** sharp_oct if (f, k) == (87.31, 1) else 1.0) * t) / k
            for f in (87.31, 130.81) for k in range(1, 9))
    x = 0.3 * x / np.sqrt(np.mean(x**2))
    return x + 10 ** (-60 / 20) * np.random.default_rng(0).standard_normal(x.size)


@pytest.mark.parametrize("rate", [44100, RATE])
def test_a_chords_loud_low_line_is_its_lowest_note_though_its_partials_sit_off_the_check(rate):
    """pYIN follows the chord's virtual pitch, F1; its 2x is the F2 line, loud but without lines at
    its own 2x and 3x within a quarter tone. A line within CHORD_NOTE_RANGE_DB of the strongest, above
    the rumble's band, is a note by its level: the lowest note is F2 (it read C3 before, and the
    high-pass took 2.1 dB off the F2)."""
    fu = fundamentals(_power_chord_with_a_sharp_low_line(rate), rate)
    assert fu.source == "pitch" and abs(math.log2(fu.lowest_hz / 87.31)) < SEMITONE_OCT, fu.lowest_hz


LINE_GRID_OCT = 1.0 / 96.0  # spectrum.spectral_lines reads lines on this grid, from 25 Hz


@pytest.mark.parametrize("rate", [44100, RATE])
def test_a_low_note_a_quarter_tone_flat_of_its_octave_partial_is_its_lowest_note(rate):
    """A note whose first partial reads exactly a quarter tone (4 cells of the lines' grid) under
    half its second, as a MuseScore distortion riff's C#2 did (67.2 and 138.4 Hz, tuning split, 32 s
    stems): the check "2x within a quarter tone" includes its bound, though the log of the lines'
    ratio comes out 1/24 octave plus a rounding error (it read 138.6 Hz, an octave high, before)."""
    low, octave = 25.0 * 2 ** (137 * LINE_GRID_OCT), 25.0 * 2 ** (237 * LINE_GRID_OCT)  # 67.23, 138.39 Hz
    t = np.arange(8 * rate) / rate
    x = sum(np.sin(2 * np.pi * (low if k == 1 else k * octave / 2) * t) / k for k in range(1, 9))
    x = 0.3 * x / np.sqrt(np.mean(x**2)) + 1e-3 * np.random.default_rng(0).standard_normal(t.size)
    fu = fundamentals(x, rate)
    assert fu.lines_hz[0] == pytest.approx(low) and fu.lines_hz[1] == pytest.approx(octave)  # as set up
    assert fu.source == "pitch" and abs(math.log2(fu.lowest_hz / low)) < SEMITONE_OCT, fu.lowest_hz


def test_the_harmonic_checks_bound_holds_at_every_position_of_the_line_grid():
    """On the lines' grid a line and its partials lie whole cells apart: 4 cells off 2x is a
    quarter tone at every position (on rounding it failed at 206 of the 384 under 400 Hz), 5 cells is not."""
    from reaper_assist.analysis.pitch import _harmonic_lines

    grid = 25.0 * 2.0 ** (np.arange(1000) * LINE_GRID_OCT)
    low = [p for p in range(800) if grid[p] < 400.0]  # the check applies under 400 Hz
    three = [grid[p] * 3.0 for p in low]  # an exact 3x: only the 2x decides
    kept_4 = [p for p, t in zip(low, three) if grid[p] in _harmonic_lines(np.array([grid[p], grid[p + 100], t]))]
    kept_5 = [p for p, t in zip(low, three) if grid[p] in _harmonic_lines(np.array([grid[p], grid[p + 101], t]))]
    assert len(kept_4) == len(low) and kept_5 == []


def _strum_over_loud_rumble(seed: int) -> np.ndarray:
    """The open C chord over a low E of the strum test above, its E2 played softer (its line 8.5 dB
    under the strongest note line), over 1/6-octave rumble at 30 Hz as loud as the chord (RMS)."""
    strum = (0.6 * _tone(82.4, 1.0)) + sum(_tone(f, 1.0) for f in (98.0, 130.8, 164.8, 196.0, 261.6))
    x = np.concatenate([strum] * 8)
    x = 0.3 * x / np.sqrt(np.mean(x**2))
    r = sosfilt(butter(4, [30 * 2 ** (-1 / 12), 30 * 2 ** (1 / 12)], btype="bandpass", fs=RATE, output="sos"),
                np.random.default_rng(seed).standard_normal(x.size))
    return x + 0.3 * r / np.sqrt(np.mean(r**2))


@pytest.mark.parametrize("seed", range(12))
def test_a_chords_low_note_is_loud_against_its_notes_not_against_the_rumble(seed):
    """Where the rumble leaves the loudest line of all, the E2 stood more than CHORD_NOTE_RANGE_DB
    under it and was no "sounding" note: the part read G2 or C3 (five seeds of twelve), and a
    high-pass could reach the E2. Lines are loud against the strongest that is no rumble ripple."""
    fu = fundamentals(_strum_over_loud_rumble(seed), RATE)
    assert fu.source == "pitch" and abs(math.log2(fu.lowest_hz / 82.4)) < SEMITONE_OCT / 4, fu.lowest_hz


def test_held_runs_are_the_spans_held_within_a_semitone_for_three_frames():
    """A note is three frames or more whose pitch moves less than a semitone (1/12 octave) from one
    frame to the next: a two-frame blip, a jump of a semitone and a half, and unvoiced frames end it."""
    from reaper_assist.analysis.pitch import held_runs

    nan = np.nan
    f0 = np.array([nan, 110.0, 111.0, 112.0, 220.0, 221.0, nan, 98.0, 98.5, 99.0, 99.4, 108.0, 108.0, 108.0])
    assert held_runs(f0) == [(1, 4), (7, 11), (11, 14)]
    assert held_runs(f0, min_frames=4) == [(7, 11)]
