"""Render speed of the emulator's audio engine: 16 tracks x 3 minutes, 48 kHz stereo, a ReaEQ
(a +4 dB band and the 100 Hz high pass on) and a ReaComp (-30 dB, 4:1, 3/100 ms, RMS 5 ms) on
every track, summed to the master.

Run: ``python bench/bench_render.py [--tracks N] [--seconds S] [--repeat R]``. Prints the wall
time of the master render and its speed in x real time (seconds of project per second of wall
time), and the same work done the plain way in the same run, as the reference the engine is
compared with (issue 20 point 0); the two alternate ``R`` times (default 2) and the best of each
is compared, which evens out a shared machine's load; the process's CPU time of each is printed
too (single-threaded work, so less sensitive to other load than wall time). The first render in
the process (one second of the project, before the timed runs) loads numba and the engine's
compiled kernels (compiling them once on a new machine) and is printed on its own. Last, the
tracks are rendered one at a time, each by the engine and then by the reference, so that both
halves of each pair see the same load; the sums are compared as well.

The reference: each track's file read whole with soundfile, its ReaEQ bands as one
``scipy.signal.sosfilt`` chain (the same coefficients), a vectorised compressor (RMS detector by
cumulative sums, hard-knee curve, one ``lfilter`` one-pole smoother on the gain reduction: no
attack/release switch, so a lower bound), the fader, summed. The ratio engine / reference is
what the engine's generality (automation blocks, wrapper params, the attack/release recursion)
costs, or saves. The media are four 3-minute 16-bit files shared by the tracks (written first;
not timed).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import soundfile as sf

from scipy.signal import lfilter, sosfilt

from reaper_assist.emulator.engine import render
from reaper_assist.emulator.engine.reaeq import settings_sos
from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper
from reaper_assist.plugins import reaeq as EQ
from reaper_assist.plugins import uncertain as PU

SR = 48000


def material(seconds: float, seed: int) -> np.ndarray:
    """Music-like test signal: pink-ish noise with a 2 Hz amplitude pulse and a tone."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    t = np.arange(n) / SR
    white = rng.standard_normal((2, n))
    pink = np.cumsum(white, axis=1)
    pink -= np.convolve(pink[0], np.ones(64) / 64, mode="same")[None, :]
    pink /= np.max(np.abs(pink))
    x = 0.3 * pink * (0.6 + 0.4 * np.sin(2 * np.pi * 2 * t)) + 0.1 * np.sin(2 * np.pi * (110 * (seed + 1)) * t)
    return x


def build(tmp: Path, tracks: int, seconds: float) -> Project:
    files = []
    for k in range(4):
        path = tmp / f"m{k}.wav"
        sf.write(path, material(seconds, k).T, SR, subtype="PCM_16")
        files.append(str(path))
    p = Project.new(sample_rate=SR)
    p.path = str(tmp / "bench.rpp")
    for i in range(tracks):
        t = p.add_track(i, name=f"Track {i + 1:02d}")
        p.add_item(t, position=0.0, length=seconds, file=files[i % 4])
    r = Reaper(p)
    f = r.rpr_functions()
    for i in range(tracks):
        tr = f["RPR_GetTrack"](0, i)
        eq = f["RPR_TrackFX_AddByName"](tr, "ReaEQ", False, -1)
        f["RPR_TrackFX_SetParam"](tr, eq, 7, PU.reaeq_gain_native(4.0))
        f["RPR_TrackFX_SetNamedConfigParm"](tr, eq, "BANDENABLED4", "1")
        f["RPR_TrackFX_SetParam"](tr, eq, 12, EQ.freq_native(100.0))
        comp = f["RPR_TrackFX_AddByName"](tr, "ReaComp", False, -1)
        f["RPR_TrackFX_SetParam"](tr, comp, 0, 10 ** (-30 / 20))
        f["RPR_SetMediaTrackInfo_Value"](tr, "D_VOL", 0.25)
    return p


def reference_track(p: Project, tr) -> np.ndarray:
    """One track's post-fader output computed the plain numpy/scipy way (module docstring)."""
    item = tr.items[0]
    x = sf.read(p.resolve_media(item.active_take.source.file), dtype="float64", always_2d=True)[0].T
    eq, comp = tr.fx[0].model, tr.fx[1].model
    sos, gain = settings_sos(eq.spec.settings(eq.state), SR)
    y = sosfilt(sos, x, axis=1) * gain
    c = comp.spec.settings(comp.state)
    w = int(round(c.rms_ms * SR / 1000.0))
    cs = np.cumsum(np.max(y * y, axis=0))
    power = np.maximum((cs - np.concatenate((np.zeros(w), cs[:-w]))) / w, 1e-30)
    over = np.maximum(10.0 * np.log10(power) - c.threshold_db, 0.0) * (1.0 - 1.0 / c.ratio)
    a = np.exp(-1.0 / (c.attack_ms / 1000.0 * SR))
    gr = lfilter([1.0 - a], [1.0, -a], over)
    return y * 10.0 ** (-gr / 20.0) * tr.volume


