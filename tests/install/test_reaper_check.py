"""install/reaper_check.py, the ReaScript docs/unverified.md asks a user with REAPER to run, run in the
strict emulator: its console lines are what the emulator assumes; docs/unverified.md quotes them."""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path

from install_helpers import child_env, free_port

from reaper_assist.emulator import uncertain
from reaper_assist.install import install
from tests.emulator_proc import EmulatorProcess

REPO = Path(__file__).resolve().parents[2]


def test_reaper_check_reports_the_emulators_assumptions(resource, project):
    web_port = free_port()
    install(resource, python=__import__("sys").executable, web_port=web_port)
    # in a folder of its own: reapy (imported by the bridge) puts <resource>/Scripts itself on sys.path
    (resource / "Scripts" / "check").mkdir()
    shutil.copy(REPO / "install" / "reaper_check.py", resource / "Scripts" / "check" / "reaper_check.py")
    with open(resource / "reaper-kb.ini", "a") as kb:
        kb.write('SCR 4 0 RScheck "Custom: reaper_check.py" check/reaper_check.py\n')
    emu = EmulatorProcess(["--resource-path", str(resource), "--project", str(project), "--web-port", str(web_port),
                           "--defer-hz", "200", "--no-reapy-server"], env=child_env())
    try:
        for _ in range(2):  # the second press is served a cycle later: the first one's deferred line ran
            urllib.request.urlopen(f"http://127.0.0.1:{web_port}/_/_RScheck", timeout=15).read()
    finally:
        emu.stop()
    out = emu.startup_output + emu.proc.stdout.read()
    lines = {ln.split(": ", 2)[1]: ln.split(": ", 2)[2] for ln in out.splitlines()
             if ln.startswith("reaper-assist check: ")}
    assert lines["REAPER"] == "7.0/emulator-x86_64"
    assert lines["built-ins in __main__"] == "RPR_defer,RPR_runloop,RPR_atexit"
    assert lines["built-ins in reaper_python"] == "-"
    assert lines["__main__.obj, reapy's inside-REAPER mark"] == "True"
    assert lines["script globals are __main__"] == "True"
    assert lines["__file__ defined"] == "False"
    assert lines["script folder on sys.path"] == "False"
    assert lines["Start bridge toggle state"] == "1"  # started by the installed __startup.py
    assert lines["bridge ExtState"].startswith("'{\"pid\": ")
    assert lines["deferred code runs in __main__"] == "True"
    assert "get_action_context()" not in lines
    assert lines["GetExtState of a missing key"] == "''"
    # the fader-scaling hypothesis of emulator/uncertain.py (facts addendum Q2)
    assert lines["DB2SLIDER(0)"] == "%.4f" % uncertain.amp_to_slider(1.0)
    assert lines["ScaleToEnvelopeMode(1, 1.0)"] == "%.4f" % uncertain.amp_to_slider(1.0)
    assert lines["ScaleFromEnvelopeMode(1, 1000)"] == "%.6f" % uncertain.slider_to_amp(1000.0)
