"""Pan selected tracks (issue 15), on the emulator's render of the test band. Every figure comes
from the emulator's engine render and code of this test (numpy FFT octave bands), not from the
product's estimate."""

from __future__ import annotations

import numpy as np
import pytest
from mix_material import SR, build

from reaper_assist.app.registry import run_action
from reaper_assist.emulator.engine.render import render
from reaper_assist.host.inprocess import InProcessHost

CENTRE_TOL = 0.05  # issue 15: bass, kick, snare and lead within 5 % of centre
MONO_LOSS_DB = 3.0  # issue 15: the mono fold-down loses less than 3 dB in any octave band
OCTAVES_HZ = (63, 125, 250, 500, 1000, 2000, 4000, 8000)
CENTRED = ("Lead Vocal", "Bass", "Kick", "Snare")


@pytest.fixture(scope="module")
def panned(material, tmp_path_factory):
    path = build(tmp_path_factory.mktemp("pan"), material)
    host = InProcessHost.open(str(path))
    before = {t.name: t.pan for t in host.reaper.project.tracks}
    rec = run_action("auto-pan", host, selected=True)
    return host, rec, before


def _pans(host) -> dict[str, float]:
    return {t.name: t.pan for t in host.reaper.project.tracks}


def _channel_balance(host, name: str) -> float:
    """(E_R - E_L) / (E_R + E_L) of the track's rendered output: 0 centred, +-1 one side only."""
    tr = next(t for t in host.reaper.project.tracks if t.name == name)
    x = render(host.reaper.project, track=tr).audio
    el, er = float(np.sum(x[0] ** 2)), float(np.sum(x[1] ** 2))
    return (er - el) / (er + el)


def _octave_fold_down_db(x: np.ndarray) -> dict[int, float]:
    """Per octave band: energy of mono (L+R)/2 on both channels against the stereo energy, dB."""
    spec = np.fft.rfft(x, axis=-1)
    f = np.fft.rfftfreq(x.shape[1], 1 / SR)
    out = {}
    for fc in OCTAVES_HZ:
        band = (f >= fc / np.sqrt(2)) & (f < fc * np.sqrt(2))
        stereo = np.sum(np.abs(spec[:, band]) ** 2)
        mono = 2 * np.sum(np.abs((spec[0, band] + spec[1, band]) / 2) ** 2)
        out[fc] = float(10 * np.log10(mono / stereo))
    return out


def test_low_end_and_lead_stay_centred(panned):
    host, rec, _ = panned
    assert rec["status"] == "ok", rec["message"]
    pans = _pans(host)
    for name in CENTRED:
        assert abs(pans[name]) <= CENTRE_TOL, (name, pans[name])
        assert abs(_channel_balance(host, name)) <= CENTRE_TOL, name


def test_the_similar_guitars_go_to_opposite_sides_at_mirrored_positions(panned):
    host, rec, _ = panned
    p1, p2 = _pans(host)["Guitar 1"], _pans(host)["Guitar 2"]
    assert p1 * p2 < 0 and abs(p1 + p2) <= 0.01 and min(abs(p1), abs(p2)) >= 0.3, (p1, p2)
    b1, b2 = _channel_balance(host, "Guitar 1"), _channel_balance(host, "Guitar 2")
    assert np.sign(b1) == np.sign(p1) and np.sign(b2) == np.sign(p2)  # heard on the sides they were sent
    hats = _pans(host)["Hats"]
    assert abs(hats) > max(abs(p1), abs(p2))  # higher and less important: wider


def test_the_stereo_strings_are_kept(panned):
    host, rec, before = panned
    assert _pans(host)["Strings"] == before["Strings"]
    assert next(t for t in rec["tracks"] if t["name"] == "Strings")["status"] == "kept"


def test_the_rendered_mix_folds_down_to_mono_within_3_db_in_every_octave(panned):
    host, rec, _ = panned
    loss = _octave_fold_down_db(render(host.reaper.project).audio)
    assert min(loss.values()) > -MONO_LOSS_DB, loss
    mono = rec["settings"]["mono_compatibility"]  # the product's own estimate is reported
    assert mono["worst_band_loss_db"] > -MONO_LOSS_DB and "mono fold-down" in rec["message"]
    # one run, one summary in REAPER's console, with the mono figures in it
    console = "".join(host.reaper.console)
    assert console.count("reaper-assist auto-pan:") == 1 and "mono fold-down" in console, console[-1500:]


def test_a_second_run_changes_nothing_and_one_undo_restores(material, tmp_path):
    host = InProcessHost.open(str(build(tmp_path, material)))
    before = _pans(host)
    assert run_action("auto-pan", host, selected=True)["changes"]
    again = run_action("auto-pan", host, selected=True)
    assert again["changes"] == [] and again["undo"] == ""
    assert host.undo() and _pans(host) == before


def test_headless_dry_run_and_save(material, tmp_path, capsys):
    from reaper_assist.cli import main

    path = build(tmp_path, material)
    tracks = "Lead Vocal,Guitar 1,Guitar 2,Bass"
    assert main(["run", "auto-pan", "--project", str(path), "--tracks", tracks, "--dry-run"]) == 0
    assert "would change 2 of 4 tracks" in capsys.readouterr().out
    out = tmp_path / "out.rpp"
    assert main(["run", "balance", "--project", str(path), "--tracks", tracks, "--focus", "Lead Vocal",
                 "--save", str(out)]) == 0
    saved = InProcessHost.open(str(out)).reaper.project
    assert {t.name: round(t.volume, 6) for t in saved.tracks}["Lead Vocal"] == 1.0
    assert {t.name: t.volume for t in saved.tracks}["Bass"] != 1.0
    assert "reaper_assist" in out.read_text() and "last_run" in out.read_text()


def test_a_muted_focus_is_refused_by_name(material, tmp_path):
    path = build(tmp_path, material)
    host = InProcessHost.open(str(path))
    host.reaper.project.tracks[0].mute = True
    before = _pans(host)
    rec = run_action("auto-pan", host, selected=True)
    assert rec["status"] == "error" and "'Lead Vocal'" in rec["message"] and "muted" in rec["message"]
    assert _pans(host) == before
