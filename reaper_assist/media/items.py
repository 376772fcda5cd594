"""A track's pre-FX audio, built from its items' media files the way REAPER plays them.

What is modelled (see ``docs/media.md``): item position and length, take start offset, playrate
(tape-style resampling; preserve-pitch is not modelled), item x take volume with the take's
polarity sign, fades with REAPER's shapes 0..6 and curvature, item mute, the active take only
(the host passes it), overlapping items summed, channel modes, mono/stereo/multichannel sources
onto an N-channel track, any sample rate resampled to the project rate, source shorter than the
item (silence, or looped), and SECTION sources (start, length, reversed).

MIDI, offline, empty, missing or unreadable media become :class:`MediaProblem` entries naming the
track and item, and contribute silence: never an exception, never a guess. Media files are only
ever read.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from reaper_assist.errors import ParameterError
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

SOURCE_KINDS = ("audio", "midi", "offline", "empty")
CHANMODES = {0: "normal", 1: "reverse stereo", 2: "mono (downmix)", 3: "mono (left)", 4: "mono (right)"}
PROBLEM_REASONS = {
    "missing": "missing media",
    "unreadable": "unreadable media",
    "midi": "MIDI item, no audio to read",
    "offline": "offline media",
    "empty": "empty item, no source",
}


@dataclass(frozen=True)
class ItemSpec:
    """Everything REAPER uses to play one item's active take (plain data; hosts fill it).

    Times are seconds on the project timeline (``position_s``, ``length_s``, fades) or in the
    source (``start_offset_s``, ``section_*``). Volumes are linear (``D_VOL``); a negative
    ``take_volume`` means the take's polarity is flipped (facts 1.4).

    ``playrate`` resamples tape-style: the item plays ``length_s`` seconds of output consuming
    ``length_s * playrate`` seconds of source, and pitch follows. ``B_PPITCH`` (preserve pitch)
    is not modelled: with it set, REAPER time-stretches instead, which leaves the level close to
    but not equal to ours.

    Hosts pass the fade length REAPER uses: ``D_FADEINLEN_AUTO`` when it is > 0, else
    ``D_FADEINLEN`` (and likewise for fade-out).
    """

    track_name: str
    item_index: int
    position_s: float
    length_s: float
    mute: bool = False
    item_volume: float = 1.0
    take_volume: float = 1.0
    take_pan: float = 0.0
    start_offset_s: float = 0.0
    playrate: float = 1.0
    fade_in_s: float = 0.0
    fade_in_shape: int = 0
    fade_in_dir: float = 0.0
    fade_out_s: float = 0.0
    fade_out_shape: int = 0
    fade_out_dir: float = 0.0
    chanmode: int = 0
    source_file: str | None = None
    source_kind: str = "audio"
    section_start_s: float = 0.0
    section_length_s: float | None = None
    reversed: bool = False
    loop_source: bool = False

    def __post_init__(self) -> None:
        where = f"track {self.track_name!r}, item {self.item_index}"

        def bad(name: str, value: object, valid: str) -> ParameterError:
            return ParameterError(f"{name}={value!r} is outside the valid range {valid} ({where})")

        for name in ("position_s", "length_s", "item_volume", "take_volume", "take_pan",
                     "start_offset_s", "playrate", "fade_in_s", "fade_in_dir", "fade_out_s",
                     "fade_out_dir", "section_start_s"):
            v = getattr(self, name)
            if not isinstance(v, numbers.Real) or not math.isfinite(v):
                raise bad(name, v, "(a finite number)")
        if self.length_s < 0:
            raise bad("length_s", self.length_s, "[0, inf)")
        if self.playrate <= 0:
            raise bad("playrate", self.playrate, "(0, inf)")
        for name in ("fade_in_s", "fade_out_s"):
            if getattr(self, name) < 0:
                raise bad(name, getattr(self, name), "[0, inf)")
        for name in ("fade_in_dir", "fade_out_dir", "take_pan"):
            if not -1.0 <= getattr(self, name) <= 1.0:
                raise bad(name, getattr(self, name), "[-1, 1]")
        for name in ("fade_in_shape", "fade_out_shape"):
            if getattr(self, name) not in uncertain.FADE_SHAPE_NAMES:
                raise bad(name, getattr(self, name), "0..6")
        if self.chanmode not in CHANMODES:
            raise bad("chanmode", self.chanmode, "0..4")
        if self.source_kind not in SOURCE_KINDS:
            raise bad("source_kind", self.source_kind, str(SOURCE_KINDS))
        if self.section_length_s is not None and (
            not math.isfinite(self.section_length_s) or self.section_length_s <= 0
        ):
            raise bad("section_length_s", self.section_length_s, "(0, inf) or None")

    @property
    def end_s(self) -> float:
        return self.position_s + self.length_s

    @property
    def gain(self) -> float:
        """Item volume times take volume, sign kept (negative = polarity flipped)."""
        return float(self.item_volume) * float(self.take_volume)


@dataclass(frozen=True)
class MediaProblem:
    """An item that contributed silence because its audio could not be used."""

    track_name: str
    item_index: int
    file: str | None
    reason: str  # 'missing', 'unreadable', 'midi', 'offline', 'empty'
    detail: str = ""

    def __str__(self) -> str:
        text = f"track {self.track_name!r}, item {self.item_index}: "
        text += PROBLEM_REASONS.get(self.reason, self.reason)
        if self.file:
            text += f" ({self.file})"
        if self.detail:
            text += f": {self.detail}"
        return text


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
    out = np.zeros((channels, n))
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


def apply_fades(y: np.ndarray, spec: ItemSpec, k0: int, k1: int, sample_rate: int) -> None:
    """Multiply ``y`` (item frames ``[k0, k1)``, shape (channels, k1 - k0)) by the item's fades.

    Frame k is item time ``k / sample_rate``; only the frames inside a fade are touched.
    Overlapping fade-in and fade-out multiply (:data:`uncertain.OVERLAPPING_FADES_MULTIPLY`).
    """
    if spec.fade_in_s > 0:
        e = min(k1, int(math.ceil(spec.fade_in_s * sample_rate)))
        if e > k0:
            t = np.arange(k0, e) / sample_rate
            y[:, : e - k0] *= uncertain.fade_in_curve(t / spec.fade_in_s, spec.fade_in_shape,
                                                      spec.fade_in_dir)
    if spec.fade_out_s > 0:
        fade_start_s = spec.length_s - spec.fade_out_s
        b = max(k0, int(math.floor(fade_start_s * sample_rate)))
        if b < k1:
            t = np.arange(b, k1) / sample_rate
            y[:, b - k0 :] *= uncertain.fade_out_curve((t - fade_start_s) / spec.fade_out_s,
                                                       spec.fade_out_shape, spec.fade_out_dir)


def fade_gain(spec: ItemSpec, k0: int, k1: int, sample_rate: int) -> np.ndarray:
    """The fade gain for item frames ``[k0, k1)`` as a ``(k1 - k0,)`` array (1 outside fades)."""
    g = np.ones((1, max(0, k1 - k0)))
    apply_fades(g, spec, k0, k1, sample_rate)
    return g[0]


def _virtual_source(spec: ItemSpec, cache: SegmentCache) -> tuple[VirtualSource | None, MediaProblem | None]:
    def problem(reason: str, detail: str = "") -> MediaProblem:
        return MediaProblem(spec.track_name, spec.item_index, spec.source_file, reason, detail)

    if spec.source_kind != "audio":
        return None, problem(spec.source_kind)
    if not spec.source_file:
        return None, problem("empty")
    ident = identify(spec.source_file)
    if ident is None:
        return None, problem("missing")
    try:
        info = source_info(ident, cache)
    except SourceUnreadable as exc:
        return None, problem("unreadable", str(exc))
    rate = info.sample_rate
    start = uncertain.seconds_to_frame(spec.section_start_s, rate)
    if spec.section_length_s is None:
        length = info.frames - start
    else:
        length = uncertain.seconds_to_frame(spec.section_length_s, rate)
    return VirtualSource(ident, info, start, max(0, length), spec.reversed, spec.loop_source), None


def render_items(
    items: Sequence[ItemSpec],
    *,
    sample_rate: int,
    channels: int = 2,
    start_s: float | None = None,
    end_s: float | None = None,
    cache: SegmentCache | None = None,
) -> TrackAudio:
    """Render one track's items to its pre-FX audio, as REAPER plays them.

    Parameters
    ----------
    items : sequence of ItemSpec
        The track's items (each with its active take). Overlapping items are summed, as REAPER
        plays overlapping items on one track (fixed-lane "play only the top lane" is the host's
        business: pass only the items that play).
    sample_rate : int
        Project sample rate in Hz; sources at other rates are resampled to it.
    channels : int
        Track channel count (``I_NCHAN``), >= 1.
    start_s, end_s : float, optional
        Timeline window; default from the earliest item start to the latest item end
        (an empty window when there are no items).
    cache : SegmentCache, optional
        Segment cache; default the process-wide one.

    Returns
    -------
    TrackAudio
        ``audio`` is ``(channels, samples)`` float64 starting at ``start_s`` (rounded to the
        nearest sample).

    Raises
    ------
    ParameterError
        For an invalid rate, channel count or window. Media problems never raise.
    """
    if not isinstance(sample_rate, (int, np.integer)) or not 1000 <= sample_rate <= 1_536_000:
        raise ParameterError(f"sample_rate={sample_rate!r} Hz is outside the valid range [1000, 1536000]")
    if not isinstance(channels, (int, np.integer)) or not 1 <= channels <= 128:
        raise ParameterError(f"channels={channels!r} is outside the valid range 1..128")
    sr = int(sample_rate)
    cache = default_cache() if cache is None else cache
    if start_s is None:
        start_s = min((it.position_s for it in items), default=0.0)
    if end_s is None:
        end_s = max((it.end_s for it in items), default=start_s)
    if not (math.isfinite(start_s) and math.isfinite(end_s)) or end_s < start_s:
        raise ParameterError(f"window start_s={start_s!r}, end_s={end_s!r}: need finite start_s <= end_s")

    w0 = uncertain.seconds_to_frame(start_s, sr)
    w1 = uncertain.seconds_to_frame(end_s, sr)
    out = np.zeros((channels, w1 - w0))
    mask = np.zeros(w1 - w0, dtype=bool)
    problems: list[MediaProblem] = []

    for spec in items:
        i0 = uncertain.seconds_to_frame(spec.position_s, sr)
        i1 = uncertain.seconds_to_frame(spec.end_s, sr)
        a, b = max(i0, w0), min(i1, w1)
        if b <= a or spec.mute:
            continue  # outside the window, or muted: silence, and nothing to report
        src, problem = _virtual_source(spec, cache)
        if problem is not None:
            problems.append(problem)
            continue
        assert src is not None
        k0, k1 = a - i0, b - i0
        try:
            x = take_signal(src, start_offset_s=spec.start_offset_s, playrate=spec.playrate,
                            sample_rate=sr, k0=k0, k1=k1, cache=cache)
        except SourceUnreadable as exc:
            problems.append(MediaProblem(spec.track_name, spec.item_index, spec.source_file,
                                         "unreadable", str(exc)))
            continue
        y = map_channels(x, spec.chanmode, channels, spec.take_pan)
        y *= spec.gain
        apply_fades(y, spec, k0, k1, sr)
        out[:, a - w0 : b - w0] += y
        mask[a - w0 : b - w0] = True

    return TrackAudio(out, sr, w0 / sr, tuple(problems), mask)


def item_spec_from_info(
    track_name: str,
    item_index: int,
    item: Mapping[str, float],
    take: Mapping[str, float] | None,
    *,
    source_file: str | None = None,
    source_kind: str = "audio",
    section_start_s: float = 0.0,
    section_length_s: float | None = None,
    reversed: bool = False,
) -> ItemSpec:
    """Build an :class:`ItemSpec` from REAPER's info values (facts 1.4), for either host.

    Parameters
    ----------
    item : mapping
        ``GetMediaItemInfo_Value`` keys: ``D_POSITION``, ``D_LENGTH``, ``B_MUTE``, ``D_VOL``,
        ``D_FADEINLEN``, ``D_FADEINLEN_AUTO``, ``C_FADEINSHAPE``, ``D_FADEINDIR`` (and the
        ``FADEOUT`` counterparts), ``B_LOOPSRC``. Missing keys take REAPER's defaults.
    take : mapping or None
        The *active* take's ``GetMediaItemTakeInfo_Value`` keys: ``D_VOL``, ``D_PAN``,
        ``D_STARTOFFS``, ``D_PLAYRATE``, ``I_CHANMODE``. ``None`` (an item without takes)
        gives an empty item.
    source_file, source_kind, section_start_s, section_length_s, reversed
        What the host found behind ``GetMediaItemTake_Source`` (after ``GetMediaSourceParent``).

    Notes
    -----
    An auto-crossfade length (``D_FADEINLEN_AUTO`` > 0) overrides the manual one, as REAPER does.
    """
    def fade_len(manual: str, auto: str) -> float:
        a = float(item.get(auto, 0.0))
        return a if a > 0 else float(item.get(manual, 0.0))

    t = take or {}
    return ItemSpec(
        track_name=track_name,
        item_index=item_index,
        position_s=float(item.get("D_POSITION", 0.0)),
        length_s=float(item.get("D_LENGTH", 0.0)),
        mute=bool(item.get("B_MUTE", 0)),
        item_volume=float(item.get("D_VOL", 1.0)),
        take_volume=float(t.get("D_VOL", 1.0)),
        take_pan=float(t.get("D_PAN", 0.0)),
        start_offset_s=float(t.get("D_STARTOFFS", 0.0)),
        playrate=float(t.get("D_PLAYRATE", 1.0)),
        fade_in_s=fade_len("D_FADEINLEN", "D_FADEINLEN_AUTO"),
        fade_in_shape=int(item.get("C_FADEINSHAPE", 0)),
        fade_in_dir=float(item.get("D_FADEINDIR", 0.0)),
        fade_out_s=fade_len("D_FADEOUTLEN", "D_FADEOUTLEN_AUTO"),
        fade_out_shape=int(item.get("C_FADEOUTSHAPE", 0)),
        fade_out_dir=float(item.get("D_FADEOUTDIR", 0.0)),
        chanmode=int(t.get("I_CHANMODE", 0)),
        source_file=source_file if take is not None else None,
        source_kind=source_kind if take is not None else "empty",
        section_start_s=section_start_s,
        section_length_s=section_length_s,
        reversed=reversed,
        loop_source=bool(item.get("B_LOOPSRC", 0)),
    )
