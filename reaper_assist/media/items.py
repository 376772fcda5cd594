"""A track's pre-FX audio, built from its items' media files the way REAPER plays them.

What is modelled (see ``docs/media.md``): item position and length, take start offset, playrate
(tape-style resampling; preserve-pitch is not modelled), item x take volume with the take's
polarity sign, fades with REAPER's shapes 0..6 and curvature, item mute, the active take only
(the host passes it), overlapping items summed, channel modes, mono/stereo/multichannel sources
onto an N-channel track, any sample rate resampled to the project rate, source shorter than the
item (silence, or looped), and SECTION sources (start, length, reversed).

Items are :class:`reaper_assist.items.ItemState` exactly as the host read them: what REAPER
reports is what is rendered, with no intermediate form.

MIDI, offline, empty, missing or unreadable media become :class:`MediaProblem` entries naming the
track and item, and contribute silence: never an exception, never a guess. Media files are only
ever read.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from reaper_assist.errors import MediaProblem, ParameterError
from reaper_assist.items import ItemState
from reaper_assist.media import uncertain
from reaper_assist.media.source import (
    SegmentCache,
    SourceUnreadable,
    VirtualSource,
    default_cache,
    identify,
    source_info,
    take_signal,
)

CHANMODES = {0: "normal", 1: "reverse stereo", 2: "mono (downmix)", 3: "mono (left)", 4: "mono (right)"}


def check_render(items: Sequence[ItemState], *, track_name: str, sample_rate: int, channels: int) -> None:
    """What every read of a track's items checks first (:func:`render_items` and the block
    stream alike): the rate, the channel count and each item (:func:`check_item`).

    Raises
    ------
    ParameterError
        Naming the value, its valid range and (for an item) the track and item.
    """
    if not isinstance(sample_rate, (int, np.integer)) or not 1000 <= sample_rate <= 1_536_000:
        raise ParameterError(f"sample_rate={sample_rate!r} Hz is outside the valid range [1000, 1536000]")
    if not isinstance(channels, (int, np.integer)) or not 1 <= channels <= 128:
        raise ParameterError(f"channels={channels!r} is outside the valid range 1..128")
    for it in items:
        check_item(track_name, it)


def check_window(start_s: float, end_s: float) -> None:
    """Raise :class:`ParameterError` unless ``start_s <= end_s``, both finite."""
    if not (math.isfinite(start_s) and math.isfinite(end_s)) or end_s < start_s:
        raise ParameterError(f"window start_s={start_s!r}, end_s={end_s!r}: need finite start_s <= end_s")


def check_item(track_name: str, item: ItemState) -> None:
    """Raise :class:`ParameterError` naming the track and item when a value is outside what
    REAPER can hold (facts 1.4): media would otherwise render nonsense from it."""
    where = f"track {track_name!r}, item {item.number}"

    def bad(name: str, value: object, valid: str) -> ParameterError:
        return ParameterError(f"{name}={value!r} is outside the valid range {valid} ({where})")

    take = item.take
    sec = take.section if take is not None else None
    finite = {name: getattr(item, name) for name in (
        "position_s", "length_s", "item_volume", "fade_in_s", "fade_in_auto_s", "fade_in_dir",
        "fade_out_s", "fade_out_auto_s", "fade_out_dir")}
    if take is not None:
        finite.update({"take volume": take.volume, "take pan": take.pan,
                       "start_offset_s": take.start_offset_s, "playrate": take.playrate})
    if sec is not None:
        finite.update({"section start_s": sec.start_s, "section length_s": sec.length_s})
    for name, v in finite.items():
        if not isinstance(v, numbers.Real) or isinstance(v, bool) or not math.isfinite(v):
            raise bad(name, v, "(a finite number)")
    if item.length_s < 0:
        raise bad("length_s", item.length_s, "[0, inf)")
    for name in ("fade_in_s", "fade_out_s"):
        if getattr(item, name) < 0:
            raise bad(name, getattr(item, name), "[0, inf)")
    for name in ("fade_in_dir", "fade_out_dir"):
        if not -1.0 <= getattr(item, name) <= 1.0:
            raise bad(name, getattr(item, name), "[-1, 1]")
    for name in ("fade_in_shape", "fade_out_shape"):
        if getattr(item, name) not in uncertain.FADE_SHAPE_NAMES:
            raise bad(name, getattr(item, name), "0..6")
    if take is None:
        return
    if take.playrate <= 0:
        raise bad("playrate", take.playrate, "(0, inf)")
    if not -1.0 <= take.pan <= 1.0:
        raise bad("take pan", take.pan, "[-1, 1]")
    if take.chanmode not in CHANMODES:
        raise bad("chanmode", take.chanmode, "0..4")
    if sec is not None and sec.length_s <= 0:
        raise bad("section length_s", sec.length_s, "(0, inf)")


@dataclass(frozen=True)
class TrackAudio:
    """A track's pre-FX audio.

    Attributes
    ----------
    audio : numpy.ndarray, shape (channels, samples), float64
        Linear full scale (1.0 = 0 dBFS); not clipped.
    sample_rate : int
        Project rate in Hz.
    start_s : float
        Project time of ``audio[:, 0]``.
    problems : tuple of MediaProblem
        Items that contributed silence, in item order.
    active_mask : numpy.ndarray, shape (samples,), bool, optional
        True where at least one unmuted item with readable audio plays (silence inside an item
        is active; gaps between items are not). Lets a meter skip the gaps.
    """

    audio: np.ndarray
    sample_rate: int
    start_s: float
    problems: tuple[MediaProblem, ...] = ()
    active_mask: np.ndarray | None = None

    @property
    def n_samples(self) -> int:
        return int(self.audio.shape[1])

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.sample_rate

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    def active_audio(self) -> np.ndarray:
        """Only the samples where an item plays, ``(channels, active samples)``."""
        if self.active_mask is None:
            return self.audio
        return self.audio[:, self.active_mask]


def map_channels(x: np.ndarray, chanmode: int, channels: int, pan: float = 0.0) -> np.ndarray:
    """Route a take's source channels onto a track of ``channels`` channels.

    Parameters
    ----------
    x : numpy.ndarray, shape (source_channels, samples)
    chanmode : int
        ``I_CHANMODE``: 0 normal, 1 reverse stereo, 2 mono downmix, 3 mono left, 4 mono right.
    channels : int
        Track channel count (``I_NCHAN``).
    pan : float
        Take pan ``D_PAN`` (UNCERTAIN law, see :func:`uncertain.take_pan_gains`).

    Returns
    -------
    numpy.ndarray, shape (channels, samples)
        A new array. A mono result plays in channels 1 and 2 at
        :data:`uncertain.MONO_TO_STEREO_GAIN`; source channels beyond the track's are dropped.
    """
    s, n = x.shape
    if chanmode == 2:
        mono = x.sum(axis=0) * uncertain.downmix_gain(s)
    elif chanmode == 3:
        mono = x[0]
    elif chanmode == 4:
        mono = x[1] if s >= 2 else x[0]
    else:
        mono = x[0] if s == 1 else None
    out = np.zeros((channels, n), dtype=x.dtype if x.dtype == np.float32 else np.float64)
    if mono is not None:
        out[0] = mono
        if channels >= 2:
            out[1] = mono * uncertain.MONO_TO_STEREO_GAIN
            out[0] *= uncertain.MONO_TO_STEREO_GAIN
    else:
        src = x
        if chanmode == 1 and s >= 2:
            src = np.concatenate([x[1:2], x[0:1], x[2:]], axis=0)
        m = min(s, channels)
        out[:m] = src[:m]
    if pan != 0.0 and channels >= 2:
        gl, gr = uncertain.take_pan_gains(pan)
        out[0] *= gl
        out[1] *= gr
    return out


def apply_fades(y: np.ndarray, item: ItemState, k0: int, k1: int, sample_rate: int) -> None:
    """Multiply ``y`` (item frames ``[k0, k1)``, shape (channels, k1 - k0)) by the item's fades.

    Frame k is item time ``k / sample_rate``; only the frames inside a fade are touched. The
    lengths are the ones REAPER plays (an auto-crossfade's when set, else the manual fade's).
    Overlapping fade-in and fade-out multiply (:data:`uncertain.OVERLAPPING_FADES_MULTIPLY`).
    """
    fade_in_s, fade_out_s = item.fade_in_played_s, item.fade_out_played_s
    if fade_in_s > 0:
        e = min(k1, int(math.ceil(fade_in_s * sample_rate)))
        if e > k0:
            t = np.arange(k0, e) / sample_rate
            y[:, : e - k0] *= uncertain.fade_in_curve(t / fade_in_s, item.fade_in_shape, item.fade_in_dir)
    if fade_out_s > 0:
        fade_start_s = item.length_s - fade_out_s
        b = max(k0, int(math.floor(fade_start_s * sample_rate)))
        if b < k1:
            t = np.arange(b, k1) / sample_rate
            y[:, b - k0 :] *= uncertain.fade_out_curve((t - fade_start_s) / fade_out_s,
                                                       item.fade_out_shape, item.fade_out_dir)


def fade_gain(item: ItemState, k0: int, k1: int, sample_rate: int) -> np.ndarray:
    """The fade gain for item frames ``[k0, k1)`` as a ``(k1 - k0,)`` array (1 outside fades)."""
    g = np.ones((1, max(0, k1 - k0)))
    apply_fades(g, item, k0, k1, sample_rate)
    return g[0]


def _virtual_source(track_name: str, item: ItemState,
                    cache: SegmentCache) -> tuple[VirtualSource | None, MediaProblem | None]:
    take = item.take
    kind = take.source_kind if take is not None else "empty"
    file = (take.file or None) if take is not None and kind in ("audio", "offline") else None

    def problem(reason: str, detail: str = "") -> MediaProblem:
        return MediaProblem(track_name, item.number, file, reason, detail)

    if kind != "audio":
        return None, problem(kind)
    assert take is not None
    if not file:
        return None, problem("empty")
    ident = identify(file)
    if ident is None:
        return None, problem("missing")
    try:
        info = source_info(ident, cache)
    except SourceUnreadable as exc:
        return None, problem("unreadable", str(exc))
    rate = info.sample_rate
    sec = take.section
    start = uncertain.seconds_to_frame(sec.start_s, rate) if sec is not None else 0
    length = uncertain.seconds_to_frame(sec.length_s, rate) if sec is not None else info.frames - start
    return VirtualSource(ident, info, start, max(0, length), bool(sec and sec.reversed), item.loop_source), None


def render_items(
    items: Sequence[ItemState],
    *,
    track_name: str,
    sample_rate: int,
    channels: int = 2,
    start_s: float | None = None,
    end_s: float | None = None,
    cache: SegmentCache | None = None,
    dtype=np.float64,
) -> TrackAudio:
    """Render one track's items to its pre-FX audio, as REAPER plays them.

    Parameters
    ----------
    items : sequence of ItemState
        The track's items as the host read them (each with its active take). Overlapping items
        are summed, as REAPER plays overlapping items on one track (fixed-lane "play only the top
        lane" is the host's business: pass only the items that play).
    track_name : str
        The track's name, for problems and error messages.
    sample_rate : int
        Project sample rate in Hz; sources at other rates are resampled to it.
    channels : int
        Track channel count (``I_NCHAN``), >= 1.
    start_s, end_s : float, optional
        Timeline window; default from the earliest item start to the latest item end
        (an empty window when there are no items).
    cache : SegmentCache, optional
        Segment cache; default the process-wide one.
    dtype : numpy float dtype
        float64 (default) or float32 (half the memory and decode work, for meters: its 24-bit
        mantissa holds 24-bit PCM exactly).

    Returns
    -------
    TrackAudio
        ``audio`` is ``(channels, samples)`` of ``dtype`` starting at ``start_s`` (rounded to
        the nearest sample).

    Raises
    ------
    ParameterError
        For an invalid rate, channel count or window, or an item value outside what REAPER can
        hold (naming the track and item). Media problems never raise.
    """
    check_render(items, track_name=track_name, sample_rate=sample_rate, channels=channels)
    sr = int(sample_rate)
    cache = default_cache() if cache is None else cache
    if start_s is None:
        start_s = min((it.position_s for it in items), default=0.0)
    if end_s is None:
        end_s = max((it.end_s for it in items), default=start_s)
    check_window(start_s, end_s)

    w0 = uncertain.seconds_to_frame(start_s, sr)
    w1 = uncertain.seconds_to_frame(end_s, sr)
    out = np.zeros((channels, w1 - w0), dtype=dtype)
    mask = np.zeros(w1 - w0, dtype=bool)
    problems: list[MediaProblem] = []

    for item in items:
        i0 = uncertain.seconds_to_frame(item.position_s, sr)
        i1 = uncertain.seconds_to_frame(item.end_s, sr)
        a, b = max(i0, w0), min(i1, w1)
        if b <= a or item.mute:
            continue  # outside the window, or muted: silence, and nothing to report
        src, problem = _virtual_source(track_name, item, cache)
        if problem is not None:
            problems.append(problem)
            continue
        assert src is not None and item.take is not None
        take = item.take
        k0, k1 = a - i0, b - i0
        try:
            x = take_signal(src, start_offset_s=take.start_offset_s, playrate=take.playrate,
                            sample_rate=sr, k0=k0, k1=k1, cache=cache, dtype=dtype)
        except SourceUnreadable as exc:
            problems.append(MediaProblem(track_name, item.number, take.file, "unreadable", str(exc)))
            continue
        dest = out[:, a - w0 : b - w0]
        if (x.shape[0] == channels and take.chanmode in (0, 1) and take.pan == 0.0
                and (channels == 1 or take.chanmode == 0) and not mask[a - w0 : b - w0].any()):
            # the common case (a track's channels straight from its file, nothing under it yet):
            # scaled straight into the output, no routed copy
            np.multiply(x, item.gain, out=dest)
            apply_fades(dest, item, k0, k1, sr)
        else:
            y = map_channels(x, take.chanmode, channels, take.pan)
            y *= item.gain
            apply_fades(y, item, k0, k1, sr)
            dest += y
        mask[a - w0 : b - w0] = True

    return TrackAudio(out, sr, w0 / sr, tuple(problems), mask)