def reference(p: Project) -> np.ndarray:
    """The master mix computed the plain numpy/scipy way (see the module docstring)."""
    out = None
    for tr in p.tracks:
        y = reference_track(p, tr)
        out = y if out is None else out + y
    return out


def alternated(p: Project) -> tuple[float, float, float, float]:
    """Each track rendered by the engine, then the same track by the reference, one track after
    the other (the two see the same load within seconds): summed ``(wall, ref_wall, cpu,
    ref_cpu)``."""
    sums = [0.0, 0.0, 0.0, 0.0]
    for tr in p.tracks:
        t0, c0 = time.perf_counter(), time.process_time()
        render(p, track=tr)
        sums[0] += time.perf_counter() - t0
        sums[2] += time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        reference_track(p, tr)
        sums[1] += time.perf_counter() - t0
        sums[3] += time.process_time() - c0
    return sums[0], sums[1], sums[2], sums[3]


def rms_db(a: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(a * a)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tracks", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=180.0)
    ap.add_argument("--repeat", type=int, default=2,
                    help="engine and reference runs, alternated; the best of each is compared")
    ap.add_argument("--profile", action="store_true", help="print the top functions by time")
    args = ap.parse_args(argv)
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as d:
        p = build(Path(d), args.tracks, args.seconds)
        t0 = time.perf_counter()
        render(p, end_s=1.0)  # loads numba and the engine's compiled kernels (or compiles them)
        first = time.perf_counter() - t0
        walls, ref_walls, cpus, ref_cpus = [], [], [], []
        prof = cProfile.Profile() if args.profile else None
        for _ in range(max(1, args.repeat)):
            t0, c0 = time.perf_counter(), time.process_time()
            if prof:
                prof.enable()
            res = render(p)
            if prof:
                prof.disable()
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            t0, c0 = time.perf_counter(), time.process_time()
            ref = reference(p)
            ref_walls.append(time.perf_counter() - t0)
            ref_cpus.append(time.process_time() - c0)
        alt = alternated(p)
    assert not res.unmodelled_fx and not res.media_problems
    wall, ref_wall = min(walls), min(ref_walls)
    cpu, ref_cpu = min(cpus), min(ref_cpus)
    runs = lambda ws: ", ".join(f"{w:.2f}" for w in ws)
    print(f"{args.tracks} tracks x {args.seconds:.0f} s, {SR} Hz stereo, ReaEQ + ReaComp per track; "
          f"load average {load0:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    print(f"first render in the process (1 s; numba loading the engine's compiled kernels): {first:.2f} s")
    print(f"master render: {wall:.2f} s wall (best of {runs(walls)}) = {args.seconds / wall:.1f} x real time "
          f"({args.tracks * args.seconds / wall:.0f} track-seconds per second)")
    print(f"plain numpy/scipy reference (same run): {ref_wall:.2f} s wall (best of {runs(ref_walls)}) = "
          f"{args.seconds / ref_wall:.1f} x real time")
    print(f"ratio engine / reference: {wall / ref_wall:.2f} "
          f"(mix level engine {rms_db(res.audio):.2f} dB, reference {rms_db(ref):.2f} dB RMS)")
    print(f"CPU time of this process (less sensitive to other load): engine {cpu:.2f} s (best of "
          f"{runs(cpus)}), reference {ref_cpu:.2f} s (best of {runs(ref_cpus)}), ratio {cpu / ref_cpu:.2f}")
    print(f"tracks alternated one by one (engine, then the reference, per track): engine {alt[0]:.2f} s, "
          f"reference {alt[1]:.2f} s wall, ratio {alt[0] / alt[1]:.2f}; CPU {alt[2]:.2f} s against "
          f"{alt[3]:.2f} s, ratio {alt[2] / alt[3]:.2f}")
    if prof:
        pstats.Stats(prof).sort_stats("tottime").print_stats(12)
    return 0


if __name__ == "__main__":
    sys.exit(main())
