"""The companion's meter warm-up when numba cannot load: the numpy reference, one log line."""

from __future__ import annotations

import logging
import sys
import threading

import numpy as np
import pytest

import reaper_assist.analysis as analysis_pkg
from reaper_assist.analysis import loudness
from reaper_assist.companion.cli import warm_meter

RATE = 48000
#: ITU-R BS.1770-4 / EBU Tech 3341: a 997 Hz sine at -20 dBFS peak in one channel reads -23.01 LUFS;
#: the EBU conformance tolerance is +-0.1 LU
BS1770_TOL_LU = 0.1


@pytest.fixture
def numba_fails(monkeypatch):
    """A fresh process's first kernel load, with ``import numba`` failing."""
    monkeypatch.delenv(loudness.NO_KERNELS_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba -> ImportError
    monkeypatch.delitem(sys.modules, "reaper_assist.analysis._kernels", raising=False)
    monkeypatch.delattr(analysis_pkg, "_kernels", raising=False)  # else "from ... import _kernels" finds it
    monkeypatch.setattr(loudness, "_KERNELS", [])


def test_a_numba_that_fails_to_load_is_one_log_line_and_the_numpy_meter(numba_fails, caplog, capsys):
    errors: list = []
    hook = threading.excepthook
    threading.excepthook = errors.append
    try:
        ready = threading.Event()
        with caplog.at_level(logging.INFO, logger="reaper_assist.companion"):
            t = threading.Thread(target=warm_meter, args=(ready,))
            t.start()
            ready.set()
            t.join()
    finally:
        threading.excepthook = hook
    assert errors == []
    lines = [r for r in caplog.records if r.name == "reaper_assist.companion"]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert lines[0].getMessage().startswith("loudness meter: numba's compiled kernels did not load (ModuleNotFoundError: import of numba halted")
    assert "metering with the numpy reference" in lines[0].getMessage()
    assert "Traceback" not in capsys.readouterr().err
    assert loudness.kernels() is None
    x = np.zeros((2, 10 * RATE))
    x[0] = 0.1 * np.sin(2 * np.pi * 997 * np.arange(10 * RATE) / RATE)
    lr, _ = loudness.measure_loudness_stream(iter([x]), RATE)
    assert lr.integrated_lufs == pytest.approx(-23.01, abs=BS1770_TOL_LU)


def test_kernels_that_load_log_nothing(caplog, monkeypatch):
    monkeypatch.delenv(loudness.NO_KERNELS_ENV, raising=False)
    with caplog.at_level(logging.INFO, logger="reaper_assist.companion"):
        warm_meter()
    assert loudness.kernels() is not None and loudness.kernels_problem() == ""
    assert [r for r in caplog.records if r.name == "reaper_assist.companion"] == []
