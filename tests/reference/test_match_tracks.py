"""match-reference and ab-reference on tracks (``--tracks A,B`` / ``--selected``): the listed tracks
are matched together, as their sum soloed through the master, with the same plugins on each.
Measured on the emulator's render of the saved project with only those tracks soloed (scipy /
pyloudnorm, reference_material), never with the product's analysis."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
from reference_material import (PARTS, REF_GAIN_DB, SR, curve_b, distance_db, integrated_lufs, side_mid_db,
                                widened)

from reaper_assist import cli
from reaper_assist.app.registry import run_action
from reaper_assist.emulator.engine.render import render
from reaper_assist.emulator.project import Project
from reaper_assist.host.inprocess import InProcessHost

GROUP = ("Drums", "Piano")
TOLERANCE_LU = 0.3
REDUCTION_AT_100 = 0.75
HALF_AT_50 = (0.35, 0.65)  # "about half" at amount 50, as test_match_reference.py


def _soloed(path, names) -> np.ndarray:
    p = Project.load(str(path))
    for t in p.tracks:
        t.solo = 1 if t.name in names else 0
    return render(p).audio


def _chains(path) -> dict[str, list[str]]:
    return {t.name: [fx.renamed_name or fx.original_name for fx in t.fx] for t in Project.load(str(path)).tracks}


@pytest.fixture(scope="module")
def group_reference(material):
    """The plain Piano and Pad stems, panned as in the mix, through curve B, 4 dB up."""
    folder = material[0]
    p = Project.new(sample_rate=SR)
    for i, name in enumerate(GROUP):
        tr = p.add_track(i, name=name)
        tr.pan = PARTS[name][3]
        p.add_item(tr, position=0.0, length=10.5, file=str(folder / f"{name}-plain.wav"))
    audio = curve_b(render(p).audio) * 10 ** (REF_GAIN_DB / 20)
    path = folder / "reference-group.wav"
    sf.write(path, audio.T, SR, subtype="FLOAT")
    return path, audio


@pytest.fixture(scope="module")
def headless(material, group_reference, tmp_path_factory):
    _, mix, _, _, _ = material
    out = tmp_path_factory.mktemp("tracks") / "tracks.rpp"
    code = cli.main(["run", "match-reference", "--project", str(mix), "--tracks", ",".join(GROUP), "--reference",
                     str(group_reference[0]), "--save", str(out), "--json"])
    return code, out


def test_tracks_are_matched_together_and_the_others_are_left(material, group_reference, headless):
    _, mix, _, _, mix_audio = material
    code, out = headless
    assert code == 0
    ref_audio = group_reference[1]
    before = distance_db(ref_audio, _soloed(mix, GROUP))
    after_audio = _soloed(out, GROUP)
    after = distance_db(ref_audio, after_audio)
    assert after <= (1 - REDUCTION_AT_100) * before, (before, after)
    assert abs(integrated_lufs(after_audio) - integrated_lufs(ref_audio)) <= TOLERANCE_LU
    chains = _chains(out)
    assert chains["Drums"] == chains["Piano"] == ["RA Match", "RA Match Gain"]
    assert chains["Bass"] == chains["Pad"] == []
    p = Project.load(str(out))
    eq = [t.fx[0].model.state.values for t in p.tracks if t.name in GROUP]
    assert eq[0] == eq[1]  # the same EQ on both: the group keeps its balance
    others = [n for n in PARTS if n not in GROUP]
    assert np.max(np.abs(_soloed(out, others) - _soloed(mix, others))) < 1e-9


def test_selected_tracks_a_second_run_changes_nothing_and_remove_restores(material, group_reference, headless,
                                                                          tmp_path):
    _, out = headless
    p = Project.load(str(out))
    for t in p.tracks:
        t.selected = t.name in GROUP
    sel = tmp_path / "selected.rpp"
    p.save(str(sel))
    host = InProcessHost.open(str(sel))
    again = run_action("match-reference", host, options={"reference": [str(group_reference[0])], "selected": True})
    assert again["status"] == "ok" and again["changes"] == [], again["message"]
    assert [t["name"] for t in again["tracks"]] == list(GROUP)
    gone = run_action("remove", host)  # the selected tracks
    assert gone["status"] == "ok", gone["message"]
    host.save(str(tmp_path / "removed.rpp"))
    assert all(c == [] for c in _chains(tmp_path / "removed.rpp").values())
    assert np.max(np.abs(render(Project.load(str(tmp_path / "removed.rpp"))).audio - material[4])) < 1e-9


@pytest.mark.parametrize("action", ["match-reference", "ab-reference"])
def test_selected_with_no_track_selected_is_refused_alike_and_nothing_is_written(material, tmp_path, action):
    _, mix, ref, _, _ = material
    p = Project.load(str(mix))
    for t in p.tracks:
        t.selected = False
    path = tmp_path / "none-selected.rpp"
    p.save(str(path))
    host = InProcessHost.open(str(path))
    rec = run_action(action, host, options={"reference": [str(ref)], "selected": True})
    assert rec["status"] == "error" and rec["message"].endswith(
        f"{action} --selected: no tracks are selected (select the tracks to match, or use --master)"), rec["message"]
    host.save(str(tmp_path / "after.rpp"))
    assert all(c == [] for c in _chains(tmp_path / "after.rpp").values())
    assert [t.name for t in Project.load(str(tmp_path / "after.rpp")).tracks] == [t.name for t in p.tracks]


def test_width_on_tracks_whose_side_comes_from_their_pans_is_refused(material, wide):
    _, mix, _, _, _ = material
    host = InProcessHost.open(str(mix))
    guids = [t.guid for t in host.read_state().tracks if t.name in ("Piano", "Pad")]  # mono stems, panned
    rec = run_action("match-reference", host, track_guids=guids, options={"reference": [str(wide[0])],
                                                                         "aspects": "width"})
    assert rec["status"] == "error" and "comes from the tracks' pans" in rec["message"], rec["message"]


@pytest.fixture(scope="module")
def stereo(tmp_path_factory):
    """Two tracks of stereo noise (filtered apart, their own side 10 dB under their mid), panned
    +-0.3, and a third track that is not matched; the reference is the two together, side +3 dB."""
    folder = tmp_path_factory.mktemp("stereo")
    rng = np.random.default_rng(5)
    n = int(10.5 * SR)
    p = Project.new(sample_rate=SR)
    heard = []
    for i, (name, pan) in enumerate((("Keys L", -0.3), ("Keys R", 0.3), ("Other", 0.0))):
        mid, side = rng.standard_normal(n) * 0.05, rng.standard_normal(n) * 0.05 * 10 ** (-10 / 20)
        x = np.stack([mid + side, mid - side])
        path = folder / f"{name}.wav"
        sf.write(path, x.T, SR, subtype="FLOAT")
        tr = p.add_track(i, name=name)
        tr.pan = pan
        p.add_item(tr, position=0.0, length=10.5, file=str(path))
        heard.append(name)
    p.path = str(folder / "stereo.rpp")
    p.save(p.path)
    ref, ref_audio = widened(folder / "stereo-ref.wav", _soloed(p.path, ("Keys L", "Keys R")), 3.0)
    return folder, p.path, ref, ref_audio


@pytest.mark.parametrize("amount", [100, 50])
def test_width_on_stereo_tracks_is_matched_on_their_sum(stereo, amount):
    """At 100 within 1 dB of the reference's side/mid ratio and at its loudness; at 50 about half
    of both ways (35-65 % of the width difference, half the loudness difference)."""
    folder, mix, ref, ref_audio = stereo
    host = InProcessHost.open(mix)
    keys = ("Keys L", "Keys R")
    guids = [t.guid for t in host.read_state().tracks if t.name in keys]
    rec = run_action("match-reference", host, track_guids=guids, options={"reference": [str(ref)],
                                                                         "aspects": "width,loudness",
                                                                         "amount": amount})
    assert rec["status"] == "ok", rec["message"]
    out = folder / f"out{amount}.rpp"
    host.save(str(out))
    mix_audio = _soloed(mix, keys)
    before, want = side_mid_db(mix_audio), side_mid_db(ref_audio)
    got_audio = _soloed(out, keys)
    assert want - before > 2.5
    lufs_goal = integrated_lufs(mix_audio) + amount / 100 * (integrated_lufs(ref_audio) - integrated_lufs(mix_audio))
    assert abs(integrated_lufs(got_audio) - lufs_goal) <= TOLERANCE_LU
    if amount == 100:
        assert abs(side_mid_db(got_audio) - want) <= 1.0, (before, side_mid_db(got_audio), want)
    else:
        share = (side_mid_db(got_audio) - before) / (want - before)
        assert HALF_AT_50[0] <= share <= HALF_AT_50[1], share
    assert _chains(out)["Other"] == []


def test_ab_reference_on_tracks_is_level_matched_to_them(material, group_reference, tmp_path, capsys):
    _, mix, _, _, _ = material
    out = tmp_path / "ab-tracks.rpp"
    code = cli.main(["run", "ab-reference", "--project", str(mix), "--tracks", ",".join(GROUP), "--reference",
                     str(group_reference[0]), "--save", str(out), "--json"])
    assert code == 0
    rec = json.loads(capsys.readouterr().out)
    assert "'Drums', 'Piano'" in rec["reference"]["matched_to"]
    p = Project.load(str(out))
    for t in p.tracks:
        t.solo = 1 if t.name == "RA Reference" else 0
        t.mute = False if t.name == "RA Reference" else t.mute
    heard = render(p).audio
    assert abs(integrated_lufs(heard) - integrated_lufs(_soloed(mix, GROUP))) <= TOLERANCE_LU
