"""Print the figures of docs/denoise.md: `PYTHONPATH=$PWD python tests/denoise/measure.py` (hum) and
`... measure.py --hiss`."""

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


if __name__ == "__main__" and "--hiss" not in __import__("sys").argv:
    main()


def hiss_case(stem: str, clean: np.ndarray, color: str) -> None:
    from tests.denoise.test_hiss import FRAME, GAP_BELOW_DBFS, SIGNAL_OVER_NOISE_DB, _frames

    tmp = Path(tempfile.mkdtemp())
    noise = M.hiss(clean.size, color)
    path = build(tmp, clean + noise)
    rec, out, _ = run(path)
    x, y = render_track(path)[: clean.size], render_track(out)[: clean.size]
    c, n = _frames(clean), _frames(noise)
    gaps, act = c < GAP_BELOW_DBFS, c > n + SIGNAL_OVER_NOISE_DB
    fx, fy = _frames(x), _frames(y)
    drop = 10 * np.log10(np.mean(10 ** (fx[gaps] / 10)) / np.mean(10 ** (fy[gaps] / 10)))
    from scipy.signal import stft

    f, _, zc = stft(clean, M.SR, nperseg=FRAME, noverlap=0, boundary=None, padded=False)
    _, _, zy = stft(y, M.SR, nperseg=FRAME, noverlap=0, boundary=None, padded=False)
    _, _, zn = stft(noise, M.SR, nperseg=FRAME, noverlap=0, boundary=None, padded=False)
    a = act[: zc.shape[1]]
    pc, pn = (np.abs(zc[:, a]) ** 2).mean(axis=1), (np.abs(zn[:, a]) ** 2).mean(axis=1)
    bc, by = [], []
    for k in range(-13, 13):
        fc = 1000.0 * 2 ** (k / 3)
        b = (f >= fc * 2 ** (-1 / 6)) & (f < fc * 2 ** (1 / 6))
        if b.any() and pc[b].sum() > 10 ** (SIGNAL_OVER_NOISE_DB / 10) * pn[b].sum():
            bc.append((np.abs(zc[b][:, a]) ** 2).sum(axis=0))
            by.append((np.abs(zy[b][:, a]) ** 2).sum(axis=0))
    bcs, bys = np.array(bc), np.array(by)
    change = 10 * np.log10(bys.mean(axis=1) / bcs.mean(axis=1))

    def flat(p):
        return float(np.mean(np.exp(np.mean(np.log(p + 1e-30), axis=0)) / np.mean(p + 1e-30, axis=0)))

    ev = rec["tracks"][0]["evidence"]["hiss"][0]
    print(f"{stem} + {color} hiss {M.HISS_DBFS:g} dBFS: gaps down {drop:.1f} dB; active frames' largest third-octave "
          f"change {np.max(np.abs(change)):.2f} dB over {len(change)} bands; band flatness {flat(bys):.4f} vs clean "
          f"{flat(bcs):.4f} ({100 * (flat(bys) / flat(bcs) - 1):+.1f} %); record: floor {ev['floor_before_dbfs']} -> "
          f"{ev['floor_after_dbfs']} dBFS, estimated damage {ev['signal_damage_db']} dB")


if __name__ == "__main__" and "--hiss" in __import__("sys").argv:
    hiss_case("speech", M.speech(), "white")
    hiss_case("speech", M.speech(), "pink")
    hiss_case("piano", M.piano(), "white")
    hiss_case("piano", M.piano(), "pink")
