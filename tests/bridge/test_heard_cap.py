"""``tracks_heard`` is capped as ``insertion_levels`` is (a383388, bridge/budget.py), with trials
and without: at most ``heard.MAX_TRACKS`` tracks a request (an attacker's 4096 trials, or 4096
tracks measured plainly, kept REAPER waiting on 4096 renders), no track named twice, no render
started after ``heard.BUDGET_S`` (those left reported not measured, saying why); the client splits
a larger press."""

from __future__ import annotations

import pytest

from reaper_assist.bridge import heard
from reaper_assist.bridge.writes import ApplyError
from tests.app.conftest import Builder, sine


def _host(tmp_path, n: int):
    from reaper_assist.host.inprocess import InProcessHost

    b = Builder(tmp_path)
    for i in range(n):
        b.track(f"Keys {i}", sine(0.3, seconds=0.5, freq=220.0 * (i + 1)))
    host = InProcessHost.open(str(b.save()))
    return host, [t.guid for t in host.read_state().tracks]


def _fake(n: int) -> list[str]:
    return [f"{{{i:08X}-0000-0000-0000-000000000000}}" for i in range(n)]


def test_the_bridge_refuses_more_trials_than_its_cap(tmp_path, reapy_host, driver):
    from reaper_assist.errors import ReaperAssistError

    b = Builder(tmp_path)
    b.track("Keys", sine(0.3, seconds=1.0))
    driver.load_project(str(b.save()))
    g = reapy_host.read_state().tracks[0].guid
    guids = [g] + _fake(heard.MAX_TRACKS - 1)
    before = reapy_host.stats()["by_op"].get("tracks_heard", 0)
    with pytest.raises(ReaperAssistError, match=f"trials has {heard.MAX_TRACKS + 1} entries, over the limit of "
                                                f"{heard.MAX_TRACKS}"):
        reapy_host._send("tracks_heard", track_guids=guids, trials=[[] for _ in range(heard.MAX_TRACKS + 1)])
    with pytest.raises(ReaperAssistError, match="a track named twice"):
        reapy_host._send("tracks_heard", track_guids=[g, g.lower()], trials=[[], []])
    assert reapy_host.stats()["by_op"].get("tracks_heard", 0) - before == 2  # served, and refused


def test_the_handler_refuses_more_trials_than_its_cap_before_any_render(tmp_path, monkeypatch):
    host, guids = _host(tmp_path, 1)
    calls = []
    monkeypatch.setattr(heard, "_with_trial", lambda *a: calls.append(a))
    with pytest.raises(ApplyError, match=f"{heard.MAX_TRACKS + 1} trials in one request, over the limit"):
        heard.tracks_heard_with(host.api, guids + _fake(heard.MAX_TRACKS - 1), None, [[]] * (heard.MAX_TRACKS + 1))
    assert calls == []


def test_no_trial_starts_once_the_time_budget_is_spent(tmp_path, monkeypatch):
    """A clock that each trial moves on by half the budget: two tracks of three are measured and the
    third says why not (counted on a fake clock, not timed)."""
    host, guids = _host(tmp_path, 3)
    clock = [0.0]
    real = heard._with_trial

    def trial(api, gs, ops):
        clock[0] += heard.BUDGET_S / 2
        return real(api, gs, ops)

    monkeypatch.setattr(heard, "_with_trial", trial)
    monkeypatch.setattr(heard, "_clock", lambda: clock[0])
    got = host.tracks_heard(guids, trials=[[], [], []])
    assert [m["measured"] for m in got] == [True, True, False] and [m["guid"] for m in got] == guids
    assert f"time budget of {heard.BUDGET_S:g} s" in got[2]["why"]
    assert clock[0] == pytest.approx(heard.BUDGET_S)  # no trial render for the third


def test_a_press_over_the_cap_is_split_into_requests_of_the_cap(tmp_path, monkeypatch):
    host, guids = _host(tmp_path, 3)
    whole = host.tracks_heard(guids, trials=[[], [], []])
    monkeypatch.setattr(heard, "MAX_TRACKS", 2)
    before = host.round_trips
    got = host.tracks_heard(guids, trials=[[], [], []])
    assert host.round_trips - before == 2 and got == whole and all(m["measured"] for m in got)


# -- the plain measurement (no trials): balance, mix_tracks, compare's "on" pass --------------------

def _stats_42438(driver) -> str:
    return str(driver.api("GetSetProjectInfo_String", 0, "RENDER_STATS", "42438", False))


