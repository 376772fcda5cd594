"""The report's figures, drawn with matplotlib (Agg, no display) and returned as PNG data URIs, so
the page needs nothing from the network or the disk."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
import numpy as np  # noqa: E402
from scipy.signal import welch  # noqa: E402

FIG_SIZE = (7.0, 2.6)
DPI = 80
FLOOR_DB = -120.0


def _uri(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _psd_db(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    f, p = welch(x, fs=sr, nperseg=min(8192, max(256, x.size)))
    return f[1:], 10 * np.log10(np.maximum(p[1:], 10 ** (FLOOR_DB / 10)))


def spectrum(before: np.ndarray, after: np.ndarray, sr: int, eq_only: np.ndarray | None) -> str:
    """Long-term spectrum with the tool's work off and on; the EQ curve (the tool's EQ-type FX alone
    against all of them off, as the engine plays them) on the right axis."""
    fig, ax = plt.subplots(figsize=FIG_SIZE)
    f, b = _psd_db(before, sr)
    _, a = _psd_db(after, sr)
    ax.semilogx(f, b, color="#888888", lw=1, label="before (reaper-assist bypassed)")
    ax.semilogx(f, a, color="#1f5fbf", lw=1, label="after")
    ax.set_xlim(20, sr / 2)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("power (dB)")
    if eq_only is not None:
        _, e = _psd_db(eq_only, sr)
        ax2 = ax.twinx()
        ax2.semilogx(f, e - b, color="#c0392b", lw=1.5, label="EQ curve")
        ax2.set_ylabel("EQ (dB)")
        ax2.set_ylim(-18, 18)
        ax2.legend(loc="lower right", fontsize=7)
    ax.legend(loc="lower left", fontsize=7)
    return _uri(fig)


def _rms_db(x: np.ndarray, sr: int, win_s: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    n = max(1, int(win_s * sr))
    m = x[: x.size // n * n].reshape(-1, n)
    return (np.arange(m.shape[0]) + 0.5) * win_s, 10 * np.log10(np.maximum(np.mean(m**2, axis=1), 1e-12))


def gain_reduction(with_dyn: np.ndarray, without_dyn: np.ndarray, sr: int, start_s: float) -> str:
    """The level the tool's dynamics FX take away over time (50 ms RMS, with them minus without)."""
    t, w = _rms_db(with_dyn, sr)
    _, wo = _rms_db(without_dyn, sr)
    gr = np.where(wo > -90, w - wo, 0.0)
    fig, ax = plt.subplots(figsize=FIG_SIZE)
    ax.plot(t + start_s, gr, color="#8e44ad", lw=1)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("gain change (dB)")
    ax.set_ylim(min(-1.0, float(np.min(gr)) - 1), max(1.0, float(np.max(gr)) + 1))
    return _uri(fig)


def envelope(audio: np.ndarray, sr: int, start_s: float, lanes: dict[str, list[tuple[float, float]]]) -> str:
    """The tool's envelope lanes (dB, right axis) over the track's waveform."""
    fig, ax = plt.subplots(figsize=FIG_SIZE)
    step = max(1, audio.size // 4000)
    t = start_s + np.arange(0, audio.size, step) / sr
    ax.plot(t, audio[::step], color="#aaaaaa", lw=0.5)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("waveform")
    ax2 = ax.twinx()
    for name, pts in lanes.items():
        if pts:
            ax2.plot([p[0] for p in pts], [p[1] for p in pts], marker=".", lw=1.2, label=name)
    ax2.set_ylabel("envelope (dB)")
    ax2.legend(loc="lower right", fontsize=7)
    return _uri(fig)
