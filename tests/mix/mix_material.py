"""Multitrack material for balance and auto-pan (issue 15): a lead vocal of espeak-ng speech, a
fluidsynth SoundFont band (bass, a double-tracked steel guitar (two takes), piano, a stereo string pad) and
hydrogen drums (kick, snare, hats from the BJA_Pacific kit's recorded samples) in a "Drums" folder,
as an emulated REAPER project. (Imported by name: keep this file name unique.)"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile as sf
from scipy.signal import resample_poly

from reaper_assist.emulator.engine.render import render
from reaper_assist.emulator.project import Project
from reaper_assist.units import amp_to_db
from tests.analysis import stems as S
from tests.automation.material import say

SR = 48000
SECONDS = 4.0
KIT = S.HYDROGEN_KITS / "BJA_Pacific"
# name -> (kind, program) for fluidsynth parts (stems.py's MIDI patterns)
BAND = {"Bass": ("bass", 33), "Guitar 1": ("strum", 25), "Guitar 2": ("strum", 25), "Piano": ("chords", 0)}
DRUMS = {"Kick": ("BD_01.aiff", [0, 1, 2, 3]), "Snare": ("SN_01.aiff", [1, 3]), "Hats": ("HH_01.aiff", [i / 2 for i in range(8)])}
ORDER = ("Lead Vocal", "Bass", "Guitar 1", "Guitar 2", "Piano", "Strings", "Drums", "Kick", "Snare", "Hats")


def _fluid(kind: str, program: int, seed: int, out: Path) -> np.ndarray:
    exe = S.require_fluidsynth()
    mid = out.with_suffix(".mid")
    S._midi(kind, 0, program, SECONDS, np.random.default_rng(seed)).save(mid)
    subprocess.run([exe, "-ni", "-q", "-R", "0", "-C", "0", "-r", str(SR), "-O", "float", "-F", str(out),
                    str(S.TIMGM_SF2), str(mid)], check=True, capture_output=True, timeout=120)
    x, _ = sf.read(out, dtype="float64", always_2d=True)
    return _fit(x.T)


def _fit(x: np.ndarray) -> np.ndarray:
    n = int(SECONDS * SR)
    y = np.zeros((2, n))
    m = min(n, x.shape[1])
    y[:, :m] = x[:2, :m] if x.shape[0] >= 2 else np.repeat(x[:1, :m], 2, axis=0)
    return y


def _drum(sample: str, beats: list[float], rng) -> np.ndarray:
    data, rate = sf.read(KIT / sample, dtype="float64", always_2d=True)
    s = data.T if rate == SR else resample_poly(data.T, SR, rate, axis=-1)
    n = int(SECONDS * SR)
    out = np.zeros((2, n))
    beat = 60.0 / S.TEMPO_BPM
    for bar in range(int(SECONDS / (4 * beat)) + 1):
        for b in beats:
            i = int((bar * 4 + b) * beat * SR)
            if i < n:
                seg = s[:, : n - i] * rng.uniform(0.6, 1.0)
                out[:, i:i + seg.shape[1]] += seg if seg.shape[0] == 2 else np.repeat(seg, 2, axis=0)
    return out


def stems(tmp: Path) -> dict[str, np.ndarray]:
    """The stems, (2, samples) each, peak-normalised to -6 dBFS, rendered once into ``tmp``."""
    rng = np.random.default_rng(15)
    tmp.mkdir(parents=True, exist_ok=True)
    v = np.concatenate([say("She sells sea shells by the sea shore."), np.zeros(SR // 4),
                        say("The mist is passing slowly.")])
    out = {"Lead Vocal": _fit(v[None, :])}
    for i, (name, (kind, prog)) in enumerate(BAND.items()):
        out[name] = _fluid(kind, prog, 20 + i, tmp / f"{name.replace(' ', '_')}.wav")
    a = _fluid("pad", 48, 30, tmp / "strings_a.wav")
    b = _fluid("pad", 49, 31, tmp / "strings_b.wav")
    out["Strings"] = np.vstack([a[0], b[1]])  # two different string parts L and R: a stereo source
    for name, (sample, beats) in DRUMS.items():
        out[name] = _drum(sample, beats, rng)
    return {k: x / np.max(np.abs(x)) * 0.5 for k, x in out.items()}


def build(tmp: Path, stems_: dict[str, np.ndarray], *, gains_db: dict[str, float] | None = None,
          folder_db: float = -3.0, name: str = "mix.rpp") -> Path:
    """The project: every stem on its own track at 0 dB (times ``gains_db``), the drums in a
    "Drums" folder with its fader at ``folder_db``; every track selected, the vocal first."""
    tmp.mkdir(parents=True, exist_ok=True)
    p = Project.new(sample_rate=SR)
    p.path = str(tmp / name)
    for i, tname in enumerate(ORDER):
        tr = p.add_track(i, name=tname)
        tr.selected = True
        if tname == "Drums":
            tr.folder_depth = 1
            tr.volume = 10 ** (folder_db / 20)
            continue
        if tname == "Hats":
            tr.folder_depth = -1
        g = 10 ** ((gains_db or {}).get(tname, 0.0) / 20)
        f = tmp / f"{name}-{tname.replace(' ', '_')}.wav"
        sf.write(f, (stems_[tname] * g).T, SR, subtype="FLOAT")
        p.add_item(tr, position=0.0, length=SECONDS, file=str(f))
    p.save(p.path)
    return Path(p.path)


def heard_lufs(project: Project, name: str) -> float:
    """A track's integrated loudness as the listener hears it, measured independently of the
    product: the emulator's engine renders the master mix with every other track that plays media
    muted (so the folders and buses it goes through act on it alone; the master of these projects
    is at 0 dB without FX); pyloudnorm (BS.1770-4) measures it."""
    muted = [t for t in project.tracks if t.name != name and t.items and not t.mute]
    for t in muted:
        t.mute = True
    try:
        audio = render(project).audio
    finally:
        for t in muted:
            t.mute = False
    return float(pyloudnorm.Meter(SR).integrated_loudness(audio.T))


# The routed session (sends and nested folders): name -> (folder depth, fader dB)
ROUTED = (("Lead Vocal", 0, 0.0), ("Vocal FX", 0, -2.0), ("Bass", 0, 0.0), ("Band", 1, -2.0), ("Keys", 1, -4.0),
          ("Piano", 0, 0.0), ("Strings", -2, 0.0), ("Guitar 1", 0, 0.0), ("Guitar 2", 0, 0.0), ("Guitar Bus", 0, -1.0),
          ("Drums", 1, -3.0), ("Kick", 0, 0.0), ("Snare", 0, 0.0), ("Hats", -1, 0.0))
BUSES = {"Vocal FX": -3.0, "Guitar Bus": -3.0}  # JS: Volume Adjustment on each bus (dB)
SENDS = (("Lead Vocal", "Vocal FX", -10.0), ("Guitar 1", "Guitar Bus", -3.0), ("Guitar 2", "Guitar Bus", -3.0))
SEND_ONLY = ("Guitar 1", "Guitar 2")  # no master/parent send: heard only through the Guitar Bus


FOCUS = "Lead Vocal"  # the focus of the mix tests' balance


def offsets(project: Project, names, focus: str = FOCUS) -> dict[str, float]:
    """Each of ``names``' heard loudness (:func:`heard_lufs`) less the focus's, in LU."""
    f = heard_lufs(project, focus)
    return {n: heard_lufs(project, n) - f for n in names}


def faders_db(project: Project) -> dict[str, float]:
    """Every track's fader in dB, by name."""
    return {t.name: amp_to_db(t.volume) for t in project.tracks}


