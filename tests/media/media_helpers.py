"""Tolerances, signals and assertions shared by the media tests (importable, not a conftest)."""

from __future__ import annotations

import math

import numpy as np

from reaper_assist.items import ItemState, SectionState, TakeState

#: Level of a resampled steady sine vs the source (soxr HQ passband ripple is far below this).
RESAMPLE_TOL_DB = 0.05
#: Frequency of a resampled or rate-shifted sine, read from a zero-padded FFT peak.
FREQ_TOL_HZ = 0.5
#: Sum of exactly representable float64 operations (volumes, linear fades, placement).
FLOAT_EXACT_TOL = 1e-12
#: Hand-computed mixes: gains and fades evaluated in a different order than the renderer.
HAND_MIX_TOL = 1e-6
#: One quantisation step of the integer formats, the error of a round trip through the file.
INT16_LSB = 2.0**-15
INT24_LSB = 2.0**-23
#: float32 WAV/FLAC-free round trip of values in [-1, 1].
FLOAT32_TOL = 2.0**-24
#: Frames a resampled segment may read beyond the item's span on each side (the filter margin).
READ_MARGIN_FRAMES = 4096


def sine(freq_hz: float, seconds: float, rate: int, amp: float = 0.5) -> np.ndarray:
    n = int(round(seconds * rate))
    return amp * np.sin(2 * np.pi * freq_hz * np.arange(n) / rate)


def rms_db(x: np.ndarray) -> float:
    p = float(np.mean(np.asarray(x, dtype=np.float64) ** 2))
    return -math.inf if p == 0 else 10 * math.log10(p)


def peak_freq_hz(x: np.ndarray, rate: int) -> float:
    """Frequency of the strongest component (parabolic interpolation of a Hann-windowed FFT)."""
    x = np.asarray(x, dtype=np.float64)
    n = 1 << int(math.ceil(math.log2(len(x) * 8)))
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x)), n))
    k = int(np.argmax(spec[1:-1])) + 1
    a, b, c = np.log(spec[k - 1 : k + 2] + 1e-300)
    delta = 0.5 * (a - c) / (a - 2 * b + c)
    return (k + delta) * rate / n


def assert_db_close(actual: float, expected: float, tol_db: float, what: str = "") -> None:
    """Assert two levels in dB agree within ``tol_db``."""
    assert abs(actual - expected) <= tol_db, (
        f"{what}: {actual:.4f} dB, expected {expected:.4f} +- {tol_db} dB")


SOURCE_TYPES = {"audio": "WAVE", "midi": "MIDI", "offline": "_OFFLINE_WAVE"}


def make_item(index: int, position_s: float = 0.0, length_s: float = 0.0, *, mute: bool = False,
              item_volume: float = 1.0, take_volume: float = 1.0, take_pan: float = 0.0,
              start_offset_s: float = 0.0, playrate: float = 1.0, fade_in_s: float = 0.0,
              fade_in_auto_s: float = -1.0, fade_in_shape: int = 0, fade_in_dir: float = 0.0,
              fade_out_s: float = 0.0, fade_out_auto_s: float = -1.0, fade_out_shape: int = 0,
              fade_out_dir: float = 0.0, chanmode: int = 0, source_file: str | None = None,
              source_kind: str = "audio", section_start_s: float = 0.0, section_length_s: float | None = None,
              reversed: bool = False, loop_source: bool = False) -> ItemState:
    """``source_kind`` "empty" is an item without a take. A reversed source without a section is
    REAPER's reverse of the whole file: a SECTION as long as the file."""
    take = None
    if source_kind != "empty":
        section = None
        if section_start_s != 0.0 or section_length_s is not None or reversed:
            if section_length_s is None:
                import soundfile as sf

                section_length_s = sf.info(source_file).duration - section_start_s
            section = SectionState(section_start_s, section_length_s, reversed)
        take = TakeState(index=0, guid="", name="", volume=take_volume, pan=take_pan,
                         start_offset_s=start_offset_s, playrate=playrate, chanmode=chanmode,
                         source_type=SOURCE_TYPES.get(source_kind, source_kind), file=source_file or "",
                         section=section)
    return ItemState(index=index, guid="", position_s=position_s, length_s=length_s, mute=mute,
                     item_volume=item_volume, fade_in_s=fade_in_s, fade_in_auto_s=fade_in_auto_s,
                     fade_in_shape=fade_in_shape, fade_in_dir=fade_in_dir, fade_out_s=fade_out_s,
                     fade_out_auto_s=fade_out_auto_s, fade_out_shape=fade_out_shape,
                     fade_out_dir=fade_out_dir, loop_source=loop_source, take=take)
