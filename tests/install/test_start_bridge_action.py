"""Issue 10 point 5: the long-running "Start bridge" action. Pressed again while the bridge runs it
neither opens REAPER's task-control dialog nor ends the bridge (install registers it with SCR flags
516, "new instance"), and its toggle state shows whether the bridge runs. If the user terminates it
anyway (a kb.ini edited to 260, "terminate"), the console says the bridge stopped and the toggle
goes off: never silently."""

from __future__ import annotations

import urllib.request

from install_helpers import child_env, free_port

from reaper_assist.install import install, startup
from tests.emulator_proc import REPO, EmulatorProcess

PROBE = '''from reaper_python import *
cmd = RPR_NamedCommandLookup("_RS_reaper_assist_start_bridge")
RPR_SetExtState("probe", "toggle", str(RPR_GetToggleCommandStateEx(0, cmd)), False)
'''


class _Emu(EmulatorProcess):
    def __init__(self, resource, project, web_port):
        self.web_port, self.resource = web_port, resource
        super().__init__(["--resource-path", str(resource), "--project", str(project), "--web-port", str(web_port),
                          "--defer-hz", "200", "--no-reapy-server"], env=child_env())

    def press(self, command_id: str) -> None:
        urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/_/_{command_id}", timeout=15).read()

    def ext(self, section: str, key: str) -> str:
        url = f"http://127.0.0.1:{self.web_port}/_/GET/EXTSTATE/{section}/{key}"
        return urllib.request.urlopen(url, timeout=5).read().decode().split("\t")[-1][:-1]

    def bridge(self) -> str:
        """Which bridge serves ("" when none): its socket's inode, once it answered a request."""
        import os

        from reaper_assist.bridge import endpoint
        from reaper_assist.errors import HostUnavailableError
        from reaper_assist.host.reapy_host import ReapyHost

        try:
            ReapyHost(self.resource, connect_timeout_s=2.0).current_project()
        except HostUnavailableError:
            return ""
        return str(os.stat(os.path.join(endpoint.runtime_dir(str(self.resource)), "bridge.sock")).st_ino)

    def toggle(self) -> str:
        self.press("RSprobe")
        return self.ext("probe", "toggle")

    def console_after_stop(self) -> str:
        self.stop()
        return self.startup_output + self.proc.stdout.read()


def _installed(resource, project, *, bridge_flags: int | None = None, startup_hook: bool = True) -> _Emu:
    web_port = free_port()
    install(resource, python=__import__("sys").executable, web_port=web_port)
    kb = resource / "reaper-kb.ini"
    text = kb.read_text()
    if bridge_flags is not None:
        text = text.replace(f"SCR {startup.BRIDGE_SCR_FLAGS} 0 {startup.BRIDGE_COMMAND_ID}",
                            f"SCR {bridge_flags} 0 {startup.BRIDGE_COMMAND_ID}")
    (resource / "Scripts" / "probe.py").write_text(PROBE)
    kb.write_text(text + 'SCR 4 0 RSprobe "Custom: probe.py" probe.py\n')
    if not startup_hook:
        (resource / "Scripts" / "__startup.py").write_text("")  # the bridge starts only when pressed
    return _Emu(resource, project, web_port)


def test_pressing_start_bridge_again_keeps_the_bridge_and_shows_it_on(resource, project):
    kb = (resource / "reaper-kb.ini")
    emu = _installed(resource, project)
    try:
        assert f"SCR 516 0 {startup.BRIDGE_COMMAND_ID} " in kb.read_text()
        port = emu.bridge()
        assert port and emu.toggle() == "1"  # started by the installed start-up, shown on
        emu.press(startup.BRIDGE_COMMAND_ID)
        emu.press(startup.BRIDGE_COMMAND_ID)
        assert emu.bridge() == port  # the same bridge still serves
        assert emu.toggle() == "1"
    finally:
        console = emu.console_after_stop()
    assert "ReaScript task control" not in console  # REAPER's dialog would have opened
    assert "reaper-assist: the bridge is already running" in console
    assert "the bridge stopped" in console  # at REAPER's exit, said


def test_a_terminated_bridge_says_so_and_its_toggle_goes_off(resource, project):
    emu = _installed(resource, project, bridge_flags=260, startup_hook=False)
    try:
        emu.press(startup.BRIDGE_COMMAND_ID)  # first press: the action itself starts the bridge
        assert emu.bridge() and emu.toggle() == "1"
        emu.press(startup.BRIDGE_COMMAND_ID)  # 260: REAPER terminates the running instance
        assert emu.bridge() == ""
        assert emu.toggle() == "0"
    finally:
        console = emu.console_after_stop()
    assert "reaper-assist: the bridge stopped" in console


TOGGLE_WITH_CONTEXT = """
import json, runpy, sys, types
calls = []
rp = types.ModuleType("reaper_python")
rp.RPR_NamedCommandLookup = lambda name: calls.append(["lookup", name]) or 53000
rp.RPR_SetToggleCommandState = lambda s, c, v: calls.append(["toggle", s, c, v]) or True
rp.RPR_RefreshToolbar2 = lambda s, c: calls.append(["refresh", s, c])
sys.modules["reaper_python"] = rp
main = sys.modules["__main__"]
main.RPR_get_action_context = lambda: (False, "/res/Scripts/reaper-assist/reaper_assist_start_bridge.py", 100, 41234,
                                       -1, -1, -1)
launcher = runpy.run_path(sys.argv[1])
launcher["set_bridge_toggle"](True)
del main.RPR_get_action_context  # a REAPER without it: the looked-up command in the main section
launcher["set_bridge_toggle"](False)
print(json.dumps(calls))
"""


def test_toggle_uses_get_action_context_where_reaper_has_it(tmp_path):
    import json
    import subprocess
    import sys

    launcher = str(REPO / "actions" / "reaper_assist_launcher.py")
    out = subprocess.run([sys.executable, "-c", TOGGLE_WITH_CONTEXT, launcher], capture_output=True, text=True,
                         cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    calls = json.loads(out.stdout.strip().splitlines()[-1])
    assert ["toggle", 100, 41234, 1] in calls and ["refresh", 100, 41234] in calls
    assert ["toggle", 0, 53000, 0] in calls and ["refresh", 0, 53000] in calls
