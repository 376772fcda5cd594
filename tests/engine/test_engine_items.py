"""The emulator's own item player (engine/items.py) against known answers, and against the
product's media renderer: two implementations of the same item fields (facts 4.3) must agree."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import SR, write_wav

from reaper_assist.emulator.engine import render
from reaper_assist.emulator.engine.items import ratio_fraction, resample
from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper
from reaper_assist.host.inprocess import InProcessHost
from reaper_assist.media import render_items

SRC_RATE = 44100
#: Two different resamplers (soxr HQ in the product, scipy resample_poly with a 32-zero-crossing
#: Kaiser sinc here) agree to -80 dB of full scale on tones inside the passband; without
#: resampling the players agree exactly up to float rounding.
RESAMPLER_AGREEMENT = 1e-4
EXACT = 1e-9


def _source(tmp_path, rate: int = SRC_RATE, seconds: float = 3.0):
    """Asymmetric stereo (440 Hz left, 1 kHz right at half level, a slow swell on both) so a
    swapped, reversed or shifted read cannot pass. The file starts and ends with 10 ms raised-
    cosine ramps so neither its edges nor the loop seam are a step (at a step the two resamplers
    ring differently, which is no disagreement about the item)."""
    t = np.arange(int(seconds * rate)) / rate
    x = np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.25 * np.sin(2 * np.pi * 1000 * t)])
    x += 0.2 * np.sin(2 * np.pi * t / seconds)
    ramp = np.minimum(1.0, np.minimum(t, seconds - t) / 0.01)
    x *= 0.5 - 0.5 * np.cos(np.pi * ramp)
    return write_wav(tmp_path / f"src_{rate}.wav", x, rate)


def _set(item, key: str, index: int, value: float) -> None:
    fill = {"FADEIN": [1, 0, 0, 1, 0, 0, 0], "FADEOUT": [1, 0, 0, 1, 0, 0, 0],
            "VOLPAN": [1, 0, 1, -1], "PLAYRATE": [1, 1, 0, -1, 0, 0.0025], "SOFFS": [0],
            "CHANMODE": [0], "LOOP": [0]}[key]
    item.chunk.set(key, index, value, fill=fill)


# (RPP key, field, value) per case; item at 0.25 s for 1.5 s, window 0 .. 2 s
CASES = {
    "plain": [],
    "fades linear": [("FADEIN", 1, 0.3), ("FADEOUT", 1, 0.4)],
    **{f"fade shape {k} dir {d}": [("FADEIN", 0, k), ("FADEIN", 1, 0.5), ("FADEIN", 5, d),
                                    ("FADEOUT", 0, k), ("FADEOUT", 1, 0.6), ("FADEOUT", 5, -d)]
       for k in range(7) for d in (-0.7, 0.0, 0.5)},
    "auto fade overrides manual": [("FADEIN", 1, 0.5), ("FADEIN", 2, 0.1), ("FADEOUT", 2, 0.2)],
    "overlapping fades": [("FADEIN", 1, 1.0), ("FADEOUT", 1, 1.0)],
    "take offset": [("SOFFS", 0, 0.37)],
    "item and take volume, polarity": [("VOLPAN", 0, 0.7), ("VOLPAN", 2, -0.5)],
    "take pan left": [("VOLPAN", 1, -0.6)],
    "take pan right": [("VOLPAN", 1, 0.3)],
    **{f"chanmode {m}": [("CHANMODE", 0, m)] for m in range(1, 5)},
    "playrate 0.5": [("PLAYRATE", 0, 0.5)],
    "playrate 1.5 with offset": [("PLAYRATE", 0, 1.5), ("SOFFS", 0, 0.2)],
    "playrate 2 looped": [("PLAYRATE", 0, 2.0), ("LOOP", 0, 1)],
    "looped source": [("LOOP", 0, 1), ("SOFFS", 0, 2.5)],
}


def _project(tmp_path, file, fields, *, position=0.25, length=1.5, section=None) -> Project:
    p = Project.new(sample_rate=SR)
    p.path = str(tmp_path / "items.rpp")
    tr = p.add_track(0, name="T")
    item = p.add_item(tr, position=position, length=length, file=str(file))
    for key, index, value in fields:
        _set(item, key, index, value)
    if section is not None:  # wrap the source in a SECTION (facts 4.3)
        from reaper_assist.emulator.rpp import Chunk, Line

        src = item.chunk.chunk("SOURCE")
        wrapper = Chunk.new("SOURCE", ["SECTION"])
        start, slen, mode = section
        wrapper.children = [Line.from_tokens(["LENGTH", slen]), Line.from_tokens(["MODE", mode]),
                            Line.from_tokens(["STARTPOS", start]), Line.from_tokens(["OVERLAP", 0.01]), src]
        kids = item.chunk.children
        kids[kids.index(src)] = wrapper
    return p


def _product(p: Project, end_s: float):
    """The same item through the product: read as the host reads it, rendered by media."""
    track = InProcessHost(Reaper(p)).read_state().tracks[0]
    return render_items(track.items, track_name=track.name, sample_rate=SR, channels=2, start_s=0.0,
                        end_s=end_s).audio


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("rate", [SR, SRC_RATE])
def test_item_player_agrees_with_the_product_media_renderer(tmp_path, case, rate):
    p = _project(tmp_path, _source(tmp_path, rate), CASES[case])
    ours = render(p, track=p.tracks[0], start_s=0.0, end_s=2.0).audio
    theirs = _product(p, 2.0)
    resampled = rate != SR or any(k == "PLAYRATE" for k, _, _ in CASES[case])
    tol = RESAMPLER_AGREEMENT if resampled else EXACT
    assert ours.shape == theirs.shape
    assert np.max(np.abs(ours)) > 0.1  # the item really played
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=tol)


@pytest.mark.parametrize("mode", ["0", "2"])  # 2: reversed
def test_section_sources_agree_with_the_product_media_renderer(tmp_path, mode):
    p = _project(tmp_path, _source(tmp_path, SR), [], section=(0.8, 1.1, mode), length=1.5)
    ours = render(p, track=p.tracks[0], start_s=0.0, end_s=2.0).audio
    np.testing.assert_allclose(ours, _product(p, 2.0), rtol=0, atol=EXACT)


def test_linear_fade_is_half_way_at_its_middle_and_plays_in_item_time(tmp_path):
    dc = write_wav(tmp_path / "dc.wav", np.full((2, SR * 2), 0.5))
    p = _project(tmp_path, dc, [("FADEIN", 0, 0), ("FADEIN", 1, 0.2), ("PLAYRATE", 0, 2.0)],
                 position=1.0, length=0.8)
    a = render(p, track=p.tracks[0], start_s=0.0, end_s=2.0).audio
    k = int(round(1.1 * SR))  # 0.1 s into the 0.2 s fade (playrate does not stretch fades)
    np.testing.assert_allclose(a[:, k], [0.25, 0.25], atol=1e-3)
    assert np.all(a[:, : SR] == 0) and np.all(a[:, int(1.8 * SR) + 1:] == 0)


def test_playrate_two_doubles_the_pitch_of_a_resampled_source(tmp_path):
    p = _project(tmp_path, _source(tmp_path, SRC_RATE), [("PLAYRATE", 0, 2.0)], position=0.0, length=1.0)
    a = render(p, track=p.tracks[0], start_s=0.0, end_s=1.0).audio
    spectrum = np.abs(np.fft.rfft(a[1] - a[1].mean()))
    peak_hz = np.argmax(spectrum) * SR / a.shape[1]
    assert abs(peak_hz - 2000.0) <= 1.0  # the 1 kHz right channel at twice the speed (1 Hz bins)


def test_resample_uses_the_exact_ratio_of_standard_rates():
    q = ratio_fraction(SR / SRC_RATE)
    assert (q.numerator, q.denominator) == (160, 147)
    assert resample(np.zeros((1, 441)), q).shape == (1, 480)


@pytest.mark.parametrize("case", ["plain", "playrate 1.5 with offset", "playrate 0.5"])
def test_both_players_put_a_resampled_source_on_time(tmp_path, case):
    """Item frame k plays source time SOFFS + PLAYRATE * k / sr exactly (facts 4.3): compared
    with the tone computed at those times. (The product's reader used to start a resampled
    stretch up to half an output sample off: 0.009 of full scale on this tone.)"""
    p = _project(tmp_path, _source(tmp_path, SRC_RATE), CASES[case])
    take = p.tracks[0].items[0].active_take
    t = np.arange(2 * SR) / SR
    ts = take.start_offset + take.playrate * (t - 0.25)
    expected = np.stack([0.5 * np.sin(2 * np.pi * 440 * ts), 0.25 * np.sin(2 * np.pi * 1000 * ts)])
    expected += 0.2 * np.sin(2 * np.pi * ts / 3.0)
    inside = slice(int(0.3 * SR), int(1.7 * SR))  # away from the item edges and the source ramps
    for audio in (render(p, track=p.tracks[0], start_s=0.0, end_s=2.0).audio, _product(p, 2.0)):
        np.testing.assert_allclose(audio[:, inside], expected[:, inside], rtol=0, atol=RESAMPLER_AGREEMENT)
