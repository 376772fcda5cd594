"""The REAPER side end to end: install into the emulator's resource folder, press the action through
the web interface (as a shortcut would), the companion starts on demand, connects through the bridge
the installed start-up started, runs the action, and the last_run record appears in the project."""

from __future__ import annotations

import json
import os
import signal
import sys

import pytest
from install_helpers import Emulator, child_env, free_port

from reaper_assist.companion import protocol
from reaper_assist.install import install

GAIN_STAGE = "RS_reaper_assist_gain_stage"


@pytest.fixture
def installed_emulator(resource, project, tmp_path):
    web_port = free_port()
    _, cfg = install(resource, python=sys.executable, web_port=web_port)
    # the Python recorded at install time was removed afterwards
    cfg_path = resource / "reaper_assist.json"
    cfg_path.write_text(cfg_path.read_text().replace(json.dumps(cfg.python), json.dumps("/nonexistent/bin/python3")))
    flag = tmp_path / "raise"
    emu = Emulator(resource, project, web_port, child_env(RA_TEST_RAISE_FLAG=str(flag)))
    yield emu, flag
    emu.stop()
    try:  # the companion the action started outlives the emulator (by design): end it
        pid = protocol.request(str(resource), cfg.token, {"action": "ping"}, timeout_s=1)["pid"]
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        pass


def test_press_action_runs_through_companion(installed_emulator, resource):
    emu, flag = installed_emulator

    # 1. the recorded Python does not exist: a console message naming it, and an error last_run
    emu.press(GAIN_STAGE)
    seen = emu.probe()
    last = json.loads(seen["last_run"])
    assert last["status"] == "error" and last["action"] == "gain-stage"
    assert "/nonexistent/bin/python3" in last["message"] and "does not exist" in last["message"]
    assert "reaper-assist: cannot start the companion" in seen["console"]
    assert "Traceback" not in seen["console"]

    # 2. installed with a real Python: the companion starts on demand and the action runs
    install(resource, python=sys.executable, web_port=emu.web_port)
    emu.press(GAIN_STAGE)
    seen = emu.probe(previous=json.dumps(last))
    ok = json.loads(seen["last_run"])
    assert ok["status"] == "ok" and ok["message"] == "test double ran", seen
    assert ok["pid"] != os.getpid()  # ran in the companion process
    assert "Traceback" not in seen["console"]

    # 3. the action fails inside the companion: an error record through the bridge, and the console
    flag.write_text("1")
    emu.press(GAIN_STAGE)
    seen = emu.probe(previous=seen["last_run"])
    err = json.loads(seen["last_run"])
    assert err["status"] == "error" and "failed on purpose" in err["message"]
    assert "Gain-stage selected tracks failed: the test action failed on purpose" in seen["console"]
    log = (resource / "reaper_assist.log").read_text()
    assert "failed on purpose" in log
