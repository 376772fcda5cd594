"""install/reaper_check.py, the ReaScript docs/unverified.md asks a user with REAPER to run, run in the
strict emulator: its console lines are what the emulator assumes; docs/unverified.md quotes them."""

from __future__ import annotations

import math
import shutil
import urllib.request
from pathlib import Path

from install_helpers import child_env, free_port

from reaper_assist.emulator import uncertain
from reaper_assist.install import install
from tests.emulator_proc import EmulatorProcess

REPO = Path(__file__).resolve().parents[2]


def run_check(resource, project, script: str, *, presses: int = 1) -> tuple[dict[str, str], str]:
    """Install, then run ``install/<script>`` as a registered ReaScript in the emulator ``presses``
    times through the web interface: its ``reaper-assist check: <what>: <answer>`` lines, and all output."""
    web_port = free_port()
    install(resource, python=__import__("sys").executable, web_port=web_port)
    # in a folder of its own: reapy (imported by the bridge) puts <resource>/Scripts itself on sys.path
    (resource / "Scripts" / "check").mkdir()
    shutil.copy(REPO / "install" / script, resource / "Scripts" / "check" / script)
    with open(resource / "reaper-kb.ini", "a") as kb:
        kb.write(f'SCR 4 0 RScheck "Custom: {script}" check/{script}\n')
    emu = EmulatorProcess(["--resource-path", str(resource), "--project", str(project), "--web-port", str(web_port),
                           "--defer-hz", "200", "--no-reapy-server"], env=child_env())
    try:
        for _ in range(presses):
            urllib.request.urlopen(f"http://127.0.0.1:{web_port}/_/_RScheck", timeout=30).read()
    finally:
        emu.stop()
    out = emu.startup_output + emu.proc.stdout.read()
    lines = {ln.split(": ", 2)[1]: ln.split(": ", 2)[2] for ln in out.splitlines()
             if ln.startswith("reaper-assist check: ")}
    return lines, out


def test_reaper_check_reports_the_emulators_assumptions(resource, project):
    # the second press is served a cycle later: the first one's deferred line ran
    lines, _ = run_check(resource, project, "reaper_check.py", presses=2)
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


def test_the_automation_item_check_reports_the_emulators_hypotheses_and_undoes_itself(resource, project):
    """install/reaper_check_autoitems.py, run in the emulator: its lines are the automation-item
    hypotheses of emulator/uncertain.py (docs/unverified.md quotes them), and it leaves the project
    as it was."""
    before = project.read_bytes()
    lines, out = run_check(resource, project, "reaper_check_autoitems.py")
    assert "undone, tracks back to" in lines, out[-3000:]

    def db_at(normalized):  # a value of the lane's 0..1 range, on the Volume lane's fader scale, in dB
        return "%.2f" % (20 * math.log10(uncertain.slider_to_amp(normalized * uncertain.AI_VOLUME_RANGE_SLIDER)))

    six = uncertain.amp_to_slider(10 ** (-6 / 20)) / uncertain.AI_VOLUME_RANGE_SLIDER  # -6 dB, normalized
    assert lines["a -6 dB item over 1-2 s on a 0 dB lane, dB at 0.5 / 1.5 / 2.5 s"] == "0.00 / -6.00 / 0.00"
    tempo = next(float(ln.split()[1]) for ln in project.read_text().splitlines() if ln.strip().startswith("TEMPO "))
    assert lines["its D_POOL_QNLEN (1 s in quarter notes at the project's tempo), D_BASELINE, D_AMPLITUDE"] == \
        "%.4f, 0.5000, 1.0000" % (tempo / 60.0)  # POOLED_POINT_TIME_UNIT "qn"
    assert lines["amplitude 0, baseline 0.5, dB at 1.5 s"] == db_at(0.5)
    assert lines["amplitude 0, baseline 0.25, dB at 1.5 s"] == db_at(0.25)
    assert lines["amplitude 0.5, baseline 0.5, dB at 1.5 s"] == db_at(float(uncertain.ai_transform(six, 0.5, 0.5)))
    # the later item wins where they overlap (AI_OVERLAP)
    assert lines["a -12 dB item over 1.25-1.75 s, inserted after the -6 dB one, dB at 1.1 / 1.5 / 1.9 s"] == \
        "-6.00 / -12.00 / -6.00"
    assert project.read_bytes() == before  # nothing saved; and the undo left the track count as it was:
    assert lines["undone, tracks back to"] == str(sum(1 for ln in project.read_text().splitlines()
                                                     if ln.strip().startswith("<TRACK")))
