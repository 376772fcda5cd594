"""A user's default FX presets: what REAPER loads into a plugin it adds (``reaper-defpresets.ini``).

Written from the file descriptions (docs/emulator.md, "User default presets"), not from the
product's plugin maps:

* ``<resource>/reaper-defpresets.ini``, section :data:`uncertain.DEFPRESETS_SECTION`: one line
  per plugin, ``<key>=<preset name>``; the key is ``vst-<plugin file name>`` (``vst-reacomp``
  on Windows, ``vst-reacomp.vst`` on macOS; the Linux form is :data:`uncertain`); the value must
  match a preset's name exactly, surrounding white space allowed.
* the preset itself: ``<resource>/presets/<key>.ini``, ``[General]`` ``NbPresets=N``, then
  ``[Preset<i>]`` (i from 0 to N-1) with ``Name=``, ``Data=`` (hex, one line) and ``Len=``; a
  preset numbered N or more is ignored, and so is one with an empty name.

The preset's data is taken as the plugin's own state (the middle segment of the ``<VST`` body,
:data:`uncertain.DEFPRESET_DATA_IS_PLUGIN_STATE`).
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass
from pathlib import Path

from reaper_assist.emulator import uncertain

_EXT = re.compile(r"\.(dll|so|dylib|vst3?)$", re.I)


@dataclass(frozen=True)
class DefaultPreset:
    name: str
    data: bytes


def plugin_keys(file_name: str) -> list[str]:
    """The ``reaper-defpresets.ini`` keys a VST plugin file may be listed under (most specific first)."""
    name = file_name.strip().strip('"')
    bare = name
    while _EXT.search(bare):
        bare = _EXT.sub("", bare)
    keys = [f"vst-{name}"]
    if uncertain.DEFPRESET_KEY_WITHOUT_EXTENSION:
        keys.append(f"vst-{bare}")
    if uncertain.DEFPRESET_KEY_MAC_VST:
        keys.append(f"vst-{bare}.vst")
    return list(dict.fromkeys(k.lower() for k in keys))


def _ini(path: Path) -> configparser.ConfigParser | None:
    if not path.is_file():
        return None
    cp = configparser.ConfigParser(strict=False, delimiters=("=",), interpolation=None)
    cp.optionxform = str  # type: ignore[assignment]
    try:
        cp.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None  # REAPER ignores what it cannot read
    return cp


def default_preset(resource_path: str | None, file_name: str) -> DefaultPreset | None:
    """The user's default preset for the VST plugin in ``file_name`` (``reaeq.dll``), or None."""
    if not resource_path:
        return None
    root = Path(resource_path)
    cp = _ini(root / "reaper-defpresets.ini")
    if cp is None or not cp.has_section(uncertain.DEFPRESETS_SECTION):
        return None
    entries = {k.lower(): v.strip() for k, v in cp.items(uncertain.DEFPRESETS_SECTION)}
    for key in plugin_keys(file_name):
        wanted = entries.get(key)
        if wanted:
            return _find(root / uncertain.DEFPRESET_FILE.format(key=key), wanted)
    return None


def _find(path: Path, wanted: str) -> DefaultPreset | None:
    cp = _ini(path)
    if cp is None:
        return None
    try:
        count = int(cp.get("General", "NbPresets", fallback="0"))
    except ValueError:
        return None
    for i in range(count):  # a preset numbered NbPresets or more is ignored
        sec = f"Preset{i}"
        if not cp.has_section(sec):
            continue
        name = cp.get(sec, "Name", fallback="")
        if not name.strip() or name != wanted:  # the name must match exactly (an empty one is invisible)
            continue
        try:
            data = bytes.fromhex(cp.get(sec, "Data", fallback="").strip())
        except ValueError:
            return None
        return DefaultPreset(name, data) if data else None
    return None
