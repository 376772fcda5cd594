"""REAPER's dry-run loudness actions (42437-42441) and their ``RENDER_STATS`` text.

Format (facts, dry-run addendum): one group per rendered target,
``FILE:<name>;LUFSI:<x>;RMSI:<x>;PEAK:<x>;LUFSMMAX:<x>;LUFSSMAX:<x>;LRA:<x>;CLIP:<n>;``, numbers in
dB / LU. Track stems are named by the track name and measured post-fader. Measurement:
:func:`.meter.stats`, the emulator's own meter (pyloudnorm: BS.1770-4, EBU Tech 3341/3342).
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np

from reaper_assist.emulator.engine import meter
from reaper_assist.emulator.engine import uncertain as U
from reaper_assist.emulator.engine.render import render

ACTIONS: dict[int, str] = {
    42437: "selected items (with take and track FX)",
    42438: "selected tracks",
    42439: "selected tracks within the time selection",
    42440: "master mix",
    42441: "master mix within the time selection",
}


def _num(x: float) -> str:
    if math.isinf(x) or math.isnan(x):
        return "-inf"
    return f"{x:.{U.STATS_DECIMALS}f}"


def stats_text(name: str, audio: np.ndarray, sample_rate: int) -> str:
    """One target's ``FILE:...;...;`` group."""
    r = meter.stats(audio, sample_rate)
    fields = {"LUFSI": r.integrated_lufs, "RMSI": r.rms_db, "PEAK": r.sample_peak_db,
              "LUFSMMAX": r.max_momentary_lufs, "LUFSSMAX": r.max_short_term_lufs, "LRA": r.lra_lu}
    body = "".join(f"{k}:{_num(v)};" for k, v in fields.items())
    return f"FILE:{name};{body}CLIP:{r.clipped};"


def _time_selection(project) -> tuple[float, float] | None:
    a = project.root.get_float("SELECTION", 0, 0.0)
    b = project.root.get_float("SELECTION", 1, 0.0)
    return (a, b) if b > a else None


def dry_run(project, action: int) -> str:
    """Render what ``action`` renders and return the ``RENDER_STATS`` text."""
    window: tuple[float | None, float | None] = (None, None)
    if action in (42439, 42441):
        sel = _time_selection(project)
        if sel is not None:
            window = sel
    out = []
    if action in (42440, 42441):
        name = (Path(project.path).stem if project.path else "master") + ".wav"
        res = render(project, start_s=window[0], end_s=window[1])
        out.append(stats_text(name, res.audio, res.sample_rate))
    elif action in (42438, 42439):
        for t in project.tracks:
            if t.selected:
                res = render(project, track=t, start_s=window[0], end_s=window[1])
                out.append(stats_text(t.name, res.audio, res.sample_rate))
    elif action == 42437:
        for ti, t in enumerate(project.tracks):
            for k, item in enumerate(t.items):
                if not item.selected:
                    continue
                take = item.active_take
                res = render(project, track=t, start_s=item.position, end_s=item.position + item.length,
                             items={ti: {k}})
                out.append(stats_text((take.name if take and take.name else f"{t.name} item {k + 1}"),
                                      res.audio, res.sample_rate))
    return "".join(out)


def _run(reaper, action: int) -> None:
    reaper.render_stats[str(action)] = dry_run(reaper.project, action)


def install_actions(reaper) -> None:
    """Register the dry-run actions as native actions of an emulated REAPER (``Reaper``)."""
    from reaper_assist.emulator.engine import render_file

    for action in ACTIONS:
        reaper.action_hooks[action] = functools.partial(_run, reaper, action)
    render_file.install(reaper)  # 42230: render the master mix to a file
