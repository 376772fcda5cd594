"""The emulator's own item player: a track's items, read from their media files the way REAPER
plays them, straight from the project's ``<ITEM`` chunks (facts 4.3) — independent of the
product's ``reaper_assist.media`` (issue 12 point 5), so that a render checks it.

Per item, on the project sample grid:

* edges: ``POSITION`` and ``POSITION + LENGTH`` on the nearest project sample; ``MUTE`` silences;
* the active take's source (``<SOURCE``, through a ``SECTION`` wrapper: ``STARTPOS``, ``LENGTH``,
  ``MODE`` 2/3 reversed), ``LOOP`` repeats the (section of the) source;
* item frame ``k`` plays source time ``SOFFS + PLAYRATE * k / sr`` (tape-style: the rate changes the
  pitch; preserve-pitch is not modelled); sources at another rate, or a playrate other than 1, go
  through :func:`scipy.signal.resample_poly`;
* channels by ``CHANMODE`` (0 normal, 1 reverse stereo, 2 mono downmix, 3 left, 4 right), take pan
  (``VOLPAN`` field 1) and item x take volume (``VOLPAN`` fields 0 and 2; a negative take volume
  flips the polarity, facts 1.4);
* fades in item time (``FADEIN``/``FADEOUT``: the auto-crossfade length in field 2 replaces the
  manual one in field 1 when > 0, as ``D_FADEINLEN_AUTO`` does; shape in field 0, curvature in
  field 5).

What no source settles is in :mod:`reaper_assist.emulator.uncertain`. MIDI, offline, empty,
missing or unreadable media are reported as :class:`MediaProblem` and play silence.
Media files are only read.
"""

from __future__ import annotations

import functools
import math
import os
from fractions import Fraction

import numpy as np

from reaper_assist.emulator import uncertain as EU
from reaper_assist.emulator.engine import uncertain as U
from reaper_assist.emulator.media_info import info as media_info
from reaper_assist.emulator.project import Item, Project, Take, Track
from reaper_assist.errors import MediaProblem

#: Source frames read beyond each end of a resampled stretch, per source frame per output frame,
#: so the resampling filter (32 zero crossings each side at the lower rate) sees real neighbours.
RESAMPLE_PAD_FRAMES = 64

#: Frames per block when a source is read (see ``_Source._read_into``).
READ_BLOCK_FRAMES = 1 << 16

#: The largest denominator of the rational resampling ratio (see ``resample``).
MAX_RATIO_TERM = 2000

#: The resampling filter (see ``_lowpass``).
RESAMPLE_ZERO_CROSSINGS = 32
RESAMPLE_KAISER_BETA = 9.0



def _frame(seconds: float, rate: float) -> int:
    return EU.frame_nearest(seconds, rate)


def _problem(track: Track, k: int, file: str, reason: str, detail: str = "") -> MediaProblem:
    """Item ``k`` (0-based) named by its 1-based number, as users count items."""
    return MediaProblem(track.name, k + 1, file or None, reason, detail)


class _Source:
    """A take's audio as a function of virtual-source frame: the SECTION window of the file,
    reversed or looped as the chunk says; frames outside the window are silence."""

    def __init__(self, path: str, rate: int, channels: int, frames: int,
                 section: tuple[float, float, bool] | None, loop: bool):
        self.path, self.rate, self.channels = path, rate, channels
        self.file_frames = frames
        start_s, length_s, rev = section if section else (0.0, 0.0, False)
        self.first = _frame(start_s, rate)
        self.length = _frame(length_s, rate) if length_s > 0 else frames - self.first
        self.length = max(0, self.length)
        self.reversed, self.loop = bool(rev), loop

    def _read_into(self, out: np.ndarray, at: int, start: int, count: int) -> None:
        """File frames ``[start, start + count)`` into ``out[:, at:]``, in blocks of
        :data:`READ_BLOCK_FRAMES` (libsndfile's interleaved frames, transposed block by block in
        cache: no whole-file temporary); a short read leaves silence."""
        import soundfile as sf

        with sf.SoundFile(self.path) as f:
            f.seek(start)
            buf = np.empty((min(count, READ_BLOCK_FRAMES), f.channels))
            done = 0
            while done < count:
                k = min(READ_BLOCK_FRAMES, count - done)
                got = f.read(k, dtype="float64", always_2d=True, out=buf[:k]).shape[0]
                if got == 0:
                    break
                out[:, at + done:at + done + got] = buf[:got].T
                done += got

    def frames(self, v0: int, v1: int) -> np.ndarray:
        """Virtual frames ``[v0, v1)`` as ``(channels, v1 - v0)`` float64."""
        import soundfile as sf

        out = np.zeros((self.channels, max(0, v1 - v0)))
        if v1 <= v0 or self.length <= 0:
            return out
        if not self.loop and not self.reversed:  # the common case: one contiguous read, no index arrays
            a = max(v0, 0, -self.first)  # first virtual frame inside the window and the file
            b = min(v1, self.length, self.file_frames - self.first)
            if b > a:
                self._read_into(out, a - v0, self.first + a, b - a)
            return out
        v = np.arange(v0, v1)
        if self.loop:
            v = np.mod(v, self.length)
        inside = (v >= 0) & (v < self.length)
        f = np.where(self.reversed, self.first + self.length - 1 - v, self.first + v)
        inside &= (f >= 0) & (f < self.file_frames)
        if not inside.any():
            return out
        lo, hi = int(f[inside].min()), int(f[inside].max()) + 1
        data = sf.read(self.path, start=lo, stop=hi, dtype="float64", always_2d=True)[0]
        got = data.shape[0]  # soundfile: (frames, channels); a short read leaves silence
        ok = inside & (f - lo < got)
        out[:, ok] = data[f[ok] - lo].T
        return out


