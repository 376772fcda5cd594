"""Expensive, self-contained work of the session run ahead in one process of its own, on the
machine's other core (the suite is one process; CI's and the README's machine has two).

At the session's first test (tests/conftest.py), the jobs below whose fixture or test is among
the selected items start in one worker process, one after the other in the order the session
will need them; each writes its result to a file. The fixture or test takes that result, and
computes it itself, in place, when the worker has none (the job failed: its own error is then
raised where it belongs). Only work whose inputs are fixed and whose files no other test writes
runs here; nothing is asserted in the worker, and nothing is asserted on time.

Run as ``python -m tests.background OUT JOBS_JSON`` (the worker).
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MYPY = ("mypy", "--no-error-summary", "reaper_assist")


def mypy(tmp: Path) -> tuple[int, str]:
    """tests/test_lint.py: mypy over the package, (exit status, output)."""
    out = subprocess.run([sys.executable, "-m", *MYPY], cwd=ROOT, capture_output=True, text=True, timeout=900)
    return out.returncode, out.stdout + out.stderr


def report_page(tmp: Path):
    """tests/report/test_report_page.py: the report of the session report-processed built."""
    from tests.report.test_report_page import build_report

    return build_report(DONE["report-processed"], tmp)


# job -> (its function, "module:name", called with a folder of its own; the fixture or test that uses it)
JOBS = {
    "quality-card": ("tests.quality.test_quality_slice:build_card", "card"),
    "report-processed": ("tests.report.conftest:build_processed", "processed"),
    "report-page": ("tests.background:report_page", "report"),  # after report-processed (JOBS' order)
    "mypy": ("tests.background:mypy", "test_mypy_passes_on_the_package"),
}
KEY = pytest.StashKey["Worker"]()
DONE: dict = {}  # the worker's results so far, by job


def _uses(item, user: str) -> bool:
    return user in getattr(item, "fixturenames", ()) or item.originalname == user


@dataclass
class Worker:
    proc: subprocess.Popen | None
    out: Path

    def result(self, job: str):
        """The job's result, waiting for it; None when the worker has none (not started, failed)."""
        done = self.out / f"{job}.pickle"
        while self.proc is not None and not done.exists() and not (self.out / f"{job}.failed").exists():
            if self.proc.poll() is not None and not done.exists():
                return None
            time.sleep(0.05)
        return pickle.loads(done.read_bytes()) if done.exists() else None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:  # the session ended first (-x, a selection)
            self.proc.kill()
            self.proc.wait()


def start(session, tmp_path_factory) -> None:
    """Start the jobs the selected items use (tests/conftest.py, at the session's first test)."""
    first = {}
    for i, item in enumerate(session.items):
        for job, (_, user) in JOBS.items():
            if job not in first and _uses(item, user):
                first[job] = i
    out = tmp_path_factory.mktemp("background")
    jobs = [(job, str(tmp_path_factory.mktemp(job))) for job in sorted(first, key=first.get)]
    proc = None
    if jobs:
        log = open(out / "worker.log", "w")  # noqa: SIM115 - the worker's, closed with the session
        proc = subprocess.Popen([sys.executable, "-m", "tests.background", str(out), json.dumps(jobs)], cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT)
        log.close()
    session.config.stash[KEY] = Worker(proc, out)


def result(config, job: str):
    """The worker's result of ``job``; None when it has none (the caller computes it)."""
    worker = config.stash.get(KEY, None)
    return worker.result(job) if worker is not None else None


def stop(config) -> None:
    worker = config.stash.get(KEY, None)
    if worker is not None:
        worker.stop()


def _main(out: Path, jobs: list[tuple[str, str]]) -> None:
    import importlib

    from tests import background  # this module by its name, whose DONE the jobs read

    for job, tmp in jobs:
        module, name = JOBS[job][0].split(":")
        try:
            value = background.DONE[job] = getattr(importlib.import_module(module), name)(Path(tmp))
            part = out / f"{job}.part"
            part.write_bytes(pickle.dumps(value))
            part.rename(out / f"{job}.pickle")
        except Exception:  # noqa: BLE001 - the fixture computes it again and raises it in place
            (out / f"{job}.failed").write_text(traceback.format_exc())


if __name__ == "__main__":
    _main(Path(sys.argv[1]), json.loads(sys.argv[2]))
