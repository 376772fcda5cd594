"""Shared fixtures: test data, an emulator process on free ports, the product's host on it, and a
test driver.

The session's emulator runs in a resource folder where ``reaper-assist install`` ran, so its
start-up runs reaper-assist's bridge (found by :class:`ReapyHost` through the user's private
directory), and python-reapy's own unmodified server on its own port for the test driver
(:class:`reaper_assist.emulator.driver.ReapyDriver`) and for tests of the unmodified reapy client.
Tests never attach to a real REAPER: reapy's web-interface port is preset to the emulator's before
reapy is imported (reaper_assist.host.reapy_ports).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.emulator_proc import EmulatorProcess, free_port

DATA = Path(__file__).parent / "data"
RPP_DIR = DATA / "rpp"
RPP_FIXTURES = sorted(p for p in RPP_DIR.iterdir() if p.suffix.lower() == ".rpp")


@pytest.fixture(scope="session", autouse=True)
def _analysis_cache_dir(tmp_path_factory, request):
    """The analysis cache folder and the runtime directory of this test session (and of the
    companions and the background worker it starts: tests/background.py, started here): never the
    user's own (reaper_assist.analysis.cache.CACHE_DIR_ENV, XDG_RUNTIME_DIR)."""
    import os

    from reaper_assist.analysis.cache import CACHE_DIR_ENV
    from tests import background

    # the bridge's private directories (reaper_assist.bridge.endpoint: one per resource folder, and
    # every test has its own) go under this session's folder too, not into the machine's temp folder
    runtime = tmp_path_factory.mktemp("runtime")
    runtime.chmod(0o700)
    saved = {name: os.environ.get(name) for name in (CACHE_DIR_ENV, "XDG_RUNTIME_DIR")}
    os.environ[CACHE_DIR_ENV] = str(tmp_path_factory.mktemp("analysis-cache"))
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    background.start(request.session, tmp_path_factory)
    yield
    background.stop(request.config)
    for name, old in saved.items():
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


class EmulatorProc(EmulatorProcess):
    def __init__(self, tmp: Path, project: Path | None, defer_hz: float = 200.0, extra: list[str] | None = None):
        from reaper_assist.install import install

        self.resource = tmp / "resource"
        self.resource.mkdir(parents=True, exist_ok=True)
        web_port = free_port()
        _, self.config = install(self.resource, python=sys.executable, web_port=web_port)
        super().__init__(["--resource-path", str(self.resource), "--defer-hz", str(defer_hz), "--quiet",
                          "--web-port", str(web_port)]
                         + (["--project", str(project)] if project else []) + (extra or []))
        self.web_port = int(self.fields["web_port"])
        self.reapy_port = int(self.fields["reapy_port"])

    def driver(self):
        from reaper_assist.emulator.driver import ReapyDriver

        return ReapyDriver(self.web_port)

    def host(self, **kw):
        from reaper_assist.host.reapy_host import ReapyHost

        return ReapyHost(self.resource, **kw)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    """One emulator process for the session."""
    tmp = tmp_path_factory.mktemp("emulator")
    project = tmp / "project.rpp"
    shutil.copy(RPP_DIR / "rpp-editor_test2.rpp", project)
    emu = EmulatorProc(tmp, project)
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def reapy_host(emulator):
    """The product's host: reaper-assist's bridge in the session's emulator."""
    return emulator.host()


@pytest.fixture(scope="session")
def driver(emulator):
    """The test driver: python-reapy's own server in the session's emulator."""
    d = emulator.driver()
    yield d
    d.close()


@pytest.fixture(scope="session")
def reapy_client(emulator):
    """python-reapy's unmodified client, bound to the session's emulator (reapy connects once per
    process, at import)."""
    import warnings

    from reaper_assist.host import reapy_ports

    if "reapy" not in sys.modules:
        reapy_ports.preset_web_interface_port(emulator.web_port)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import reapy
    try:
        reapy_ports.refresh_fx_function_table()
    except Exception:  # noqa: BLE001, S110 - only reapy's FX objects need it
        pass
    return reapy


@pytest.fixture
def live_project(driver, tmp_path):
    """Open a fresh copy of a fixture project in the session's emulator; returns a loader."""

    def load(name: str = "rpp-editor_test2.rpp", src: Path | None = None) -> Path:
        dst = tmp_path / (src.name if src else name)
        shutil.copy(src or (RPP_DIR / name), dst)
        driver.load_project(str(dst))
        return dst

    return load


HOST_FIXTURE = "griffinsauce_with-external-files.rpp"


@pytest.fixture(params=["inprocess", "reapy"])
def either_host(request, tmp_path):
    """A copy of a real project (HOST_FIXTURE), through each Host: in process, and over reapy to the
    emulator process."""
    src = tmp_path / HOST_FIXTURE
    shutil.copy(RPP_DIR / HOST_FIXTURE, src)
    if request.param == "inprocess":
        from reaper_assist.host.inprocess import InProcessHost

        return InProcessHost.open(str(src))
    h = request.getfixturevalue("reapy_host")
    request.getfixturevalue("driver").load_project(str(src))
    return h

