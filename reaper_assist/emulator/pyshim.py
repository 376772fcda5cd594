"""The ``reaper_python`` module and the ``__main__`` namespace REAPER gives Python ReaScripts.

As strict as REAPER (docs/emulator.md "The Python a script runs in"):

* The API is the ``RPR_*`` functions of the module ``reaper_python`` and nothing else: a script
  (and every module it imports) must ``from reaper_python import *`` itself (reascripthelp
  "ReaScript/Python API", facts 1.1). None of them is put into ``__main__``, so a script without
  the import fails with NameError, as in REAPER.
* ``__main__`` gets only what REAPER's Python host itself provides there: the three built-ins
  ``RPR_defer`` / ``RPR_runloop`` / ``RPR_atexit``, which take strings of code and are not in the
  generated ``reaper_python.py`` (reascripthelp "ReaScript/Python Built-In Function list"; reapy's
  ``Deferrer`` and a public asyncio loop for REAPER take them from ``sys.modules["__main__"]``),
  and ``obj``, by which reapy recognises REAPER's Python (``hasattr(__main__, "obj")``, facts 1.7).
"""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from reaper_assist.emulator.reascript import Reaper


def build_module(reaper: Reaper) -> types.ModuleType:
    mod = types.ModuleType("reaper_python", "REAPER ReaScript API (reaper-assist emulator)")
    funcs = reaper.rpr_functions()
    mod.__dict__.update(funcs)
    mod._ft = {}  # real C function pointers in REAPER; reapy's MIDI wrappers need them

    def rpr_unpackp(t, v):
        return reaper.pointers.to_string(t, None) if not v else f"({t})0x{int(v):016X}"

    mod.rpr_packp = reaper.pointers.stock_packp  # facts 1.2; reapy replaces it (no ValidatePtr)
    reaper.pointers.packing = mod.__dict__  # the wrappers pack with whatever rpr_packp is now
    mod.rpr_unpackp = rpr_unpackp
    mod.rpr_packsc = lambda v: str(v).encode()
    mod.rpr_packs = lambda v: str(v).encode()
    mod.rpr_unpacks = lambda v: v.decode() if isinstance(v, bytes) else str(v)
    mod.__all__ = sorted(funcs)
    return mod


Owner = Any  # the script instance that deferred a piece of code; None: REAPER itself


class DeferQueue:
    """``RPR_defer`` / ``RPR_atexit``: code strings run later in ``__main__``, each belonging to the
    script instance that was running when it was deferred (facts 1.1: "Adds code to be executed
    when the script finishes or is ended by the user")."""

    def __init__(self) -> None:
        self.pending: list[tuple[Owner, str]] = []
        self.at_exit: list[tuple[Owner, str]] = []
        self.owner: Owner = None

    def defer(self, code: str) -> None:
        self.pending.append((self.owner, str(code)))

    def atexit(self, code: str) -> None:
        self.at_exit.append((self.owner, str(code)))

    @contextlib.contextmanager
    def owned_by(self, owner: Owner) -> Iterator[None]:
        old, self.owner = self.owner, owner
        try:
            yield
        finally:
            self.owner = old

    def running(self, match: Callable[[Owner], bool]) -> bool:
        return any(owner is not None and match(owner) for owner, _ in self.pending)

    def _run(self, owner: Owner, code: str, where: str, namespace: dict) -> None:
        with self.owned_by(owner):
            try:
                exec(compile(code, where, "exec"), namespace)
            except Exception as exc:  # a failing deferred script stops, REAPER keeps running
                if where == "<defer>":
                    console()(f"deferred script error: {exc!r}\n")

    def run_cycle(self, namespace: dict) -> int:
        """Run the code deferred before this cycle began (new defers wait for the next one)."""
        batch, self.pending = self.pending, []
        for owner, code in batch:
            self._run(owner, code, "<defer>", namespace)
        self.finish_idle(namespace)
        return len(batch)

    def finish_idle(self, namespace: dict) -> None:
        """Script instances with nothing deferred any more have finished: run their atexit code."""
        live = {owner for owner, _ in self.pending}
        self._exit([(o, c) for o, c in self.at_exit if o is not None and o not in live], namespace)

    def terminate(self, match: Callable[[Owner], bool], namespace: dict) -> None:
        """End the matching instances as the user's "Terminate" does: drop their deferred code,
        run their atexit code."""
        self.pending = [(o, c) for o, c in self.pending if o is None or not match(o)]
        self._exit([(o, c) for o, c in self.at_exit if o is not None and match(o)], namespace)

    def _exit(self, entries: list[tuple[Owner, str]], namespace: dict) -> None:
        for entry in entries:
            self.at_exit.remove(entry)
        for owner, code in entries:
            self._run(owner, code, "<atexit>", namespace)

    def run_exit(self, namespace: dict) -> None:
        entries, self.at_exit = self.at_exit, []
        for owner, code in entries:
            self._run(owner, code, "<atexit>", namespace)


def console() -> Callable[[str], Any]:
    """REAPER's console for the emulator's own messages (never a name a script must import)."""
    mod = sys.modules.get("reaper_python")
    return getattr(mod, "RPR_ShowConsoleMsg", None) or print


def install_main(reaper: Reaper, queue: DeferQueue) -> tuple[types.ModuleType, dict]:
    """Make the running ``__main__`` look like REAPER's and register ``reaper_python``."""
    mod = build_module(reaper)
    sys.modules["reaper_python"] = mod
    main = sys.modules["__main__"]
    ns = main.__dict__
    ns["obj"] = None  # reapy: "inside REAPER" marker
    ns["RPR_defer"] = queue.defer
    ns["RPR_runloop"] = queue.defer
    ns["RPR_atexit"] = queue.atexit
    return main, ns


def patch_reapy(reaper: Reaper) -> None:
    """Replace reapy's ctypes-based fixes (which need REAPER's C pointers) by the emulator's."""
    import reapy.reascript_api as api

    def ValidatePtr2(proj, pointer, ctype):  # reapy passes an int address (reapy_behaviour 2.4)
        return 1 if reaper.pointers.resolve_address(int(pointer), ctype) is not None else 0

    api.ValidatePtr2 = ValidatePtr2
