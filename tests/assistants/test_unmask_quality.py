"""Issue 13 point 7 on emulator renders (TimGM6mb stems, tuning material): unmask protects each
masker's own fundamental range and acts on the focus's most important band."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import welch

from reaper_assist.analysis.spectrum import masking
from reaper_assist.app import unmask
from tests.assistants.assist_builder import Session, band_power_db, render_file, run
from tests.assistants.assist_material import RATE, played_notes_hz

OWN_RANGE_TOL_DB = 1.0  # issue 13: unmask never cuts inside a track's own fundamental range
NOTE_BAND_OCT = 1.0 / 24.0
KEY_BAND_CUT_DB = 1.0  # acting on the key band: a move the notes' own 1 dB tolerance counts as one


def _session(stems, tmp, tracks, focus):
    s = Session(tmp)
    for name, stem, gain_db in tracks:
        s.track(name, stems(stem) * 10 ** (gain_db / 20))
    path = s.save()
    out = tmp / "u.rpp"
    rec, _ = run(unmask.run, path, out, options={"focus": focus})
    assert rec["status"] == "ok", rec["message"]
    return path, out, rec


@pytest.fixture(scope="module")
def vocal_focus(stems, tmp_path_factory):
    # a vocal whose body (110-400 Hz) overlaps the bass's upper notes
    return _session(stems, tmp_path_factory.mktemp("unmask-vocal"),
                    [("Lead Vox", "keys", 0.0), ("Bass", "bass", 0.0), ("Gtr", "guitar", 0.0)], "Lead Vox")


@pytest.fixture(scope="module")
def kick_focus(stems, tmp_path_factory):
    # a bass loud enough to cover the kick's fundamental (share >= 0.25 at 50-80 Hz)
    return _session(stems, tmp_path_factory.mktemp("unmask-kick"), [("Kick", "kick", 0.0), ("Bass", "bass", 8.0)],
                    "Kick")


def test_bass_is_never_cut_inside_its_own_notes_to_clear_a_vocal(vocal_focus):
    path, out, rec = vocal_focus
    x_in, x_out = render_file(path, "Bass"), render_file(out, "Bass")
    for f in played_notes_hz("bass"):
        lo, hi = f * 2 ** -NOTE_BAND_OCT, f * 2 ** NOTE_BAND_OCT
        moved = band_power_db(x_out, lo, hi) - band_power_db(x_in, lo, hi)
        assert abs(moved) < OWN_RANGE_TOL_DB, f"bass note {f:.0f} Hz moved {moved:+.2f} dB"
    ev = next(t for t in rec["tracks"] if t["name"] == "Bass")["evidence"]
    assert ev.get("own_fundamental_range_hz"), ev


def test_guitar_notes_keep_their_level_too(vocal_focus):
    path, out, _ = vocal_focus
    x_in, x_out = render_file(path, "Gtr"), render_file(out, "Gtr")
    for f in played_notes_hz("guitar"):
        lo, hi = f * 2 ** -NOTE_BAND_OCT, f * 2 ** NOTE_BAND_OCT
        moved = band_power_db(x_out, lo, hi) - band_power_db(x_in, lo, hi)
        assert abs(moved) < OWN_RANGE_TOL_DB, f"guitar note {f:.0f} Hz moved {moved:+.2f} dB"


def test_a_chord_parts_protected_range_reaches_its_top_note(vocal_focus):
    """Its top notes cannot be told from its lower notes' harmonics, so the range runs to its highest line."""
    _, _, rec = vocal_focus
    ev = next(t for t in rec["tracks"] if t["name"] == "Gtr")["evidence"]
    lo, hi = ev["own_fundamental_range_hz"]
    notes = played_notes_hz("guitar")
    assert lo <= min(notes) * 2 ** NOTE_BAND_OCT and hi >= max(notes) * 2 ** -NOTE_BAND_OCT, (lo, hi, notes)


def test_kick_focus_clears_the_kicks_fundamental_on_the_bass(kick_focus):
    path, out, rec = kick_focus
    bass = next(t for t in rec["tracks"] if t["name"] == "Bass")
    key = [b for b in bass["evidence"].get("bands", []) if b.get("focus_key_band")]
    assert key, bass
    lo, hi = bass["evidence"]["focus_key_band_hz"]
    # the kick's fundamental region: its strongest low partial +-1/6 octave (where its two readings'
    # regions overlap, so at most that wide), with the kick's spectral peak inside
    assert 0.0 < math.log2(hi / lo) <= 1 / 3 + 1e-3  # the record rounds its numbers
    f, p = welch(render_file(path, "Kick"), fs=RATE, nperseg=32768, axis=-1)
    sel = (f >= 35) & (f <= 150)
    assert lo <= f[sel][np.argmax(p.mean(axis=0)[sel])] <= hi
    assert lo <= key[0]["cut_hz"] <= hi and "inside_own_fundamentals" in key[0], key
    x_in, x_out = render_file(path, "Bass"), render_file(out, "Bass")
    dropped = band_power_db(x_in, lo, hi) - band_power_db(x_out, lo, hi)
    assert dropped >= KEY_BAND_CUT_DB, f"the bass lost {dropped:.2f} dB at the kick's fundamental {lo:.0f}-{hi:.0f} Hz"
    before = masking(render_file(path, "Kick"), x_in, RATE)
    after = masking(render_file(out, "Kick"), x_out, RATE)
    sel = (before.band_centres_hz >= lo) & (before.band_centres_hz <= hi) & np.isfinite(before.masking_ratio)
    assert np.any(sel)
    assert np.nanmean(after.masking_ratio[sel]) < np.nanmean(before.masking_ratio[sel]), (
        before.masking_ratio[sel], after.masking_ratio[sel])


def test_kick_focus_keeps_the_bass_notes_outside_the_kicks_fundamental(kick_focus):
    path, out, rec = kick_focus
    lo, hi = next(t for t in rec["tracks"] if t["name"] == "Bass")["evidence"]["focus_key_band_hz"]
    x_in, x_out = render_file(path, "Bass"), render_file(out, "Bass")
    outside = [f for f in played_notes_hz("bass") if not lo <= f <= hi]
    assert outside
    for f in outside:
        a, b = f * 2 ** -NOTE_BAND_OCT, f * 2 ** NOTE_BAND_OCT
        moved = band_power_db(x_out, a, b) - band_power_db(x_in, a, b)
        assert abs(moved) < OWN_RANGE_TOL_DB, f"bass note {f:.0f} Hz (outside {lo:.0f}-{hi:.0f} Hz) moved {moved:+.2f} dB"
