"""Issue 7, action 1: "Auto-EQ selected tracks", measured on emulator renders of real stems."""

from __future__ import annotations

import json

import numpy as np
import pytest

from reaper_assist.app import auto_eq
from reaper_assist.emulator.project import Project
from tests.assistants.assist_builder import (
    Session,
    band_power_db,
    excess_over_smoothed_db,
    render_file,
    run,
)
from tests.assistants.assist_material import RATE, peaking, rumble

RESONANCE_RESIDUAL_DB = 2.0  # issue 7: the injected resonance ends within 2 dB of the smoothed spectrum
RUMBLE_DROP_DB = 12.0  # issue 7: rumble below 40 Hz drops by at least 12 dB on non-bass instruments
FUNDAMENTAL_TOL_DB = 1.0  # issue 7: kick/bass fundamentals move by less than 1 dB
# across the issue's 200 Hz-6 kHz range, away from the stems' own strong resonances (a snare with
# five natural 6-8 dB resonances is a known limit of 4 bands: docs/assistants.md)
INJECTED = {"Drums A": 1000.0, "Drums B": 3150.0, "Drums C": 250.0, "Snare": 2000.0}


@pytest.fixture(scope="module")
def eq_session(stems, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("auto-eq")
    s = Session(tmp)
    s.track("Drums A", peaking(stems("drums"), INJECTED["Drums A"], 9.0, 8.0))
    s.track("Drums B", peaking(stems("drums"), INJECTED["Drums B"], 9.0, 8.0))
    s.track("Drums C", peaking(stems("drums"), INJECTED["Drums C"], 9.0, 8.0))
    s.track("Snare", peaking(stems("snare"), INJECTED["Snare"], 9.0, 8.0))
    gtr, keys = stems("guitar"), stems("keys")
    s.track("Gtr", gtr + rumble(gtr.shape[1], -36.0))
    s.track("Keys", keys + rumble(keys.shape[1], -36.0, seed=6))
    s.track("Kick", stems("kick"))
    s.track("Bass", stems("bass"))
    s.track("Room mic", stems("drums"), selected=False)
    path = s.save()
    out1 = tmp / "eq1.rpp"
    rec1, host1 = run(auto_eq.run, path, out1)
    out2 = tmp / "eq2.rpp"
    rec2, _ = run(auto_eq.run, out1, out2)
    return {"in": path, "out": out1, "out2": out2, "rec1": rec1, "rec2": rec2, "host1": host1, "tmp": tmp}


def test_first_run_adds_one_tagged_reaeq_per_selected_track(eq_session):
    rec = eq_session["rec1"]
    assert rec["status"] == "ok", rec["message"]
    assert rec["undo"] == "reaper-assist: Auto-EQ 8 tracks"
    assert [t["status"] for t in rec["tracks"]] == ["changed"] * 8
    p = Project.load(str(eq_session["out"]))
    for tr in p.tracks[:8]:
        names = [fx.name for fx in tr.fxchain.fx] if tr.fxchain else []
        assert len(names) == 1, (tr.name, names)
    room = p.tracks[8]
    assert room.fxchain is None or not room.fxchain.fx
    # every change carries evidence in last_run
    stored = json.loads(eq_session["host1"].get_proj_ext("reaper_assist", "last_run"))
    assert stored["changes"] and all("evidence" in c and c["evidence"] for c in stored["changes"])


@pytest.mark.parametrize("name", sorted(INJECTED))
def test_injected_resonance_is_cut_to_the_smoothed_spectrum(eq_session, name):
    f0 = INJECTED[name]
    before = excess_over_smoothed_db(render_file(eq_session["in"], name), f0)
    after = excess_over_smoothed_db(render_file(eq_session["out"], name), f0)
    assert before > 6.0, f"{name}: the injected resonance should stand out first ({before:.1f} dB)"
    assert after <= RESONANCE_RESIDUAL_DB, f"{name}: {before:.1f} dB -> {after:.1f} dB above the smoothed spectrum"


@pytest.mark.parametrize("name", ["Gtr", "Keys"])
def test_rumble_below_40_hz_drops_on_non_bass_instruments(eq_session, name):
    before = band_power_db(render_file(eq_session["in"], name), 20.0, 40.0)
    after = band_power_db(render_file(eq_session["out"], name), 20.0, 40.0)
    assert before - after >= RUMBLE_DROP_DB, f"{name}: rumble {before:.1f} -> {after:.1f} dB"


@pytest.mark.parametrize("name", ["Kick", "Bass"])
def test_kick_and_bass_fundamentals_stay(eq_session, name):
    x_in = render_file(eq_session["in"], name)
    x_out = render_file(eq_session["out"], name)
    from scipy.signal import welch

    f, p = welch(x_in, fs=RATE, nperseg=32768, axis=-1)
    p = p.mean(axis=0)
    sel = (f >= 30) & (f <= 150)
    f_fund = float(f[sel][np.argmax(p[sel])])
    lo, hi = f_fund * 2 ** (-1 / 12), f_fund * 2 ** (1 / 12)
    moved = band_power_db(x_out, lo, hi) - band_power_db(x_in, lo, hi)
    assert abs(moved) < FUNDAMENTAL_TOL_DB, f"{name}: fundamental {f_fund:.0f} Hz moved {moved:+.2f} dB"


def test_second_run_changes_nothing(eq_session):
    rec = eq_session["rec2"]
    assert rec["status"] == "ok"
    assert rec["changes"] == [], rec["changes"][:3]
    assert rec["message"] == "the tracks are already at target; nothing changed"
    a, b = Project.load(str(eq_session["out"])), Project.load(str(eq_session["out2"]))
    for ta, tb in zip(a.tracks, b.tracks):
        assert len(ta.fxchain.fx if ta.fxchain else []) == len(tb.fxchain.fx if tb.fxchain else [])


def test_tonal_tracks_do_not_get_every_harmonic_cut(eq_session):
    rec = eq_session["rec1"]
    for t in rec["tracks"]:
        if t["name"] in ("Gtr", "Keys", "Bass"):
            reported = len(t["evidence"]["resonances"])
            cuts = sum(1 for c in rec["changes"] if c["track_name"] == t["name"]
                       and "resonance_hz" in (c["evidence"] or {}) and c["what"].endswith(" on"))
            assert cuts <= 2 < reported, (t["name"], cuts, reported)
