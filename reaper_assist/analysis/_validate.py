"""Validation of audio and options at the public entry points of :mod:`reaper_assist.analysis`.

One helper per kind of input (style.md rule 5): every public function calls
:func:`as_audio` and :func:`check_sample_rate`, so that shapes, dtypes and bad values are
handled identically everywhere. Messages quote the value, the valid range and the track name.
"""

from __future__ import annotations

import math

import numpy as np

from reaper_assist.errors import InvalidAudioError, ParameterError

#: More channels than this on the first axis, with few on the second, is almost certainly
#: a ``(samples, channels)`` array passed by mistake.
MAX_CHANNELS = 64


def _where(name: str | None) -> str:
    return f" (track {name!r})" if name else ""


def check_sample_rate(sample_rate: float, *, name: str | None = None) -> float:
    """Return ``sample_rate`` as a float after checking it is a positive, finite rate in Hz.

    Raises
    ------
    ParameterError
        If the rate is not finite or not in [1000, 1 536 000] Hz.
    """
    try:
        rate = float(sample_rate)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"sample_rate={sample_rate!r} is not a number{_where(name)}") from exc
    if not math.isfinite(rate) or not 1000.0 <= rate <= 1_536_000.0:
        raise ParameterError(
            f"sample_rate={sample_rate!r} Hz is outside the valid range [1000, 1536000] Hz"
            f"{_where(name)}"
        )
    return rate


def as_audio(audio: object, *, name: str | None = None, check_finite: bool = True) -> np.ndarray:
    """Return ``audio`` as a 2-D float array laid out ``(channels, samples)``.

    Parameters
    ----------
    audio : array_like, shape (samples,) or (channels, samples)
        Linear full-scale samples (1.0 = 0 dBFS). A 1-D array is one channel.
    name : str, optional
        Track name, quoted in error messages.
    check_finite : bool
        Scan for NaN/inf (one pass over the data). Streaming callers that detect
        non-finite values more cheaply on the way pass ``False``.

    Returns
    -------
    numpy.ndarray, shape (channels, samples), float32 or float64
        A view where possible (no copy for float input).

    Raises
    ------
    InvalidAudioError
        Not numeric, more than 2 dimensions, no channels, an apparent
        ``(samples, channels)`` layout, or NaN/inf samples.
    """
    arr = np.asarray(audio)
    if arr.dtype.kind not in "fiub":
        raise InvalidAudioError(f"audio has dtype {arr.dtype}, expected real numbers{_where(name)}")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2:
        raise InvalidAudioError(
            f"audio has {arr.ndim} dimensions, expected 1 or 2 (channels, samples){_where(name)}"
        )
    channels, samples = arr.shape
    if channels == 0:
        raise InvalidAudioError(f"audio has 0 channels, expected 1..{MAX_CHANNELS}{_where(name)}")
    if channels > MAX_CHANNELS:
        hint = (
            " (it looks like (samples, channels); pass audio.T)" if samples <= MAX_CHANNELS else ""
        )
        raise InvalidAudioError(
            f"audio has {channels} channels, expected 1..{MAX_CHANNELS}{hint}{_where(name)}"
        )
    if check_finite:
        check_finite_block(arr, 0, name=name)
    return arr


def check_finite_block(block: np.ndarray, offset: int, *, name: str | None = None) -> None:
    """Raise :class:`InvalidAudioError` naming the first NaN/inf sample of ``block``.

    ``offset`` is the index of the block's first sample in the whole signal.
    """
    finite = np.isfinite(block)
    if finite.all():
        return
    channel, index = np.argwhere(~finite)[0]
    count = int(block.size - np.count_nonzero(finite))
    raise InvalidAudioError(
        f"audio contains {count} non-finite sample(s) (NaN or inf); first is "
        f"{block[channel, index]!r} in channel {channel} at sample {offset + index}; "
        f"valid samples are finite{_where(name)}"
    )


def check_positive(value: float, what: str, *, name: str | None = None) -> float:
    """Return ``value`` as float after checking it is finite and > 0."""
    v = float(value)
    if not math.isfinite(v) or v <= 0.0:
        raise ParameterError(f"{what}={value!r} must be finite and > 0{_where(name)}")
    return v
