"""Builders for emulator tests: a small project with real media, FX and envelopes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper


def write_sine(path: Path, *, freq_hz=440.0, seconds=2.0, sr=48000, amp=0.5, channels=2) -> Path:
    t = np.arange(int(seconds * sr)) / sr
    x = amp * np.sin(2 * np.pi * freq_hz * t)
    data = np.stack([x * (1.0 if c == 0 else 0.5) for c in range(channels)], axis=1)
    sf.write(path, data, sr, subtype="PCM_24")
    return path


def rich_project(tmp: Path) -> Project:
    """Two tracks with items on real WAV files, a ReaComp, a volume envelope, ext state."""
    p = Project.new()
    p.path = str(tmp / "rich.rpp")
    a = p.add_track(0, name="Kick")
    b = p.add_track(1, name="Bass Guitar")
    wav = write_sine(tmp / "kick.wav", freq_hz=60.0)
    p.add_item(a, position=1.0, length=1.5, file=str(wav))
    p.add_item(b, position=0.0, length=2.0, file=str(write_sine(tmp / "bass.wav", freq_hz=110.0, channels=1)))
    a.selected = True
    r = Reaper(p)
    f = r.rpr_functions()
    tr = f["RPR_GetTrack"](0, 0)
    f["RPR_TrackFX_AddByName"](tr, "ReaComp", False, -1)
    f["RPR_GetTrackEnvelopeByChunkName"](tr, "<VOLENV2")
    return p


def reaper_for(tmp: Path) -> Reaper:
    p = rich_project(tmp)
    p.tracks[0].envelope_by_chunk_name("VOLENV2", create=True)
    p.set_ext_state("reaper_assist", "last_run", '{"status": "ok"}')
    p.save(p.path)
    return Reaper(Project.load(p.path), resource_path=str(tmp))
