"""How the bridge starts when REAPER starts: the ONE place that holds what is uncertain about it.

UNCERTAIN (no REAPER to check against; see docs/install.md "What is uncertain"):

* REAPER runs a script named ``__startup`` in ``<resource>/Scripts`` when it starts. ``__startup.lua``
  is attested by many public scripts (and Lua is always available); ``__startup.eel`` by several;
  ``__startup.py`` by none we found. Cockos' ReaScript documentation does not describe the hook.
* So we install both: a ``__startup.py`` block that runs the bridge script directly (this is what the
  emulator runs), and a ``__startup.lua`` block that runs it as an action through
  ``NamedCommandLookup``. If REAPER runs both, the bridge script's own guard (a bridge already
  running in this REAPER's Python) makes the second start a no-op.
* The bridge (reaper_assist.bridge, see docs/bridge.md) runs in REAPER's defer loop; that REAPER's
  ``RPR_defer`` takes a code string executed in ``__main__`` is what reapy relies on too
  (reapy_behaviour 2.5), not checked against a real REAPER here.
* Custom named command IDs such as ``RS_reaper_assist_start_bridge`` on SCR lines: reaper-keys writes
  custom IDs successfully; REAPER itself generates ``RS`` + 40 hex characters (facts 3.1).
* If none of this runs, the action "reaper-assist: Start bridge" starts the bridge by hand.
* The bridge's action is registered with SCR flags 516 ("start a new instance" when it is run while
  an instance still runs; 4 would open REAPER's "ReaScript task control" dialog, 260 would terminate
  the running bridge): the flag values come from a public script's comment and reaper-keys' kb.ini
  (facts 3.1, SECONDARY). The new instance sees the bridge running and only says so.
"""

from __future__ import annotations

from dataclasses import dataclass

BRIDGE_SCRIPT = "reaper_assist_start_bridge.py"
BRIDGE_COMMAND_ID = "RS_reaper_assist_start_bridge"
BRIDGE_TITLE = "Start bridge"
BRIDGE_SCR_FLAGS = 516  # re-running starts a new instance: no task-control dialog, no termination


@dataclass(frozen=True)
class StartupHook:
    file_name: str  # in <resource>/Scripts
    comment: str  # the language's line comment, for the block markers

    def body(self, bridge_path: str) -> str:
        if self.file_name.endswith(".py"):
            return (f"from reaper_python import *  # REAPER's API: every Python ReaScript imports it itself\n"
                    f"try:\n"
                    f"    _ra_path = {bridge_path!r}\n"
                    f"    exec(compile(open(_ra_path, encoding='utf-8').read(), _ra_path, 'exec'))\n"
                    f"except Exception as _ra_exc:\n"
                    f"    RPR_ShowConsoleMsg('reaper-assist: could not start the bridge: %s\\n' % _ra_exc)")
        return (f"do\n"
                f"  local cmd = reaper.NamedCommandLookup(\"_{BRIDGE_COMMAND_ID}\")\n"
                f"  if cmd ~= 0 then reaper.Main_OnCommand(cmd, 0) end\n"
                f"end")


HOOKS = (StartupHook("__startup.py", "#"), StartupHook("__startup.lua", "--"))
