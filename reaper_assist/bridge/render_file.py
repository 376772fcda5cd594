"""A render of the master mix to a WAV file (runs inside REAPER): one named operation.

``master_file_with(api, trial_ops)`` writes ``trial_ops`` (e.g. our tagged FX taken out) in an
undo block, renders the master mix of the entire project to a new file with "File: Render
project, using the most recent render settings, auto-close render dialog" (action 42230), puts
the project's render settings back and aborts the block (as :mod:`.dryrun` does), and returns
the file's path. The file goes into a new private temporary folder (``tempfile.mkdtemp``, mode
0700, prefix :data:`RENDER_PREFIX`) under a name the bridge chooses; the caller reads it and
deletes the file and the folder. Render settings used (facts
table GetSetProjectInfo; the WAV format string and the action are in docs/unverified.md):
``RENDER_SETTINGS`` 0 (master mix), ``RENDER_BOUNDSFLAG`` 1 (entire project), ``RENDER_SRATE``
the project's rate, ``RENDER_CHANNELS`` 2, ``RENDER_FORMAT`` WAV 32-bit float (cannot clip).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from typing import Any

from reaper_assist.bridge import dryrun

RENDER_MOST_RECENT = 42230  # File: Render project, using the most recent render settings, auto-close dialog
WAV_FLOAT32 = "ZXZhdyAAAQ=="  # base64 of b"evaw\x20\x00\x01": WAV, 32-bit float
RENDER_PREFIX = "reaper_assist_render_"
_TRIAL_UNDO = "reaper-assist: master render"
_NUMBERS = ("RENDER_SETTINGS", "RENDER_BOUNDSFLAG", "RENDER_SRATE", "RENDER_CHANNELS")
_TEXTS = ("RENDER_FILE", "RENDER_PATTERN", "RENDER_FORMAT")


def _render(api) -> str:
    folder = tempfile.mkdtemp(prefix=RENDER_PREFIX)
    name = f"master-{secrets.token_hex(8)}"
    old_n = {k: api.GetSetProjectInfo(0, k, 0, False) for k in _NUMBERS}
    old_t = {k: api.GetSetProjectInfo_String(0, k, "", False)[3] for k in _TEXTS}
    rate = api.GetSetProjectInfo(0, "PROJECT_SRATE", 0, False)
    try:
        for k, v in (("RENDER_SETTINGS", 0), ("RENDER_BOUNDSFLAG", 1), ("RENDER_SRATE", rate),
                     ("RENDER_CHANNELS", 2)):
            api.GetSetProjectInfo(0, k, v, True)
        for k, s in (("RENDER_FILE", folder), ("RENDER_PATTERN", name), ("RENDER_FORMAT", WAV_FLOAT32)):
            api.GetSetProjectInfo_String(0, k, s, True)
        api.Main_OnCommand(RENDER_MOST_RECENT, 0)
    finally:
        for k, v in old_n.items():
            api.GetSetProjectInfo(0, k, v, True)
        for k, s in old_t.items():
            api.GetSetProjectInfo_String(0, k, s, True)
    path = os.path.join(folder, name + ".wav")
    if os.path.isfile(path):
        return path
    os.rmdir(folder)
    return ""


def master_file_with(api, trial_ops: list[dict[str, Any]] | None = None) -> str:
    """The path of a new WAV of the master mix, ``trial_ops`` in place during the render only
    ("" if REAPER rendered nothing)."""
    return dryrun.with_trial(api, trial_ops, _render, _TRIAL_UNDO)
