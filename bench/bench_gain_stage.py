"""Gain-stage 16 tracks x 3 min stereo 48 kHz through the reapy host at 30 Hz defer pacing.

Run: ``python bench/bench_gain_stage.py [--tracks 16] [--minutes 3]``. Prints seconds and round
trips split into read / analyse / apply, for a first run and a second run on unchanged media,
and the ratio against the reference in the same process: the analysis done without the cache
and on one thread (what the action would cost without them).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reaper_assist.emulator.project import Project  # noqa: E402
from tests.conftest import EmulatorProc  # noqa: E402

SR = 48000


def make_media(tmp: Path, n_tracks: int, minutes: float) -> Path:
    rng = np.random.default_rng(1)
    p = Project.new(sample_rate=SR)
    p.path = str(tmp / "bench.rpp")
    n = int(minutes * 60 * SR)
    t = np.arange(n) / SR
    for i in range(n_tracks):
        level = 10 ** (rng.uniform(-40, -3) / 20)
        env = 0.6 + 0.4 * np.sin(2 * np.pi * (0.2 + 0.05 * i) * t)
        x = env * (np.sin(2 * np.pi * (80 + 40 * i) * t) + 0.3 * rng.standard_normal(n))
        x = level * x / np.max(np.abs(x))
        f = tmp / f"track{i:02d}.wav"
        sf.write(f, np.stack([x, 0.8 * x], axis=1), SR, subtype="PCM_24")
        tr = p.add_track(i, name=f"Track {i + 1}")
        p.add_item(tr, position=0.0, length=n / SR, file=str(f))
        tr.selected = True
    p.save(p.path)
    return Path(p.path)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", type=int, default=16)
    ap.add_argument("--minutes", type=float, default=3.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        t0 = time.perf_counter()
        path = make_media(tmp, args.tracks, args.minutes)
        print(f"media: {args.tracks} tracks x {args.minutes:g} min stereo 48 kHz written in {time.perf_counter() - t0:.1f} s")
        emu = EmulatorProc(tmp, path, defer_hz=30.0)
        try:
            from reaper_assist.app import gain_stage
            host = emu.host()

            def timed(label):
                n0 = host.round_trips
                t = time.perf_counter()
                rec = gain_stage.run(host)
                total = time.perf_counter() - t
                tm = rec["timings"]
                print(f"{label}: {total:6.2f} s total, {host.round_trips - n0} requests; read {tm['read_s']:.2f} s, "
                      f"analyse {tm['analyse_s']:.2f} s, apply {tm['apply_s']:.2f} s; {rec['message']}")
                return total, tm

            first, tm1 = timed("first run ")
            second, _ = timed("second run")
            # reference in the same process: the same analysis with no cache, on one thread
            state = host.read_state()
            gain_stage._CACHE.clear()
            t = time.perf_counter()
            for tr in state.tracks:
                gain_stage._measure(tr, state.sample_rate, -60.0)
            ref = time.perf_counter() - t
            print(f"reference analysis (no cache, one thread): {ref:.2f} s; ours first run {tm1['analyse_s']:.2f} s "
                  f"-> ratio {ref / tm1['analyse_s']:.2f}x; second run total {second:.2f} s -> ratio {ref / second:.1f}x")
        finally:
            emu.stop()
        # the whole path from the key press: installed action script -> companion (started on
        # demand) -> bridge; in a child process, since reapy connects once per process
        import json
        import subprocess

        out = subprocess.run([sys.executable, "-m", "reaper_assist.cli", "demo", "--project", str(path), "--out",
                              str(tmp / "shortcut"), "--json"], capture_output=True, text=True, timeout=600)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        t = res["record"]["timings"]
        print(f"shortcut path (fresh companion, media already staged once): key press -> record "
              f"{res['seconds_to_record']:.2f} s (read {t['read_s']:.2f}, analyse {t['analyse_s']:.2f}, "
              f"apply {t['apply_s']:.2f}); {res['record']['message']}")
        print("goal: first run < 1.5 s, <= 10 round trips; second run < 0.3 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
