"""Issue 10 point 1: the emulator's Python is as strict as REAPER's. The API is only in the module
``reaper_python`` (a script without ``from reaper_python import *`` fails with NameError), ``__main__``
holds only REAPER's own built-ins (RPR_defer / RPR_runloop / RPR_atexit, and reapy's ``obj``), and a
script's folder is not on ``sys.path`` (ReaTeam/ReaScripts#886)."""

from __future__ import annotations

import urllib.request

from tests.emulator_proc import EmulatorProcess

NO_IMPORT = "RPR_SetExtState('strict', 'ran', 'yes', False)\n"

WITH_IMPORT = '''from reaper_python import *
import sys
import reaper_python
main = sys.modules["__main__"]
RPR_SetExtState("strict", "builtins_in_main",
                ",".join(n for n in ("RPR_defer", "RPR_runloop", "RPR_atexit", "obj") if hasattr(main, n)), False)
RPR_SetExtState("strict", "builtins_in_module",
                ",".join(n for n in ("RPR_defer", "RPR_runloop", "RPR_atexit") if hasattr(reaper_python, n)), False)
try:
    import helper_next_to_me
    RPR_SetExtState("strict", "sibling_import", "imported", False)
except ImportError as exc:
    RPR_SetExtState("strict", "sibling_import", type(exc).__name__, False)
'''


def _emulator(resource, script: str) -> EmulatorProcess:
    (resource / "Scripts").mkdir(parents=True, exist_ok=True)
    (resource / "Scripts" / "__startup.py").write_text(script)
    return EmulatorProcess(["--resource-path", str(resource), "--defer-hz", "200", "--no-reapy-server"])


def _ext(emu: EmulatorProcess, key: str) -> str:
    url = f"http://127.0.0.1:{emu.fields['web_port']}/_/GET/EXTSTATE/strict/{key}"
    return urllib.request.urlopen(url, timeout=5).read().decode().split("\t")[-1][:-1]


def test_script_without_the_import_fails_with_name_error(tmp_path):
    emu = _emulator(tmp_path / "resource", NO_IMPORT)
    try:
        assert _ext(emu, "ran") == ""  # nothing ran past the first API call
    finally:
        emu.stop()
    assert "Script execution error" in emu.startup_output
    assert "NameError: name 'RPR_SetExtState' is not defined" in emu.startup_output


def test_main_holds_only_reapers_builtins_and_the_script_folder_is_not_importable(tmp_path):
    resource = tmp_path / "resource"
    sub = resource / "Scripts" / "mine"
    sub.mkdir(parents=True)
    (sub / "helper_next_to_me.py").write_text("X = 1\n")
    (sub / "main.py").write_text(WITH_IMPORT)
    (resource / "reaper-kb.ini").write_text('SCR 4 0 RSstrict "Custom: main.py" mine/main.py\n')
    emu = _emulator(resource, "")
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{emu.fields['web_port']}/_/_RSstrict", timeout=10).read()
        assert _ext(emu, "builtins_in_main") == "RPR_defer,RPR_runloop,RPR_atexit,obj"
        assert _ext(emu, "builtins_in_module") == ""  # not in reaper_python.py (facts 1.1)
        assert _ext(emu, "sibling_import") == "ModuleNotFoundError"
    finally:
        emu.stop()
