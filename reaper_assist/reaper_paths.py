"""Where REAPER keeps its configuration: its resource folder on each platform, and whether one is running
(used by `reaper-assist install` and by the companion's host; a leaf module so neither imports the other).
The Python library REAPER loads is found in install/embedded.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path


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


__all__ = ["detect_resource_path"]
