"""The figures of docs/reference.md: match-reference at amount 100 and 50 on the reference material
(reference_material.py), measured on the emulator's render with scipy/pyloudnorm, side by side with
Matchering (the `bench` extra: pip install 'reaper-assist[bench]') on the same pair, measured the
same way. Run: PYTHONPATH=$PWD python tests/reference/reference_numbers.py"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import soundfile as sf  # noqa: E402
from reference_material import SR, build, distance_db, integrated_lufs, read, render_file  # noqa: E402

from reaper_assist.app.registry import run_action  # noqa: E402
from reaper_assist.host.inprocess import InProcessHost  # noqa: E402


def ours(mix: Path, ref: Path, folder: Path, amount: float) -> tuple[float, float, dict, float]:
    host = InProcessHost.open(str(mix))
    t0 = time.perf_counter()
    rec = run_action("match-reference", host, options={"reference": [str(ref)], "amount": amount})
    took = time.perf_counter() - t0
    out = folder / f"ours-{amount:g}.rpp"
    host.save(str(out))
    audio = render_file(out)
    return distance_db(read(ref), audio), integrated_lufs(audio), rec["reference"], took


def matchering(mix_audio, ref: Path, folder: Path) -> tuple[float, float] | None:
    try:
        import matchering as mg
    except ImportError:
        print("matchering: not installed (pip install 'reaper-assist[bench]')")
        return None
    target = folder / "mix-render.wav"
    sf.write(target, mix_audio.T, SR, subtype="FLOAT")
    out = folder / "matchering.wav"
    mg.log(lambda *_: None)
    # Matchering works at its internal rate (44.1 kHz by default): ask for ours, so nothing is resampled
    mg.process(target=str(target), reference=str(ref), config=mg.Config(internal_sample_rate=SR),
               results=[mg.Result(str(out), "FLOAT", use_limiter=False, normalize=False)])
    assert sf.info(out).samplerate == SR
    audio = read(out)
    return distance_db(read(ref), audio), integrated_lufs(audio)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mix, ref = build(folder)
        ref_audio, mix_audio = read(ref), render_file(mix)
        before = distance_db(ref_audio, mix_audio)
        print(f"reference {integrated_lufs(ref_audio):.2f} LUFS, mix {integrated_lufs(mix_audio):.2f} LUFS, "
              f"spectral distance before {before:.2f} dB (mean |diff| of 1/3-octave mid spectra, 40 Hz-16 kHz, "
              "offset removed)")
        for amount in (100.0, 50.0):
            d, lufs, rep, took = ours(mix, ref, folder, amount)
            print(f"ours at {amount:g} %: distance {d:.2f} dB ({100 * (1 - d / before):.1f} % closed), "
                  f"{lufs:.2f} LUFS ({lufs - integrated_lufs(ref_audio):+.2f} LU from the reference), "
                  f"{rep['tone']['bands']} bands, fit residual {rep['tone']['residual_rms_db']} dB RMS, "
                  f"side difference {rep['side_difference_mean_abs_db']} dB, {took:.1f} s")
        m = matchering(mix_audio, ref, folder)
        if m is not None:
            d100 = ours(mix, ref, folder, 100.0)[0]
            print(f"matchering (full FIR, no limiter, no normalisation): distance {m[0]:.2f} dB "
                  f"({100 * (1 - m[0] / before):.1f} % closed), {m[1]:.2f} LUFS; ours - matchering "
                  f"{d100 - m[0]:+.2f} dB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
