"""The scorecard's own readings of a stem (bench/quality.py, numpy/scipy only), on signals with
known answers: a kick's fundamental is its lowest strong mode, not its shell's, and a tonal stem
that sounds octaves under its MIDI notes (a GM organ's 16' footage) is read as sounding there."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench import corpus as K
from bench import quality as Q

RATE = Q.RATE
WELCH_BIN_HZ = RATE / Q.WELCH_N  # kick_peak_hz's grid (2.9 Hz)


def _kick(low_hz: float, shell_hz: float, low_gain_db: float, seconds: float = 8.0, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(0.5 * rate)) / rate
    hit = (np.sin(2 * np.pi * shell_hz * t) + 10 ** (low_gain_db / 20) * np.sin(2 * np.pi * low_hz * t)) \
        * np.exp(-t / 0.12)
    x = np.zeros(int(seconds * rate))
    for start in range(0, x.size - t.size, rate // 2):
        x[start:start + t.size] += hit
    return np.stack([x, x]) * 0.3 / np.max(np.abs(x))


@pytest.mark.parametrize("low_gain_db, expected_hz", [(-3.0, 42.0), (-12.0, 100.0)])
def test_a_kicks_fundamental_is_its_lowest_mode_within_6_db_of_the_strongest(low_gain_db, expected_hz):
    """A 42 Hz mode 3 dB under a 100 Hz shell is the fundamental; 12 dB under, the shell is."""
    assert Q.kick_peak_hz(_kick(42.0, 100.0, low_gain_db)) == pytest.approx(expected_hz, abs=WELCH_BIN_HZ)


def test_a_kick_mode_at_the_windows_edge_counts_at_44_1_khz(monkeypatch):
    """Red Zeppelin's 35 Hz mode falls in the 34.99 Hz bin of a 44.1 kHz session (35.16 at 48 kHz):
    a bin stands for what lies within half a bin of it, so the mode is the kick's fundamental there
    too, not its 105 Hz shell (which the 35-150 Hz window read)."""
    monkeypatch.setattr(Q, "RATE", 44100)
    got = Q.kick_peak_hz(_kick(35.0, 105.0, -1.5, rate=44100))
    assert got == pytest.approx(35.0, abs=44100 / 16384), got


def _tone(f0_hz: float, seconds: float = 4.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    x = sum(np.sin(2 * np.pi * k * f0_hz * t) / k for k in range(1, 9))
    return np.stack([x, x]) * 0.1


@pytest.mark.parametrize("midi_lowest_hz, octaves", [(55.0, 0), (110.0, 1), (220.0, 2)])
def test_a_tonal_stem_sounding_under_its_notes_is_read_there(midi_lowest_hz, octaves):
    """A tone sounding at 55 Hz, played as MIDI notes at 55, 110 or 220 Hz: 0, 1 or 2 octaves under."""
    x = _tone(55.0)
    assert Q.sounding_octaves(x, midi_lowest_hz) == octaves
    st = K.Stem("t/stem-keys-0", "t", "tuning", "keys", "stem", "organ", "", (midi_lowest_hz, 2 * midi_lowest_hz))
    sounding = Q.sounding_fundamentals_hz(st, x)
    assert min(sounding) == pytest.approx(midi_lowest_hz / 2 ** octaves)
    assert set(st.fundamentals_hz) <= set(sounding)  # the MIDI notes stay notes


def test_quality_diff_lists_the_rows_that_differ_between_two_runs(tmp_path, capsys):
    """bench/quality_diff.py, the row-by-row comparison docs/quality.md's "no row changed" rests on:
    a changed row, a row only one run has, and an equal row."""
    from bench import quality_diff

    row = {"stem": "font/stem-bass-0", "drop_db": 8.41}
    before = [{"source": "font", "rumble": [row, {"stem": "font/stem-keys-1", "drop_db": 20.0}], "per_class": 3}]
    after = [{"source": "font", "rumble": [{**row, "drop_db": 6.65}], "per_class": 3}]
    (tmp_path / "a.json").write_text(json.dumps(before))
    (tmp_path / "b.json").write_text(json.dumps(after))
    assert quality_diff.main([str(tmp_path / "a.json"), str(tmp_path / "b.json")]) == 0
    out = capsys.readouterr().out
    assert "font / rumble / font/stem-bass-0" in out and "'drop_db': 6.65" in out
    assert "font / rumble / font/stem-keys-1" in out and "(no such row)" in out
    assert out.strip().endswith("2 of 2 rows differ")
    assert quality_diff.main([str(tmp_path / "a.json"), str(tmp_path / "a.json")]) == 0
    assert capsys.readouterr().out.strip() == "0 of 2 rows differ"
