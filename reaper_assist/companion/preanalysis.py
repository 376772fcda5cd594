"""Background pre-analysis: the companion measures the open project's tracks before a press asks.

While the companion runs, one thread polls REAPER once a second (the first time one second after
the start or after a press) with one cheap read (bridge op
``project_state``: REAPER's ``GetProjectStateChangeCount`` and the project file) and checks the
stat of the media files it saw last (no request). When the count has moved and then stayed put for
one poll (an edit has settled), when another project is open, or when a media file changed on
disk, it reads the tracks again, :data:`READ_SLICE` tracks per request (``read_state`` with an
``index_range``, no FX; the first one also reads the settings) :data:`READ_GAP_S` apart, so no one
request holds REAPER's defer loop for long whatever the track count. It queues the tracks whose
gain-stage measurement is in neither the memory nor the disk cache
(:data:`reaper_assist.app.gain_stage._CACHE`, keyed by media identity), the selected tracks
first, measuring while the rest is read. It measures them one at a time, exactly as a press would
(the same function, so the numbers are the same), into that cache, which a press then finds.
At its start it prunes the disk cache (:meth:`DiskStore.prune`).

It must never disturb REAPER's audio or a press:

* low priority: the thread lowers its own scheduling priority (``nice`` 19; per thread on
  Linux) and measures on one thread, so on one core at most;
* a bounded CPU share: after each block of audio it rests in proportion to the CPU time the
  block took (:class:`Pacer`, share ``cpu_share`` of one core);
* paused while a press is served: the companion closes the :class:`Gate` for every job; no poll
  or read is sent while it is closed, the track in hand is dropped at the next block
  (:class:`Paused`) and measured again later, so a press never waits for the background, and
  analyses first whatever it needs itself.

The logic (:meth:`PreAnalyzer.poll`, :meth:`PreAnalyzer.read_next`, :meth:`PreAnalyzer.work_one`)
runs without the thread and without timing, so tests drive it step by step.
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
READ_SLICE = 8  # tracks read per request
READ_GAP_S = 0.25  # between two such requests: REAPER's defer loop keeps its rate
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
        self._next_index: int | None = None  # the first track index still to read in this pass (None: none)
        self.polls = self.reads = self.measured = self.failed = 0
        self.read_requests = 0  # read_state requests sent (a bench subtracts those inside a press's count)
        self.problem = ""  # the last reason REAPER could not be polled ("" when it answers)
        self.priority = ""

    # -- status ---------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        """For the companion's ping: what is queued, measured, and whether it is paused."""
        with self._lock:
            queued = len(self._todo)
        state = "paused" if self.gate.closed else ("measuring" if queued else ("idle" if self.reads else "waiting"))
        return {"state": state, "queued": queued, "measured": self.measured, "failed": self.failed,
                "polls": self.polls, "reads": self.reads, "read_requests": self.read_requests, "problem": self.problem,
                "priority": self.priority}

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
        """One poll of REAPER (one request); when something changed, starts reading the tracks
        again with their first slice (one more request). True when it read. Nothing is sent
        while a press is served (the gate is closed)."""
        if self.gate.closed:
            return False
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
        with self._lock:
            self._project, self._read_count = project, count
            self._todo, self._files, self._next_index = deque(), {}, 0
        self.read_next()
        return True

    @property
    def reading(self) -> bool:
        """Whether the tracks are being read (slices left)."""
        return self._next_index is not None

    def read_next(self) -> bool:
        """Read the next :data:`READ_SLICE` tracks (one request) and queue those unmeasured.
        True while more slices are left (also when a press is being served: nothing is sent then)."""
        from reaper_assist.app import gain_stage
        from reaper_assist.app.run_action import SETTINGS_EXT, settings_of
        from reaper_assist.rules import gain_staging

        start = self._next_index
        if start is None:
            return False
        if self.gate.closed:
            return True
        first = start == 0
        state = self.host().read_state(selected_only=False, with_fx=False, index_range=(start, start + READ_SLICE),
                                       ext=[SETTINGS_EXT] if first else None)
        self.read_requests += 1
        if first:
            _, silence = gain_staging.parse_settings(settings_of(state, gain_stage.ACTION, None))
        else:
            silence = self._silence_dbfs
        files: dict[str, tuple[int, int]] = {}
        for t in state.tracks:
            for it in t.items:
                if it.take is not None and it.take.file:
                    try:
                        st = os.stat(it.take.file)
                        files[it.take.file] = (int(st.st_size), int(st.st_mtime_ns))
                    except OSError:
                        files[it.take.file] = (-1, -1)
        new = [t for t in state.tracks if not gain_stage.is_measured(t, state.sample_rate, silence)]
        more = start + READ_SLICE < state.track_count
        with self._lock:
            if first:
                self._sample_rate, self._silence_dbfs = state.sample_rate, silence
            # the selected tracks first (what a press would ask for), in project order
            self._todo = deque(sorted([*self._todo, *new], key=lambda t: (not t.selected, t.index)))
            self._files.update(files)
            self._next_index = start + READ_SLICE if more else None
        if not more:
            self.reads += 1
            with self._lock:
                queued = len(self._todo)
            if queued:
                log.info("pre-analysis: %d of %d tracks to measure", queued, state.track_count)
        return more

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
            if track in self._todo:  # a later slice may have put selected tracks before it
                self._todo.remove(track)
        return True

    # -- the thread -----------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="companion-preanalysis", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop the thread and wait for it (the track in hand is dropped at its next block)."""
        self._stop.set()
        self.gate.open()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout_s)

    def prune_cache(self) -> None:
        """Keep the disk cache within its bounds (:meth:`DiskStore.prune`), once per start."""
        from reaper_assist.app import gain_stage

        store = gain_stage._CACHE.store
        if store is None:
            return
        try:
            removed = store.prune()
        except OSError as exc:
            log.warning("pre-analysis: the analysis cache could not be pruned: %s", exc)
            return
        if removed:
            log.info("pre-analysis: pruned %d analysis cache entries", removed)

    def run(self) -> None:
        from reaper_assist.errors import ReaperAssistError

        self.priority = lower_priority()
        log.info("pre-analysis running (%s, CPU share %.0f %% of one core)", self.priority, 100 * self.pacer.share)
        self.prune_cache()
        # the first poll one interval after the start, and again after every press: the press
        # that started the companion (or just ended) has REAPER to itself meanwhile
        next_poll = time.monotonic() + self.poll_s
        next_read = next_poll
        while not self._stop.is_set():
            if self.gate.closed:
                if self.gate.wait_open(0.5):
                    resume = time.monotonic() + self.poll_s
                    next_poll, next_read = max(next_poll, resume), max(next_read, resume)
                continue
            now = time.monotonic()
            if now >= (next_read if self.reading else next_poll):
                try:
                    if self.reading:
                        self.read_next()
                    else:
                        self.poll()
                        next_poll = now + self.poll_s
                    next_read = now + READ_GAP_S
                    self.problem = ""
                except (ReaperAssistError, OSError, KeyError, TypeError, ValueError) as exc:
                    self.problem = str(exc)
                    self._host = None  # a new connection next time (REAPER may have restarted)
                    with self._lock:  # the pass is read again from its start
                        self._next_index, self._read_count = None, None
                    next_poll = now + RETRY_S
            if not self.work_one():
                wake = next_read if self.reading else next_poll
                self._stop.wait(max(0.0, min(0.2, wake - time.monotonic())))
        if self._host is not None:
            try:
                self._host.close()
            except Exception:  # noqa: BLE001, S110 - closing a connection on the way out
                pass
