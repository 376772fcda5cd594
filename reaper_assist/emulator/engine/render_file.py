"""REAPER's "File: Render project, using the most recent render settings, auto-close render
dialog" (action 42230) for the master mix: the render settings a script set through
GetSetProjectInfo(_String) (``RENDER_FILE`` the folder, ``RENDER_PATTERN`` the file name,
``RENDER_FORMAT`` the WAV sink's base64 config, ``RENDER_SRATE``, ``RENDER_SETTINGS``,
``RENDER_BOUNDSFLAG``), the file written as ``<RENDER_FILE>/<RENDER_PATTERN>.wav``.

Only what reaper-assist asks for is modelled: the master mix (``RENDER_SETTINGS`` 0) of the
entire project (``RENDER_BOUNDSFLAG`` 1) to WAV; anything else renders nothing (REAPER's other
sources and bounds are not modelled). The WAV config is ``b"evaw" + bits + b"\\x00\\x01"`` (32 =
float; docs/unverified.md).
"""

from __future__ import annotations

import base64
import functools
import os

from reaper_assist.emulator.engine.render import render

ACTION = 42230
_SUBTYPES = {16: "PCM_16", 24: "PCM_24", 32: "FLOAT", 64: "DOUBLE"}


def _subtype(cfg: str) -> str | None:
    try:
        raw = base64.b64decode(cfg)
    except ValueError:
        return None
    if len(raw) < 5 or raw[:4] != b"evaw":
        return None
    return _SUBTYPES.get(raw[4])


def render_to_file(reaper) -> str:
    """Render as the settings say; returns the path written ("" when nothing was rendered)."""
    import soundfile as sf

    cfg = reaper.render_config
    folder = str(reaper.project.root.get("RENDER_FILE", 0, "") or "")
    pattern = str(reaper.project.root.get("RENDER_PATTERN", 0, "") or "")
    subtype = _subtype(str(cfg.get("RENDER_FORMAT", "ZXZhdxgAAQ==")))
    if (int(cfg.get("RENDER_SETTINGS", 0)) != 0 or int(cfg.get("RENDER_BOUNDSFLAG", 1)) != 1 or not folder
            or not pattern or subtype is None or not os.path.isdir(folder)):
        return ""
    rate = int(cfg.get("RENDER_SRATE", 0)) or reaper.project.sample_rate
    res = render(reaper.project, sample_rate=rate)
    audio = res.audio if subtype in ("FLOAT", "DOUBLE") else res.audio.clip(-1.0, 1.0)
    path = os.path.join(folder, pattern + ".wav")
    sf.write(path, audio.T, rate, subtype=subtype)
    return path


def install(reaper) -> None:
    reaper.action_hooks[ACTION] = functools.partial(render_to_file, reaper)
