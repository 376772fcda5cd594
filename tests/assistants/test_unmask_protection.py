"""Unmask's protection of a masker's own notes (issue 13 point 7), on signals with known notes:
what range is protected, and what all the cuts together may take off it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reaper_assist.analysis.spectrum import long_term_spectrum
from reaper_assist.app import unmask
from reaper_assist.app.track_source import TrackSource
from reaper_assist.rules import tone
from reaper_assist.rules.tables import load_table

RATE = 48000
OWN_RANGE_TOL_DB = 1.0  # issue 13: unmask never cuts a track's own notes by 1 dB or more
SEMITONE_OCT = 1 / 12


def _notes(chords: list[list[float]], seconds_each: float = 2.0) -> np.ndarray:
    """Harmonic tones (partials 1/k up to 10) of each chord in turn, stereo."""
    t = np.arange(int(seconds_each * RATE)) / RATE
    parts = []
    for chord in chords:
        y = sum(sum(np.sin(2 * np.pi * k * f * t) / k for k in range(1, 11) if k * f < RATE / 2) for f in chord)
        parts.append(y * np.minimum(1.0, np.minimum(t, seconds_each - t) / 0.02))
    x = np.concatenate(parts)
    x *= 0.5 / np.max(np.abs(x))
    return np.stack([x, x])


def _range(src: TrackSource, name: str) -> tuple[float, float]:
    return unmask._fundamental_range(*unmask._fundamentals(src, name), long_term_spectrum(src.audio, RATE))


def test_a_chord_parts_top_note_a_twelfth_over_its_lowest_is_protected():
    # F#3 chord topped by C#5 and E3 chord topped by B4: each top note is 3x the chord's lowest, a
    # partial of it as much as a note, and the pitch tracker follows the lowest
    chords = [[185.0, 233.1, 277.2, 370.0, 554.4], [164.8, 207.7, 246.9, 329.6, 493.9]] * 2
    src = TrackSource(_notes(chords), RATE, "", instrument="guitar")
    lo, hi = _range(src, "Gtr")
    assert abs(math.log2(lo / 164.8)) <= SEMITONE_OCT
    assert hi >= 554.4 * 2 ** -SEMITONE_OCT


def test_a_bass_lines_range_stays_on_its_notes():
    line = [[55.0], [73.4], [82.4], [110.0]]
    src = TrackSource(_notes(line), RATE, "", instrument="bass")
    lo, hi = _range(src, "Bass")
    assert abs(math.log2(lo / 55.0)) <= SEMITONE_OCT
    # one note at a time: up to its top note, or an octave over a note (kept as a possible doubling),
    # never up to its harmonics as a chord part's range is
    assert 110.0 * 2 ** -SEMITONE_OCT <= hi <= 110.0 * 2 ** (1 + SEMITONE_OCT)


def _row(**kw):
    table = load_table("unmask")
    return {**table["generic"], **kw}


def test_all_cuts_together_keep_the_protected_range_within_the_loss():
    # a masker masking the focus at every third-octave band from 100 Hz to 2 kHz, its notes at 80-400 Hz:
    # three cuts near the range may each keep within 1 dB and still add up past it
    c = 1000.0 * 2 ** (np.arange(-17, 14) / 3)
    share = np.where((c > 90) & (c < 2100), 0.6, 0.0)
    row = _row(max_bands=5, min_spacing_oct=0.33)
    cuts = tone.unmask_cuts(c, share, np.full(c.shape, 3.0), np.zeros(c.shape), row, 1.0,
                            protect_hz=(80.0, 400.0), sample_rate=RATE)
    assert cuts
    pts = np.exp(np.linspace(math.log(80.0), math.log(400.0), 400))
    # with the margin to spare: the cuts, fitted to the limit itself, took 0.999 dB off the top note
    loss = -np.min(tone.bands_response_db(cuts, pts, RATE))
    assert loss <= row["protect_max_loss_db"] - tone.PROTECT_MARGIN_DB + 1e-6
    assert loss >= row["protect_max_loss_db"] - tone.PROTECT_MARGIN_DB - 0.1  # the cuts do go up to it


def test_a_kick_key_band_cut_is_centred_on_the_kick_and_spares_the_notes_beside_it():
    c = 1000.0 * 2 ** (np.arange(-17, 14) / 3)
    share = np.where(c < 200, 0.7, 0.0)
    row = _row()
    f0 = 57.0
    key = (f0 * 2 ** (-1 / 6), f0 * 2 ** (1 / 6))
    cuts = tone.unmask_cuts(c, share, np.full(c.shape, 6.0), np.where(c < 200, 0.0, -40.0), row, 1.0,
                            protect_hz=(41.2, 220.0), key_band_hz=key, key_centre_hz=f0, sample_rate=RATE)
    assert [b.freq_hz for b in cuts] == [pytest.approx(f0)]
    assert cuts[0].gain_db == pytest.approx(-row["key_band_max_cut_db"])
    assert "inside_own_fundamentals" in cuts[0].evidence
    outside = np.array([f for f in 41.2 * 2 ** (np.arange(0, 28) / 12) if not key[0] <= f <= key[1]])
    assert -np.min(tone.bands_response_db(cuts, outside, RATE)) <= OWN_RANGE_TOL_DB + 1e-6
    assert tone.bands_response_db(cuts, np.array([f0]), RATE)[0] == pytest.approx(-row["key_band_max_cut_db"], abs=0.01)


def test_a_key_band_narrower_than_a_third_octave_band_is_still_cut():
    # a kick at 57.6 Hz whose two readings overlap over 53.4-62.0 Hz: no third-octave centre lies inside
    # (the base-2 grid has 49.6 and 62.5 Hz); the band it lies in is its key band
    c = 1000.0 * 2 ** (np.arange(-17, 14) / 3)
    key = (53.4, 62.0)
    assert not np.any((c >= key[0]) & (c <= key[1]))
    share = np.where(c < 200, 0.7, 0.0)
    cuts = tone.unmask_cuts(c, share, np.full(c.shape, 6.0), np.where(c < 200, 0.0, -40.0), _row(), 1.0,
                            protect_hz=(41.2, 220.0), key_band_hz=key, key_centre_hz=57.6, sample_rate=RATE)
    assert [round(b.freq_hz, 1) for b in cuts] == [57.6]
    assert cuts[0].evidence["focus_key_band"]


def test_a_settings_floor_of_zero_gives_no_hair_thin_cut():
    """``min_bw_oct`` 0 in a settings file: a cut inside the masker's notes is dropped, not narrowed
    to a hair (the search stops at 0.8**15 of the row's width, 0.035 octave for 1 octave)."""
    c = 1000.0 * 2 ** (np.arange(-17, 14) / 3)
    share = np.where((c > 150) & (c < 300), 0.8, 0.0)
    row = _row(min_bw_oct=0.0, max_bands=1)
    cuts = tone.unmask_cuts(c, share, np.full(c.shape, 6.0), np.zeros(c.shape), row, 1.0,
                            protect_hz=(80.0, 400.0), sample_rate=RATE)
    assert all(b.bw_oct >= row["bw_oct"] * 0.8 ** 15 - 1e-9 for b in cuts), [(b.freq_hz, b.bw_oct) for b in cuts]
