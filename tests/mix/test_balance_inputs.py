"""Balance's bad inputs (issue 15) and its dry-run bridge operation: a focus that is missing,
silent or muted is refused by name with nothing written; muted tracks, tracks whose post-FX output
is silent and tracks without a master send keep their level and say why."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from mix_material import SECONDS, SR, faders_db

from reaper_assist.app.registry import run_action
from reaper_assist.bridge.ops import OPS, prepare
from reaper_assist.bridge.wire import RefusedError
from reaper_assist.emulator.project import Project
from reaper_assist.host.inprocess import InProcessHost


@pytest.fixture(scope="module")
def small(tmp_path_factory, material):
    """Vocal, Bass, a muted Piano, a Guitar whose media is silent, Strings without a master send."""
    tmp = tmp_path_factory.mktemp("small")
    st = material
    p = Project.new(sample_rate=SR)
    p.path = str(tmp / "small.rpp")
    for i, name in enumerate(("Lead Vocal", "Bass", "Piano", "Guitar 1", "Strings")):
        tr = p.add_track(i, name=name)
        tr.selected = True
        audio = np.zeros((2, int(SECONDS * SR))) if name == "Guitar 1" else st[name]
        sf.write(tmp / f"{i}.wav", audio.T, SR, subtype="FLOAT")
        p.add_item(tr, position=0.0, length=SECONDS, file=str(tmp / f"{i}.wav"))
        tr.mute = name == "Piano"
        tr.main_send = name != "Strings"
    p.save(p.path)
    return p.path


@pytest.mark.parametrize(("focus", "words"), [("Nope", "'Nope' is not among the selected tracks"),
                                              ("Guitar 1", "'Guitar 1' is silent after its FX"),
                                              ("Piano", "'Piano' cannot be measured: muted")])
def test_a_bad_focus_is_refused_by_name_and_nothing_is_written(small, focus, words):
    host = InProcessHost.open(small)
    before = faders_db(host.reaper.project)
    rec = run_action("balance", host, selected=True, options={"focus": focus})
    assert rec["status"] == "error" and words in rec["message"], rec["message"]
    assert faders_db(host.reaper.project) == before and not host.undo()  # no undo point either


def test_muted_silent_and_unsent_tracks_keep_their_level_and_say_why(small):
    host = InProcessHost.open(small)
    rec = run_action("balance", host, selected=True)
    assert rec["status"] == "ok", rec["message"]
    by = {t["name"]: t for t in rec["tracks"]}
    assert by["Bass"]["status"] == "changed"
    assert by["Piano"]["status"] == "skipped" and "muted" in by["Piano"]["reason"]
    assert by["Guitar 1"]["status"] == "skipped" and "post-FX output is silent" in by["Guitar 1"]["reason"]
    assert by["Strings"]["status"] == "skipped" and "no master/parent send" in by["Strings"]["reason"]
    assert {c["track_name"] for c in rec["changes"]} == {"Bass"}
    assert "skipped 3" in rec["message"]


def test_the_dry_run_of_tracks_is_one_operation_of_the_closed_set(small, tmp_path):
    assert "tracks_heard" in OPS and not OPS["tracks_heard"].reads_only  # it toggles mutes meanwhile
    spec, args = prepare("tracks_heard", {"track_guids": ["{A}"]})
    assert args == {"track_guids": ["{A}"], "trial_ops": None, "trials": None}
    named = tmp_path / "x"  # a client-named path is refused like any unknown field, and nothing is written
    for bad in ({"track_guids": "{A}"}, {"track_guids": ["{A}"], "path": str(named)}, {},
                {"track_guids": ["{A}"], "trials": [{"op": "track_info"}]}):  # trials: a list per track
        with pytest.raises(RefusedError):
            prepare("tracks_heard", bad)
    assert not named.exists()
    host = InProcessHost.open(small)
    state = host.read_state()
    before = [(t.mute, t.selected) for t in host.reaper.project.tracks]
    res = host.tracks_heard([t.guid for t in state.tracks])
    assert [(t.mute, t.selected) for t in host.reaper.project.tracks] == before  # everything put back
    assert [r["measured"] for r in res] == [True, True, False, True, False]
    assert res[3]["LUFSI"] == float("-inf")


def test_each_track_heard_with_its_own_trial_is_one_request_and_the_same_as_one_request_each(small):
    """compare's bypass of every track in one request (``trials``): track k is measured with trial k
    in place and nothing else's, as if each were its own request; a trial count that is not the
    track count is refused, and everything is put back."""
    from reaper_assist.errors import ReaperAssistError

    host = InProcessHost.open(small)
    state = host.read_state()
    a, b = state.tracks[0], state.tracks[1]
    down = [{"op": "track_info", "track": a.guid, "parm": "D_VOL", "value": a.volume * 0.5, "expect": a.volume}]
    up = [{"op": "track_info", "track": b.guid, "parm": "D_VOL", "value": b.volume * 2.0, "expect": b.volume}]
    both = host.tracks_heard([a.guid, b.guid], trials=[down, up])
    apart = [host.tracks_heard([a.guid], down)[0], host.tracks_heard([b.guid], up)[0]]
    plain = host.tracks_heard([a.guid, b.guid])
    assert [r["LUFSI"] for r in both] == [r["LUFSI"] for r in apart]
    assert abs(both[0]["LUFSI"] - (plain[0]["LUFSI"] - 6.02)) < 0.05  # a's trial acted on a ...
    assert abs(both[1]["LUFSI"] - (plain[1]["LUFSI"] + 6.02)) < 0.05  # ... and b's on b
    assert [t.volume for t in host.read_state().tracks] == [t.volume for t in state.tracks]
    with pytest.raises(ReaperAssistError, match="1 trials for 2 tracks"):
        host.tracks_heard([a.guid, b.guid], trials=[down])


def test_the_operation_answers_through_reapers_bridge_as_in_process(small, reapy_host, live_project):
    """The same figures from the emulator process through the authenticated bridge (ReapyHost)."""
    from pathlib import Path

    live_project(src=Path(small))
    state = reapy_host.read_state()
    live = reapy_host.tracks_heard([t.guid for t in state.tracks])
    local = InProcessHost.open(small).tracks_heard([t.guid for t in state.tracks])
    assert [(r["measured"], r.get("LUFSI")) for r in live] == [(r["measured"], r.get("LUFSI")) for r in local]


def test_a_track_silenced_by_its_own_plugin_keeps_its_level(small):
    """Audio on the item, but the user's JS Volume at -150 dB after it: post-FX silence (the dry run
    reads -inf LUFS), reported by name; the fader and the plugin stay as they were."""
    host = InProcessHost.open(small)
    api = host.api
    bass = api.GetTrack(0, 1)
    fx = api.TrackFX_AddByName(bass, "JS: Volume Adjustment", False, -1)
    assert api.TrackFX_SetParam(bass, fx, 0, -150.0)
    before = faders_db(host.reaper.project)
    rec = run_action("balance", host, selected=True)
    by = {t["name"]: t for t in rec["tracks"]}
    assert by["Bass"]["status"] == "skipped" and "post-FX output is silent" in by["Bass"]["reason"]
    assert faders_db(host.reaper.project)["Bass"] == before["Bass"] and api.TrackFX_GetParam(bass, fx, 0, 0, 0)[0] == -150.0
