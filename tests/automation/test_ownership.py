"""The automation actions own their lane and nothing else (issue 14): the user's points on any
lane stay byte-identical, a lane already holding the user's points is refused with a message,
bad input (no voice, all noise, silence) is named per track and leaves the project as it was."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from reaper_assist.app import dip_gaps, ride
from reaper_assist.emulator.project import EnvPoint, Project
from reaper_assist.host.inprocess import InProcessHost
from tests.automation.conftest import body, build

LANES = {"ride": (ride, "VOLENV3", "Trim Volume"), "dip-gaps": (dip_gaps, "VOLENV", "Volume (Pre-FX)")}
USER_POINTS = [EnvPoint(0.5, 1.0, 0), EnvPoint(4.0, 0.5, 2), EnvPoint(9.0, 1.4, 5, tension=0.3)]


def with_user_lane(path, tag: str):
    p = Project.load(path)
    env = p.tracks[0].envelope_by_chunk_name(tag, create=True)
    env.set_points(USER_POINTS)
    p.save(str(path))
    return env.chunk.dumps() if hasattr(env.chunk, "dumps") else None


def lane_text(path, tag: str) -> str:
    text = path.read_text()
    i = text.index(f"<{tag}\n")
    return text[i:text.index(">", i)]


@pytest.mark.parametrize("action", sorted(LANES))
def test_user_volume_lane_stays_byte_identical(vox, tmp_path, action):
    mod, _, _ = LANES[action]
    path = build(tmp_path, vox)
    with_user_lane(path, "VOLENV2")  # the user's own Volume automation
    before = lane_text(path, "VOLENV2")
    host = InProcessHost.open(str(path))
    rec = mod.run(host)
    host.save(str(tmp_path / "out.rpp"))
    assert rec["tracks"][0]["status"] == "changed"
    assert lane_text(tmp_path / "out.rpp", "VOLENV2") == before
    # and a second run, which replaces only its own points, still leaves it alone
    host2 = InProcessHost.open(str(tmp_path / "out.rpp"))
    mod.run(host2)
    host2.save(str(tmp_path / "out2.rpp"))
    assert lane_text(tmp_path / "out2.rpp", "VOLENV2") == before


@pytest.mark.parametrize("action", sorted(LANES))
def test_user_points_on_our_lane_are_refused(vox, tmp_path, action):
    mod, tag, lane = LANES[action]
    path = build(tmp_path, vox)
    with_user_lane(path, tag)
    before = body(path)
    host = InProcessHost.open(str(path))
    rec = mod.run(host)
    host.save(str(tmp_path / "out.rpp"))
    t = rec["tracks"][0]
    assert rec["status"] == "error" and t["status"] == "skipped"
    assert f"its {lane} lane already holds 3 points of your own; {action} never moves them" in t["reason"]
    assert body(tmp_path / "out.rpp") == before


@pytest.mark.parametrize("action", sorted(LANES))
def test_a_lane_shown_but_never_edited_is_adopted(vox, tmp_path, action):
    mod, tag, _ = LANES[action]
    path = build(tmp_path, vox)
    p = Project.load(path)
    p.tracks[0].envelope_by_chunk_name(tag, create=True)  # REAPER's fresh lane: one 0 dB point
    p.save(str(path))
    rec = mod.run(InProcessHost.open(str(path)))
    assert rec["tracks"][0]["status"] == "changed"


def _track_file(tmp_path, x):
    p = Project.new(sample_rate=48000)
    p.path = str(tmp_path / "bad.rpp")
    tr = p.add_track(0, name="Hiss")
    sf.write(tmp_path / "bad.wav", x, 48000, subtype="FLOAT")
    p.add_item(tr, position=0.0, length=x.size / 48000, file=str(tmp_path / "bad.wav"))
    tr.selected = True
    p.save(p.path)
    return tmp_path / "bad.rpp"


@pytest.mark.parametrize("action", sorted(LANES))
@pytest.mark.parametrize("kind", ["noise", "silence"])
def test_no_voiced_parts_is_named_and_changes_nothing(tmp_path, action, kind):
    mod, _, _ = LANES[action]
    rng = np.random.default_rng(3)
    x = 0.01 * rng.standard_normal(48000 * 4) if kind == "noise" else np.zeros(48000 * 4)
    path = _track_file(tmp_path, x)
    before = body(path)
    host = InProcessHost.open(str(path))
    rec = mod.run(host)
    host.save(str(tmp_path / "out.rpp"))
    assert rec["status"] == "error" and "Hiss: no voiced parts found" in rec["message"]
    assert body(tmp_path / "out.rpp") == before


def test_points_drawn_between_analysis_and_apply_stop_the_apply(vox, tmp_path):
    """Inside REAPER the write checks again: a Trim lane the user drew on after the analysis is
    not overwritten, and the project stays as it was."""
    from reaper_assist.app import settings
    from reaper_assist.errors import ReaperAssistError
    from reaper_assist.host import realize

    path = build(tmp_path, vox)
    host = InProcessHost.open(str(path))
    state = host.read_state(selected_only=True)
    plan = ride.plan(state, list(state.tracks), settings.load("ride"))
    api = host.api
    tr = api.GetTrack(0, 0)
    api.SetTrackSelected(tr, True)
    api.Main_OnCommand(42020, 0)  # the user shows Trim Volume and draws a point
    env = api.GetTrackEnvelopeByName(tr, "Trim Volume")
    api.InsertEnvelopePoint(env, 2.0, api.ScaleToEnvelopeMode(1, 0.5), 0, 0.0, False, False)
    host.save(str(tmp_path / "drawn.rpp"))
    before = body(tmp_path / "drawn.rpp")
    with pytest.raises(ReaperAssistError, match="Trim Volume lane changed since it was analysed"):
        host.apply(realize.ops(realize.realize(state, plan.steps)), plan.undo_name)
    host.save(str(tmp_path / "after.rpp"))
    assert body(tmp_path / "after.rpp") == before