def build_routed(tmp: Path, stems_: dict[str, np.ndarray], *, gains_db: dict[str, float] | None = None,
                 name: str = "routed.rpp") -> Path:
    """The band with routing: the vocal also sends (post-fader, -10 dB) to a "Vocal FX" bus; the
    piano and strings sit in a "Keys" folder inside a "Band" folder (heard through both); the two
    guitars have no master send and reach the master only through post-fader sends (-3 dB) to a
    "Guitar Bus"; each bus has a JS: Volume Adjustment at -3 dB; drums in their folder as in
    :func:`build`. Every track selected, the vocal first."""
    from reaper_assist.emulator.reascript import Reaper

    tmp.mkdir(parents=True, exist_ok=True)
    p = Project.new(sample_rate=SR)
    p.path = str(tmp / name)
    api = Reaper(p)
    by = {}
    for i, (tname, depth, fader_db) in enumerate(ROUTED):
        tr = p.add_track(i, name=tname)
        by[tname] = tr
        tr.selected = True
        tr.folder_depth = depth
        tr.volume = 10 ** (fader_db / 20)
        tr.main_send = tname not in SEND_ONLY
        if tname in stems_:
            g = 10 ** ((gains_db or {}).get(tname, 0.0) / 20)
            f = tmp / f"{name}-{tname.replace(' ', '_')}.wav"
            sf.write(f, (stems_[tname] * g).T, SR, subtype="FLOAT")
            p.add_item(tr, position=0.0, length=SECONDS, file=str(f))
        if tname in BUSES:
            k = api.TrackFX_AddByName(tr, "JS: Volume Adjustment", False, -1)
            api.TrackFX_SetParam(tr, k, 0, BUSES[tname])
            tr.flush()  # the FX model's settings into the chunk (as REAPER's save does)
    for src, dest, db in SENDS:
        p.add_send(by[src], by[dest]).set("D_VOL", 10 ** (db / 20))
    p.save(p.path)
    return Path(p.path)