def ratio_fraction(ratio: float) -> Fraction:
    """The resampling ratio as the nearest fraction with a denominator <= :data:`MAX_RATIO_TERM`
    (exact for every ratio of standard sample rates and simple playrates; otherwise a timing
    error of ``|r - r'| / r`` of the duration, see :data:`.uncertain.PLAYRATE_RATIO`)."""
    return Fraction(ratio).limit_denominator(MAX_RATIO_TERM)


@functools.lru_cache(maxsize=16)
def _lowpass(up: int, down: int) -> np.ndarray:
    """Anti-imaging/aliasing FIR at ``up`` times the input rate: a Kaiser-windowed sinc (beta
    :data:`RESAMPLE_KAISER_BETA`) reaching :data:`RESAMPLE_ZERO_CROSSINGS` zero crossings of the
    lower rate each side, cut off at the lower Nyquist."""
    from scipy.signal import firwin

    m = max(up, down)
    return firwin(2 * RESAMPLE_ZERO_CROSSINGS * m + 1, 1.0 / m, window=("kaiser", RESAMPLE_KAISER_BETA))


def resample(x: np.ndarray, q: Fraction) -> np.ndarray:
    """``x`` ``(channels, frames)`` at ``q`` output frames per input frame, by
    :func:`scipy.signal.resample_poly` (zero-phase: output ``j`` lies at input ``j / q``) with
    the filter of :func:`_lowpass`: a 44.1 -> 48 kHz tone is within 6e-5 of full scale of the
    ideal up to 20 kHz (scipy's default filter: 7e-4 at 1 kHz, 4e-3 at 18 kHz)."""
    from scipy.signal import resample_poly

    if q == 1:
        return x
    up, down = q.numerator, q.denominator
    return resample_poly(x, up, down, axis=1, window=_lowpass(up, down))