def test_the_bridge_refuses_more_tracks_than_its_cap_and_measures_none(tmp_path, reapy_host, driver):
    """An attacker naming every track of a 65-track project in one request: refused before any dry
    run, the message naming the counts; REAPER's last dry-run figures are still the loud track's."""
    from reaper_assist.errors import ReaperAssistError

    b = Builder(tmp_path)
    b.track("Loud", sine(0.5, seconds=1.0))
    for i in range(heard.MAX_TRACKS):
        b.track(f"Quiet {i}", sine(0.01, seconds=1.0, freq=110.0 * (i + 2)))
    driver.load_project(str(b.save()))
    guids = [t.guid for t in reapy_host.read_state(with_items=False, with_fx=False).tracks]
    assert len(guids) == heard.MAX_TRACKS + 1
    loud = reapy_host.tracks_heard(guids[:1])[0]
    assert loud["measured"] and loud["LUFSI"] > -20.0, loud
    after_loud = _stats_42438(driver)
    before = reapy_host.stats()["by_op"].get("tracks_heard", 0)
    over = guids[1:] + guids[:1]  # a quiet track first: had it rendered, the figures would have moved
    with pytest.raises(ReaperAssistError, match=f"track_guids has {heard.MAX_TRACKS + 1} entries, over the limit "
                                                f"of {heard.MAX_TRACKS}"):
        reapy_host._send("tracks_heard", track_guids=over)
    assert _stats_42438(driver) == after_loud
    assert reapy_host.stats()["by_op"].get("tracks_heard", 0) - before == 1  # served, and refused
    # the companion's own host splits the same list into requests of the cap: all measured
    got = reapy_host.tracks_heard(over)
    assert reapy_host.stats()["by_op"]["tracks_heard"] - before == 3  # 1 refused + 64 + 1
    assert [m["guid"] for m in got] == over and all(m["measured"] for m in got)
    assert got[0]["LUFSI"] < loud["LUFSI"] - 20.0  # amplitude 0.01 against 0.5: about 34 dB apart


@pytest.mark.parametrize("guids, message", [
    ("{0000}", "track_guids must be a list, not str"),
    ([7], r"track_guids\[0\] must be a string, not int"),
    (["x" * 65], r"track_guids\[0\] is 65 characters, over the limit of 64"),
    ([None], r"track_guids\[0\] must be a string, not NoneType"),
])
def test_the_bridge_refuses_a_malformed_track_list_and_stays_usable(tmp_path, reapy_host, driver, guids, message):
    from reaper_assist.errors import ReaperAssistError

    b = Builder(tmp_path)
    b.track("Keys", sine(0.3, seconds=0.5))
    driver.load_project(str(b.save()))
    g = reapy_host.read_state().tracks[0].guid
    with pytest.raises(ReaperAssistError, match=message):
        reapy_host._send("tracks_heard", track_guids=guids)
    with pytest.raises(ReaperAssistError, match="a track named twice"):
        reapy_host._send("tracks_heard", track_guids=[g, g.lower()])
    with pytest.raises(ReaperAssistError, match=r"track \{0{7}1-0{4}-0{4}-0{4}-0{12}\} no longer exists"):
        reapy_host._send("tracks_heard", track_guids=[g] + _fake(2)[1:])
    [master] = [t.guid for t in reapy_host.read_state(master=True, with_items=False, with_fx=False).tracks]
    with pytest.raises(ReaperAssistError, match="is the master's GUID, not a track's"):
        reapy_host._send("tracks_heard", track_guids=[g, master])
    assert reapy_host.tracks_heard([g])[0]["measured"]  # the same connection, answered


def test_the_handler_refuses_more_tracks_than_its_cap_before_any_render(tmp_path, monkeypatch):
    host, guids = _host(tmp_path, 1)
    calls = []
    monkeypatch.setattr(heard, "_one", lambda *a: calls.append(a))
    with pytest.raises(ApplyError, match=f"tracks_heard: {heard.MAX_TRACKS + 1} tracks in one request, over the "
                                         f"limit of {heard.MAX_TRACKS}"):
        heard.tracks_heard_with(host.api, guids + _fake(heard.MAX_TRACKS))
    with pytest.raises(ApplyError, match="a track named twice"):
        heard.tracks_heard_with(host.api, guids * 2)
    assert calls == []


@pytest.mark.parametrize("trial", [False, True])
def test_no_dry_run_starts_once_the_time_budget_is_spent(tmp_path, monkeypatch, trial):
    """A clock that each dry run moves on by half the budget: two tracks of three are measured, the
    third comes back not measured saying why, in its place (counted on a fake clock, not timed), with
    and without trial writes in place for all."""
    host, guids = _host(tmp_path, 3)
    clock = [0.0]
    real = heard._one

    def one(*a):
        clock[0] += heard.BUDGET_S / 2
        return real(*a)

    monkeypatch.setattr(heard, "_one", one)
    monkeypatch.setattr(heard, "_clock", lambda: clock[0])
    ops = [{"op": "track_info", "track": guids[0], "parm": "D_VOL", "value": 0.5, "expect": 1.0}] if trial else None
    got = host.tracks_heard(guids, ops)
    assert [m["guid"] for m in got] == guids and [m["measured"] for m in got] == [True, True, False]
    assert got[2]["why"] == (f"not measured: the dry runs' time budget of {heard.BUDGET_S:g} s for one request "
                             "was spent on the tracks before")
    assert clock[0] == pytest.approx(heard.BUDGET_S)  # no dry run for the third
    assert all(abs(t.volume - 1.0) < 1e-9 for t in host.read_state().tracks)  # trial writes put back


def test_a_plain_press_over_the_cap_is_split_into_requests_of_the_cap(tmp_path, monkeypatch):
    host, guids = _host(tmp_path, 3)
    whole = host.tracks_heard(guids)
    monkeypatch.setattr(heard, "MAX_TRACKS", 2)
    before = host.round_trips
    got = host.tracks_heard(guids)
    assert host.round_trips - before == 2 and got == whole and all(m["measured"] for m in got)
