"""The bridge requests of a press, counted by the bridge itself (issue 20 point 4: at most 10):
the settings come with the tracks' read, and the apply and the record are one held batch."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from reaper_assist.analysis.cache import ResultCache
from reaper_assist.app import gain_stage
from reaper_assist.app.registry import ACTIONS
from tests.app.conftest import SR, Builder, sine


def _ops(host, action) -> dict[str, int]:
    before = host.stats()["by_op"]
    action()
    after = host.stats()["by_op"]
    diff = {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}
    diff["stats"] -= 1  # the second stats call above
    return {k: v for k, v in diff.items() if v}


@pytest.fixture
def memory_cache(monkeypatch):
    monkeypatch.setattr(gain_stage, "_CACHE", ResultCache(max_entries=64, encode=list, decode=gain_stage._decode))


def test_a_press_that_applies_is_six_requests_and_one_that_changes_nothing_two(tmp_path, reapy_host, driver,
                                                                                memory_cache):
    b = Builder(tmp_path)
    b.track("Pad", sine(0.05, seconds=1.0))
    b.track("Keys", sine(0.5, seconds=1.0, freq=330.0))
    driver.load_project(str(b.save()))
    rec: dict = {}
    ops = _ops(reapy_host, lambda: rec.update(gain_stage.run(reapy_host)))
    assert rec["status"] == "ok" and rec["message"].startswith("changed 2 of 2 tracks")
    # + the companion's current_project check: 7 for a press that applies
    assert ops == {"read_state": 1, "HOLD": 1, "txn_apply": 1, "get_proj_ext_many": 1, "set_proj_ext_many": 1,
                   "RELEASE": 1}
    again = _ops(reapy_host, lambda: rec.update(gain_stage.run(reapy_host)))
    assert rec["status"] == "ok" and again == {"read_state": 1, "set_proj_ext_many": 1}


def test_the_settings_read_with_the_tracks_are_the_projects(tmp_path, reapy_host, driver, memory_cache):
    from reaper_assist.app import settings as settings_mod

    b = Builder(tmp_path)
    b.track("Pad", sine(0.05, seconds=1.0))
    driver.load_project(str(b.save()))
    reapy_host.set_proj_ext(settings_mod.EXT_SECTION, settings_mod.SETTINGS_KEY, '{"gain-stage": {"target": "rms:-20"}}')
    state = reapy_host.read_state(ext=[(settings_mod.EXT_SECTION, settings_mod.SETTINGS_KEY), ("nowhere", "none")])
    assert state.ext == ('{"gain-stage": {"target": "rms:-20"}}', None)
    assert reapy_host.read_state().ext == ()
    rec = gain_stage.run(reapy_host)
    assert rec["status"] == "ok" and rec["settings"]["target"] == "rms:-20"


def test_auto_compress_measures_every_insertion_point_in_one_request(tmp_path, reapy_host, driver):
    """Auto-compress decides on the level at its insertion point, after the user's (here auto-EQ's)
    plugins: the dry runs of all tracks are one request, so the press is 7 requests (+ the
    companion's project check) for 4 tracks as for 1, and every track was measured."""
    from reaper_assist.app import auto_compress, auto_eq

    b = Builder(tmp_path)
    for i in range(4):
        b.track(f"Keys {i}", sine(0.3, seconds=2.0, freq=220.0 * (i + 1)))
    driver.load_project(str(b.save()))
    assert auto_eq.run(reapy_host)["status"] == "ok"
    rec: dict = {}
    ops = _ops(reapy_host, lambda: rec.update(auto_compress.run(reapy_host)))
    assert rec["status"] == "ok", rec["message"]
    assert ops == {"read_state": 1, "insertion_levels": 1, "HOLD": 1, "txn_apply": 1, "get_proj_ext_many": 1,
                   "set_proj_ext_many": 1, "RELEASE": 1}
    measured = [t["evidence"]["insertion_level"] for t in rec["tracks"]]
    assert len(measured) == 4 and all(m.startswith("dry run:") for m in measured), measured


def test_insertion_levels_refuses_a_track_named_twice(tmp_path, reapy_host, driver):
    """A client cannot make REAPER dry-run one track over and over in a single request."""
    from reaper_assist.errors import ReaperAssistError

    b = Builder(tmp_path)
    b.track("Keys", sine(0.3, seconds=1.0))
    driver.load_project(str(b.save()))
    g = reapy_host.read_state().tracks[0].guid
    with pytest.raises(ReaperAssistError, match="named twice"):
        reapy_host.insertion_levels([(g, 1), (g.lower(), 1)])


def test_insertion_levels_refuses_more_tracks_than_its_cap(tmp_path, reapy_host, driver):
    """An attacker's request naming 4096 tracks made REAPER wait for 8192 dry-run renders: over
    ``insertion.MAX_TRACKS`` tracks is refused by the bridge before anything runs."""
    from reaper_assist.bridge.insertion import MAX_TRACKS
    from reaper_assist.errors import ReaperAssistError

    b = Builder(tmp_path)
    b.track("Keys", sine(0.3, seconds=1.0))
    driver.load_project(str(b.save()))
    g = reapy_host.read_state().tracks[0].guid
    guids = [g] + [f"{{{i:08X}-0000-0000-0000-000000000000}}" for i in range(MAX_TRACKS)]
    with pytest.raises(ReaperAssistError, match=f"track_guids has {MAX_TRACKS + 1} entries, over the limit of "
                                                f"{MAX_TRACKS}"):
        reapy_host._send("insertion_levels", track_guids=guids, stop_fx=[1] * len(guids))


def _with_volume_fx(tmp_path, n: int):
    from reaper_assist.host.inprocess import InProcessHost

    b = Builder(tmp_path)
    for i in range(n):
        b.track(f"Keys {i}", sine(0.3, seconds=0.5))
    host = InProcessHost.open(str(b.save()))
    api = host.reaper.rpr_functions()
    for i in range(n):
        assert api["RPR_TrackFX_AddByName"](api["RPR_GetTrack"](0, i), "JS: Volume Adjustment", False, -1) == 0
    return host, [(t.guid, 1) for t in host.read_state().tracks]


def test_insertion_levels_stops_starting_dry_runs_once_its_time_budget_is_spent(tmp_path, monkeypatch):
    """REAPER is not kept waiting past ``DRY_RUN_BUDGET_S``: a clock that each dry run moves on by
    a third of the budget (so a track, two dry runs, takes two thirds) measures two tracks of three
    and says why the third is not measured (counted on a fake clock, not timed)."""
    from reaper_assist.bridge import insertion

    host, points = _with_volume_fx(tmp_path, 3)
    clock = [0.0]
    real_stats = insertion._stats

    def stats(api):
        clock[0] += insertion.DRY_RUN_BUDGET_S / 3
        return real_stats(api)

    monkeypatch.setattr(insertion, "_stats", stats)
    monkeypatch.setattr(insertion, "_clock", lambda: clock[0])
    got = host.insertion_levels(points)
    assert [m["measured"] for m in got] == [True, True, False]
    assert f"time budget of {insertion.DRY_RUN_BUDGET_S:g} s" in got[2]["why"]
    assert clock[0] == pytest.approx(4 * insertion.DRY_RUN_BUDGET_S / 3)  # no dry run for the third


def test_a_press_over_the_cap_is_split_into_requests_of_the_cap(tmp_path, monkeypatch):
    from reaper_assist.bridge import insertion

    host, points = _with_volume_fx(tmp_path, 3)
    monkeypatch.setattr(insertion, "MAX_TRACKS", 2)
    before = host.round_trips
    got = host.insertion_levels(points)
    assert host.round_trips - before == 2 and [m["measured"] for m in got] == [True, True, True]
# -- every action, as the companion serves a press ------------------------------------------------
MAX_REQUESTS = 10  # issue 20 point 4: at most 10 bridge requests for any press, whatever the track count
TRACK_COUNTS = (2, 8)
SECONDS = 3.0  # of media per track: enough for every action to find its work, short for the emulator's renders
_NAMES = ("Lead Vocal", "Guitar", "Keys", "Bass", "Pad", "Strings", "Piano", "Organ")
# what a press needs in place first: the A/B reference to toggle or remove; work of the tool to remove or compare
_BEFORE = {"ab-reference-toggle": ("ab-reference",), "ab-reference-remove": ("ab-reference",),
           "remove": ("gain-stage", "auto-eq"), "compare": ("gain-stage", "auto-eq")}
_REFERENCE_ACTIONS = ("match-reference", "ab-reference")
# the actions on the master, the mix or the reference track (their records name that, not the tracks)
_ON_THE_MIX = ("master", "match-reference", "ab-reference", "ab-reference-toggle", "ab-reference-remove", "report")


def _voice(i: int, seconds: float) -> np.ndarray:
    """Mono (both channels alike, so auto-pan pans it): a harmonic tone in phrases with gaps, a
    5-9 kHz noise burst every 0.7 s (de-ess finds sibilance) and a faint noise floor (denoise,
    dip-gaps). Deterministic per track."""
    from scipy.signal import butter, sosfilt

    rng = np.random.default_rng(100 + i)
    t = np.arange(int(seconds * SR)) / SR
    f0 = 180.0 * (1 + i % 4) * (1.0 + 0.07 * (i // 4))
    x = sum(0.2 / k * np.sin(2 * np.pi * f0 * k * t) for k in range(1, 8)) * (np.sin(2 * np.pi * 0.5 * t) > -0.3)
    hiss = sosfilt(butter(4, [5000, 9000], btype="band", fs=SR, output="sos"), rng.standard_normal(t.size))
    x = x + 0.6 * hiss * ((t % 0.7) < 0.08) + 0.002 * rng.standard_normal(t.size)
    return np.stack([x, x], axis=1)


@pytest.fixture(scope="module")
def reference_wav(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("reference") / "reference.wav"
    sf.write(path, (0.3 * np.random.default_rng(6).standard_normal((2, int(10.5 * SR)))).T, SR, subtype="FLOAT")
    return str(path)


def _press_counts(tmp_path, emulator, reapy_host, driver, action: str, tracks: int,
                  reference: str) -> list[tuple[int, dict]]:
    """(requests counted at the bridge, record) of a first and a repeat press of ``action``, served
    as the companion serves a key press (its current_project check included)."""
    from reaper_assist.app.registry import run_action
    from reaper_assist.companion.runner import JobRunner

    b = Builder(tmp_path / f"{action}-{tracks}")
    b.tmp.mkdir()
    for i in range(tracks):
        b.track(_NAMES[i], _voice(i, SECONDS))
    path = str(b.save())
    driver.load_project(path)
    options = {"reference": [reference]} if action in _REFERENCE_ACTIONS else {}
    for before in _BEFORE.get(action, ()):
        rec = run_action(before, reapy_host, options={"reference": [reference]} if before in _REFERENCE_ACTIONS else {})
        assert rec["status"] == "ok", rec["message"]
    runner = JobRunner(emulator.config, host_factory=lambda: reapy_host)
    out = []
    request = {"action": action, "project": path, "options": options}
    for _ in range(2):
        records: list[dict] = []
        ops = _ops(reapy_host, lambda: records.append(runner.run(request)))  # noqa: B023 - called at once
        out.append((sum(ops.values()), records[0]))
        print(f"{action} at {tracks} tracks, {'repeat' if len(out) == 2 else 'first'} press: "
              f"{sum(ops.values())} requests {ops}")  # docs/perf.md quotes these lines (pytest -s)
    return out


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_press_of_every_action_is_at_most_ten_requests_whatever_the_track_count(
        action, tmp_path, emulator, reapy_host, driver, memory_cache, reference_wav):
    """Counted by the bridge, the companion's own current_project check included, on a first and a
    repeat press at 2 and 8 tracks: at most 10, and the same at 8 tracks as at 2 (a request per
    track would show as a difference of 6)."""
    counts = {}
    for n in TRACK_COUNTS:
        (first, rec1), (again, rec2) = _press_counts(tmp_path, emulator, reapy_host, driver, action, n, reference_wav)
        assert rec1["status"] == "ok", rec1["message"]
        if action == "report":  # its copy no longer re-points the open project: the repeat is served too
            assert rec2["status"] == "ok", rec2["message"]
        if action not in ("report",):  # the first press applies: its apply and record are counted
            assert rec1["changes"], rec1["message"]
        if action not in _ON_THE_MIX:  # every track was planned for: a per-track request would have run
            assert len(rec1["tracks"]) == n, rec1["message"]
        assert first <= MAX_REQUESTS and again <= MAX_REQUESTS, (n, first, again)
        counts[n] = (first, again)
    assert counts[2] == counts[8], counts

