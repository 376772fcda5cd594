"""The figures of docs/reference.md: match-reference at amount 100 and 50 on the reference material
(reference_material.py), measured on the emulator's render with scipy/pyloudnorm, side by side with
Matchering (the `bench` extra: pip install 'reaper-assist[bench]') on the same pair, measured the
same way; the width aspect against the reference with its side 4 dB up (and 12 dB up: the cap);
and two tracks matched together (--tracks Drums,Piano) against those stems through curve B.
Run: PYTHONPATH=$PWD python tests/reference/reference_numbers.py"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import soundfile as sf  # noqa: E402
import numpy as np  # noqa: E402
from reference_material import (PARTS, REF_GAIN_DB, SR, build, curve_b, distance_db, integrated_lufs,  # noqa: E402
                                read, render_file, side_mid_db, widened)

from reaper_assist.emulator.engine.render import render  # noqa: E402
from reaper_assist.emulator.project import Project  # noqa: E402

from reaper_assist.app.registry import run_action  # noqa: E402
from reaper_assist.host.inprocess import InProcessHost  # noqa: E402


def ours(mix: Path, ref: Path, folder: Path, amount: float, aspects: str = "tone,loudness"
         ) -> tuple[float, float, dict, float]:
    host = InProcessHost.open(str(mix))
    t0 = time.perf_counter()
    rec = run_action("match-reference", host, options={"reference": [str(ref)], "amount": amount,
                                                       "aspects": aspects})
    took = time.perf_counter() - t0
    out = folder / f"ours-{amount:g}.rpp"
    host.save(str(out))
    audio = render_file(out)
    ours.last_audio = audio  # type: ignore[attr-defined]
    return distance_db(read(ref), audio), integrated_lufs(audio), rec["reference"], took


def soloed(project: Project, names) -> np.ndarray:
    for t in project.tracks:
        t.solo = 1 if t.name in names else 0
    return render(project).audio


def width(folder: Path, mix: Path, ref_audio: np.ndarray, mix_audio: np.ndarray) -> None:
    wide, wide_audio = widened(folder / "wide.wav", ref_audio, 4.0)
    before, want = side_mid_db(mix_audio), side_mid_db(wide_audio)
    print(f"width: mix side/mid {before:.2f} dB, reference with its side 4 dB up {want:.2f} dB (full band, "
          "whole file)")
    for amount in (100.0, 50.0):
        d, lufs, rep, took = ours(mix, wide, folder, amount, "tone,loudness,width")
        got = side_mid_db(ours.last_audio)  # type: ignore[attr-defined]
        print(f"  tone,loudness,width at {amount:g} %: side/mid {got:.2f} dB ({got - want:+.2f} dB from the reference, "
              f"{100 * (got - before) / (want - before):.1f} % of the way), Center Level "
              f"{rep['width']['center_level_db']:+.2f} dB, tone distance {d:.2f} dB, "
              f"{lufs - integrated_lufs(wide_audio):+.2f} LU from the reference, {took:.1f} s")
    very, very_audio = widened(folder / "very-wide.wav", ref_audio * 0.5, 12.0)
    d, lufs, rep, took = ours(mix, very, folder, 100.0, "width")
    got = side_mid_db(ours.last_audio)  # type: ignore[attr-defined]
    print(f"  width only, reference side 12 dB up ({side_mid_db(very_audio):.2f} dB): difference "
          f"{rep['width']['difference_db']:+.2f} dB, capped change {rep['width']['change_db']:+.2f} dB, side/mid "
          f"moved {got - before:+.2f} dB, {took:.1f} s")


def tracks(folder: Path, mix: Path) -> None:
    group = ("Drums", "Piano")
    plain = Project.new(sample_rate=SR)
    for i, name in enumerate(group):
        tr = plain.add_track(i, name=name)
        tr.pan = PARTS[name][3]
        plain.add_item(tr, position=0.0, length=10.5, file=str(folder / f"{name}-plain.wav"))
    ref_audio = curve_b(render(plain).audio) * 10 ** (REF_GAIN_DB / 20)
    ref = folder / "group.wav"
    sf.write(ref, ref_audio.T, SR, subtype="FLOAT")
    host = InProcessHost.open(str(mix))
    guids = [t.guid for t in host.read_state().tracks if t.name in group]
    t0 = time.perf_counter()
    rec = run_action("match-reference", host, track_guids=guids, options={"reference": [str(ref)]})
    took = time.perf_counter() - t0
    out = folder / "tracks.rpp"
    host.save(str(out))
    before = distance_db(ref_audio, soloed(Project.load(str(mix)), group))
    after_audio = soloed(Project.load(str(out)), group)
    after = distance_db(ref_audio, after_audio)
    print(f"--tracks {','.join(group)} (soloed render) against those stems through curve B: distance {before:.2f} -> "
          f"{after:.2f} dB ({100 * (1 - after / before):.1f} % closed), "
          f"{integrated_lufs(after_audio) - integrated_lufs(ref_audio):+.2f} LU from the reference, "
          f"{rec['reference']['tone']['bands']} bands, {took:.1f} s")


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
        width(folder, mix, ref_audio, mix_audio)
        tracks(folder, mix)
        m = matchering(mix_audio, ref, folder)
        if m is not None:
            d100 = ours(mix, ref, folder, 100.0)[0]
            print(f"matchering (full FIR, no limiter, no normalisation): distance {m[0]:.2f} dB "
                  f"({100 * (1 - m[0] / before):.1f} % closed), {m[1]:.2f} LUFS; ours - matchering "
                  f"{d100 - m[0]:+.2f} dB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
