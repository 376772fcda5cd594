"""Key press -> record written, as a user presses the gain-stage shortcut (issue 20, points 0 and 6).

Run: ``python bench/bench_press.py [--tracks 4 16 64] [--minutes 3]``. For each track count, in
one run: stereo 48 kHz 24-bit WAV media is written (:func:`make_media`); the installed action is pressed through the
emulated REAPER's web interface (REAPER's defer loop at 30 Hz) with no companion running, so the
time includes the companion's start ("cold"); then pressed again on unchanged media ("warm").
Printed per press: seconds from the key press to the record in the project, the requests the
bridge served for it (its own counter, minus this bench's polling), and the companion's peak
RSS (VmHWM). References measured on the same files in the same run: decoding them with soundfile
to float32 ("decode") and one numpy pass over the decoded samples (sum of squares and peak),
each single-threaded; the cold analysis time (the record's ``analyse_s``) is given as a ratio.
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

SR = 48000


def make_media(tmp: Path, n_tracks: int, minutes: float) -> Path:
    """bench_gain_stage's signal (a sine with noise under a slow swell, levels -40..-3 dBFS
    peak), written 60 s at a time so an hour-long track never sits in this process's memory."""
    rng = np.random.default_rng(1)
    p = Project.new(sample_rate=SR)
    p.path = str(tmp / "bench.rpp")
    n = int(minutes * 60 * SR)
    block = 60 * SR
    for i in range(n_tracks):
        level = 10 ** (rng.uniform(-40, -3) / 20) / 1.3 / 1.5  # crest of the mix below
        f = tmp / f"track{i:02d}.wav"
        with sf.SoundFile(f, "w", SR, 2, subtype="PCM_24") as out:
            for b0 in range(0, n, block):
                t = np.arange(b0, min(b0 + block, n)) / SR
                env = 0.6 + 0.4 * np.sin(2 * np.pi * (0.2 + 0.05 * i) * t)
                x = level * env * (np.sin(2 * np.pi * (80 + 40 * i) * t) + 0.3 * rng.standard_normal(t.size))
                out.write(np.stack([x, 0.8 * x], axis=1))
        tr = p.add_track(i, name=f"Track {i + 1}")
        p.add_item(tr, position=0.0, length=n / SR, file=str(f))
        tr.selected = True
    p.save(p.path)
    return Path(p.path)


def references(paths: list[Path]) -> tuple[float, float]:
    """Seconds to decode every file (float32) and to make one numpy pass over the samples."""
    decode = numpy_pass = 0.0
    for p in paths:
        t = time.perf_counter()
        x, _ = sf.read(p, dtype="float32", always_2d=True)
        decode += time.perf_counter() - t
        t = time.perf_counter()
        float(np.einsum("ij,ij->", x, x, dtype=np.float64))
        float(np.abs(x).max())
        numpy_pass += time.perf_counter() - t
    return decode, numpy_pass


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def run_one(n_tracks: int, minutes: float) -> None:
    from reaper_assist.app.registry import EXT_SECTION, LAST_RUN_KEY, get_action
    from reaper_assist.companion import protocol
    from reaper_assist.companion.config import load_config
    from reaper_assist.demo.runner import _Emulator, _stop_companion, wait_for_record
    from reaper_assist.host.reapy_host import ReapyHost
    from reaper_assist.install import install
    from reaper_assist.ports import free_port

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        t = time.perf_counter()
        project = make_media(tmp, n_tracks, minutes)
        print(f"\n{n_tracks} tracks x {minutes:g} min stereo 48 kHz 24-bit (media written in "
              f"{time.perf_counter() - t:.1f} s)")
        decode, numpy_pass = references(sorted(tmp.glob("track*.wav")))
        resource = tmp / "resource"
        resource.mkdir()
        install(resource, python=sys.executable, web_port=free_port())
        emu = _Emulator(project, resource, tmp / "console.txt")  # its web interface picks its own port
        try:
            host = ReapyHost(resource)
            command = get_action("gain-stage").command_id
            for label in ("cold", "warm"):
                previous = host.get_proj_ext(EXT_SECTION, LAST_RUN_KEY)
                served0, mine0 = host.stats()["requests"], host.round_trips
                t0 = time.perf_counter()
                emu.press(command)
                record = wait_for_record(host, previous, t0, 600.0)
                elapsed = time.perf_counter() - t0
                if record is None:
                    raise SystemExit(f"no record after 600 s: {emu.console()[-1000:]}")
                time.sleep(0.3)  # let the companion finish its last request before counting
                # the bridge's count less this bench's own requests since the first stats call
                # (its polls and the second stats call, both counted by the bridge too)
                served_now = host.stats()["requests"]
                served = served_now - served0 - (host.round_trips - mine0)
                cfg = load_config(resource)
                pid = int(protocol.request(str(resource), cfg.token, {"action": "ping"})["pid"])
                tm = record["timings"]
                print(f"  {label} press -> record {elapsed:6.2f} s; read {tm['read_s']:.2f} s, analyse "
                      f"{tm['analyse_s']:.2f} s, apply {tm['apply_s']:.2f} s; {served} bridge requests; "
                      f"companion peak RSS {peak_rss_mib(pid):.0f} MiB")
                if label == "cold":
                    cold_analyse = tm["analyse_s"]
            print(f"  references (same files, one thread): decode {decode:.2f} s, one numpy pass "
                  f"{numpy_pass:.2f} s; cold analysis / decode = {cold_analyse / decode:.2f}x, "
                  f"/ (decode + numpy pass) = {cold_analyse / (decode + numpy_pass):.2f}x")
        finally:
            emu.stop()
            _stop_companion(resource)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", type=int, nargs="+", default=[4, 16, 64])
    ap.add_argument("--minutes", type=float, default=3.0)
    args = ap.parse_args()
    for n in args.tracks:
        run_one(n, args.minutes)
    print("goals (issue 20): cold analysis <= 1.5x decode; warm <= 0.3 s (16) / 0.5 s (64); <= 10 requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
