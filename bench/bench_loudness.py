"""Loudness speed: reaper-assist vs libebur128 (ctypes) and pyloudnorm, one 4-minute signal.

Run ``python bench/bench_loudness.py``. Prints frames per second (median of 5 runs) of
integrated loudness, and of integrated + LRA + true peak, for each implementation, and our
speed as a ratio of theirs (> 1 = we are faster). From memory, each implementation receives the
signal in its native layout, prepared outside the timed region: ours (channels, samples),
libebur128 interleaved frames, pyloudnorm (samples, channels). Goal (issue 5): integrated at
least as fast as libebur128 (ratio >= 1), the full set within 1.5x (ratio >= 0.67).

From the same file (issue 20 point 0), the signal written as a 24-bit WAV: ours as a press
reads a plain item (``media.stream.render_blocks`` into ``measure_loudness_stream``), libebur128
fed the float32 blocks libsndfile decodes (``soundfile.blocks``, what a libsndfile-based scanner
does), and libsndfile's decode alone. Everything runs on one thread (BLAS pinned to one before
numpy is imported; the meter's kernels are single-threaded).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")  # libebur128 is single-threaded: so is everything compared with it

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reaper_assist.analysis.loudness import measure_loudness, measure_loudness_stream  # noqa: E402
from reaper_assist.items import ItemState, TakeState  # noqa: E402
from reaper_assist.media.stream import render_blocks  # noqa: E402
from reaper_assist.units import amp_to_db  # noqa: E402

RATE = 48000
SECONDS = 240
RUNS = 5

# libebur128 modes (ebur128.h)
MODE_M = 1 << 0
MODE_S = (1 << 1) | MODE_M
MODE_I = (1 << 2) | MODE_M
MODE_LRA = (1 << 3) | MODE_S
MODE_SAMPLE_PEAK = (1 << 4) | MODE_M
MODE_TRUE_PEAK = (1 << 5) | MODE_M | MODE_SAMPLE_PEAK


def music_like_signal(seed: int = 1) -> np.ndarray:
    """4 minutes of asymmetric stereo: pink noise bed, kick/snare hits, bass line, dynamics."""
    rng = np.random.default_rng(seed)
    n = RATE * SECONDS
    spec = np.fft.rfft(rng.standard_normal((2, n)), axis=1)
    f = np.fft.rfftfreq(n, 1 / RATE)
    f[0] = f[1]
    bed = np.fft.irfft(spec / np.sqrt(f), n=n, axis=1)
    bed /= np.abs(bed).max()
    t = np.arange(n) / RATE
    beat = (t * 2.0) % 1.0  # 120 bpm
    kick = np.sin(2 * np.pi * 55 * t) * np.exp(-beat * 12)
    snare_env = np.exp(-((t * 2.0 + 0.5) % 2.0) * 10)
    snare = rng.standard_normal(n) * snare_env * 0.3
    bass = 0.3 * np.sin(2 * np.pi * 41.2 * t * (1 + 0.5 * (np.floor(t / 2) % 2)))
    song = 0.5 + 0.5 * (np.sin(2 * np.pi * t / 60) > 0)  # verse/chorus every 30 s
    x = np.empty((2, n))
    x[0] = song * (0.25 * bed[0] + 0.5 * kick + snare + bass)
    x[1] = song * (0.18 * bed[1] + 0.45 * kick + 0.8 * snare + 0.9 * bass)
    return x / np.abs(x).max() * 0.9


def load_libebur128():
    name = ctypes.util.find_library("ebur128") or "libebur128.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.ebur128_init.restype = ctypes.c_void_p
    lib.ebur128_init.argtypes = [ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
    lib.ebur128_add_frames_double.argtypes = [
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_double),
        ctypes.c_size_t,
    ]
    lib.ebur128_add_frames_float.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.c_size_t]
    lib.ebur128_loudness_global.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_double)]
    lib.ebur128_loudness_range.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_double)]
    lib.ebur128_true_peak.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint,
        ctypes.POINTER(ctypes.c_double),
    ]
    lib.ebur128_destroy.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
    return lib


def ebur128_measure(lib, interleaved, channels: int, full: bool):
    """``interleaved``: one (frames, channels) float64 array, or an iterable of float32 blocks."""
    mode = MODE_I | (MODE_LRA | MODE_TRUE_PEAK if full else 0)
    st = ctypes.c_void_p(lib.ebur128_init(channels, RATE, mode))
    if isinstance(interleaved, np.ndarray):
        ptr = interleaved.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        lib.ebur128_add_frames_double(st, ptr, interleaved.shape[0])
    else:
        for block in interleaved:
            lib.ebur128_add_frames_float(st, block.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), block.shape[0])
    out = ctypes.c_double()
    lib.ebur128_loudness_global(st, ctypes.byref(out))
    result = [out.value]
    if full:
        lib.ebur128_loudness_range(st, ctypes.byref(out))
        result.append(out.value)
        peaks = []
        for c in range(channels):
            lib.ebur128_true_peak(st, c, ctypes.byref(out))
            peaks.append(out.value)
        result.append(amp_to_db(max(peaks)))
    lib.ebur128_destroy(ctypes.byref(st))
    return result


def timed(fn) -> tuple[float, object]:
    times, value = [], None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def main() -> int:
    audio = music_like_signal()  # (channels, samples): our layout
    frames = audio.shape[1]
    interleaved = np.ascontiguousarray(audio.T)  # libebur128 and pyloudnorm: (frames, channels)
    print(f"signal: {SECONDS} s stereo {RATE} Hz music-like ({frames} frames); median of {RUNS}")

    rows = {}
    t, r = timed(lambda: measure_loudness(audio, RATE, true_peak=False))
    rows["ours integrated"] = (t, f"I {r.integrated_lufs:.3f} LUFS")
    t, r = timed(lambda: measure_loudness(audio, RATE))
    rows["ours I+LRA+TP"] = (
        t,
        (f"I {r.integrated_lufs:.3f} LUFS, LRA {r.lra_lu:.2f} LU, TP {r.true_peak_dbtp:.3f} dBTP"),
    )

    lib = load_libebur128()
    if lib is None:
        print("libebur128 not found (apt-get install libebur128-1): skipped")
    else:
        t, v = timed(lambda: ebur128_measure(lib, interleaved, 2, False))
        rows["libebur128 integrated"] = (t, f"I {v[0]:.3f} LUFS")
        t, v = timed(lambda: ebur128_measure(lib, interleaved, 2, True))
        rows["libebur128 I+LRA+TP"] = (
            t,
            (f"I {v[0]:.3f} LUFS, LRA {v[1]:.2f} LU, TP {v[2]:.3f} dBTP"),
        )
    try:
        import pyloudnorm

        t, v = timed(lambda: pyloudnorm.Meter(RATE).integrated_loudness(interleaved))
        rows["pyloudnorm integrated"] = (t, f"I {v:.3f} LUFS")
    except ImportError:
        print("pyloudnorm not installed: skipped")

    from_file(audio, lib, rows)

    for label, (t, text) in rows.items():
        print(f"{label:28s} {t * 1000:8.1f} ms  {frames / t / 1e6:7.1f} M frames/s   {text}")

    def ratio(ours: str, theirs: str) -> str:
        if theirs not in rows:
            return "n/a"
        return f"{rows[theirs][0] / rows[ours][0]:.2f}x"

    print("speed ratios (ours / theirs, frames per second; > 1 = faster):")
    print(
        f"  integrated vs libebur128:      {ratio('ours integrated', 'libebur128 integrated')}"
        "   (goal >= 1)"
    )
    print(
        f"  I+LRA+TP   vs libebur128:      {ratio('ours I+LRA+TP', 'libebur128 I+LRA+TP')}"
        "   (goal >= 0.67, i.e. within 1.5x)"
    )
    print(f"  integrated vs pyloudnorm:      {ratio('ours integrated', 'pyloudnorm integrated')}")
    print(f"  I+LRA+TP from the file vs libebur128 from the file: "
          f"{ratio('ours I+LRA+TP, file', 'libebur128 I+LRA+TP, file')}")
    print(f"  I+LRA+TP from the file vs libsndfile's decode alone: {ratio('ours I+LRA+TP, file', 'decode, file')}")
    return 0


def from_file(audio: np.ndarray, lib, rows: dict) -> None:
    """The same measurements from a 24-bit WAV of the signal (module docstring)."""
    import soundfile as sf

    with tempfile.TemporaryDirectory() as d:
        path = str(Path(d) / "signal.wav")
        sf.write(path, audio.T, RATE, subtype="PCM_24")
        take = TakeState(index=0, guid="", name="", volume=1.0, pan=0.0, start_offset_s=0.0, playrate=1.0,
                         chanmode=0, source_type="WAVE", file=path)
        item = ItemState(index=0, guid="", position_s=0.0, length_s=SECONDS, mute=False, item_volume=1.0,
                         fade_in_s=0.0, fade_in_auto_s=-1.0, fade_in_shape=0, fade_in_dir=0.0, fade_out_s=0.0,
                         fade_out_auto_s=-1.0, fade_out_shape=0, fade_out_dir=0.0, loop_source=False, take=take)

        def ours():
            blocks = render_blocks([item], track_name="bench", sample_rate=RATE, channels=2, start_s=0.0,
                                   end_s=float(SECONDS), reuse=True)
            return measure_loudness_stream(blocks, RATE, true_peak=True)[0]

        def blocks():
            return sf.blocks(path, blocksize=65536, dtype="float32", always_2d=True)

        def decode():
            for _ in blocks():
                pass

        t, r = timed(ours)
        rows["ours I+LRA+TP, file"] = (t, f"I {r.integrated_lufs:.3f} LUFS, LRA {r.lra_lu:.2f} LU, "
                                          f"TP {r.true_peak_dbtp:.3f} dBTP")
        t, _ = timed(decode)
        rows["decode, file"] = (t, "libsndfile to float32, nothing measured")
        if lib is not None:
            t, v = timed(lambda: ebur128_measure(lib, blocks(), 2, True))
            rows["libebur128 I+LRA+TP, file"] = (t, f"I {v[0]:.3f} LUFS, LRA {v[1]:.2f} LU, TP {v[2]:.3f} dBTP")


if __name__ == "__main__":
    sys.exit(main())
