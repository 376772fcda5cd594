"""Material for match-reference and ab-reference: one multitrack (fluidsynth stems: drum kit,
finger bass, piano, warm pad, panned apart) rendered through two different EQ curves. The mix
project plays the stems through curve A (the stems are filtered before they go on the tracks);
the reference is the emulator's render of the plain stems through curve B, 4 dB louder. Both
curves are scipy Butterworth blends, not ReaEQ shapes, so the 8-band fit cannot be exact.
The spectral distance is measured here with scipy's Welch estimate and IEC 61260 base-2
1/3-octave bands (40 Hz-16 kHz), independent of the product. (Imported by name: keep unique.)"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile as sf
from scipy.signal import butter, sosfilt, welch

from reaper_assist.emulator.engine.render import render
from reaper_assist.emulator.project import Project
from tests.analysis.stems import TIMGM_SF2, _midi, require_fluidsynth

SR = 48000
SECONDS = 10.5
PARTS = {"Drums": (9, None, "kit", -0.2), "Bass": (0, 33, "bass", 0.0), "Piano": (0, 0, "chords", 0.5),
         "Pad": (0, 89, "pad", -0.6)}
REF_GAIN_DB = 4.0


def stems(folder: Path) -> dict[str, np.ndarray]:
    exe = require_fluidsynth(TIMGM_SF2)
    rng = np.random.default_rng(17)
    out = {}
    for name, (channel, program, kind, _) in PARTS.items():
        mid, wav = folder / f"{name}.mid", folder / f"{name}-dry.wav"
        _midi(kind, channel, program, SECONDS, rng).save(mid)
        subprocess.run([exe, "-ni", "-q", "-R", "0", "-C", "0", "-r", str(SR), "-O", "float", "-F", str(wav),
                        str(TIMGM_SF2), str(mid)], check=True, capture_output=True, timeout=120)
        x, _ = sf.read(wav, dtype="float64", always_2d=True)
        n = int(SECONDS * SR)
        y = np.zeros((2, n))
        y[:, : min(n, x.shape[0])] = x.T[:, :n]
        out[name] = y
    return out


def curve_a(x: np.ndarray) -> np.ndarray:
    """A warm curve: the lows up (about +5 dB under 250 Hz), the top down a little."""
    low = sosfilt(butter(2, 250, "lowpass", fs=SR, output="sos"), x, axis=-1)
    high = sosfilt(butter(1, 6000, "highpass", fs=SR, output="sos"), x, axis=-1)
    return x + 0.8 * low - 0.4 * high


def curve_b(x: np.ndarray) -> np.ndarray:
    """A bright curve: air above 4 kHz up about +6 dB, a dip around 1 kHz."""
    air = sosfilt(butter(2, 4000, "highpass", fs=SR, output="sos"), x, axis=-1)
    mid = sosfilt(butter(1, [700, 1400], "bandpass", fs=SR, output="sos"), x, axis=-1)
    return x + 1.0 * air - 0.5 * mid


def _project(folder: Path, tracks: dict[str, np.ndarray], name: str) -> Project:
    p = Project.new(sample_rate=SR)
    for i, (tname, audio) in enumerate(tracks.items()):
        path = folder / f"{tname}-{name}.wav"
        sf.write(path, audio.T, SR, subtype="FLOAT")
        tr = p.add_track(i, name=tname)
        tr.pan = PARTS[tname][3]
        p.add_item(tr, position=0.0, length=SECONDS, file=str(path))
    p.path = str(folder / f"{name}.rpp")
    return p


def build(folder: Path) -> tuple[Path, Path]:
    """(the mix project, the reference file)."""
    folder.mkdir(parents=True, exist_ok=True)
    dry = stems(folder)
    plain = render(_project(folder, dry, "plain")).audio
    ref = curve_b(plain) * 10 ** (REF_GAIN_DB / 20)
    ref_path = folder / "reference.wav"
    sf.write(ref_path, ref.T, SR, subtype="FLOAT")
    mix = _project(folder, {k: curve_a(v) for k, v in dry.items()}, "mix")
    mix.save(mix.path)
    return Path(mix.path), ref_path


def third_octave_db(audio: np.ndarray) -> np.ndarray:
    """Band powers (dB) of the mid signal in base-2 1/3-octave bands centred 40 Hz-16 kHz."""
    mid = 0.5 * (audio[0] + audio[1])
    f, p = welch(mid, fs=SR, nperseg=8192)
    k = np.arange(round(3 * np.log2(40 / 1000)), round(3 * np.log2(16000 / 1000)) + 1)
    centres = 1000 * 2.0 ** (k / 3)
    out = []
    for c in centres:
        sel = (f >= c * 2 ** (-1 / 6)) & (f < c * 2 ** (1 / 6))
        out.append(10 * np.log10(p[sel].sum()))
    return np.array(out)


def distance_db(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of the two smoothed spectra, the level offset taken out (the
    tone only; loudness is checked on its own)."""
    d = third_octave_db(a) - third_octave_db(b)
    return float(np.mean(np.abs(d - d.mean())))


def side_mid_db(audio: np.ndarray) -> float:
    """The side/mid energy ratio (dB) of the whole signal, full band: 10 log10(sum S^2 / sum M^2)."""
    mid, side = 0.5 * (audio[0] + audio[1]), 0.5 * (audio[0] - audio[1])
    return float(10 * np.log10(np.sum(side**2) / np.sum(mid**2)))


def widened(path: Path, audio: np.ndarray, side_db: float) -> tuple[Path, np.ndarray]:
    """``audio`` with its side ``side_db`` dB up (mid as it is), written to ``path``."""
    mid, side = 0.5 * (audio[0] + audio[1]), 0.5 * (audio[0] - audio[1]) * 10 ** (side_db / 20)
    out = np.stack([mid + side, mid - side])
    sf.write(path, out.T, SR, subtype="FLOAT")
    return path, out


def integrated_lufs(audio: np.ndarray) -> float:
    return float(pyloudnorm.Meter(SR).integrated_loudness(np.asarray(audio).T))


def render_file(path: Path) -> np.ndarray:
    return render(Project.load(str(path))).audio


def read(path: Path) -> np.ndarray:
    return sf.read(path, dtype="float64", always_2d=True)[0].T
