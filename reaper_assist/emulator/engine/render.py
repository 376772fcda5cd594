"""Render an emulated project (a track, or the master mix) to audio.

Signal flow per track, as REAPER runs it: items (pre-FX, the emulator's own item player :func:`.items.track_items`)
+ child tracks of a folder + receives (``AUXRECV``: the sending track tapped post-fader, post-FX or
pre-FX by its send mode, times the send's volume and pan) -> polarity -> pre-FX volume/pan envelopes -> FX chain -> volume
(fader x Volume envelope x Trim Volume envelope) -> pan -> mute (and Mute envelope); while a track is
soloed only soloed tracks, their folder children, the folders above them and the tracks they send
to sound. Each track is rendered once per render (its taps are kept for every receive). The master
sums the top-level tracks that send to it, then runs the master FX, master volume and pan.
Everything is stereo (the first two channels); pan law and automation rules: :mod:`.uncertain`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reaper_assist.emulator import uncertain as EU
from reaper_assist.emulator.engine import uncertain as U
from reaper_assist.emulator.engine.automation import envelope_values, fill, unmodelled_items
from reaper_assist.emulator.engine.fxchain import run_chain
from reaper_assist.emulator.engine.items import track_items
from reaper_assist.emulator.project import MasterTrack, Project, Track
from reaper_assist.errors import MediaProblem, ParameterError

CHANNELS = 2


@dataclass(frozen=True)
class RenderResult:
    """Rendered audio of a track or the master.

    Attributes
    ----------
    audio : numpy.ndarray, shape (channels, samples), float64
        1.0 = 0 dBFS, not clipped.
    sample_rate : int
        Hz.
    start_s : float
        Project time of the first sample.
    unmodelled_fx : list of str
        ``"<track>: <fx name>"`` for every enabled FX that passed audio through unchanged.
    media_problems : list of MediaProblem
        Items that rendered as silence, and why.
    """

    audio: np.ndarray
    sample_rate: int
    start_s: float = 0.0
    unmodelled_fx: list[str] = field(default_factory=list)
    media_problems: list[MediaProblem] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return self.audio.shape[1] / self.sample_rate


def project_length_s(project: Project) -> float:
    """End of the last item (REAPER's "entire project" render bounds start at 0)."""
    return max((it.position + it.length for t in project.tracks for it in t.items), default=0.0)


def folder_tree(tracks: list[Track]) -> tuple[list[int | None], list[list[int]]]:
    """Parent index of each track and children lists, from I_FOLDERDEPTH (facts 1.4)."""
    parent: list[int | None] = []
    children: list[list[int]] = [[] for _ in tracks]
    stack: list[int] = []
    for i, t in enumerate(tracks):
        p = stack[-1] if stack else None
        parent.append(p)
        if p is not None:
            children[p].append(i)
        d = t.folder_depth
        if d > 0:
            stack.append(i)
        elif d < 0:
            del stack[max(0, len(stack) + d):]
    return parent, children


class _Renderer:
    def __init__(self, project: Project, sample_rate: int, start_s: float, n: int, only_items=None):
        self.project = project
        self.sr = sample_rate
        self.t0 = start_s
        self.start_frame = EU.frame_nearest(start_s, sample_rate)
        self.n = n
        self.tracks = project.tracks
        self.parent, self.children = folder_tree(self.tracks)
        self.unmodelled: list[str] = []
        self.problems: list[MediaProblem] = []
        self.only_items = only_items  # {track index: set of item indices} for item renders
        self._times: np.ndarray | None = None
        self.soloed = [bool(t.solo) for t in self.tracks]  # I_SOLO != 0 (solo, solo in place, ...)
        self.any_solo = any(self.soloed)
        self.receives = [t.receives() for t in self.tracks]  # AUXRECV lines per receiving track
        # (source index, tap) that some receive reads: those arrays are kept, never changed in place
        self._tapped = {(r.src_index, EU.SEND_TAPS.get(r.mode, "post_fader")) for rs in self.receives for r in rs}
        self._cache: dict[int, dict[str, np.ndarray]] = {}
        self._busy: set[int] = set()
        self._sounding: dict[int, bool] = {}

    def _solo_path(self, i: int) -> bool:
        """The track or a folder above it is soloed."""
        j: int | None = i
        while j is not None:
            if self.soloed[j]:
                return True
            j = self.parent[j]
        return False

    def _solo_below(self, i: int) -> bool:
        return any(self.soloed[c] or self._solo_below(c) for c in self.children[i])

    @property
    def times(self) -> np.ndarray:
        if self._times is None:
            self._times = self.t0 + np.arange(self.n) / self.sr
        return self._times

    def _env(self, track: Track, tag: str) -> np.ndarray | None:
        env = track.envelope_by_chunk_name(tag) if not track.is_master else next(
            (e for e in track.envelopes() if e.chunk_name == tag), None)
        return envelope_values(env, self.times) if env is not None else None

    def items(self, i: int) -> np.ndarray:
        only = self.only_items.get(i, set()) if self.only_items is not None else None
        audio, problems, notes = track_items(self.project, self.tracks[i], sample_rate=self.sr,
                                             channels=CHANNELS, start=self.start_frame, n=self.n,
                                             only=only)
        self.unmodelled.extend(notes)
        self.problems.extend(problems)
        return audio

    def _sends_to_parent(self, tr: Track) -> bool:
        return tr.chunk.get("MAINSEND", 0, "1") != "0"

    # --- routing: folders, sends and receives (emulator/uncertain.py "Track sends") -----------
    def _sounds(self, i: int) -> bool:
        """Under solo: the track is on a soloed path, holds a soloed track, or receives from a
        track that sounds (SOLO_FOLLOWS_SENDS)."""
        if not self.any_solo:
            return True
        memo = self._sounding
        if i not in memo:
            memo[i] = False  # a routing loop counts as silent
            memo[i] = self._solo_path(i) or self._solo_below(i) or (EU.SOLO_FOLLOWS_SENDS and any(
                0 <= r.src_index < len(self.tracks) and self._sounds(r.src_index) for r in self.receives[i]))
        return memo[i]

    def track(self, i: int) -> np.ndarray:
        """Track ``i``'s post-fader output (what it sends to its parent)."""
        taps = self._taps(i)
        return taps["post_fader"] if taps is not None else np.zeros((CHANNELS, self.n))

    def _taps(self, i: int) -> dict[str, np.ndarray] | None:
        """The track's signal at each send tap (pre_fx, post_fx, post_fader), rendered once per
        render; None while the track is being rendered (a routing loop)."""
        if i in self._cache:
            return self._cache[i]
        if i in self._busy:
            return None
        self._busy.add(i)
        try:
            taps = self._render_track(i)
        finally:
            self._busy.discard(i)
        self._cache[i] = taps
        return taps

    def _render_track(self, i: int) -> dict[str, np.ndarray]:
        tr = self.tracks[i]
        mute_env = fill(self._env(tr, "MUTEENV"), 0.0 if tr.mute else 1.0)
        silent = np.zeros((CHANNELS, self.n))
        if (tr.mute and mute_env is None) or not self._sounds(i):
            return {"pre_fx": silent, "post_fx": silent, "post_fader": silent}
        # solo: while any track is soloed, only soloed tracks, what is in them, the folders above
        # them and the tracks they send to sound (the folders pass their soloed children only)
        on_path = not self.any_solo or self._solo_path(i)
        x = self.items(i) if on_path else np.zeros((CHANNELS, self.n))
        for c in self.children[i]:
            if self._sends_to_parent(self.tracks[c]):
                x += self.track(c)
        for r in self.receives[i]:
            x += self._received(i, r)
        if tr.phase:
            x = -x
        pre, post = self.pre_fader(tr, x, copy_input=(i, "pre_fx") in self._tapped)
        out = self.fader(tr, post.copy() if (i, "post_fx") in self._tapped else post, mute_env)
        if EU.MUTE_SILENCES_PRE_FADER_SENDS and (tr.mute or mute_env is not None):
            gate = (mute_env >= 0.5) & (not tr.mute) if mute_env is not None else False
            pre, post = pre * gate, post * gate
        return {"pre_fx": pre, "post_fx": post, "post_fader": out}

    def _received(self, i: int, r) -> np.ndarray | float:
        """What receive ``r`` of track ``i`` brings: the source at the send's tap, times the
        send's polarity, mono sum, volume and pan; 0 for a muted or audio-less send."""
        if r.mute or r.src_chan < 0:
            return 0.0
        dest, j = self.tracks[i], r.src_index
        if not 0 <= j < len(self.tracks) or j == i:
            self.unmodelled.append(f"{dest.name}: a receive from track index {j}, which does not exist (ignored)")
            return 0.0
        src = self.tracks[j]
        if r.envelope_chunks():
            self.unmodelled.append(f"{dest.name}: the envelopes of the send from {src.name!r} (not rendered)")
        if r.src_chan != 0 or r.dst_chan != 0:
            self.unmodelled.append(f"{dest.name}: the send from {src.name!r} uses channels other than 1/2 "
                                   "(rendered as 1/2 -> 1/2)")
        taps = self._taps(j)
        if taps is None:
            self.unmodelled.append(f"{dest.name}: the send from {src.name!r} closes a routing loop (not rendered)")
            return 0.0
        s = taps[EU.SEND_TAPS.get(r.mode, "post_fader")]
        if r.phase:
            s = -s
        if r.mono:
            m = s.mean(axis=0)
            s = np.vstack([m, m])
        s = s * r.volume
        return _pan(s, r.pan) if r.pan != 0 else s

    def strip(self, tr: Track, x: np.ndarray, mute_env: np.ndarray | None) -> np.ndarray:
        return self.fader(tr, self.pre_fader(tr, x)[1], mute_env)

    def pre_fader(self, tr: Track, x: np.ndarray, *, copy_input: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(the FX chain's input, its output): pre-FX envelopes, then the FX."""
        for env in tr.envelopes():  # automation items render (automation.py); a tempo map does not
            self.unmodelled.extend(f"{tr.name}: {note}" for note in unmodelled_items(env))
        # NaN in an envelope's values: no point and no automation item there (the fader rules)
        pre_vol = fill(self._env(tr, "VOLENV" if not tr.is_master else "MASTERVOLENV"), 1.0)
        if pre_vol is not None:
            x = x * pre_vol
        pre_pan = fill(self._env(tr, "PANENV") if not tr.is_master else None, 0.0)
        if pre_pan is not None:
            x = _pan(x, -pre_pan)
        pre = x.copy() if copy_input else x  # a pre-FX send keeps it; the chain may work in place
        fx_on = tr.fx_enabled if not tr.is_master else tr.chunk.get_float("MASTER_FX", 0, 1) != 0
        if fx_on and tr.has_fxchain():
            x = run_chain(tr, x, self.sr, self.t0, self.unmodelled)
        return pre, x

    def fader(self, tr: Track, x: np.ndarray, mute_env: np.ndarray | None) -> np.ndarray:
        """Volume (fader x envelopes x trim), pan, mute."""
        automode = int(tr.chunk.get_float("AUTOMODE", 0, 0)) if not tr.is_master else 0
        vol_env = self._env(tr, "MASTERVOLENV2" if tr.is_master else "VOLENV2")
        vol = fill(U.combine_volume(tr.volume, vol_env, automode), tr.volume) if vol_env is not None else tr.volume
        trim = fill(self._env(tr, "VOLENV3") if not tr.is_master else None, 1.0)
        if trim is not None:
            vol = vol * trim
        pan_env = self._env(tr, "MASTERPANENV2" if tr.is_master else "PANENV2")
        # pan envelopes store the value inverted (facts 1.5)
        pan = fill(U.combine_pan(tr.pan, -pan_env, automode), tr.pan) if pan_env is not None else tr.pan
        if np.any(vol != 1.0):
            x *= vol  # x is this render's own array (items, children and FX all return fresh ones)
        if np.any(pan != 0):
            x = _pan(x, pan)
        if mute_env is not None:  # 0 = muted, 1 = unmuted (facts 1.5)
            x = x * (mute_env >= 0.5)
        if tr.mute:
            x = np.zeros_like(x)
        return x

    def master(self) -> np.ndarray:
        x: np.ndarray | None = None
        for i, p in enumerate(self.parent):
            if p is None and self._sends_to_parent(self.tracks[i]):
                y = self.track(i)
                if x is None:
                    # a track's own array: sum into it, unless a send reads it (it is kept for that)
                    x = y.copy() if y.base is not None or (i, "post_fader") in self._tapped else y
                else:
                    x += y
        return self.strip(self.project.master, np.zeros((CHANNELS, self.n)) if x is None else x, None)


def _pan(x: np.ndarray, pan) -> np.ndarray:
    gl, gr = U.pan_gains(pan)
    y = x.copy()
    y[0] *= gl
    y[1] *= gr
    return y


def _window(project: Project, start_s: float | None, end_s: float | None, sr: int) -> tuple[float, int]:
    t0 = 0.0 if start_s is None else float(start_s)
    t1 = project_length_s(project) if end_s is None else float(end_s)
    if not (np.isfinite(t0) and np.isfinite(t1)) or t0 < 0 or t1 < t0:
        raise ParameterError(f"render window start_s={start_s!r}, end_s={end_s!r}: need 0 <= start_s <= end_s")
    return t0, int(round((t1 - t0) * sr))


def render(project: Project, *, track: Track | None = None, start_s: float | None = None,
           end_s: float | None = None, sample_rate: int | None = None,
           items: dict[int, set[int]] | None = None) -> RenderResult:
    """Render the master mix, or one track's post-fader output (with its folder children).

    Parameters
    ----------
    project : Project
        The emulated project.
    track : Track, optional
        A track of ``project``; None renders the master.
    start_s, end_s : float, optional
        Window in project seconds; default 0 to the end of the last item.
    sample_rate : int, optional
        Hz; default the project's rate.
    items : dict, optional
        ``{track index: {item index, ...}}``: render only these items (dry-run of selected items).

    Returns
    -------
    RenderResult

    Raises
    ------
    ParameterError
        Bad window or rate; a plugin setting or envelope value outside its range.
    """
    sr = int(sample_rate or project.sample_rate)
    if not 1000 <= sr <= 1_536_000:
        raise ParameterError(f"sample_rate={sr!r} Hz outside the range [1000, 1536000] Hz")
    t0, n = _window(project, start_s, end_s, sr)
    r = _Renderer(project, sr, t0, n, items)
    if track is None or isinstance(track, MasterTrack):
        audio = r.master()
    else:
        idx = next((i for i, t in enumerate(r.tracks) if t.chunk is track.chunk), None)
        if idx is None:
            raise ParameterError(f"track {track.name!r} is not in this project")
        audio = r.track(idx)
    return RenderResult(audio, sr, t0, list(dict.fromkeys(r.unmodelled)), r.problems)
