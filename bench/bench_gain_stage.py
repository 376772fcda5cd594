"""Gain-stage 16 tracks x 3 min stereo 48 kHz through the reapy host at 30 Hz defer pacing.

Run: ``python bench/bench_gain_stage.py [--tracks 16] [--minutes 3]``. Prints seconds split into
read / analyse / apply and the requests the bridge served (its own counter), for a first run and
a second run on unchanged media, in this process (no companion); then independent references on
the same files in the same run: decoding them (soundfile, float32) and one numpy pass over the
samples, with the first run's analysis as a ratio to the decode. The key press path (companion
start included) is ``bench/bench_press.py``.
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
                n0, served0 = host.round_trips, host.stats()["requests"]
                t = time.perf_counter()
                rec = gain_stage.run(host)
                total = time.perf_counter() - t
                served = host.stats()["requests"] - served0 - 1  # less the stats request itself
                tm = rec["timings"]
                print(f"{label}: {total:6.2f} s total, {served} requests at the bridge "
                      f"({host.round_trips - n0 - 2} sent); read {tm['read_s']:.2f} s, "
                      f"analyse {tm['analyse_s']:.2f} s, apply {tm['apply_s']:.2f} s; {rec['message']}")
                return total, tm

            first, tm1 = timed("first run ")
            second, _ = timed("second run")
        finally:
            emu.stop()
        # independent references on the same files, in the same run, one thread
        from bench.bench_press import references

        decode, numpy_pass = references(sorted(tmp.glob("track*.wav")))
        print(f"references: decode (soundfile, float32) {decode:.2f} s, one numpy pass {numpy_pass:.2f} s; "
              f"first-run analysis / decode = {tm1['analyse_s'] / decode:.2f}x")
        print("the key press itself (companion start included): python bench/bench_press.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
