"""Where REAPER keeps its configuration, and which Python library REAPER should load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Run inside the target interpreter (standard library only): its shared libpython, or "".
_LIBPYTHON_CODE = r"""
import os, sys, sysconfig
names, dirs = [], []
for v in ("LDLIBRARY", "INSTSONAME"):
    n = sysconfig.get_config_var(v)
    if n and not n.endswith(".a"):
        names.append(n)
ver = "%d%d" % sys.version_info[:2] if os.name == "nt" else "%d.%d" % sys.version_info[:2]
names += ["python%s.dll" % ver] if os.name == "nt" else ["libpython%s.so" % ver, "libpython%s.dylib" % ver]
for d in (sysconfig.get_config_var("LIBDIR"), os.path.dirname(sys.executable), sys.base_prefix,
          os.path.join(sys.base_prefix, "lib")):
    if d:
        dirs.append(d)
for d in dirs:
    for n in names:
        p = os.path.join(d, n)
        if os.path.isfile(p):
            print(os.path.realpath(p)); sys.exit(0)
print("")
"""


def find_libpython(python: str) -> str | None:
    """The shared Python library of ``python`` (what reaper.ini's pythonlib*64 name), or None."""
    try:
        if os.path.realpath(python) == os.path.realpath(sys.executable):
            import contextlib
            import io

            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                try:
                    exec(_LIBPYTHON_CODE, {"__name__": "libpython"})
                except SystemExit:
                    pass
            out = buf.getvalue().strip()
        else:
            out = subprocess.run([python, "-c", _LIBPYTHON_CODE], capture_output=True, text=True,
                                 timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


def default_resource_dirs() -> list[Path]:
    if sys.platform == "darwin":
        return [Path.home() / "Library" / "Application Support" / "REAPER"]
    if os.name == "nt":
        return [Path(os.path.expandvars(r"$APPDATA\REAPER"))]
    return [Path.home() / ".config" / "REAPER"]


def running_reaper_dirs() -> list[Path]:
    """Resource folders of running REAPER processes that are portable installs (like reapy)."""
    try:
        import psutil
    except ImportError:
        return []
    out = []
    for p in psutil.process_iter(["name", "exe"]):
        name, exe = p.info.get("name") or "", p.info.get("exe") or ""
        if os.path.splitext(name)[0].lower() == "reaper" and exe:
            d = Path(exe).parent
            out.append(d.parents[2] if sys.platform == "darwin" and len(d.parents) > 2 else d)
    return out


def detect_resource_path() -> Path | None:
    """Like reapy's get_resource_path (facts 3.2): a running portable REAPER first, then the default
    location; a folder counts only if it holds reaper.ini."""
    for d in running_reaper_dirs() + default_resource_dirs():
        if (d / "reaper.ini").is_file():
            return d
    return None


__all__ = ["detect_resource_path", "find_libpython"]
