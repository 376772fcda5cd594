"""The companion's background pre-analysis, driven step by step (no thread, no timing): what it
notices, what it measures (the same numbers as a press), pausing for a press, the CPU pacing."""

from __future__ import annotations

import threading
import time

import pytest
import soundfile as sf

from reaper_assist.analysis.cache import DiskStore, ResultCache
from reaper_assist.app import gain_stage
from reaper_assist.companion import protocol
from reaper_assist.companion.config import InstallConfig
from reaper_assist.companion.preanalysis import Gate, Pacer, PreAnalyzer
from reaper_assist.companion.server import Companion
from reaper_assist.errors import HostUnavailableError
from reaper_assist.host.inprocess import InProcessHost
from tests.app.conftest import SR, Builder, measured_pre_fx, sine

SAME_TOL = 1e-9  # the background and a press run the same measurement on the same blocks
KNOWN_TOL_DB = 0.05  # against the independent measurement of the media


@pytest.fixture
def cache(tmp_path, monkeypatch):
    c = ResultCache(max_entries=64, store=DiskStore(tmp_path / "cache"), encode=list, decode=gain_stage._decode)
    monkeypatch.setattr(gain_stage, "_CACHE", c)
    return c


@pytest.fixture
def counted(monkeypatch):
    calls: list[str] = []
    real = gain_stage._measure_relative

    def measure(track, *a, **kw):
        calls.append(track.name)
        return real(track, *a, **kw)

    monkeypatch.setattr(gain_stage, "_measure_relative", measure)
    return calls


class Recorder:
    """A pacer's sleep that records the rests and can act (a press arriving) on the n-th one."""

    def __init__(self, on_rest=None):
        self.rests: list[float] = []
        self.on_rest = on_rest

    def __call__(self, s: float) -> None:
        self.rests.append(s)
        if self.on_rest is not None:
            self.on_rest(len(self.rests))


class FakeCPU:
    """A CPU clock that advances 0.1 s at each reading."""

    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        self.t += 0.1
        return self.t


def song(tmp_path, seconds: float = 2.0):
    b = Builder(tmp_path)
    b.track("Kick", sine(0.3, seconds=seconds, freq=60.0), selected=False)
    b.track("Vox", sine(0.05, seconds=seconds, freq=330.0))
    b.track("Keys", sine(0.2, seconds=seconds, freq=440.0))
    return b.save()


def analyzer(host, sleep=None, share=1.0):
    return PreAnalyzer(lambda: host, pacer=Pacer(share, cpu_clock=FakeCPU(), sleep=sleep or Recorder()))


def test_measures_the_selection_first_with_the_numbers_of_a_press(tmp_path, cache, counted):
    path = song(tmp_path)
    host = InProcessHost.open(str(path))
    pre = analyzer(host)
    assert pre.poll() is True and pre.status()["queued"] == 3
    while pre.work_one():
        pass
    assert counted == ["Vox", "Keys", "Kick"]  # selected tracks first, then the rest
    assert pre.status() | {"priority": ""} == {"state": "idle", "queued": 0, "measured": 3, "failed": 0, "polls": 1,
                                               "reads": 1, "read_requests": 1, "problem": "", "priority": ""}
    state = host.read_state()
    background = {t.name: gain_stage._CACHE.get(gain_stage._cache_slot(t, state.sample_rate, -60.0)[0])
                  for t in state.tracks}
    # on demand, with nothing cached: the same figures
    monkey_cache = ResultCache(max_entries=8)
    saved, gain_stage._CACHE = gain_stage._CACHE, monkey_cache
    try:
        on_demand = gain_stage._measure_all(list(state.tracks), state.sample_rate, -60.0)
    finally:
        gain_stage._CACHE = saved
    for t, (m, why) in zip(state.tracks, on_demand):
        bg, bg_why = background[t.name]
        assert why == bg_why == "" and set(m) == set(bg)
        for k in m:
            assert bg[k] == pytest.approx(m[k], abs=SAME_TOL), (t.name, k)
        rms, peak = measured_pre_fx(path, t.name)
        assert bg["active_rms_dbfs"] == pytest.approx(rms, abs=KNOWN_TOL_DB)
        assert bg["sample_peak_dbfs"] == pytest.approx(peak, abs=KNOWN_TOL_DB)
    n = len(counted)
    rec = gain_stage.run(host)  # the press finds everything measured (the selection: Vox, Keys)
    assert rec["status"] == "ok" and rec["message"] == "changed 2 of 2 tracks" and len(counted) == n


