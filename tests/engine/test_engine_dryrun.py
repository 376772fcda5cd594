"""Dry-run loudness actions 42437-42441 and RENDER_STATS, through the RPR_* functions."""

from __future__ import annotations

import re

import numpy as np
from engine_helpers import SR, sine

from reaper_assist.analysis.loudness import measure_loudness
from reaper_assist.emulator.engine import render

FIELD = re.compile(r"([A-Z]+):([^;]*);")
NUMBERS = ("LUFSI", "RMSI", "PEAK", "LUFSMMAX", "LUFSSMAX", "LRA")


def stats(session, action: int) -> list[dict[str, str]]:
    f = session.f
    f["RPR_Main_OnCommand"](action, 0)
    ok, _, desc, value, _ = f["RPR_GetSetProjectInfo_String"](0, "RENDER_STATS", str(action), False)
    assert ok and desc == "RENDER_STATS"
    groups: list[dict[str, str]] = []
    for k, v in FIELD.findall(value):
        if k == "FILE":
            groups.append({})
        groups[-1][k] = v
    assert "".join(f"{k}:{v};" for g in groups for k, v in g.items()) == value  # nothing else
    for g in groups:
        assert list(g) == ["FILE", *NUMBERS, "CLIP"]
        for k in NUMBERS:
            assert g[k] == "-inf" or re.fullmatch(r"-?\d+\.\d\d", g[k]), (k, g[k])
        assert g["CLIP"].isdigit()
    return groups


def test_selected_tracks_are_measured_post_fader_and_named_by_track(session):
    f = session.f
    a = session.add_track("Lead Vox", sine(997.0, 4.0, 0.1))
    b = session.add_track("Bass", sine(997.0, 4.0, 0.1))
    session.add_track("Not selected", sine(997.0, 4.0, 0.5))
    f["RPR_SetTrackSelected"](a, True)
    f["RPR_SetTrackSelected"](b, True)
    f["RPR_SetMediaTrackInfo_Value"](b, "D_VOL", 0.5)
    lead, bass = stats(session, 42438)
    assert (lead["FILE"], bass["FILE"]) == ("Lead Vox", "Bass")
    expected = measure_loudness(sine(997.0, 4.0, 0.1), SR)
    assert abs(float(lead["LUFSI"]) - expected.integrated_lufs) <= 0.01
    assert abs(float(lead["PEAK"]) - expected.sample_peak_dbfs) <= 0.01
    assert abs(float(bass["LUFSI"]) - (expected.integrated_lufs - 6.02)) <= 0.01  # fader -6.02 dB


def test_master_mix_is_the_rendered_master(session):
    session.add_track("A", sine(440.0, 4.0, 0.3))
    session.add_track("B", sine(1000.0, 4.0, 0.2))
    [m] = stats(session, 42440)
    assert m["FILE"] == "test.wav"
    r = measure_loudness(render(session.project).audio, SR)
    assert float(m["LUFSI"]) == round(r.integrated_lufs, 2)
    assert float(m["LUFSMMAX"]) == round(r.max_momentary_lufs, 2)
    assert float(m["LUFSSMAX"]) == round(r.max_short_term_lufs, 2)


def test_time_selection_actions_measure_only_the_selection(session):
    f = session.f
    x = np.concatenate([sine(997.0, 2.0, 0.5), sine(997.0, 2.0, 0.05)], axis=1)
    tr = session.add_track("T", x)
    f["RPR_SetTrackSelected"](tr, True)
    session.project.root.set("SELECTION", 0, 2.0, fill=[0.0, 0.0])
    session.project.root.set("SELECTION", 1, 4.0)
    [whole] = stats(session, 42438)
    [sel] = stats(session, 42439)
    [msel] = stats(session, 42441)
    quiet = measure_loudness(sine(997.0, 2.0, 0.05), SR).integrated_lufs
    assert abs(float(sel["LUFSI"]) - quiet) <= 0.01
    assert abs(float(msel["LUFSI"]) - quiet) <= 0.01
    assert float(whole["LUFSI"]) > quiet + 15


def test_selected_items_are_measured_through_the_track_fx(session):
    f = session.f
    tr = session.add_track("T", sine(997.0, 2.0, 0.5))
    k = session.add_fx(tr, "JS: Volume Adjustment")
    session.set_param(tr, k, 0, -12.0)
    item = f["RPR_GetTrackMediaItem"](tr, 0)
    f["RPR_SetMediaItemInfo_Value"](item, "B_UISEL", 1)
    [g] = stats(session, 42437)
    expected = measure_loudness(sine(997.0, 2.0, 0.5 / 4), SR).integrated_lufs
    assert abs(float(g["LUFSI"]) - expected) <= 0.01


def test_silence_and_clipping_are_reported(session):
    f = session.f
    tr = session.add_track("Loud", np.clip(sine(100.0, 1.0, 2.0), -1.5, 1.5))
    f["RPR_SetTrackSelected"](tr, True)
    [g] = stats(session, 42438)
    assert int(g["CLIP"]) > 0
    f["RPR_SetMediaTrackInfo_Value"](tr, "B_MUTE", 1)
    [g] = stats(session, 42438)
    assert g["LUFSI"] == "-inf" and g["PEAK"] == "-inf"
