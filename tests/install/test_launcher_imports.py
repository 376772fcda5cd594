"""The action scripts' launcher speaks to the companion through reaper_assist's own endpoint and
protocol modules (one implementation of the directory checks and the handshake). When REAPER's
Python cannot import them (site folders not recorded), the user is told so in the console and in
the last_run record, and nothing is raised into REAPER."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

FAKE_REAPER_PYTHON = '''
import json, os
CONSOLE, EXT = [], {}
def RPR_GetResourcePath(): return os.environ["RA_TEST_RESOURCE"]
def RPR_ShowConsoleMsg(msg): CONSOLE.append(msg)
def RPR_SetProjExtState(proj, section, key, value): EXT[(section, key)] = value; return 1
def RPR_EnumProjects(idx, buf, size): return (0, idx, "", size)
'''

PRESS = '''
import json, runpy, sys
sys.path.insert(0, sys.argv[2])
import reaper_python
runpy.run_path(sys.argv[1])["run"]("gain-stage")
print(json.dumps({"console": reaper_python.CONSOLE,
                  "record": reaper_python.EXT.get(("reaper_assist", "last_run"))}))
'''


def test_no_reaper_assist_in_reapers_python_is_a_clear_message(tmp_path):
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "reaper_python.py").write_text(FAKE_REAPER_PYTHON)
    resource = tmp_path / "resource"
    resource.mkdir()
    (resource / "reaper_assist.json").write_text(json.dumps({"token": "t" * 32, "python": sys.executable,
                                                             "site_paths": []}))
    # -I -S: no site-packages and no current folder, as an embedded Python without our site folders
    out = subprocess.run([sys.executable, "-I", "-S", "-c", PRESS, str(REPO / "actions" / "reaper_assist_launcher.py"),
                          str(fake)], capture_output=True, text=True, timeout=60,
                         env={"RA_TEST_RESOURCE": str(resource), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    console = "".join(res["console"])
    assert "cannot import reaper_assist" in console and "reaper-assist install" in console, console
    record = json.loads(res["record"])
    assert record["status"] == "error" and "cannot import reaper_assist" in record["message"]
    assert "Traceback" not in console + out.stderr


REFERENCE_PRESS = '''
import json, runpy, sys
sys.path.insert(0, sys.argv[2])
import reaper_python
reaper_python.PICK = sys.argv[3]
runpy.run_path(sys.argv[1])["run"]("match-reference")
print(json.dumps({"console": reaper_python.CONSOLE, "asked": reaper_python.ASKED,
                  "settings": reaper_python.EXT.get(("reaper_assist", "settings")),
                  "record": reaper_python.EXT.get(("reaper_assist", "last_run"))}))
'''

FILE_DIALOG = '''
ASKED, PICK = [], ""
def RPR_GetProjExtState(proj, section, key, buf, size):
    v = EXT.get((section, key), "")
    return (len(v), proj, section, key, v, size)
def RPR_GetUserFileNameForRead(buf, title, ext):
    ASKED.append(title)
    return (bool(PICK), PICK, title, ext)
'''


def _press_reference(tmp_path, pick):
    fake = tmp_path / "fake"
    fake.mkdir(exist_ok=True)
    (fake / "reaper_python.py").write_text(FAKE_REAPER_PYTHON + FILE_DIALOG)
    resource = tmp_path / "resource"  # installed, but reaper_assist not importable: a press past the prompt says so
    resource.mkdir(exist_ok=True)
    (resource / "reaper_assist.json").write_text(json.dumps({"token": "t" * 32, "python": sys.executable,
                                                             "site_paths": []}))
    out = subprocess.run([sys.executable, "-I", "-S", "-c", REFERENCE_PRESS,
                          str(REPO / "actions" / "reaper_assist_launcher.py"), str(fake), pick],
                         capture_output=True, text=True, timeout=60,
                         env={"RA_TEST_RESOURCE": str(resource), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_reference_action_asks_for_the_file_and_a_cancel_runs_nothing(tmp_path):
    res = _press_reference(tmp_path, "")
    assert res["asked"] == ["reaper-assist: the reference file"]
    assert res["console"] == [] and res["record"] is None and res["settings"] is None  # nothing ran, nothing failed


def test_the_chosen_reference_is_kept_in_the_project_settings(tmp_path):
    res = _press_reference(tmp_path, "/music/ref.wav")
    assert json.loads(res["settings"]) == {"match-reference": {"reference": ["/music/ref.wav"]}}
    assert "cannot import reaper_assist" in "".join(res["console"])  # then it went on to the companion
