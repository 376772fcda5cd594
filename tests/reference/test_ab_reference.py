"""Issue 17: "A/B against the reference": a muted track of ours holding the reference, level-matched
to the mix's integrated loudness, a toggle that solos it, removable in one step. Loudness and the
tone of what is heard are measured on the emulator's render of the saved project (pyloudnorm,
scipy; reference_material), never with the product's meter."""

from __future__ import annotations

import numpy as np
import pytest
from reference_material import distance_db, integrated_lufs, render_file

from reaper_assist import cli
from reaper_assist.app.registry import run_action
from reaper_assist.emulator.project import Project
from reaper_assist.host.inprocess import InProcessHost

TOLERANCE_LU = 0.3  # issue 17's loudness tolerance, for the level match too


def _tracks(path):
    return [(t.name, t.mute, t.solo) for t in Project.load(str(path)).tracks]


@pytest.fixture(scope="module")
def added(material):
    folder, mix, ref, _, _ = material
    host = InProcessHost.open(str(mix))
    rec = run_action("ab-reference", host, options={"reference": [str(ref)]})
    host.save(str(folder / "ab.rpp"))
    return host, rec, folder / "ab.rpp"


def test_the_reference_is_added_muted_and_the_mix_is_unchanged(material, added):
    _, _, _, _, mix_audio = material
    host, rec, out = added
    assert rec["status"] == "ok", rec["message"]
    assert _tracks(out)[-1] == ("RA Reference", True, 0)
    assert np.max(np.abs(render_file(out) - mix_audio)) < 1e-9  # muted: the mix as it was
    assert rec["undo"].startswith("reaper-assist: A/B reference")
    p = Project.load(str(out))
    take = p.tracks[-1].items[0].active_take
    assert take.name == "RA ab-reference" and take.source.file.endswith("reference.wav")


def test_toggle_solos_it_at_the_mix_loudness_and_back(material, added):
    folder, _, _, ref_audio, mix_audio = material
    host, _, _ = added
    on = run_action("ab-reference-toggle", host)
    assert on["status"] == "ok" and on["undo"] == "reaper-assist: A/B reference on"
    host.save(str(folder / "ab-on.rpp"))
    heard = render_file(folder / "ab-on.rpp")
    assert abs(integrated_lufs(heard) - integrated_lufs(mix_audio)) <= TOLERANCE_LU
    assert distance_db(heard, ref_audio) < 0.05  # what is heard is the reference alone
    off = run_action("ab-reference-toggle", host)
    assert off["status"] == "ok" and off["undo"] == "reaper-assist: A/B reference off"
    host.save(str(folder / "ab-off.rpp"))
    assert np.max(np.abs(render_file(folder / "ab-off.rpp") - mix_audio)) < 1e-9


def test_second_run_changes_nothing_and_remove_is_one_undo_step(material, added):
    folder, _, ref, _, _ = material
    host, _, _ = added
    again = run_action("ab-reference", host, options={"reference": [str(ref)]})
    assert again["status"] == "ok" and again["changes"] == [], again["message"]
    gone = run_action("ab-reference-remove", host)
    assert gone["status"] == "ok" and gone["undo"] == "reaper-assist: Remove A/B reference"
    host.save(str(folder / "gone.rpp"))
    assert [n for n, _, _ in _tracks(folder / "gone.rpp")] == ["Drums", "Bass", "Piano", "Pad"]
    assert host.undo()
    host.save(str(folder / "back.rpp"))
    assert _tracks(folder / "back.rpp")[-1] == ("RA Reference", True, 0)


def test_toggle_and_remove_without_a_reference_track_say_so(material):
    _, mix, _, _, _ = material
    for action in ("ab-reference-toggle", "ab-reference-remove"):
        rec = run_action(action, InProcessHost.open(str(mix)))
        assert rec["status"] == "error" and "no A/B reference track" in rec["message"]


def test_a_bad_reference_is_refused_and_nothing_added(material):
    folder, mix, _, _, _ = material
    host = InProcessHost.open(str(mix))
    rec = run_action("ab-reference", host, options={"reference": [str(folder / "nope.wav")]})
    assert rec["status"] == "error" and "cannot be read" in rec["message"]
    host.save(str(folder / "nope.rpp"))
    assert len(_tracks(folder / "nope.rpp")) == 4


def test_headless_dry_run(material, capsys):
    _, mix, ref, _, _ = material
    code = cli.main(["run", "ab-reference", "--project", str(mix), "--master", "--reference", str(ref),
                     "--dry-run"])
    assert code == 0
    assert "would change 1 of 1" in capsys.readouterr().out