def test_polls_read_the_tracks_only_when_the_project_or_its_media_changed(tmp_path, cache, counted):
    path = song(tmp_path)
    host = InProcessHost.open(str(path))
    pre = analyzer(host)
    assert pre.poll() is True
    while pre.work_one():
        pass
    trips = host.round_trips
    assert pre.poll() is False and host.round_trips == trips + 1  # nothing changed: one cheap request
    gain_stage.run(host)  # the press changes gains: REAPER's state change count moves
    assert pre.poll() is False  # moved since the last poll: wait until it settles
    assert pre.poll() is True and pre.status()["queued"] == 0  # gains only: the cache still holds them
    assert len(counted) == 3
    # a media file rewritten on disk, the project untouched: noticed from its stat, no request
    f = tmp_path / "Keys-0.wav"
    sf.write(f, sine(0.4, seconds=3.0, freq=440.0), SR, subtype="FLOAT")
    assert pre.poll() is True and pre.status()["queued"] == 1
    assert pre.work_one() and counted[-1] == "Keys"


def test_a_closed_gate_pauses_between_tracks_and_drops_the_track_in_hand(tmp_path, cache, counted):
    path = song(tmp_path, seconds=12.0)  # several blocks of 2^18 frames per track
    host = InProcessHost.open(str(path))
    gate = Gate()
    pre = PreAnalyzer(lambda: host, gate=gate,
                      pacer=Pacer(0.5, cpu_clock=FakeCPU(), sleep=Recorder(lambda n: n == 1 and gate.close())))
    assert pre.poll()
    # a press arrives after the first block of the first track: the track is dropped, not cached
    assert pre.work_one() is False
    assert counted == ["Vox"] and pre.status()["state"] == "paused" and pre.status()["queued"] == 3
    assert not gain_stage.is_measured(host.read_state().tracks[1], SR, -60.0)
    assert pre.work_one() is False and counted == ["Vox"]  # still paused: nothing starts
    gate.open()
    while pre.work_one():
        pass
    assert counted == ["Vox", "Vox", "Keys", "Kick"] and pre.status()["queued"] == 0


def test_a_track_a_press_measured_meanwhile_is_not_measured_again(tmp_path, cache, counted):
    path = song(tmp_path)
    host = InProcessHost.open(str(path))
    pre = analyzer(host)
    assert pre.poll()
    gain_stage.run(host)  # a press on the selection (Vox, Keys) before the background got to them
    assert counted == ["Vox", "Keys"]
    while pre.work_one():
        pass
    assert counted == ["Vox", "Keys", "Kick"]


def test_the_pacer_rests_in_proportion_to_the_cpu_time_used():
    rec = Recorder()
    p = Pacer(0.25, cpu_clock=FakeCPU(), sleep=rec)  # each clock reading is 0.1 s later
    p.mark()
    p.pace()
    assert rec.rests == [pytest.approx(0.3)]  # 0.1 s of CPU at a quarter of a core: 0.3 s of rest
    assert Pacer(0.5).rest_for(0.2) == pytest.approx(0.2) and Pacer(1.0).rest_for(5.0) == 0.0
    for bad in (0.0, 1.5, -1):
        with pytest.raises(ValueError, match="CPU share"):
            Pacer(bad)


