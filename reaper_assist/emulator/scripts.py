"""Actions in a REAPER resource folder: ``reaper-kb.ini`` SCR lines and ``Scripts/__startup.py``.

``SCR <flags> <section> <cmdid> "<description>" <path>``; a relative path is relative to
``<resource>/Scripts`` (facts 3.1). Scripts run as REAPER runs them: in the shared ``__main__``
namespace with ``__name__ == "__main__"`` and ``sys.argv[0]`` the script, nothing added to
``sys.path`` and no API name in their globals; a second start of a running script obeys its SCR
flags (task control).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from reaper_assist.emulator.pyshim import DeferQueue, console
from reaper_assist.emulator.rpp import tokenize


@dataclass(frozen=True)
class ScriptAction:
    flags: int
    section: int
    command_id: str
    description: str
    path: str


def read_kb_ini(resource_path: str | os.PathLike) -> list[ScriptAction]:
    f = Path(resource_path) / "reaper-kb.ini"
    if not f.is_file():
        return []
    out = []
    for raw in f.read_text(encoding="utf-8", errors="replace").splitlines():
        toks = tokenize(raw.strip())
        if len(toks) < 6 or toks[0] != "SCR":
            continue
        try:
            flags, section = int(toks[1]), int(toks[2])
        except ValueError:
            continue
        path = toks[5]
        if not os.path.isabs(path):
            path = str(Path(resource_path) / "Scripts" / path)
        out.append(ScriptAction(flags, section, toks[3], toks[4], path))
    return out


# SCR flags (facts 3.1, SECONDARY): what REAPER does when an action is started again while an
# instance of it still runs (has deferred code pending). 4: ask (the "ReaScript task control"
# dialog); 260 (4|256): terminate the running instance (a toggle); 516 (4|512): start a new one.
TERMINATE_RUNNING = 256
NEW_INSTANCE = 512


class ScriptHost:
    """Runs action scripts and their deferred code as REAPER's Python host does (docs/emulator.md).

    Every piece of deferred code belongs to the script instance that deferred it; an instance runs
    while it has deferred code pending, and its ``RPR_atexit`` code runs when it ends or is
    terminated. ``prompts`` records each time REAPER would have opened its task-control dialog.
    """

    def __init__(self, namespace: dict, queue: DeferQueue):
        self.ns = namespace
        self.queue = queue
        self.prompts: list[str] = []
        self._serial = 0

    def running(self, path: str) -> bool:
        return self.queue.running(lambda owner: owner[0] == path)

    def run_action(self, path: str, flags: int = 4) -> None:
        if self.running(path):
            if flags & TERMINATE_RUNNING:
                self.queue.terminate(lambda owner: owner[0] == path, self.ns)
                return
            if not flags & NEW_INSTANCE:
                # REAPER would stop here and ask the user (terminate / new instance / cancel)
                self.prompts.append(path)
                console()(f"ReaScript task control: {os.path.basename(path)} is already running; "
                          "REAPER asks whether to terminate it or start a new instance\n")
                return
        self.run(path)

    def run(self, path: str) -> None:
        self._serial += 1
        owner = (path, self._serial)
        with self.queue.owned_by(owner):
            run_script(path, self.ns)
        self.queue.finish_idle(self.ns)


def run_script(path: str, namespace: dict) -> None:
    """Execute a ReaScript file the way REAPER's Python host does; errors go to the console.

    Strict like REAPER: the script runs in ``__main__`` with ``__name__ == "__main__"`` and
    ``sys.argv[0]`` the script, but its folder is NOT put on ``sys.path`` (REAPER does not:
    ReaTeam/ReaScripts#886) and no API name is put into its globals (pyshim).
    """
    code = Path(path).read_text(encoding="utf-8")
    old_argv = sys.argv
    sys.argv = [path]
    namespace["__name__"] = "__main__"
    namespace.pop("__file__", None)  # REAPER defines none for a ReaScript (UNCERTAIN, docs/emulator.md)
    try:
        exec(compile(code, path, "exec"), namespace)
    except SystemExit:
        pass
    except Exception as exc:
        import traceback

        msg = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        console()(f"Script execution error\n\n{msg}\n")
    finally:
        sys.argv = old_argv
