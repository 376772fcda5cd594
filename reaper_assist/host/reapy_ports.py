"""Choose the ports python-reapy connects to *before* it connects.

reapy connects during ``import reapy`` to the web interface on the hard-coded port 2307
(reapy_behaviour 4); there is no setting or environment variable. This module installs an import
hook that sets ``reapy.config.WEB_INTERFACE_PORT`` as soon as reapy's config module has run, so a
client (our companion, the tests) talks to the emulator or REAPER it was told about and can never
attach to another REAPER by accident.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys

_TARGET = "reapy.config.config"


class _PortPresetter(importlib.abc.MetaPathFinder):
    def __init__(self, port: int):
        self.port = port

    def find_spec(self, fullname, path, target=None):
        if fullname != _TARGET:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader, self.port)
                return spec
        return None


class _Loader(importlib.abc.Loader):
    def __init__(self, inner, port: int):
        self.inner, self.port = inner, port

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        self.inner.exec_module(module)
        module.WEB_INTERFACE_PORT = self.port


def preset_web_interface_port(port: int) -> None:
    """Make the next ``import reapy`` (in this process) connect to ``port``.

    If reapy's config is already imported, the port is set directly; the caller must then
    ``reapy.reconnect()`` (see :func:`connect`).
    """
    for f in list(sys.meta_path):
        if isinstance(f, _PortPresetter):
            sys.meta_path.remove(f)
    sys.meta_path.insert(0, _PortPresetter(int(port)))
    mod = sys.modules.get(_TARGET)
    if mod is not None:
        mod.WEB_INTERFACE_PORT = int(port)
        cfg = sys.modules.get("reapy.config")
        if cfg is not None:
            cfg.WEB_INTERFACE_PORT = int(port)


def refresh_fx_function_table() -> None:
    """reapy builds ``FX.functions`` from its API table when the class is defined; if reapy was
    imported before REAPER was reachable that table is empty (reapy_behaviour 4). Rebuild it."""
    import reapy.reascript_api as RPR
    from reapy.core.fx import fx as fxmod

    names = [n for n in dir(RPR) if n.startswith(("TrackFX_", "TakeFX_"))]
    table = {}
    for prefix in ("TrackFX_", "TakeFX_"):
        table[prefix[:-1]] = {n[len(prefix):]: getattr(RPR, n) for n in names if n.startswith(prefix)}
    fx_cls = fxmod.FX
    if hasattr(fx_cls, "functions") and isinstance(fx_cls.functions, dict):
        for key, funcs in fx_cls.functions.items():
            funcs.update(table.get(key, {}))
