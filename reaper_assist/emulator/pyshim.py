"""The ``reaper_python`` module and the ``__main__`` namespace REAPER gives Python ReaScripts.

REAPER's embedded Python exposes the API as ``RPR_*`` functions of a module named
``reaper_python``, and injects ``RPR_defer`` / ``RPR_runloop`` / ``RPR_atexit`` (which take
strings of code) into ``__main__`` (facts 1.1). reapy decides it runs inside REAPER when
``__main__`` has an attribute ``obj`` (facts 1.7).
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

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


class DeferQueue:
    """``RPR_defer`` / ``RPR_atexit``: code strings run later in ``__main__``."""

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.at_exit: list[str] = []

    def defer(self, code: str) -> None:
        self.pending.append(str(code))

    def atexit(self, code: str) -> None:
        self.at_exit.append(str(code))

    def run_cycle(self, namespace: dict) -> int:
        """Run the code deferred before this cycle began (new defers wait for the next one)."""
        batch, self.pending = self.pending, []
        for code in batch:
            try:
                exec(compile(code, "<defer>", "exec"), namespace)
            except Exception as exc:  # a failing deferred script stops, REAPER keeps running
                namespace.get("RPR_ShowConsoleMsg", print)(f"deferred script error: {exc!r}\n")
        return len(batch)

    def run_exit(self, namespace: dict) -> None:
        for code in self.at_exit:
            try:
                exec(compile(code, "<atexit>", "exec"), namespace)
            except Exception:
                pass
        self.at_exit.clear()


def install_main(reaper: Reaper, queue: DeferQueue) -> tuple[types.ModuleType, dict]:
    """Make the running ``__main__`` look like REAPER's and register ``reaper_python``."""
    mod = build_module(reaper)
    sys.modules["reaper_python"] = mod
    main = sys.modules["__main__"]
    ns = main.__dict__
    ns["obj"] = None  # reapy: "inside REAPER" marker
    ns.update({k: v for k, v in mod.__dict__.items() if k.startswith("RPR_")})
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
