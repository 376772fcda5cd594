"""Instrument recognition from names and from audio (real SoundFont stems), and a resonance
injected into a real stem."""

from __future__ import annotations

import math

import numpy as np
import pytest
from analysis_helpers import peaking_eq

from reaper_assist.analysis.instruments import INSTRUMENTS, recognise, recognise_name
from reaper_assist.analysis.spectrum import find_resonances, long_term_spectrum

#: Audio recognition accuracy on the held-out TimGM6mb stems, measured 0.77 (docs/analysis.md);
#: the floor leaves room for fluidsynth version differences, not for regressions.
MIN_AUDIO_ACCURACY = 0.65
RESONANCE_FREQ_TOL_OCT = 1 / 6


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Kick In", "kick"),
        ("KIK OUT", "kick"),
        ("BD", "kick"),
        ("Bass Drum", "kick"),
        ("kick_sub", "kick"),
        ("Snare Top", "snare"),
        ("SN btm", "snare"),
        ("SnareBottom", "snare"),
        ("HH", "hihat"),
        ("Hi-Hat", "hihat"),
        ("hats", "hihat"),
        ("OH L", "overheads"),
        ("Overheads", "overheads"),
        ("Tom 1", "tom"),
        ("Floor Tom", "tom"),
        ("Room Mics", "room"),
        ("Drums", "drums"),
        ("Drum Bus", "drums"),
        ("Shaker", "percussion"),
        ("Bass DI", "bass"),
        ("Bs Amp", "bass"),
        ("Synth Bass", "bass"),
        ("808", "bass"),
        ("Gtr L", "guitar"),
        ("Ac Gtr", "guitar"),
        ("Lead Gtr", "guitar"),
        ("Keys", "keys"),
        ("Pno", "keys"),
        ("Rhodes", "keys"),
        ("Piano 2", "keys"),
        ("Synth Arp", "synth"),
        ("Pad", "pad"),
        ("Str", "strings"),
        ("Violins", "strings"),
        ("Horns", "brass"),
        ("Vox", "vocal"),
        ("Lead Vox", "vocal"),
        ("LeadVocal", "vocal"),
        ("vocals_final", "vocal"),
        ("BV 3", "backing_vocal"),
        ("Backing Vox", "backing_vocal"),
        ("BGV", "backing_vocal"),
        ("Harmony", "backing_vocal"),
        ("FX Riser", "fx"),
    ],
)
def test_names_and_abbreviations(name, expected):
    guess = recognise(name)
    assert (guess.instrument, guess.source) == (expected, "name"), guess
    assert guess.confidence >= 0.6


@pytest.mark.parametrize("name", [None, "", "Audio 1", "Track 12", "untitled", "mix print"])
def test_uninformative_names_say_nothing(name):
    assert recognise_name(name) is None
    assert recognise(name) == recognise(None)
    assert recognise(None).source == "default" and recognise(None).confidence == 0.0


def test_weak_name_defers_to_audio_but_is_used_without_audio():
    assert recognise("Lead").source == "name"  # "lead" alone: probably the vocal
    t = np.arange(48000 * 3) / 48000
    guess = recognise("Lead", 0.3 * np.sin(2 * np.pi * 55 * t), 48000)
    assert guess.source == "audio"


@pytest.mark.filterwarnings("error")
def test_silence_falls_back_to_default():
    assert recognise("Audio 3", np.zeros((2, 48000)), 48000).source == "default"


def test_labels_are_in_the_vocabulary():
    assert recognise("Kick").instrument in INSTRUMENTS


@pytest.mark.slow
def test_audio_recognition_accuracy_on_real_soundfont_stems(rendered_stems):
    from stems import evaluate

    accuracy, confusion = evaluate(rendered_stems)
    wrong = {k: v for k, v in confusion.items() if k[0] != k[1]}
    assert accuracy >= MIN_AUDIO_ACCURACY, f"accuracy {accuracy:.2f}; confusions {wrong}"


@pytest.mark.slow
@pytest.mark.parametrize("freq_hz", [700.0, 1500.0, 3000.0])
def test_injected_resonance_in_a_real_drum_stem_is_found(rendered_stems, freq_hz):
    from stems import read

    stem = next(s for s in rendered_stems if s.label == "drums")
    audio, rate = read(stem)
    boosted = peaking_eq(audio.astype(np.float64), rate, freq_hz, 9.0, 8.0)
    found = find_resonances(long_term_spectrum(boosted, rate))
    near = [r for r in found if abs(math.log2(r.freq_hz / freq_hz)) <= RESONANCE_FREQ_TOL_OCT]
    assert near, f"nothing within 1/6 octave of {freq_hz} Hz in {found}"
    assert near[0].excess_db >= 5.0
