"""``tracks_heard``'s ``trials`` are capped as ``insertion_levels`` is (a383388): at most
``heard.MAX_TRIALS`` a request (an attacker's 4096 trials kept REAPER waiting on 4096 trial renders),
no track named twice, no trial started after ``heard.TRIAL_BUDGET_S``; the client splits a larger press."""

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


def test_the_bridge_refuses_more_trials_than_its_cap(tmp_path, reapy_host, driver):
    from reaper_assist.errors import ReaperAssistError

    b = Builder(tmp_path)
    b.track("Keys", sine(0.3, seconds=1.0))
    driver.load_project(str(b.save()))
    g = reapy_host.read_state().tracks[0].guid
    guids = [g] + [f"{{{i:08X}-0000-0000-0000-000000000000}}" for i in range(heard.MAX_TRIALS)]
    before = reapy_host.stats()["by_op"].get("tracks_heard", 0)
    with pytest.raises(ReaperAssistError, match=f"trials has {heard.MAX_TRIALS + 1} entries, over the limit of "
                                                f"{heard.MAX_TRIALS}"):
        reapy_host._send("tracks_heard", track_guids=guids, trials=[[] for _ in guids])
    with pytest.raises(ReaperAssistError, match="a track named twice"):
        reapy_host._send("tracks_heard", track_guids=[g, g.lower()], trials=[[], []])
    assert reapy_host.stats()["by_op"].get("tracks_heard", 0) - before == 2  # served, and refused


def test_the_handler_refuses_more_trials_than_its_cap_before_any_render(tmp_path, monkeypatch):
    host, guids = _host(tmp_path, 1)
    calls = []
    monkeypatch.setattr(heard, "_with_trial", lambda *a: calls.append(a))
    with pytest.raises(ApplyError, match=f"{heard.MAX_TRIALS + 1} trials in one request, over the limit"):
        heard.tracks_heard_with(host.api, guids * (heard.MAX_TRIALS + 1), None, [[]] * (heard.MAX_TRIALS + 1))
    assert calls == []


def test_no_trial_starts_once_the_time_budget_is_spent(tmp_path, monkeypatch):
    """A clock that each trial moves on by half the budget: two tracks of three are measured and the
    third says why not (counted on a fake clock, not timed)."""
    host, guids = _host(tmp_path, 3)
    clock = [0.0]
    real = heard._with_trial

    def trial(api, gs, ops):
        clock[0] += heard.TRIAL_BUDGET_S / 2
        return real(api, gs, ops)

    monkeypatch.setattr(heard, "_with_trial", trial)
    monkeypatch.setattr(heard, "_clock", lambda: clock[0])
    got = host.tracks_heard(guids, trials=[[], [], []])
    assert [m["measured"] for m in got] == [True, True, False] and [m["guid"] for m in got] == guids
    assert f"time budget of {heard.TRIAL_BUDGET_S:g} s" in got[2]["why"]
    assert clock[0] == pytest.approx(heard.TRIAL_BUDGET_S)  # no trial render for the third


def test_a_press_over_the_cap_is_split_into_requests_of_the_cap(tmp_path, monkeypatch):
    host, guids = _host(tmp_path, 3)
    whole = host.tracks_heard(guids, trials=[[], [], []])
    monkeypatch.setattr(heard, "MAX_TRIALS", 2)
    before = host.round_trips
    got = host.tracks_heard(guids, trials=[[], [], []])
    assert host.round_trips - before == 2 and got == whole and all(m["measured"] for m in got)
