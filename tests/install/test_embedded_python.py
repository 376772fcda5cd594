"""Issue 10 point 2: the Python REAPER loads. ``reaper-assist install`` finds the shared libpython it
records, checks it exists, records the chosen Python's site folders (REAPER's embedded Python is the
base interpreter and ignores a virtual environment's site-packages), verifies the imports by running
that interpreter as REAPER starts it, and otherwise stops with one message saying what to do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from install_helpers import snapshot

from reaper_assist import cli
from reaper_assist.install import InstallError, embedded, install

REPO = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's python3 (shared libpython3.x), without python-reapy


def _venv(where: Path, base: str, *, system_site: bool) -> Path:
    cmd = [base, "-m", "venv", "--without-pip", str(where)] + (["--system-site-packages"] if system_site else [])
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return where / "bin" / "python"


def _site_packages(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def _reapy_dir() -> str:
    import importlib.util

    return str(Path(importlib.util.find_spec("reapy").origin).parent.parent)  # no import: reapy connects on import


@pytest.fixture
def system_python() -> str:
    assert os.path.isfile(SYSTEM_PYTHON), f"these tests need Debian's {SYSTEM_PYTHON} (package python3)"
    return SYSTEM_PYTHON


def test_venv_with_system_site_packages_installs_with_a_verified_import(resource, tmp_path):
    venv_python = _venv(tmp_path / "venv", sys.executable, system_site=True)
    plan, cfg = install(resource, python=str(venv_python))
    lib = embedded.check(str(venv_python)).libpython
    assert os.path.isfile(lib) and Path(lib).name.startswith("libpython")
    ini = (resource / "reaper.ini").read_bytes().decode()
    assert f"pythonlibpath64={Path(lib).parent}\r\n" in ini and f"pythonlibdll64={Path(lib).name}\r\n" in ini
    recorded = json.loads((resource / "reaper_assist.json").read_text())
    assert recorded["python"] == str(venv_python)
    assert str(_site_packages(venv_python)) in recorded["site_paths"]  # the venv's own folder too
    assert any("checked that it imports reaper_assist" in n for n in plan.notes)


def test_packages_only_in_the_venv_are_reachable_through_the_recorded_site_folder(resource, tmp_path, system_python):
    venv_python = _venv(tmp_path / "venv", system_python, system_site=False)
    # "pip install reaper-assist python-reapy" into the venv, without a download: a .pth in its site-packages
    (_site_packages(venv_python) / "ra_test.pth").write_text(f"{_reapy_dir()}\n{REPO}\n")
    _, cfg = install(resource, python=str(venv_python))
    assert str(_site_packages(venv_python)) in cfg.site_paths
    # the base interpreter alone (REAPER's Python without the recorded folder) cannot import them
    bare = subprocess.run([system_python, "-E", "-c", "import reapy"], capture_output=True, text=True, cwd=tmp_path)
    assert "No module named 'reapy'" in bare.stderr


def test_python_without_the_packages_stops_with_what_to_do(resource, tmp_path, system_python):
    venv_python = _venv(tmp_path / "venv", system_python, system_site=False)
    before = snapshot(resource)
    with pytest.raises(InstallError) as err:
        install(resource, python=str(venv_python))
    msg = str(err.value)
    assert "cannot import what the bridge needs: ModuleNotFoundError: No module named 'reapy'" in msg
    assert f"{venv_python} -m pip install reaper-assist" in msg and "--python" in msg and "nothing was changed" in msg
    assert snapshot(resource) == before


def _static_python(tmp_path: Path) -> Path:
    """This interpreter, but with the sysconfig of a build without --enable-shared (pyenv's default)."""
    site = tmp_path / "static_site"
    site.mkdir()
    ver = "%d.%d" % sys.version_info[:2]
    (site / "sitecustomize.py").write_text(
        "import sysconfig\n_real = sysconfig.get_config_var\n"
        f"_static = {{'Py_ENABLE_SHARED': 0, 'LDLIBRARY': 'libpython{ver}.a', 'INSTSONAME': 'libpython{ver}.a'}}\n"
        "sysconfig.get_config_var = lambda name: _static[name] if name in _static else _real(name)\n")
    fake = tmp_path / "bin" / "python3"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nPYTHONPATH="{site}" exec "{sys.executable}" "$@"\n')
    fake.chmod(0o755)
    return fake


def test_static_python_stops_with_rebuild_or_pass_another(resource, tmp_path):
    fake = _static_python(tmp_path)
    before = snapshot(resource)
    with pytest.raises(InstallError) as err:
        install(resource, python=str(fake))
    msg = str(err.value)
    assert "has no shared library" in msg and "REAPER cannot load it" in msg
    assert "--enable-shared" in msg and "--python" in msg and "nothing was changed" in msg
    assert snapshot(resource) == before


def test_cli_install_never_fails_silently(resource, tmp_path, capsys):
    fake = _static_python(tmp_path)
    assert cli.main(["install", "--resource-path", str(resource), "--python", str(fake)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("reaper-assist: ") and "--enable-shared" in err
    assert cli.main(["install", "--resource-path", str(resource), "--python", "/nonexistent/python3"]) == 2
    assert "cannot run /nonexistent/python3" in capsys.readouterr().err


ADD_PATHS = """
import json, runpy, sys, types
rp = types.ModuleType("reaper_python")
sys.modules["reaper_python"] = rp
launcher = runpy.run_path(sys.argv[1])
print(json.dumps(launcher["add_site_paths"](sys.argv[2])))
import only_in_the_venv
print(only_in_the_venv.WHERE)
"""


def test_start_bridge_script_adds_the_recorded_folders_before_importing(tmp_path):
    """The launcher's add_site_paths (called by the start-bridge script first) makes a module that only
    a recorded folder's .pth file reaches importable, as the install check did."""
    venv_site, extra = tmp_path / "venv-site", tmp_path / "extra"
    venv_site.mkdir(), extra.mkdir()
    (extra / "only_in_the_venv.py").write_text("WHERE = 'extra'\n")
    (venv_site / "ra.pth").write_text(f"{extra}\n")
    (tmp_path / "reaper_assist.json").write_text(json.dumps({"site_paths": [str(venv_site), "/nonexistent"]}))
    out = subprocess.run([sys.executable, "-E", "-c", ADD_PATHS, str(REPO / "actions" / "reaper_assist_launcher.py"),
                          str(tmp_path)], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    added, where = out.stdout.strip().splitlines()
    assert json.loads(added) == [str(venv_site)] and where == "extra"
