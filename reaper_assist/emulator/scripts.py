"""Actions in a REAPER resource folder: ``reaper-kb.ini`` SCR lines and ``Scripts/__startup.py``.

``SCR <flags> <section> <cmdid> "<description>" <path>``; a relative path is relative to
``<resource>/Scripts`` (facts 3.1). Scripts run as REAPER runs them: in the shared ``__main__``
namespace with ``__name__ == "__main__"``, ``sys.argv[0]`` the script and its folder first on
``sys.path``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

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


def run_script(path: str, namespace: dict) -> None:
    """Execute a ReaScript file the way REAPER's Python host does; errors go to the console."""
    code = Path(path).read_text(encoding="utf-8")
    old_argv = sys.argv
    sys.argv = [path]
    script_dir = str(Path(path).parent)
    sys.path.insert(0, script_dir)
    namespace["__name__"] = "__main__"
    namespace["__file__"] = path
    try:
        exec(compile(code, path, "exec"), namespace)
    except SystemExit:
        pass
    except Exception as exc:
        import traceback

        msg = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        namespace.get("RPR_ShowConsoleMsg", print)(f"Script execution error\n\n{msg}\n")
    finally:
        sys.argv = old_argv
        if sys.path and sys.path[0] == script_dir:
            sys.path.pop(0)
