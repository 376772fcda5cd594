"""Background pre-analysis: the companion measures the open project's tracks before a press asks.

While the companion runs, one thread polls REAPER once a second (the first time one second after
the start or after a press) with one cheap read (bridge op
``project_state``: REAPER's ``GetProjectStateChangeCount`` and the project file) and checks the
stat of the media files it saw last (no request). When the count has moved and then stayed put for
one poll (an edit has settled), when another project is open, or when a media file changed on
disk, it reads the tracks once (``read_state`` of every track, no FX) and queues the tracks
whose gain-stage measurement is in neither the memory nor the disk cache
(:data:`reaper_assist.app.gain_stage._CACHE`, keyed by media identity), the selected tracks
first. It measures them one at a time, exactly as a press would (the same function, so the
numbers are the same), into that cache, which a press then finds.

It must never disturb REAPER's audio or a press:

* low priority: the thread lowers its own scheduling priority (``nice`` 19; per thread on
  Linux) and measures on one thread, so on one core at most;
* a bounded CPU share: after each block of audio it rests in proportion to the CPU time the
  block took (:class:`Pacer`, share ``cpu_share`` of one core);
* paused while a press is served: the companion closes the :class:`Gate` for every job; the
  track in hand is dropped at the next block (:class:`Paused`) and measured again later, so a
  press never waits for the background, and analyses first whatever it needs itself.

The logic (:meth:`PreAnalyzer.poll`, :meth:`PreAnalyzer.work_one`) runs without the thread and
without timing, so tests drive it step by step.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

log = logging.getLogger("reaper_assist.companion")

POLL_S = 1.0  # the project_state poll while REAPER answers
RETRY_S = 5.0  # the wait before trying again when REAPER does not answer
DEFAULT_CPU_SHARE = 0.5  # of one core, while measuring
NICE = 19


class Paused(Exception):
    """A press needs the machine (or the companion stops): the track in hand is dropped."""


class Gate:
    """Open while nothing else runs; closed (counted) while a press is served."""

    def __init__(self) -> None:
        self._closed = 0
        self._cond = threading.Condition()

    def close(self) -> None:
        with self._cond:
            self._closed += 1

    def open(self) -> None:
        with self._cond:
            self._closed = max(0, self._closed - 1)
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed > 0

    def wait_open(self, timeout_s: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._closed == 0, timeout_s)


class Pacer:
    """Bounds the measuring thread's CPU share: after work that took ``c`` seconds of the thread's
    CPU time it rests ``c * (1 - share) / share`` seconds, so it uses at most ``share`` of one core.

    ``cpu_clock`` and ``sleep`` are injectable (tests give a fake clock and record the rests).
    """

    def __init__(self, share: float = DEFAULT_CPU_SHARE, *, cpu_clock: Callable[[], float] = time.thread_time,
                 sleep: Callable[[float], Any] = time.sleep):
        if not 0.0 < share <= 1.0:
            raise ValueError(f"the pre-analysis CPU share must be in (0, 1], not {share!r}")
        self.share = float(share)
        self._clock, self._sleep = cpu_clock, sleep
        self._t = cpu_clock()
        self.rested_s = 0.0

    def rest_for(self, cpu_s: float) -> float:
        return max(0.0, cpu_s) * (1.0 - self.share) / self.share

    def mark(self) -> None:
        self._t = self._clock()

    def pace(self) -> None:
        """Rest for the CPU time used since the last mark, then mark again."""
        rest = self.rest_for(self._clock() - self._t)
        if rest > 0.0:
            self._sleep(rest)
            self.rested_s += rest
        self.mark()


def lower_priority() -> str:
    """Lower the calling thread's priority (Linux: per thread; elsewhere the pacing alone bounds
    the share). Returns what was done, for the log."""
    if sys.platform.startswith("linux") and hasattr(os, "setpriority"):
        try:
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), NICE))
            return f"nice {os.getpriority(os.PRIO_PROCESS, tid)}"
        except OSError as exc:
            return f"priority unchanged ({exc})"
    return "priority unchanged (not Linux): paced only"


class PreAnalyzer:
    """See the module docstring. ``host_factory`` makes the thread's own connection to REAPER
    (a :class:`ReapyHost` beside the companion's, so a press never waits for a poll)."""

    def __init__(self, host_factory: Callable[[], Any], *, gate: Gate | None = None, pacer: Pacer | None = None,
                 poll_s: float = POLL_S):
        self._host_factory = host_factory
        self._host: Any = None
        self.gate = gate or Gate()
        self.pacer = pacer or Pacer()
        self.poll_s = float(poll_s)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._todo: deque[Any] = deque()
        self._sample_rate = 0
        self._silence_dbfs = 0.0
        self._project: str | None = None
        self._read_count: int | None = None  # the change count at the last read of the tracks
        self._last_count: int | None = None  # the change count at the last poll
        self._files: dict[str, tuple[int, int]] = {}  # media path -> (size, mtime_ns) at the last read
        self.polls = self.reads = self.measured = self.failed = 0
        self.problem = ""  # the last reason REAPER could not be polled ("" when it answers)
        self.priority = ""

    # -- status ---------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        """For the companion's ping: what is queued, measured, and whether it is paused."""
        with self._lock:
            queued = len(self._todo)
        state = "paused" if self.gate.closed else ("measuring" if queued else ("idle" if self.reads else "waiting"))
        return {"state": state, "queued": queued, "measured": self.measured, "failed": self.failed,
                "polls": self.polls, "reads": self.reads, "problem": self.problem, "priority": self.priority}

    # -- one poll -------------------------------------------------------------------------------
    def host(self) -> Any:
        if self._host is None:
            self._host = self._host_factory()
        return self._host

    def _media_changed(self) -> bool:
        for path, seen in self._files.items():
            try:
                st = os.stat(path)
                now = (int(st.st_size), int(st.st_mtime_ns))
            except OSError:
                now = (-1, -1)
            if now != seen:
                return True
        return False

    def poll(self) -> bool:
        """One poll of REAPER (one request); reads the tracks and queues the unmeasured ones when
        something changed. True when it read the tracks."""
        host = self.host()
        ps = host.project_state()
        self.polls += 1
        count, project = int(ps["count"]), str(ps.get("project") or "")
        due = (self._read_count is None or project != self._project
               or (count != self._read_count and count == self._last_count)  # changed, then settled
               or self._media_changed())
        self._last_count = count
        if not due:
            return False
        self._read(host, count, project)
        return True

    def _read(self, host, count: int, project: str) -> None:
        from reaper_assist.app import gain_stage
        from reaper_assist.app.run_action import load_settings
        from reaper_assist.rules import gain_staging

        _, silence = gain_staging.parse_settings(load_settings(host, gain_stage.ACTION, None))
        state = host.read_state(selected_only=False, with_fx=False)
        tracks = sorted(state.tracks, key=lambda t: not t.selected)  # what a press would ask for first
        files: dict[str, tuple[int, int]] = {}
        for t in tracks:
            for it in t.items:
                if it.take is not None and it.take.file:
                    try:
                        st = os.stat(it.take.file)
                        files[it.take.file] = (int(st.st_size), int(st.st_mtime_ns))
                    except OSError:
                        files[it.take.file] = (-1, -1)
        todo = [t for t in tracks if not gain_stage.is_measured(t, state.sample_rate, silence)]
        with self._lock:
            self._todo = deque(todo)
            self._sample_rate, self._silence_dbfs = state.sample_rate, silence
            self._project, self._read_count, self._files = project, count, files
        self.reads += 1
        if todo:
            log.info("pre-analysis: %d of %d tracks to measure", len(todo), len(tracks))

    # -- one track ------------------------------------------------------------------------------
    def _through(self, blocks: Iterator[Any]) -> Iterator[Any]:
        """The audio blocks of the track in hand, paced, stopped when the gate closes."""
        self.pacer.mark()
        for block in blocks:
            if self.gate.closed or self._stop.is_set():
                raise Paused()
            yield block
            self.pacer.pace()

    def work_one(self) -> bool:
        """Measure the next queued track (unless paused, or a press measured it meanwhile).
        True when a track left the queue."""
        from reaper_assist.app import gain_stage

        if self.gate.closed:
            return False
        with self._lock:
            if not self._todo:
                return False
            track, sr, silence = self._todo[0], self._sample_rate, self._silence_dbfs
        try:
            if not gain_stage.is_measured(track, sr, silence):
                gain_stage.measure_into_cache(track, sr, silence, through=self._through)
                self.measured += 1
        except Paused:
            return False  # stays first in the queue: measured again after the press
        except Exception as exc:  # noqa: BLE001 - one track's failure never stops the companion
            self.failed += 1
            log.warning("pre-analysis of %s failed: %s", getattr(track, "name", "?"), exc)
        with self._lock:
            if self._todo and self._todo[0] is track:
                self._todo.popleft()
        return True

    # -- the thread -----------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="companion-preanalysis", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.gate.open()

    def run(self) -> None:
        from reaper_assist.errors import ReaperAssistError

        self.priority = lower_priority()
        log.info("pre-analysis running (%s, CPU share %.0f %% of one core)", self.priority, 100 * self.pacer.share)
        # the first poll one interval after the start, and again after every press: the press
        # that started the companion (or just ended) has REAPER to itself meanwhile
        next_poll = time.monotonic() + self.poll_s
        while not self._stop.is_set():
            if self.gate.closed:
                if self.gate.wait_open(0.5):
                    next_poll = max(next_poll, time.monotonic() + self.poll_s)
                continue
            now = time.monotonic()
            if now >= next_poll:
                try:
                    self.poll()
                    self.problem = ""
                    next_poll = now + self.poll_s
                except (ReaperAssistError, OSError, KeyError, TypeError, ValueError) as exc:
                    self.problem = str(exc)
                    self._host = None  # a new connection next time (REAPER may have restarted)
                    next_poll = now + RETRY_S
            if not self.work_one():
                self._stop.wait(max(0.0, min(0.2, next_poll - time.monotonic())))
        if self._host is not None:
            try:
                self._host.close()
            except Exception:  # noqa: BLE001, S110 - closing a connection on the way out
                pass
