"""A reference track from a file (a commercial master the mix is compared with), read and
checked; never written. Every refusal names the file and the cause."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reaper_assist.analysis.loudness import CLIP_LEVEL, measure_loudness
from reaper_assist.errors import InvalidAudioError

MIN_SECONDS = 10.0
SILENT_LUFS = -70.0  # BS.1770's absolute gate: nothing above it is nothing to match
RENDER_PREFIX = "reaper_assist_render_"  # the bridge's private folder of a render (bridge.render_file)
CLIP_RUN = 3  # samples in a row at full scale: a clipped peak (a true peak at 0 dBFS is one sample)
MAX_CLIPPED_FRACTION = 1e-4  # more clipped samples than this share of the file: refused


@dataclass(frozen=True, eq=False)
class Reference:
    path: str
    audio: np.ndarray  # (2, samples) float64
    sample_rate: int
    integrated_lufs: float
    clipped_samples: int

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def seconds(self) -> float:
        return self.audio.shape[1] / self.sample_rate


def clipped_samples(audio: np.ndarray) -> int:
    """Samples in runs of at least :data:`CLIP_RUN` at full scale, per channel, summed."""
    total = 0
    for ch in np.abs(audio) >= CLIP_LEVEL:
        if not ch.any():
            continue
        edges = np.diff(np.concatenate([[0], ch.astype(np.int8), [0]]))
        starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        runs = stops - starts
        total += int(runs[runs >= CLIP_RUN].sum())
    return total


def read_reference(path: str, project_rate: int) -> Reference:
    """The reference's audio, refused when it cannot be read, is mono, shorter than 10 s, at
    another sample rate than the project, clipped or silent."""
    import soundfile

    where = f"reference {path!r}"
    try:
        data, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    except Exception as exc:  # noqa: BLE001 - any reader failure is "cannot be read", said with its cause
        raise InvalidAudioError(f"{where} cannot be read ({type(exc).__name__}: {exc})") from None
    x = data.T
    if x.shape[0] < 2:
        raise InvalidAudioError(f"{where} is mono: a stereo reference is needed (its side signal is compared too; a "
                                "mono file has no width to match)")
    if x.shape[0] > 2:
        raise InvalidAudioError(f"{where} has {x.shape[0]} channels: use a stereo file")
    if int(rate) != int(project_rate):
        raise InvalidAudioError(f"{where} is at {rate} Hz, the project at {project_rate} Hz: convert the "
                                "reference to the project's rate first")
    seconds = x.shape[1] / rate
    if seconds < MIN_SECONDS:
        raise InvalidAudioError(f"{where} is {seconds:.1f} s long: at least {MIN_SECONDS:g} s are needed for "
                                "a long-term spectrum")
    if not np.all(np.isfinite(x)):
        raise InvalidAudioError(f"{where} holds NaN or infinite samples")
    lufs = measure_loudness(x, rate, true_peak=False).integrated_lufs
    if not math.isfinite(lufs) or lufs < SILENT_LUFS:
        raise InvalidAudioError(f"{where} is silent (integrated loudness {lufs:.1f} LUFS)")
    if np.allclose(x[0], x[1], atol=1e-6):
        raise InvalidAudioError(f"{where} is mono (both channels are the same): a stereo reference is needed (a mono "
                                "file has no width to match)")
    clipped = clipped_samples(x)
    if clipped > MAX_CLIPPED_FRACTION * x.size:
        raise InvalidAudioError(f"{where} is clipped: {clipped} samples sit in runs of {CLIP_RUN} or more at full "
                                "scale; its spectrum holds the clipping's distortion. Use an unclipped master")
    return Reference(str(path), x, int(rate), float(lufs), clipped)


def take_render(path: str) -> tuple[np.ndarray, int]:
    """The audio of a render the bridge wrote for us (our own file in its private folder), read
    and then deleted."""
    import soundfile

    if not path:
        raise InvalidAudioError("REAPER rendered no file of the master mix (is the project empty?)")
    try:
        data, rate = soundfile.read(path, dtype="float64", always_2d=True)
    except Exception as exc:  # noqa: BLE001
        raise InvalidAudioError(f"the render of the master {path!r} cannot be read ({exc})") from None
    finally:
        f = Path(path)
        f.unlink(missing_ok=True)
        if f.parent.name.startswith(RENDER_PREFIX):
            try:
                f.parent.rmdir()
            except OSError:
                pass
    return data.T, int(rate)
