"""ReaScripts registered in reaper-kb.ini run as REAPER runs them: in __main__, with RPR_*,
defer and atexit, triggered by Main_OnCommand(NamedCommandLookup("_" + id), 0)."""

from __future__ import annotations

import time
import urllib.request

from reaper_assist.emulator.scripts import read_kb_ini
from tests.conftest import RPP_DIR, EmulatorProc

SCRIPT = '''
from reaper_python import *
import sys
n = RPR_CountTracks(0)
RPR_SetExtState("test", "tracks", str(n), False)
RPR_SetExtState("test", "argv0", sys.argv[0], False)
count = [0]
def tick():
    count[0] += 1
    RPR_SetExtState("test", "ticks", str(count[0]), False)
    if count[0] < 3:
        RPR_defer("tick()")
RPR_defer("tick()")
RPR_atexit("RPR_ShowConsoleMsg('bye')")
'''


def test_kb_ini_scr_lines_are_parsed(tmp_path):
    (tmp_path / "reaper-kb.ini").write_text(
        'KEY 1 65 _RSaaa 0\nSCR 4 0 RSaaa "Custom: my script.py" "my script.py"\n'
        "SCR 516 0 _reaper_keys__main reaper-keys /abs/path/main.py\nSCR 4 32060 RSmidi Custom:x x.py\n"
        "SCR 4 0 RSbroken\n")
    actions = read_kb_ini(tmp_path)
    assert [(a.flags, a.section, a.command_id) for a in actions] == [
        (4, 0, "RSaaa"), (516, 0, "_reaper_keys__main"), (4, 32060, "RSmidi")]
    assert actions[0].description == "Custom: my script.py"
    assert actions[0].path == str(tmp_path / "Scripts" / "my script.py")
    assert actions[1].path == "/abs/path/main.py"


def test_registered_script_runs_on_its_command(tmp_path):
    emu_dir = tmp_path / "emu"
    res = emu_dir / "resource"
    (res / "Scripts").mkdir(parents=True)
    (res / "Scripts" / "count.py").write_text(SCRIPT)
    (res / "reaper-kb.ini").write_text('SCR 4 0 RStestcount "Custom: count.py" count.py\n')
    emu = EmulatorProc(emu_dir, RPP_DIR / "griffinsauce_with-external-files.rpp", defer_hz=100.0)
    try:
        base = f"http://127.0.0.1:{emu.web_port}/_/"
        urllib.request.urlopen(base + "_RStestcount", timeout=5).read()  # like a shortcut press
        get = lambda k: urllib.request.urlopen(base + f"GET/EXTSTATE/test/{k}", timeout=5).read().decode()
        assert get("tracks") == "EXTSTATE\ttest\ttracks\t19\n"
        assert get("argv0").endswith("count.py\n")
        deadline = time.monotonic() + 5
        while get("ticks") != "EXTSTATE\ttest\tticks\t3\n" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert get("ticks") == "EXTSTATE\ttest\tticks\t3\n"  # three deferred cycles
    finally:
        assert emu.stop() == 0


def test_startup_script_runs_at_launch(tmp_path):
    res = tmp_path / "resource"
    (res / "Scripts").mkdir(parents=True)
    (res / "Scripts" / "__startup.py").write_text(
        "from reaper_python import *\nRPR_SetExtState('boot', 'ran', 'yes', False)\n")
    emu = EmulatorProc(tmp_path, None, extra=["--no-reapy-server"])
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{emu.web_port}/_/GET/EXTSTATE/boot/ran", timeout=5).read()
        assert body.decode() == "EXTSTATE\tboot\tran\tyes\n"
    finally:
        emu.stop()


def test_web_interface_project_ext_state(tmp_path):
    emu = EmulatorProc(tmp_path, RPP_DIR / "griffinsauce_empty.rpp", extra=["--no-reapy-server"])
    try:
        base = f"http://127.0.0.1:{emu.web_port}/_/"
        urllib.request.urlopen(base + "SET/PROJEXTSTATE/reaper_assist/last_run/%7B%22status%22%3A%22error%22%7D",
                               timeout=5).read()
        body = urllib.request.urlopen(base + "GET/PROJEXTSTATE/reaper_assist/last_run", timeout=5).read().decode()
        assert body == 'PROJEXTSTATE\treaper_assist\tlast_run\t{"status":"error"}\n'
    finally:
        assert emu.stop() == 0
