"""Build the demo session: stems at deliberately wrong levels in an .RPP the emulator (or REAPER)
opens, with one user plugin that must stay untouched and one unselected track."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from reaper_assist.demo.material import BEAT_S, render_part, song_parts

# Deliberately wrong peak levels per track (dBFS): far too hot, far too quiet, in between.
WRONG_PEAK_DBFS = {"Kick": -1.0, "Snare": -30.0, "HH": -4.0, "Toms": -26.0, "Bass": -2.0, "Keys": -35.0,
                   "Pad": -12.0, "Lead Synth": -20.0}
UNSELECTED = ("Pad",)  # left alone on purpose: the action only touches selected tracks


@dataclass(frozen=True)
class Session:
    project: Path
    media_dir: Path
    how: str
    tracks: tuple[str, ...]


def build(out_dir: str | Path, *, bars: int = 8, sample_rate: int = 48000) -> Session:
    out = Path(out_dir)
    media = out / "Media"
    media.mkdir(parents=True, exist_ok=True)
    seconds = bars * 4 * BEAT_S + 1.0
    parts = song_parts(bars)
    hows = set()
    from reaper_assist.emulator.project import Project
    from reaper_assist.emulator.reascript import Reaper

    project = Project.new(sample_rate=sample_rate)
    project.path = str(out / "demo.rpp")
    for i, part in enumerate(parts):
        wav = media / f"{i + 1:02d} {part.name}.wav"
        hows.add(render_part(part, wav, sample_rate=sample_rate, seconds=seconds))
        x, sr = sf.read(wav, dtype="float64", always_2d=True)
        peak = float(np.max(np.abs(x))) or 1.0
        sf.write(wav, x * (10 ** (WRONG_PEAK_DBFS[part.name] / 20) / peak), sr, subtype="FLOAT")
        tr = project.add_track(i, name=part.name)
        project.add_item(tr, position=0.0, length=seconds, file=str(wav.relative_to(out)))
        tr.selected = part.name not in UNSELECTED
    api = Reaper(project).rpr_functions()
    bass = api["RPR_GetTrack"](0, [p.name for p in parts].index("Bass"))
    k = api["RPR_TrackFX_AddByName"](bass, "ReaEQ", False, -1)  # the user's own EQ: must stay as it is
    api["RPR_TrackFX_SetNamedConfigParm"](bass, k, "renamed_name", "My Bass EQ")
    project.save(project.path)
    return Session(Path(project.path), media, "; ".join(sorted(hows)), tuple(p.name for p in parts))