def test_the_measuring_blocks_are_paced(tmp_path, cache):
    path = song(tmp_path, seconds=12.0)
    host = InProcessHost.open(str(path))
    rec = Recorder()
    pre = analyzer(host, sleep=rec, share=0.5)
    pre.poll()
    assert pre.work_one()
    blocks = -(-12 * SR // (1 << 18))
    assert len(rec.rests) == blocks and all(r == pytest.approx(0.1) for r in rec.rests)


def test_the_companion_closes_the_gate_while_a_press_runs(tmp_path):
    seen: list[bool] = []

    def unreachable():
        raise HostUnavailableError("REAPER's bridge is not running")

    pre = PreAnalyzer(unreachable, poll_s=0.05)

    class Runner:
        def run(self, job):
            seen.append(pre.gate.closed)
            return {"action": job["action"], "status": "ok", "message": "done"}

    cfg = InstallConfig(resource_path=str(tmp_path), python="python", token="s3cret")
    c = Companion(cfg, runner=Runner(), preanalyzer=pre)
    c.bind()
    t = threading.Thread(target=c.serve_forever, daemon=True)
    t.start()
    try:
        assert protocol.request(str(tmp_path), "s3cret", {"action": "gain-stage", "project": ""})["ok"]
        deadline = time.monotonic() + 10
        while not c.results and time.monotonic() < deadline:
            time.sleep(0.02)
        assert seen == [True] and not pre.gate.closed
        pong: dict = {}
        deadline = time.monotonic() + 10  # its first poll comes one poll interval after the press
        while time.monotonic() < deadline and not pong.get("preanalysis", {}).get("problem"):
            pong = protocol.request(str(tmp_path), "s3cret", {"action": "ping"})
            time.sleep(0.05)
        assert pong["preanalysis"]["problem"] == "REAPER's bridge is not running"
    finally:
        c.stop()
        t.join(5)
    assert Companion(cfg, runner=Runner()).preanalyzer is None  # a runner given (tests): none by default
    assert Companion(InstallConfig(resource_path=str(tmp_path), python="p", token="t",
                                   preanalysis={"off": True})).preanalyzer is None


@pytest.mark.parametrize("share", [0, "x", float("nan"), 7, None])
def test_a_bad_cpu_share_in_the_install_file_falls_back_to_the_default(tmp_path, share):
    from reaper_assist.companion.config import InstallConfig
    from reaper_assist.companion.preanalysis import DEFAULT_CPU_SHARE
    from reaper_assist.companion.server import default_preanalyzer

    pre = default_preanalyzer(InstallConfig(str(tmp_path), "python", preanalysis={"cpu_share": share}))
    assert pre is not None and pre.pacer.share == DEFAULT_CPU_SHARE


class Counting:
    """A host that counts its requests by name and the tracks each read_state returned."""

    def __init__(self, host):
        self._host, self.calls, self.read_sizes = host, [], []

    def __getattr__(self, name):
        fn = getattr(self._host, name)

        def call(*a, **kw):
            self.calls.append(name)
            r = fn(*a, **kw)
            if name == "read_state":
                self.read_sizes.append(len(r.tracks))
            return r

        return call


def many(tmp_path, n: int):
    b = Builder(tmp_path)
    for i in range(n):
        b.track(f"T{i:02d}", sine(0.05 + 0.01 * i, seconds=0.5, freq=200.0 + 10 * i), selected=i % 3 == 2)
    return b.save()


def test_the_tracks_are_read_a_few_per_request_with_the_settings_in_the_first(tmp_path, cache, counted):
    from reaper_assist.companion.preanalysis import READ_SLICE

    n = 2 * READ_SLICE + 3
    host = Counting(InProcessHost.open(str(many(tmp_path, n))))
    pre = analyzer(host)
    assert pre.poll() is True and pre.reading
    assert host.calls == ["project_state", "read_state"] and host.read_sizes == [READ_SLICE]
    assert pre.status()["queued"] == READ_SLICE and pre.status()["reads"] == 0
    assert pre.work_one() and len(counted) == 1  # measuring starts while the rest is read
    assert pre.read_next() is True and pre.read_next() is False and not pre.reading
    assert host.calls == ["project_state"] + ["read_state"] * 3  # no settings request of its own
    assert host.read_sizes == [READ_SLICE, READ_SLICE, 3] and pre.status()["reads"] == 1
    assert pre.status()["read_requests"] == 3
    while pre.work_one():
        pass
    names = [f"T{i:02d}" for i in range(n)]
    # the first track measured before the rest was read; then the selected ones, then the others
    rest = [t for t in names if t != counted[0]]
    assert counted[1:] == [t for t in rest if int(t[1:]) % 3 == 2] + [t for t in rest if int(t[1:]) % 3 != 2]
    assert pre.status()["measured"] == n and pre.poll() is False  # nothing changed: no read


def test_nothing_is_sent_to_reaper_while_a_press_is_served(tmp_path, cache):
    from reaper_assist.companion.preanalysis import READ_SLICE

    host = Counting(InProcessHost.open(str(many(tmp_path, READ_SLICE + 1))))
    gate = Gate()
    pre = PreAnalyzer(lambda: host, gate=gate, pacer=Pacer(1.0, cpu_clock=FakeCPU(), sleep=Recorder()))
    gate.close()
    assert pre.poll() is False and host.calls == []
    gate.open()
    assert pre.poll() is True and pre.reading
    gate.close()
    assert pre.read_next() is True and pre.work_one() is False and host.calls == ["project_state", "read_state"]
    gate.open()
    assert pre.read_next() is False and host.read_sizes == [READ_SLICE, 1]


def test_a_failed_read_reads_the_project_again_from_its_start(tmp_path, cache, monkeypatch):
    from reaper_assist.companion import preanalysis
    from reaper_assist.companion.preanalysis import READ_SLICE

    monkeypatch.setattr(preanalysis, "RETRY_S", 0.01)
    inner = InProcessHost.open(str(many(tmp_path, READ_SLICE + 1)))
    reads = {"n": 0}

    class Flaky(Counting):
        def __getattr__(self, name):
            if name == "read_state":
                reads["n"] += 1
                if reads["n"] == 2:  # the second slice of the first pass
                    raise HostUnavailableError("REAPER went away")
            return super().__getattr__(name)

    host = Flaky(inner)
    pre = PreAnalyzer(lambda: host, pacer=Pacer(1.0, cpu_clock=FakeCPU(), sleep=Recorder()), poll_s=0.01)
    pre.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and pre.status()["reads"] < 1:
            time.sleep(0.02)
    finally:
        pre.stop()
    assert pre.status()["reads"] == 1 and pre.status()["problem"] == ""
    assert host.read_sizes[:3] == [READ_SLICE, READ_SLICE, 1]  # the first slice read again, then the rest


def test_stop_waits_for_the_thread(tmp_path):
    def unreachable():
        raise HostUnavailableError("REAPER's bridge is not running")

    pre = PreAnalyzer(unreachable, poll_s=0.01)
    pre.start()
    thread = pre._thread
    assert thread is not None and thread.is_alive()
    pre.stop()
    assert not thread.is_alive()