def _take_audio(src: _Source, take: Take, k0: int, k1: int, sr: int) -> np.ndarray:
    """Source audio for item frames ``[k0, k1)`` at the project rate, ``(channels, k1 - k0)``."""
    n = k1 - k0
    rate = take.playrate if take.playrate > 0 else 1.0
    offset = take.start_offset
    if rate == 1.0 and src.rate == sr:
        a = _frame(offset, sr) + k0
        return src.frames(a, a + n)
    step = rate * src.rate / sr  # source frames per item frame
    p0 = offset * src.rate + k0 * step  # source position of item frame k0
    q = ratio_fraction(1.0 / step)
    # Output j of a stretch resampled from source frame a lies at source a + j / q: start the
    # stretch a whole number of ratio periods (q.denominator source frames) before floor(p0), so
    # an integral p0 falls exactly on an output frame (a fractional one on the nearest).
    pad = int(math.ceil(RESAMPLE_PAD_FRAMES * max(1.0, step)))
    periods = -(-pad // q.denominator)
    a = math.floor(p0) - periods * q.denominator
    b = math.ceil(p0 + n * step) + pad
    y = resample(src.frames(a, b), q)
    j0 = periods * q.numerator + int(round((p0 - math.floor(p0)) * q))
    out = np.zeros((src.channels, n))
    part = y[:, j0:j0 + n]
    out[:, :part.shape[1]] = part
    return out


def _route(x: np.ndarray, chanmode: int, pan: float, channels: int) -> np.ndarray:
    """Source channels onto the track's first ``channels`` (I_CHANMODE), then take pan. ``x``
    may be reused for the result."""
    s = x.shape[0]
    mode = chanmode if 0 <= chanmode <= 4 else 0
    mono = None
    if mode == 2:
        mono = x.sum(axis=0) * EU.downmix_gain(s)
    elif mode == 3 or (mode in (0, 1) and s == 1):
        mono = x[0]
    elif mode == 4:
        mono = x[min(1, s - 1)]
    if mono is None and s == channels and mode == 0:
        out = x  # the common case: the source's own channels, in order (x is the caller's fresh copy)
    else:
        out = np.zeros((channels, x.shape[1]))
        if mono is not None:
            out[:] = mono * EU.MONO_TO_STEREO_GAIN if channels > 1 else mono
        else:
            order = [1, 0, *range(2, s)] if mode == 1 and s >= 2 else list(range(s))
            m = min(s, channels)
            out[:m] = x[order[:m]]
    p = max(-1.0, min(1.0, pan))
    if p != 0.0 and channels > 1:
        gl, gr = U.pan_gains(p)
        out[0] *= gl
        out[1] *= gr
    return out


def _has_fades(item: Item) -> bool:
    return max(item.fade_in_auto, item.fade_in, item.fade_out_auto, item.fade_out) > 0


def fade_gain(item: Item, k0: int, k1: int, sr: int) -> np.ndarray:
    """Fade-in x fade-out gain of item frames ``[k0, k1)`` (item time ``k / sr``), ``(k1-k0,)``."""
    t = np.arange(k0, k1) / sr
    g = np.ones(t.size)
    fin = item.fade_in_auto if item.fade_in_auto > 0 else item.fade_in
    fout = item.fade_out_auto if item.fade_out_auto > 0 else item.fade_out
    if fin > 0:
        g *= EU.fade_curve(t / fin, item.fade_in_shape, item.fade_in_dir)
    if fout > 0:  # a fade-out is the fade-in curve run backwards from the item end, curvature negated
        g *= EU.fade_curve((item.length - t) / fout, item.fade_out_shape, -item.fade_out_dir)
    return g


def _open(project: Project, track: Track, k: int, take: Take | None) -> tuple[_Source | None, MediaProblem | None]:
    src = take.source if take is not None else None
    if take is None or src is None:
        return None, _problem(track, k, "", "empty")
    if src.is_midi:
        return None, _problem(track, k, "", "midi")
    if src.offline:
        return None, _problem(track, k, src.file, "offline")
    path = project.resolve_media(src.file)
    if not path:
        return None, _problem(track, k, "", "empty")
    if not os.path.isfile(path):
        return None, _problem(track, k, path, "missing")
    mi = media_info(path)
    if mi is None:
        return None, _problem(track, k, path, "unreadable", "soundfile cannot decode it")
    if mi.frames <= 0:
        return None, None
    return _Source(path, mi.samplerate, mi.channels, mi.frames, src.section, take.item.loop_source), None


def track_items(project: Project, track: Track, *, sample_rate: int, channels: int, start: int,
                n: int, only: set[int] | None = None) -> tuple[np.ndarray, list[MediaProblem], list[str]]:
    """The track's items over project frames ``[start, start + n)``: ``(audio, problems, notes)``.

    ``audio`` is ``(channels, n)`` float64, overlapping items summed; ``notes`` name items whose
    take FX are not modelled; ``only`` keeps just these item indices (dry run of selected items).
    """
    sr = int(sample_rate)
    out = np.zeros((channels, n))
    problems: list[MediaProblem] = []
    notes: list[str] = []
    played = False
    for k, item in enumerate(track.items):
        if only is not None and k not in only:
            continue
        take = item.active_take
        if take is not None and any(getattr(c, "tag", None) == "TAKEFX" for c in take.nodes):
            notes.append(f"{track.name}: item {k} take FX")
        i0 = _frame(item.position, sr)
        i1 = _frame(item.position + item.length, sr)
        a, b = max(i0, start), min(i1, start + n)
        if b <= a or item.mute:
            continue
        src, problem = _open(project, track, k, take)
        if problem is not None:
            problems.append(problem)
        if src is None or take is None:
            continue
        try:
            x = _take_audio(src, take, a - i0, b - i0, sr)
        except Exception as exc:  # libsndfile raises several types for a corrupt file
            problems.append(_problem(track, k, src.path, "unreadable", str(exc)))
            continue
        y = _route(x, take.chanmode, take.pan, channels)
        g = item.volume * take.volume
        if _has_fades(item):
            y *= g * fade_gain(item, a - i0, b - i0, sr)
        elif g != 1.0:
            y *= g
        if not played and a == start and b == start + n:
            out = y  # the first item sounding over the whole window: no copy
        else:
            out[:, a - start:b - start] += y
        played = True
    return out, problems, notes
