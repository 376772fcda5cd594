"""Print the hum figures of docs/denoise.md: `PYTHONPATH=$PWD python tests/denoise/measure.py`."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import csd, welch

from tests.denoise import material as M
from tests.denoise.conftest import build, line_db, render_track, run, with_source


def hum_case(stem: str, clean: np.ndarray, f0: float) -> None:
    tmp = Path(tempfile.mkdtemp())
    path = build(tmp, clean + M.hum(f0, clean.size))
    rec, out, _ = run(path)
    sf.write(tmp / "clean.wav", clean, M.SR, subtype="FLOAT")
    sf.write(tmp / "noise.wav", np.random.default_rng(3).standard_normal(clean.size) * 0.1, M.SR, subtype="FLOAT")
    x = render_track(path) - render_track(with_source(path, "in.wav", "clean.wav"))
    y = render_track(out) - render_track(with_source(out, "in.wav", "clean.wav"))
    drops = {k: round(line_db(x, k * f0) - line_db(y, k * f0), 1) for k in M.HUM_SHAPE_DB}
    nx, ny = (render_track(with_source(p, "in.wav", "noise.wav")) for p in (path, out))
    f, pxy = csd(nx, ny, M.SR, nperseg=M.SR)
    g = 20 * np.log10(np.abs(pxy / welch(nx, M.SR, nperseg=M.SR)[1]))
    ev = rec["tracks"][0]["evidence"]
    far = (f >= 20) & (f <= 20000)
    for n in ev["notches"]:
        far &= np.abs(np.log2(np.maximum(f, 1) / n["freq_hz"])) > 1 / 12
    print(f"{stem} + {f0:g} Hz hum: f0 {ev['f0_hz']:.3f} Hz, notched harmonics "
          f"{[h['harmonic'] for h in ev['harmonics']]}, drop per harmonic (dB) {drops}, "
          f"largest change > 1 semitone away {np.max(np.abs(g[far])):.3f} dB, "
          f"estimated signal damage {ev['signal_damage_db']} dB")


def main() -> None:
    hum_case("speech", M.speech(), 50.0)
    hum_case("bass A1", M.bass_a1(), 60.0)
    hum_case("piano", M.piano(), 50.0)
    hum_case("speech", M.speech(), 60.0)


if __name__ == "__main__":
    main()
