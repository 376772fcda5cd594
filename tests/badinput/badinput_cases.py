"""Projects for the bad-input matrix (issue 6, item 4): small generated media, one subject track
per case, built so that every action has something to do on healthy input.

The subject track is named "Snare" (a named drum: auto-gate gates it, the rule tables know it) and
holds decaying noise bursts with a 200 Hz body over a -60 dBFS noise floor (asymmetric stereo, so
a transposition cannot pass). Unmask also gets a healthy focus track "Vox" first: a harmonic tone
in the band the bursts cover, so the subject masks it and unmask has cuts to make."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import soundfile as sf

from reaper_assist.emulator import rpp
from reaper_assist.emulator.project import Project
from reaper_assist.host.inprocess import InProcessHost

SR = 48000
SUBJECT = "Snare"
FOCUS = "Vox"
SECONDS = 2.0


def hits(seconds: float = SECONDS, sr: int = SR, channels: int = 2, *, every_s: float = 0.25,
         peak: float = 0.3, floor_dbfs: float = -60.0, seed: int = 5) -> np.ndarray:
    """``(samples, channels)``: snare-like hits every ``every_s`` over steady noise at ``floor_dbfs`` RMS."""
    rng = np.random.default_rng(seed)
    n = round(seconds * sr)
    t = np.arange(int(0.2 * sr)) / sr
    burst = (rng.standard_normal(t.size) * np.exp(-t / 0.03) + 1.5 * np.sin(2 * np.pi * 200 * t) * np.exp(-t / 0.06))
    burst *= peak / np.max(np.abs(burst))
    x = rng.standard_normal(n) * 10 ** (floor_dbfs / 20)
    for i in range(int(0.05 * sr), n - t.size, int(every_s * sr)):
        x[i:i + t.size] += burst
    return np.stack([x * (1.0 - 0.3 * c / max(1, channels)) for c in range(channels)], axis=1)


def harmonic_tone(seconds: float = SECONDS, sr: int = SR, *, f0_hz: float = 220.0, amp: float = 0.01) -> np.ndarray:
    """``(samples, 2)``: a steady tone with 12 harmonics (1/k amplitudes), right channel 0.8x."""
    t = np.arange(round(seconds * sr)) / sr
    x = sum((amp / k) * np.sin(2 * np.pi * k * f0_hz * t) for k in range(1, 13) if k * f0_hz < sr / 2)
    return np.stack([x, 0.8 * x], axis=1)


class Case:
    """One project under construction: ``track`` adds a track with one item (a WAV written now,
    a given file, or none), ``host`` saves it and opens it on the in-process host."""

    def __init__(self, tmp: Path, sample_rate: int = SR):
        self.tmp = tmp
        self.project = Project.new(sample_rate=sample_rate)
        self.project.path = str(tmp / "song.rpp")
        self.sample_rate = sample_rate

    def track(self, name: str = SUBJECT, signal: np.ndarray | None = None, *, subtype: str = "FLOAT",
              sr: int | None = None, file: Path | None = None, length: float | None = None,
              source_type: str = "WAVE", selected: bool = True):
        sr = sr or self.sample_rate
        tr = self.project.add_track(len(self.project.tracks), name=name)
        if signal is not None:
            file = file or self.tmp / f"{name}-{len(self.project.tracks)}.wav"
            sf.write(file, signal, sr, subtype=subtype)
        n = (signal.shape[0] / sr) if signal is not None else 1.0
        item = self.project.add_item(tr, position=0.0, length=n if length is None else length,
                                     file=str(file) if file else None, source_type=source_type)
        tr.selected = selected
        return tr, item

    def focus(self, signal: np.ndarray | None = None, **kw):
        return self.track(FOCUS, harmonic_tone() if signal is None else signal, **kw)

    def save(self) -> Path:
        self.project.save(self.project.path)
        return Path(self.project.path)

    def host(self) -> InProcessHost:
        return InProcessHost.open(str(self.save()))


def wrap_in_section(item, *, start_s: float, length_s: float, mode: int) -> None:
    """Turn an item's ``<SOURCE WAVE`` into REAPER's ``<SOURCE SECTION`` wrapper (LENGTH, STARTPOS,
    OVERLAP, MODE; MODE 2 = reversed) holding the original source inside."""
    kids = item.chunk.children
    k = next(i for i, n in enumerate(kids) if isinstance(n, rpp.Chunk) and n.tag == "SOURCE")
    inner = kids[k]
    sec = rpp.Chunk.new("SOURCE", ["SECTION"])
    sec.children = [rpp.Line.from_tokens(["LENGTH", length_s]), rpp.Line.from_tokens(["MODE", mode]),
                    rpp.Line.from_tokens(["STARTPOS", start_s]), rpp.Line.from_tokens(["OVERLAP", 0.01]), inner]
    kids[k] = sec


def make_midi(item) -> None:
    """Give an item (added without a file) an in-project ``<SOURCE MIDI`` with one note."""
    src = rpp.Chunk.new("SOURCE", ["MIDI"])
    src.children = [rpp.Line.from_tokens(t) for t in (["HASDATA", 1, 960, "QN"], ["E", 0, 90, "3c", 60],
                                                       ["E", 960, 80, "3c", "00"], ["E", 0, "b0", "7b", "00"])]
    item.chunk.children.append(src)


def api(host: InProcessHost, name: str, *a):
    return getattr(host.api, name)(*a)


def track_handle(host: InProcessHost, index: int):
    return api(host, "GetTrack", 0, index)


def take_handle(host: InProcessHost, track: int = 0):
    return api(host, "GetActiveTake", api(host, "GetTrackMediaItem", track_handle(host, track), 0))


def without_record(text: str) -> str:
    """A saved project without the tool's own ``last_run`` record (the EXTSTATE chunk)."""
    return re.sub(r"  <EXTSTATE\n.*?\n  >\n", "", text, flags=re.DOTALL)
