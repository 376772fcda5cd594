"""The emulated project: typed views over an RPP chunk tree.

Every object here (Track, Item, Take, FX, Envelope) is a *view* onto chunks of the tree parsed by
:mod:`reaper_assist.emulator.rpp`: reading a property parses the relevant line, writing one edits
it in place. So the tree is the single source of truth, saving is just :func:`rpp.dumps`, and
everything the emulator does not model (unknown lines and chunks, other plugins' state) survives
a load/save verbatim. Chunk layouts follow facts.md section 4.
"""

from __future__ import annotations

import operator
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reaper_assist.emulator import rpp
from reaper_assist.emulator import uncertain as EU
from reaper_assist.emulator.fxmodel import FXModel
from reaper_assist.emulator.rpp import Chunk, Line, fmt_number
from reaper_assist.errors import MediaProblem, ProjectFormatError

_HEAD = operator.attrgetter("head")

PLUGIN_TAGS = ("VST", "JS", "AU", "CLAP", "DX", "LV2", "VST3", "CONTAINER", "VIDEO_EFFECT")
AUDIO_SOURCE_TYPES = ("WAVE", "FLAC", "MP3", "VORBIS", "OPUS", "WAVPACK", "AIFF", "OGG")

# Track envelope chunk names and the names GetTrackEnvelopeByName uses (facts 1.3, 4.5).
TRACK_ENVELOPES: dict[str, str] = {
    "VOLENV2": "Volume",
    "VOLENV": "Volume (Pre-FX)",
    "VOLENV3": "Trim Volume",
    "PANENV2": "Pan",
    "PANENV": "Pan (Pre-FX)",
    "WIDTHENV2": "Width",
    "WIDTHENV": "Width (Pre-FX)",
    "MUTEENV": "Mute",
}
FADER_SCALED_ENVELOPES = ("VOLENV2", "VOLENV", "VOLENV3")
SEND_ENVELOPES = ("AUXVOLENV", "AUXPANENV", "AUXMUTEENV")  # follow their AUXRECV line (facts 4.5)

# Default fields of lines REAPER writes, used by new objects and when a missing line is created
TRACK_VOLPAN = [1, 0, -1, -1, 1]  # VOLPAN / MASTER_VOLUME: volume, pan, ...
ITEM_VOLPAN = [1, 0, 1, -1]  # item VOLPAN: item volume, take pan, take volume, ...
FADE = [1, 0, 0, 1, 0, 0, 0]  # FADEIN / FADEOUT: shape, length, ...

# Lines whose fields the emulator reads as numbers: checked when a project is read, so a
# non-finite or absurd value is a ProjectFormatError naming the line, never a traceback later.
NUMERIC_KEYS = frozenset((
    "POSITION", "SNAPOFFS", "LENGTH", "LOOP", "FADEIN", "FADEOUT", "MUTE", "SEL", "VOLPAN", "TAKEVOLPAN",
    "SOFFS", "PLAYRATE", "CHANMODE", "STARTPOS", "MODE", "OVERLAP", "MUTESOLO", "IPHASE", "ISBUS", "NCHAN",
    "FX", "AUTOMODE", "MAINSEND", "PT", "ACT", "VIS", "ARM", "VOLTYPE", "SAMPLERATE", "TEMPO", "SELECTION",
    "MASTER_VOLUME", "MASTER_NCH", "MASTER_FX", "MASTER_SEL", "MASTERMUTESOLO",
    "POOLEDENVINST", "PPT", "SRCLEN", "AUXRECV"))


def _envelope_chunk(tag: str, attrs: list[object], *, arm: int) -> Chunk:
    """A new envelope chunk with the header lines REAPER writes (no points)."""
    ch = Chunk.new(tag, attrs)
    ch.children = [Line.from_tokens(["EGUID", new_guid()]), Line("ACT 1 -1"), Line("VIS 1 1 1"),
                   Line("LANEHEIGHT 0 0"), Line(f"ARM {arm}"), Line("DEFSHAPE 0 -1 -1")]
    return ch


def new_guid() -> str:
    return "{" + str(uuid.uuid4()).upper() + "}"


def _write_fault(path: Path) -> None:
    """Test hook: called by :func:`write_atomic` before it writes; a test replaces it to raise the
    OSError a full disk or a read-only file system gives (``ENOSPC``, ``EROFS``)."""


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either its old self or completely the new
    file: a temporary file in the same folder, flushed and fsync'ed, then ``os.replace``. On any
    failure the temporary file is removed and the OSError propagates; ``path`` is untouched."""
    target = Path(path)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex[:8]}.tmp"
    # created as a new file would be (mode 0666 less the umask), or with the mode of the file it replaces
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            if target.is_file():
                os.fchmod(f.fileno(), target.stat().st_mode & 0o7777)
            _write_fault(target)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable (not every file system can fsync a folder)
        dfd = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def _f(tok: str | None, default: float = 0.0) -> float:
    try:
        return float(tok) if tok is not None else default
    except ValueError:
        return default


# -------------------------------------------------------------------------------------------
# Envelopes
# -------------------------------------------------------------------------------------------
@dataclass
class EnvPoint:
    """One ``PT`` line: ``PT time value shape [sig] [selected] [flags] [tension]`` (facts 4.5).

    ``value`` is what the chunk stores: linear amplitude for volume envelopes (facts addendum Q5),
    the native parameter value for FX envelopes.
    """

    time: float
    value: float
    shape: int = 0
    tension: float = 0.0
    selected: bool = False

    @classmethod
    def from_tokens(cls, toks: list[str]) -> EnvPoint:
        return cls(
            time=_f(toks[1]), value=_f(toks[2]),
            shape=int(_f(toks[3])) if len(toks) > 3 else 0,
            selected=bool(int(_f(toks[5]))) if len(toks) > 5 else False,
            tension=_f(toks[7]) if len(toks) > 7 else 0.0,
        )

    def to_line(self, key: str = "PT") -> Line:
        """The point as a ``PT`` line (or, with ``key="PPT"``, a pooled automation item's point)."""
        toks: list[object] = [key, float(self.time), float(self.value), int(self.shape)]
        if self.selected or self.tension:
            toks += [0, int(self.selected)]
        if self.tension:
            toks += [0, float(self.tension)]
        return Line.from_tokens(toks)


class Envelope:
    """A track envelope (``<VOLENV2`` ...) or FX parameter envelope (``<PARMENV``)."""

    def __init__(self, chunk: Chunk, track: Track, fx: FX | None = None):
        self.chunk = chunk
        self.track = track
        self.fx = fx

    @property
    def chunk_name(self) -> str:
        return self.chunk.tag

    @property
    def guid(self) -> str:
        g = self.chunk.get("EGUID")
        if g is None:
            g = new_guid()
            self.chunk.set("EGUID", 0, g)
        return g

    @property
    def name(self) -> str:
        if self.chunk.tag == "PARMENV":
            attrs = self.chunk.attrs
            if len(attrs) >= 5:
                return attrs[4]
            if self.fx is not None:
                idx = int(attrs[0].split(":")[0]) if attrs else 0
                return f"{self.fx.param_name(idx)} / {self.fx.short_name}"
        return TRACK_ENVELOPES.get(self.chunk.tag, self.chunk.tag)

    @property
    def param_index(self) -> int | None:
        if self.chunk.tag != "PARMENV":
            return None
        attrs = self.chunk.attrs
        return int(attrs[0].split(":")[0]) if attrs else None

    @property
    def scaling_mode(self) -> int:
        """1 (fader scaling) for volume envelopes, 0 otherwise (facts 1.5, Q5)."""
        return 1 if self.chunk.tag in FADER_SCALED_ENVELOPES else 0

    @property
    def active(self) -> bool:
        return self.chunk.get("ACT", 0, "1") != "0"

    @active.setter
    def active(self, on: bool) -> None:
        self.chunk.set("ACT", 0, 1 if on else 0, fill=[1, -1], after=("EGUID",))

    @property
    def points(self) -> list[EnvPoint]:
        return [EnvPoint.from_tokens(ln.tokens) for ln in self.chunk.lines("PT")]

    @property
    def project(self) -> Project:
        return self.track.project

    def value_range(self) -> tuple[float, float]:
        """The stored values' range: a PARMENV header's min/max, -1..1 for pan and width, 0..1
        otherwise (volume lanes are measured on the fader scale instead, see
        :func:`.engine.automation.to_normalized`)."""
        if self.chunk.tag == "PARMENV":
            a = self.chunk.attrs
            try:
                lo, hi = float(a[1]), float(a[2])
            except (IndexError, ValueError):
                return 0.0, 1.0
            return (lo, hi) if hi > lo else (0.0, 1.0)
        if "PANENV" in self.chunk.tag or "WIDTHENV" in self.chunk.tag:
            return -1.0, 1.0
        return 0.0, 1.0

    # automation items: POOLEDENVINST lines (State Chunk Definitions, docs/engine.md)
    @property
    def automation_items(self) -> list[AutomationItem]:
        return [AutomationItem(self, ln) for ln in self.chunk.lines("POOLEDENVINST")]

    def add_automation_item(self, pool_id: int, position: float, length: float) -> AutomationItem:
        """A new ``POOLEDENVINST`` line with REAPER's defaults (those of REAPER-written lines:
        start offset 0, rate 1, baseline 0.5, amplitude 1, looped, transition 0.012), after the
        other items and before the points, where REAPER writes them."""
        iid = 1 + max((ai.instance_id for e in self.project.iter_all_envelopes() for ai in e.automation_items),
                      default=0)
        toks: list[object] = ["POOLEDENVINST", int(pool_id), float(position), float(length), 0, 1, 0, 0.5, 1, 1,
                              0, 0, iid, 0, 0, 0.012, 0]
        ln = Line.from_tokens(toks)
        kids = self.chunk.children
        last_ai = max((i for i, c in enumerate(kids) if isinstance(c, Line) and c.key == "POOLEDENVINST"), default=None)
        if last_ai is None:
            last_ai = next((i for i, c in enumerate(kids) if isinstance(c, Line) and c.key == "PT"), None)
            pos = last_ai if last_ai is not None else len(kids)
        else:
            pos = last_ai + 1
        kids.insert(pos, ln)
        return AutomationItem(self, ln)

    def remove_automation_item(self, item: AutomationItem) -> None:
        self.chunk.children = [c for c in self.chunk.children if c is not item.line]

    def set_points(self, points: list[EnvPoint]) -> None:
        """Replace the point lines, keeping them after the envelope's header lines."""
        kids = [c for c in self.chunk.children if not (isinstance(c, Line) and c.key == "PT")]
        # points go after the last header line, before sub-chunks (e.g. POOLEDENVINST stays)
        pos = 0
        for i, c in enumerate(kids):
            if isinstance(c, Line):
                pos = i + 1
        self.chunk.children = kids[:pos] + [p.to_line() for p in points] + kids[pos:]


# The fields of a POOLEDENVINST line (ReaTeam/Doc "State Chunk Definitions", Envelope section):
# pool index, position (s), length (s), start offset (s), play rate, selected, baseline (0..1,
# 0.5 = none), amplitude (-2..2, 1 = 100 %), loop, position (QN), length (QN), instance number,
# muted, start offset (QN), transition time (s), volume envelope maximum.
AI_FIELDS = ("pool", "position", "length", "start_offset", "playrate", "selected", "baseline", "amplitude",
             "loop", "position_qn", "length_qn", "instance_id", "muted", "start_offset_qn", "transition",
             "volenv_max")
AI_DEFAULTS: tuple[float, ...] = (1, 0, 0, 0, 1, 0, 0.5, 1, 1, 0, 0, 1, 0, 0, 0.012, 0)


class AutomationItem:
    """One ``POOLEDENVINST`` line of an envelope: an instance of a pooled envelope
    (:class:`PooledEnvelope`), placed on the lane at ``position`` for ``length`` seconds.

    The line is tokenized once per text it holds (a write through :meth:`set`, or anything that
    gives the line a new text, is read again at the next access)."""

    def __init__(self, envelope: Envelope, line: Line):
        self.envelope = envelope
        self.line = line
        self._text: str | None = None
        self._values: tuple[float, ...] = ()

    def _fields(self) -> tuple[float, ...]:
        text = self.line.text
        if text is not self._text:
            toks = self.line.tokens[1:]
            self._values = tuple(_f(toks[i], d) if i < len(toks) else float(d) for i, d in enumerate(AI_DEFAULTS))
            self._text = text
        return self._values

    def get(self, field: str) -> float:
        return self._fields()[AI_FIELDS.index(field)]

    def set(self, field: str, value: float) -> None:
        i = AI_FIELDS.index(field)
        toks: list[object] = list(self.line.tokens)
        while len(toks) <= i + 1:
            toks.append(AI_DEFAULTS[len(toks) - 1])
        toks[i + 1] = value if isinstance(value, str) else fmt_number(value)
        self.line.set_tokens(toks)

    pool_id = property(lambda s: int(s.get("pool")))
    position = property(lambda s: s.get("position"))
    length = property(lambda s: s.get("length"))
    start_offset = property(lambda s: s.get("start_offset"))
    playrate = property(lambda s: s.get("playrate"))
    baseline = property(lambda s: s.get("baseline"))
    amplitude = property(lambda s: s.get("amplitude"))
    loop = property(lambda s: s.get("loop") != 0)
    selected = property(lambda s: s.get("selected") != 0)
    muted = property(lambda s: s.get("muted") != 0)
    instance_id = property(lambda s: int(s.get("instance_id")))

    @property
    def pool(self) -> PooledEnvelope | None:
        return self.envelope.project.pooled_envelope(self.pool_id)

    # -- time: project seconds <-> pool quarter notes (docs/engine.md "Automation items") ----------
    @property
    def rate(self) -> float:
        """The play rate the item plays at (at least :data:`.uncertain.AI_MIN_PLAYRATE`)."""
        return max(self.playrate, EU.AI_MIN_PLAYRATE)

    def pool_qn(self, t):
        """Pool position (quarter notes from its start, not wrapped) played at project time ``t``
        (a float or a numpy array): ``start_offset + rate * (t - position)`` seconds at the
        project tempo."""
        return (self.start_offset + self.rate * (t - self.position)) * (self.envelope.project.tempo / 60.0)

    def time_at(self, q: float, k: int = 0, length_qn: float | None = None) -> float:
        """Project time of pool position ``q`` (QN) in loop iteration ``k`` (the pool's length,
        ``length_qn``, read from the pool when not given): :meth:`pool_qn` inverted."""
        if length_qn is None:
            pool = self.pool
            length_qn = pool.length_qn if pool is not None else 0.0
        return self.position + ((q + k * length_qn) / (self.envelope.project.tempo / 60.0) - self.start_offset) \
            / self.rate


class PooledEnvelope:
    """A ``<POOLEDENV`` chunk of the project: the pooled source every automation item with its
    ``ID`` plays: ``NAME``, ``SRCLEN`` (its length in quarter notes, the unit of
    ``D_POOL_QNLEN``) and ``PPT`` points (laid out as ``PT`` lines, times in quarter notes from the
    source's start; both UNCERTAIN, emulator/uncertain.py)."""

    def __init__(self, project: Project, chunk: Chunk):
        self.project = project
        self.chunk = chunk

    @property
    def id(self) -> int:
        return int(self.chunk.get_float("ID", 0, 0))

    @property
    def name(self) -> str:
        return self.chunk.get("NAME", 0, "") or ""

    @name.setter
    def name(self, v: str) -> None:
        self.chunk.set("NAME", 0, str(v), after=("ID",))

    @property
    def length_qn(self) -> float:
        return self.chunk.get_float("SRCLEN", 0, 0.0)

    @length_qn.setter
    def length_qn(self, v: float) -> None:
        self.chunk.set("SRCLEN", 0, float(v), after=("ID", "NAME"))

    @property
    def points(self) -> list[EnvPoint]:
        return [EnvPoint.from_tokens(ln.tokens) for ln in self.chunk.lines("PPT")]

    def set_points(self, points: list[EnvPoint]) -> None:
        kids = [c for c in self.chunk.children if not (isinstance(c, Line) and c.key == "PPT")]
        self.chunk.children = kids + [p.to_line("PPT") for p in points]


# -------------------------------------------------------------------------------------------
# FX
# -------------------------------------------------------------------------------------------
class FX:
    """One plugin in an FX chain: its ``BYPASS`` line, its plugin chunk and the lines after it."""

    def __init__(self, chain: FXChain, bypass: Line | None, plugin: Chunk, extras: list):
        self.chain = chain
        self.bypass_line = bypass
        self.plugin = plugin
        self.extras = extras  # nodes after the plugin chunk up to the next BYPASS (FXID, PARMENV...)
        self.model = FXModel.for_chunk(plugin)

    @property
    def track(self) -> Track:
        return self.chain.track

    # identity ---------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The name TrackFX_GetFXName reports: the renamed name if set, else the plugin's name."""
        return self.renamed_name or self.original_name

    @property
    def original_name(self) -> str:
        attrs = self.plugin.attrs
        if self.plugin.tag == "JS":
            path = attrs[0] if attrs else ""
            return self.model.display_name or f"JS: {path}"
        return attrs[0] if attrs else self.plugin.tag

    @property
    def short_name(self) -> str:
        """``ReaComp`` from ``VST: ReaComp (Cockos)`` (as used in envelope names)."""
        n = self.name.split(": ", 1)[-1]
        return n.rsplit(" (", 1)[0] if n.endswith(")") else n

    @property
    def renamed_name(self) -> str:
        attrs = self.plugin.attrs
        idx = 1 if self.plugin.tag == "JS" else 3
        return attrs[idx] if len(attrs) > idx else ""

    @renamed_name.setter
    def renamed_name(self, value: str) -> None:
        attrs = self.plugin.attrs
        idx = 1 if self.plugin.tag == "JS" else 3
        while len(attrs) <= idx:
            attrs.append("")
        attrs[idx] = value
        self.plugin.set_attrs(attrs)

    @property
    def guid(self) -> str:
        for n in self.extras:
            if isinstance(n, Line) and n.key == "FXID":
                return n.tokens[1]
        g = new_guid()
        self.extras.insert(0, Line.from_tokens(["FXID", g]))
        return g

    # state -------------------------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return self.bypass_line is None or self.bypass_line.tokens[1:2] != ["1"]

    @enabled.setter
    def enabled(self, on: bool) -> None:
        if self.bypass_line is None:
            self.bypass_line = Line("BYPASS 0 0 0")
        toks = self.bypass_line.tokens
        toks[1] = "0" if on else "1"
        self.bypass_line.set_tokens(toks)

    @property
    def offline(self) -> bool:
        return self.bypass_line is not None and self.bypass_line.tokens[2:3] == ["1"]

    def param_name(self, index: int) -> str:
        return self.model.param_name(index)

    def envelopes(self) -> list[Envelope]:
        return [Envelope(c, self.track, self) for c in self.extras if isinstance(c, Chunk) and c.tag == "PARMENV"]

    def envelope_for_param(self, index: int, *, create: bool = False) -> Envelope | None:
        for env in self.envelopes():
            if env.param_index == index:
                return env
        if not create:
            return None
        lo, hi = self.model.param_range(index)
        ident = self.model.param_ident(index)
        ch = _envelope_chunk("PARMENV", [ident, lo, hi, self.model.get_param(index),
                                         f"{self.param_name(index)} / {self.short_name}"], arm=0)
        # REAPER keeps PARMENV chunks before WAK
        pos = len(self.extras)
        for i, n in enumerate(self.extras):
            if isinstance(n, Line) and n.key == "WAK":
                pos = i
                break
        self.extras.insert(pos, ch)
        return Envelope(ch, self.track, self)

    def flush(self) -> None:
        """Write the plugin model's state back into the chunk (only if it changed)."""
        self.model.flush(self.plugin)

    def nodes(self) -> list:
        self.flush()
        return ([self.bypass_line] if self.bypass_line is not None else []) + [self.plugin] + self.extras


class FXChain:
    """The ``<FXCHAIN`` (or ``<MASTERFXLIST``) chunk, parsed into FX groups."""

    def __init__(self, track: Track, chunk: Chunk):
        self.track = track
        self.chunk = chunk
        self.head_nodes: list = []  # WNDRECT, SHOW, LASTSEL, DOCKED ...
        self.fx: list[FX] = []
        pending_bypass: Line | None = None
        current: FX | None = None
        for node in chunk.children:
            if isinstance(node, Line) and node.key == "BYPASS":
                pending_bypass = node
                current = None
            elif isinstance(node, Chunk) and node.tag in PLUGIN_TAGS:
                current = FX(self, pending_bypass, node, [])
                self.fx.append(current)
                pending_bypass = None
            elif current is not None:
                current.extras.append(node)
            elif pending_bypass is not None:
                # lines between BYPASS and the plugin chunk (none known): keep them with the BYPASS
                self.head_nodes.append(node)
            else:
                self.head_nodes.append(node)

    def flush(self) -> None:
        kids: list = list(self.head_nodes)
        for fx in self.fx:
            kids.extend(fx.nodes())
        self.chunk.children = kids


# -------------------------------------------------------------------------------------------
# Items and takes
# -------------------------------------------------------------------------------------------
TAKE_KEYS = ("NAME", "VOLPAN", "TAKEVOLPAN", "SOFFS", "PLAYRATE", "CHANMODE", "GUID", "TAKEFX_NCH",
             "TAKECOLOR", "RECPASS", "TAKE")


class Take:
    """A take: the first take's fields live directly in the ITEM chunk, later ones after a
    ``TAKE`` line (facts 4.3). ``nodes`` are the ITEM children belonging to this take."""

    def __init__(self, item: Item, index: int, nodes: list):
        self.item = item
        self.index = index
        self.nodes = nodes

    def _line(self, key: str) -> Line | None:
        for n in self.nodes:
            if isinstance(n, Line) and n.has_key(key):
                return n
        return None

    def _tok(self, key: str, i: int, default: str | None = None) -> str | None:
        ln = self._line(key)
        if ln is None:
            return default
        t = ln.tokens
        return t[i + 1] if len(t) > i + 1 else default

    def _set(self, key: str, i: int, value: float, fill: list[object]) -> None:
        ln = self._line(key)
        if ln is None:
            ln = Line.from_tokens([key, *fill])
            anchor = self.nodes[0] if self.nodes else None
            kids = self.item.chunk.children
            pos = kids.index(anchor) + 1 if anchor in kids else len(kids)
            kids.insert(pos, ln)
            self.nodes.insert(1, ln)
        t: list[object] = list(ln.tokens)
        while len(t) <= i + 1:
            t.append("0")
        t[i + 1] = fmt_number(value)
        ln.set_tokens(t)

    @property
    def name(self) -> str:
        return self._tok("NAME", 0, "") or ""

    @property
    def guid(self) -> str:
        return self._tok("GUID", 0, "") or ""

    # volume/pan: first take in the item's VOLPAN (fields 2,3), others in TAKEVOLPAN (0,1)
    @property
    def volume(self) -> float:
        if self.index == 0:
            return _f(self._tok("VOLPAN", 2, "1"), 1.0)
        return _f(self._tok("TAKEVOLPAN", 1, "1"), 1.0)

    @volume.setter
    def volume(self, v: float) -> None:
        if self.index == 0:
            self.item.chunk.set("VOLPAN", 2, v, fill=ITEM_VOLPAN)
        else:
            self._set("TAKEVOLPAN", 1, v, [0, 1, -1])

    @property
    def pan(self) -> float:
        if self.index == 0:
            return _f(self._tok("VOLPAN", 1, "0"))
        return _f(self._tok("TAKEVOLPAN", 0, "0"))

    @pan.setter
    def pan(self, v: float) -> None:
        if self.index == 0:
            self.item.chunk.set("VOLPAN", 1, v, fill=ITEM_VOLPAN)
        else:
            self._set("TAKEVOLPAN", 0, v, [0, 1, -1])

    @property
    def start_offset(self) -> float:
        return _f(self._tok("SOFFS", 0, "0"))

    @start_offset.setter
    def start_offset(self, v: float) -> None:
        self._set("SOFFS", 0, v, [0])

    @property
    def playrate(self) -> float:
        return _f(self._tok("PLAYRATE", 0, "1"), 1.0)

    @playrate.setter
    def playrate(self, v: float) -> None:
        self._set("PLAYRATE", 0, v, [1, 1, 0, -1, 0, 0.0025])

    @property
    def chanmode(self) -> int:
        return int(_f(self._tok("CHANMODE", 0, "0")))

    @property
    def source(self) -> Source | None:
        for n in self.nodes:
            if isinstance(n, Chunk) and (n.head == "SOURCE" or n.head.startswith("SOURCE ")):
                return Source(n, self)
        return None


class Source:
    """``<SOURCE TYPE`` chunk; SECTION wrappers hold the real source inside (facts 4.3)."""

    def __init__(self, chunk: Chunk, take: Take):
        self.chunk = chunk
        self.take = take

    @property
    def type(self) -> str:
        a = self.chunk.attrs
        return a[0] if a else ""

    @property
    def root(self) -> Source:
        inner = self.chunk.chunk("SOURCE")
        return Source(inner, self.take).root if inner is not None else self

    @property
    def is_midi(self) -> bool:
        return self.root.type in ("MIDI", "MIDIPOOL")

    @property
    def offline(self) -> bool:
        return self.root.type.startswith("_OFFLINE_")

    @property
    def file(self) -> str:
        return self.root.chunk.get("FILE", 0, "") or ""

    @property
    def section(self) -> tuple[float, float, bool] | None:
        """(start, length, reversed) of a SECTION wrapper, else None."""
        if self.type != "SECTION":
            return None
        return (self.chunk.get_float("STARTPOS"), self.chunk.get_float("LENGTH"),
                self.chunk.get("MODE", 0, "0") in ("2", "3"))


class Item:
    def __init__(self, track: Track, chunk: Chunk):
        self.track = track
        self.chunk = chunk

    @property
    def guid(self) -> str:
        g = self.chunk.get("IGUID")
        if g is None:
            g = new_guid()
            self.chunk.set("IGUID", 0, g)
        return g

    def _num(self, key: str, i: int = 0, default: float = 0.0) -> float:
        return self.chunk.get_float(key, i, default)

    position = property(lambda s: s._num("POSITION"), lambda s, v: s.chunk.set("POSITION", 0, v))
    length = property(lambda s: s._num("LENGTH"), lambda s, v: s.chunk.set("LENGTH", 0, v))
    mute = property(lambda s: s._num("MUTE") != 0, lambda s, v: s.chunk.set("MUTE", 0, int(bool(v)), fill=[0, 0]))
    selected = property(lambda s: s._num("SEL") != 0, lambda s, v: s.chunk.set("SEL", 0, int(bool(v))))
    loop_source = property(lambda s: s._num("LOOP") != 0, lambda s, v: s.chunk.set("LOOP", 0, int(bool(v))))
    # FADEIN <shape> <len> <auto len> <shape> <?> <dir> ... field meanings past len are UNCERTAIN
    fade_in_shape = property(lambda s: int(s._num("FADEIN", 0)))
    fade_in = property(lambda s: s._num("FADEIN", 1), lambda s, v: s.chunk.set("FADEIN", 1, v, fill=FADE))
    fade_in_auto = property(lambda s: s._num("FADEIN", 2))
    fade_in_dir = property(lambda s: s._num("FADEIN", 5))
    fade_out_shape = property(lambda s: int(s._num("FADEOUT", 0)))
    fade_out = property(lambda s: s._num("FADEOUT", 1), lambda s, v: s.chunk.set("FADEOUT", 1, v, fill=FADE))
    fade_out_auto = property(lambda s: s._num("FADEOUT", 2))
    fade_out_dir = property(lambda s: s._num("FADEOUT", 5))

    @property
    def volume(self) -> float:
        return self._num("VOLPAN", 0, 1.0)

    @volume.setter
    def volume(self, v: float) -> None:
        self.chunk.set("VOLPAN", 0, v, fill=ITEM_VOLPAN)

    @property
    def takes(self) -> list[Take]:
        groups: list[list] = [[]]
        for n in self.chunk.children:
            if isinstance(n, Line) and (n.text == "TAKE" or n.text.startswith("TAKE ")):
                groups.append([n])
            else:
                groups[-1].append(n)
        takes = [Take(self, i, g) for i, g in enumerate(groups)]
        if len(takes) == 1 and takes[0].source is None and takes[0]._line("NAME") is None:
            return []  # an empty item
        return takes

    @property
    def active_take_index(self) -> int:
        for i, t in enumerate(self.takes):
            if i > 0 and t.nodes and isinstance(t.nodes[0], Line) and "SEL" in t.nodes[0].tokens[1:]:
                return i
        return 0

    @property
    def active_take(self) -> Take | None:
        takes = self.takes
        return takes[self.active_take_index] if takes else None


class Receive:
    """One send seen from its receiving track: an ``AUXRECV`` line (fields: emulator/uncertain.py
    ``AUXRECV_FIELDS``, from SWS; meanings: the SDK's GetTrackSendInfo_Value)."""

    def __init__(self, dest: Track, line: Line):
        self.dest = dest
        self.line = line

    @staticmethod
    def _field(parm: str) -> int:
        return EU.AUXRECV_FIELDS.index(parm)

    def get(self, parm: str, default: float = 0.0) -> float:
        """A numeric field (``D_PANLAW`` reads ``-1:U`` as -1); a missing or unreadable one is
        ``default``."""
        toks = self.line.tokens
        i = self._field(parm) + 1
        if i >= len(toks):
            return default
        try:
            return float(toks[i].partition(":")[0])
        except ValueError:
            return default

    def set(self, parm: str, value: float) -> None:
        toks: list[object] = list(self.line.tokens)
        i = self._field(parm) + 1
        while len(toks) <= i:
            toks.append(EU.NEW_AUXRECV[len(toks) - 1])
        toks[i] = int(value) if parm[0] in "IB" or parm == "SRC" else float(value)
        self.line.set_tokens(toks)

    @property
    def src_index(self) -> int:
        return int(self.get("SRC", -1))

    @property
    def source(self) -> Track | None:
        tracks = self.dest.project.tracks
        i = self.src_index
        return tracks[i] if 0 <= i < len(tracks) else None

    mode = property(lambda s: int(s.get("I_SENDMODE")))
    volume = property(lambda s: s.get("D_VOL", 1.0))
    pan = property(lambda s: s.get("D_PAN"))
    mute = property(lambda s: s.get("B_MUTE") != 0)
    mono = property(lambda s: s.get("B_MONO") != 0)
    phase = property(lambda s: s.get("B_PHASE") != 0)
    src_chan = property(lambda s: int(s.get("I_SRCCHAN")))
    dst_chan = property(lambda s: int(s.get("I_DSTCHAN")))

    def envelope_chunks(self) -> list[Chunk]:
        """The send's envelopes (``<AUXVOLENV`` ...): the chunks right after its line."""
        kids = self.dest.chunk.children
        out: list[Chunk] = []
        for c in kids[kids.index(self.line) + 1:]:
            if not (isinstance(c, Chunk) and c.tag in SEND_ENVELOPES):
                break
            out.append(c)
        return out


# -------------------------------------------------------------------------------------------
# Tracks
# -------------------------------------------------------------------------------------------
class Track:
    def __init__(self, project: Project, chunk: Chunk):
        self.project = project
        self.chunk = chunk
        self._fxchain: FXChain | None = None

    is_master = False

    @property
    def guid(self) -> str:
        g = self.chunk.get("TRACKID")
        if g is None:
            a = self.chunk.attrs
            g = a[0] if a else new_guid()
            self.chunk.set("TRACKID", 0, g)
        return g

    @property
    def name(self) -> str:
        return self.chunk.get("NAME", 0, "") or ""

    @name.setter
    def name(self, v: str) -> None:
        self.chunk.set("NAME", 0, str(v))

    def _num(self, key: str, i: int = 0, default: float = 0.0) -> float:
        return self.chunk.get_float(key, i, default)

    volume = property(lambda s: s._num("VOLPAN", 0, 1.0), lambda s, v: s.chunk.set("VOLPAN", 0, v, fill=TRACK_VOLPAN))
    pan = property(lambda s: s._num("VOLPAN", 1), lambda s, v: s.chunk.set("VOLPAN", 1, v, fill=TRACK_VOLPAN))
    mute = property(lambda s: s._num("MUTESOLO", 0) != 0, lambda s, v: s.chunk.set("MUTESOLO", 0, int(bool(v)), fill=[0, 0, 0]))
    solo = property(lambda s: int(s._num("MUTESOLO", 1)), lambda s, v: s.chunk.set("MUTESOLO", 1, int(v), fill=[0, 0, 0]))
    phase = property(lambda s: s._num("IPHASE") != 0, lambda s, v: s.chunk.set("IPHASE", 0, int(bool(v))))
    nchan = property(lambda s: int(s._num("NCHAN", 0, 2)), lambda s, v: s.chunk.set("NCHAN", 0, int(v)))
    fx_enabled = property(lambda s: s._num("FX", 0, 1.0) != 0, lambda s, v: s.chunk.set("FX", 0, int(bool(v))))
    # B_MAINSEND: ``MAINSEND <1 sends to parent/master> <channel offset>`` (facts 1.4, 4.2)
    main_send = property(lambda s: s._num("MAINSEND", 0, 1.0) != 0,
                         lambda s, v: s.chunk.set("MAINSEND", 0, int(bool(v)), fill=[1, 0]))
    selected = property(lambda s: s._num("SEL") != 0, lambda s, v: s.chunk.set("SEL", 0, int(bool(v)), after=("NAME", "PEAKCOL", "BEAT", "AUTOMODE", "VOLPAN", "MUTESOLO", "IPHASE", "PLAYOFFS", "ISBUS", "BUSCOMP", "SHOWINMIX", "FREEMODE")))

    @property
    def folder_depth(self) -> int:
        """I_FOLDERDEPTH from ``ISBUS <kind> <indent change>`` (facts 4.2)."""
        return int(self._num("ISBUS", 1))

    @folder_depth.setter
    def folder_depth(self, d: int) -> None:
        d = int(d)
        self.chunk.set("ISBUS", 0, 1 if d > 0 else (2 if d < 0 else 0), fill=[0, 0])
        self.chunk.set("ISBUS", 1, d)

    # P_EXT: stored as an <EXT chunk of "key value" lines. [UNCERTAIN: layout inferred, not seen
    # in a REAPER-written file; see emulator/uncertain.py]
    def get_ext(self, key: str) -> str | None:
        ext = self.chunk.chunk("EXT")
        if ext is None:
            return None
        for ln in ext.lines():
            t = ln.tokens
            if t and t[0] == key:
                return t[1] if len(t) > 1 else ""
        return None

    def set_ext(self, key: str, value: str) -> None:
        ext = self.chunk.chunk("EXT")
        if ext is None and value == "":
            return  # nothing to delete
        if ext is None:
            ext = Chunk.new("EXT")
            self.chunk.children.append(ext)
        for ln in ext.lines():
            if ln.tokens[:1] == [key]:
                if value == "":
                    ext.children.remove(ln)
                    if not ext.children:  # no key left: no EXT block (docs/unverified.md)
                        self.chunk.children.remove(ext)
                else:
                    ln.set_tokens([key, value])
                return
        if value != "":
            ext.children.append(Line.from_tokens([key, value]))

    # items ----------------------------------------------------------------------------------------
    @property
    def items(self) -> list[Item]:
        return [Item(self, c) for c in self.chunk.chunks("ITEM")]

    # fx ---------------------------------------------------------------------------------------
    _fxchain_tag = "FXCHAIN"

    @property
    def fxchain(self) -> FXChain:
        ch = self.chunk.chunk(self._fxchain_tag)
        if self._fxchain is None or self._fxchain.chunk is not ch:
            if ch is None:
                ch = Chunk.new(self._fxchain_tag)
                ch.children = [Line("SHOW 0"), Line("LASTSEL 0"), Line("DOCKED 0")]
                self._insert_fxchain(ch)
            self._fxchain = FXChain(self, ch)
        return self._fxchain

    def has_fxchain(self) -> bool:
        return self.chunk.chunk(self._fxchain_tag) is not None

    def _insert_fxchain(self, ch: Chunk) -> None:
        # REAPER writes FXCHAIN before the items
        kids = self.chunk.children
        pos = next((i for i, c in enumerate(kids) if isinstance(c, Chunk) and c.tag == "ITEM"), len(kids))
        kids.insert(pos, ch)

    @property
    def fx(self) -> list[FX]:
        if not self.has_fxchain():
            return []
        return self.fxchain.fx

    # envelopes --------------------------------------------------------------------------------
    def envelopes(self) -> list[Envelope]:
        envs = [Envelope(c, self) for c in self.chunk.chunks() if c.tag in TRACK_ENVELOPES]
        for fx in self.fx:
            envs.extend(fx.envelopes())
        return envs

    def envelope_by_chunk_name(self, tag: str, *, create: bool = False) -> Envelope | None:
        ch = self.chunk.chunk(tag)
        if ch is None and create:
            ch = _envelope_chunk(tag, [], arm=1)
            if tag in FADER_SCALED_ENVELOPES:
                ch.children.append(Line("VOLTYPE 1"))
            default = {"VOLENV2": 1, "VOLENV": 1, "VOLENV3": 1, "MUTEENV": 1}.get(tag, 0)
            ch.children.append(Line.from_tokens(["PT", 0, default, 0]))
            kids = self.chunk.children
            pos = next((i for i, c in enumerate(kids) if isinstance(c, Chunk) and c.tag in (self._fxchain_tag, "ITEM")), len(kids))
            kids.insert(pos, ch)
        return Envelope(ch, self) if ch is not None else None

    def flush(self) -> None:
        if self._fxchain is not None and self._fxchain.chunk in self.chunk.children:
            self._fxchain.flush()

    # sends and receives ---------------------------------------------------------------------
    def receives(self) -> list[Receive]:
        """Category -1: the sends other tracks make to this one, in AUXRECV order."""
        return [Receive(self, ln) for ln in self.chunk.lines("AUXRECV")]

    def sends(self) -> list[Receive]:
        """Category 0: this track's sends, in the order of emulator/uncertain.py ``SEND_ORDER``."""
        tracks = self.project.tracks
        me = next((i for i, t in enumerate(tracks) if t.chunk is self.chunk), -1)
        return [r for t in tracks for r in t.receives() if r.src_index == me >= 0]

    def hardware_outputs(self) -> list[Line]:
        return list(self.chunk.lines(EU.HWOUT_KEY))


class MasterTrack(Track):
    """The master track: its fields are MASTER_* lines of the project chunk."""

    is_master = True
    _fxchain_tag = "MASTERFXLIST"

    def __init__(self, project: Project):
        super().__init__(project, project.root)

    @property
    def guid(self) -> str:
        return self.chunk.get("MASTERTRACKID", 0, "{00000000-0000-0000-0000-000000000000}") or ""

    @property
    def name(self) -> str:
        return "MASTER"

    @name.setter
    def name(self, v: str) -> None:
        raise ProjectFormatError("the master track has no name of its own to set")

    volume = property(lambda s: s._num("MASTER_VOLUME", 0, 1.0), lambda s, v: s.chunk.set("MASTER_VOLUME", 0, v, fill=TRACK_VOLPAN))
    pan = property(lambda s: s._num("MASTER_VOLUME", 1), lambda s, v: s.chunk.set("MASTER_VOLUME", 1, v, fill=TRACK_VOLPAN))
    mute = property(lambda s: (int(s._num("MASTERMUTESOLO")) & 1) != 0)
    # I_FXEN of the master: ``MASTER_FX <enabled>`` (the engine reads the same line)
    fx_enabled = property(lambda s: s._num("MASTER_FX", 0, 1.0) != 0, lambda s, v: s.chunk.set("MASTER_FX", 0, int(bool(v))))
    nchan = property(lambda s: int(s._num("MASTER_NCH", 0, 2)))
    selected = property(lambda s: s._num("MASTER_SEL") != 0, lambda s, v: s.chunk.set("MASTER_SEL", 0, int(bool(v))))
    folder_depth = property(lambda s: 0)

    @property
    def items(self) -> list[Item]:
        return []

    def receives(self) -> list[Receive]:
        return []  # the master takes what tracks send to it through their master send only

    def sends(self) -> list[Receive]:
        return []

    def envelopes(self) -> list[Envelope]:
        names = {"MASTERVOLENV2": "Volume", "MASTERPANENV2": "Pan", "MASTERVOLENV": "Volume (Pre-FX)"}
        return [Envelope(c, self) for c in self.chunk.chunks() if c.tag in names]

    def _insert_fxchain(self, ch: Chunk) -> None:
        kids = self.chunk.children
        pos = next((i for i, c in enumerate(kids) if isinstance(c, Chunk) and c.tag == "TRACK"), len(kids))
        kids.insert(pos, ch)


# -------------------------------------------------------------------------------------------
# Project
# -------------------------------------------------------------------------------------------
class Project:
    """An emulated REAPER project backed by its RPP chunk tree."""

    def __init__(self, root: Chunk, path: str | None = None):
        if root.tag not in ("REAPER_PROJECT", "FXCHAIN", "TRACK"):
            raise ProjectFormatError(f"not a REAPER project: root chunk is <{root.tag}", line=root.lineno or 1, path=path)
        # A bare <TRACK (track template) or <FXCHAIN (FX chain preset) is opened as a project with
        # one track holding it; saving writes the fragment back as it was.
        self.fragment: Chunk | None = None
        if root.tag != "REAPER_PROJECT":
            self.fragment = root
            track = root if root.tag == "TRACK" else Chunk("TRACK", [root])
            root = Chunk('REAPER_PROJECT 0.1 "7.0/emulator" 0', [track])
        self.root = root
        self.path = path
        self._track_cache: dict[int, Track] = {}
        self._tracks_memo: tuple[list, list, list[Chunk], list[str], tuple[Track, ...]] | None = None
        self._shared_guids: tuple[tuple[Track, ...] | None, frozenset[str]] = (None, frozenset())
        self.master = MasterTrack(self)

    # construction --------------------------------------------------------------------------------
    @classmethod
    def loads(cls, text: str, *, path: str | None = None) -> Project:
        return cls(rpp.parse(text, path=path, numeric_keys=NUMERIC_KEYS), path=path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Project:
        """Read a project. Text is UTF-8; bytes that are not (an old project in a code page) are
        kept as they are and written back unchanged (:func:`rpp.decode`). The file is read and
        parsed a block at a time, so memory holds the tree, not the text besides it."""
        p = Path(path)
        try:
            root = rpp.parse_blocks(rpp.read_blocks(p), path=str(p), numeric_keys=NUMERIC_KEYS)
        except OSError as exc:
            raise ProjectFormatError(f"cannot read project: {exc.strerror}", path=str(p)) from exc
        return cls(root, path=str(p))

    @classmethod
    def new(cls, *, version: str = "7.0/emulator", sample_rate: int = 48000) -> Project:
        text = (f'<REAPER_PROJECT 0.1 "{version}" 0\n  SAMPLERATE {sample_rate} 0 0\n  TEMPO 120 4 4\n'
                "  MASTER_NCH 2 2\n  MASTER_VOLUME 1 0 -1 -1 1\n  MASTER_FX 1\n  MASTER_SEL 0\n>\n")
        return cls.loads(text)

    def dumps(self) -> str:
        for t in [self.master, *self.tracks]:
            t.flush()
        return rpp.dumps(self.fragment if self.fragment is not None else self.root)

    def save(self, path: str | os.PathLike) -> None:
        """Write the project (atomically, :func:`write_atomic`). Saved into another folder, relative
        media paths are made absolute so they still name the same files (REAPER's "Save as"
        without copying media)."""
        new_dir = Path(path).resolve().parent
        if self.path and Path(self.path).resolve().parent != new_dir:
            self._absolutise_media()
        write_atomic(path, rpp.encode(self.dumps()))
        self.path = str(path)

    def duplicate_guids(self) -> list[str]:
        """One sentence per GUID that more than one track (or more than one FX of a track) holds,
        naming them: such a GUID cannot say which of them a change is for."""
        out: list[str] = []
        owners: dict[str, list[str]] = {}
        for i, t in enumerate(self.tracks):
            owners.setdefault(t.guid.upper(), []).append(f"track {i + 1} {t.name!r}")
            fx_owners: dict[str, list[str]] = {}
            for k, fx in enumerate(t.fx):
                fx_owners.setdefault(fx.guid.upper(), []).append(f"FX {k + 1} {fx.name!r}")
            out += [f"track {i + 1} {t.name!r}: {' and '.join(v)} share the FX GUID {g}"
                    for g, v in fx_owners.items() if len(v) > 1]
        out[:0] = [f"{' and '.join(v)} share the track GUID {g}" for g, v in owners.items() if len(v) > 1]
        return out

    # tracks ---------------------------------------------------------------------------------
    @property
    def tracks(self) -> list[Track]:
        """The tracks in order (a new list each time). Found again only when the project's top
        level changed: the same children, and every child chunk with the same head, as at the last
        call (both compared in full on every call)."""
        return list(self._track_tuple())

    def _track_tuple(self) -> tuple[Track, ...]:
        kids = self.root.children
        memo = self._tracks_memo
        if memo is not None and memo[0] is kids and memo[1] == kids and list(map(_HEAD, memo[2])) == memo[3]:
            return memo[4]
        out = []
        for c in self.root.chunks("TRACK"):
            t = self._track_cache.get(id(c))
            if t is None or t.chunk is not c:
                t = Track(self, c)
                self._track_cache[id(c)] = t
            out.append(t)
        chunks = [c for c in kids if isinstance(c, Chunk)]
        self._tracks_memo = (kids, list(kids), chunks, list(map(_HEAD, chunks)), tuple(out))
        return self._tracks_memo[4]

    def add_track(self, index: int, *, name: str = "") -> Track:
        guid = new_guid()
        ch = Chunk.new("TRACK", [guid])
        ch.children = [Line.from_tokens(tokens) for tokens in (
            ["NAME", name], ["PEAKCOL", 16576], ["BEAT", -1], ["AUTOMODE", 0], ["VOLPAN", *TRACK_VOLPAN],
            ["MUTESOLO", 0, 0, 0], ["IPHASE", 0], ["ISBUS", 0, 0], ["BUSCOMP", 0, 0, 0, 0, 0],
            ["SHOWINMIX", 1, 0.6667, 0.5, 1, 0.5, 0, 0, 0], ["SEL", 0], ["REC", 0, 0, 1, 0, 0, 0, 0, 0],
            ["VU", 2], ["TRACKHEIGHT", 0, 0, 0, 0, 0, 0], ["INQ", 0, 0, 0, 0.5, 100, 0, 0, 100],
            ["NCHAN", 2], ["FX", 1], ["TRACKID", guid], ["PERF", 0], ["MIDIOUT", -1], ["MAINSEND", 1, 0])]
        tracks = list(self.root.chunks("TRACK"))
        kids = self.root.children
        if index < len(tracks):
            self._renumber_receives(lambda i: i + 1 if i >= index else i)
            pos = kids.index(tracks[index])
        elif tracks:
            pos = kids.index(tracks[-1]) + 1
        else:
            pos = next((i for i, c in enumerate(kids) if isinstance(c, Chunk) and c.tag == "EXTENSIONS"), len(kids))
        kids.insert(pos, ch)
        return Track(self, ch)

    def delete_track(self, track: Track) -> None:
        """Remove a track; the sends it made go with it (and the indices of later sources shift
        down), as REAPER keeps its routing when a track is deleted."""
        tracks = self.tracks
        gone = next((i for i, t in enumerate(tracks) if t.chunk is track.chunk), None)
        if gone is None:
            return
        for t in tracks:
            for r in t.receives():
                if r.src_index == gone:
                    self.remove_receive(r)
        self.root.children = [c for c in self.root.children if c is not track.chunk]
        self._renumber_receives(lambda i: i - 1 if i > gone else i)

    def _renumber_receives(self, new_index) -> None:
        for t in self.tracks:
            for r in t.receives():
                i = r.src_index
                if new_index(i) != i:
                    r.set("SRC", new_index(i))

    def add_send(self, source: Track, dest: Track) -> Receive:
        """A new send from ``source`` to ``dest`` with REAPER's default fields (emulator/
        uncertain.py ``NEW_AUXRECV``): an AUXRECV line after the receiving track's last one."""
        src = next(i for i, t in enumerate(self.tracks) if t.chunk is source.chunk)
        ln = Line.from_tokens(["AUXRECV", src, *EU.NEW_AUXRECV[1:]])
        last = None
        for r in dest.receives():
            envs = r.envelope_chunks()
            last = envs[-1] if envs else r.line
        kids = dest.chunk.children
        if last is not None:
            kids.insert(kids.index(last) + 1, ln)
        else:
            dest.chunk.insert_line(ln, after=("TRACKID", "PERF"))
        return Receive(dest, ln)

    def remove_receive(self, r: Receive) -> None:
        drop = {id(r.line), *(id(c) for c in r.envelope_chunks())}
        r.dest.chunk.children = [c for c in r.dest.chunk.children if id(c) not in drop]

    def add_item(self, track: Track, *, position: float, length: float, file: str | None = None,
                 source_type: str = "WAVE") -> Item:
        ch = Chunk.new("ITEM")
        lines: list[list[object]] = [["POSITION", position], ["SNAPOFFS", 0], ["LENGTH", length], ["LOOP", 0], ["ALLTAKES", 0],
                 ["FADEIN", *FADE], ["FADEOUT", *FADE], ["MUTE", 0, 0], ["SEL", 0],
                 ["IGUID", new_guid()], ["IID", 1], ["NAME", Path(file).name if file else ""],
                 ["VOLPAN", *ITEM_VOLPAN], ["SOFFS", 0], ["PLAYRATE", 1, 1, 0, -1, 0, 0.0025], ["CHANMODE", 0],
                 ["GUID", new_guid()]]
        ch.children = [Line.from_tokens(tokens) for tokens in lines]
        if file is not None:
            src = Chunk.new("SOURCE", [source_type])
            src.children = [Line.from_tokens(["FILE", file])]
            ch.children.append(src)
        track.chunk.children.append(ch)
        return Item(track, ch)

    def shared_track_guids(self) -> frozenset[str]:
        """The (upper-case) GUIDs more than one track holds; recomputed when the tracks change."""
        tracks = self._track_tuple()
        if self._shared_guids[0] is not tracks:
            seen: set[str] = set()
            shared: set[str] = set()
            for g in (t.guid.upper() for t in tracks):
                (shared if g in seen else seen).add(g)
            self._shared_guids = (tracks, frozenset(shared))
        return self._shared_guids[1]

    def guid_occurrence(self, track: Track) -> int:
        """Which of the tracks holding ``track``'s GUID it is (0 for the first)."""
        g = track.guid.upper()
        same = [t.chunk for t in self.tracks if t.guid.upper() == g]
        return next(i for i, c in enumerate(same) if c is track.chunk)

    def track_by_guid(self, guid: str) -> Track | None:
        g = guid.upper()
        return next((t for t in self.tracks if t.guid.upper() == g), None)

    # project ext state ------------------------------------------------------------------------------
    # Stored as <EXTSTATE with one sub-chunk per section holding "key value" lines.
    # [UNCERTAIN: see emulator/uncertain.py PROJECT_EXTSTATE_CHUNK]
    def _extstate_chunk(self, create: bool) -> Chunk | None:
        from reaper_assist.emulator.uncertain import PROJECT_EXTSTATE_CHUNK

        ch = self.root.chunk(PROJECT_EXTSTATE_CHUNK)
        if ch is None and create:
            ch = Chunk.new(PROJECT_EXTSTATE_CHUNK)
            kids = self.root.children
            pos = next((i for i, c in enumerate(kids) if isinstance(c, Chunk) and c.tag == "TRACK"), len(kids))
            kids.insert(pos, ch)
        return ch

    def get_ext_state(self, section: str, key: str) -> str | None:
        ch = self._extstate_chunk(False)
        if ch is None:
            return None
        for sec in ch.chunks():
            if sec.tag.lower() == section.lower():
                for ln in sec.lines():
                    t = ln.tokens
                    if t and t[0].lower() == key.lower():
                        return t[1] if len(t) > 1 else ""
        return None

    def ext_state_items(self, section: str) -> list[tuple[str, str]]:
        ch = self._extstate_chunk(False)
        if ch is None:
            return []
        for sec in ch.chunks():
            if sec.tag.lower() == section.lower():
                return [(t[0], t[1] if len(t) > 1 else "") for t in (ln.tokens for ln in sec.lines()) if t]
        return []

    def set_ext_state(self, section: str, key: str, value: str) -> None:
        """Set (or, with an empty value, delete) a key, as SetProjExtState does."""
        ch = self._extstate_chunk(value != "")
        if ch is None:
            return
        sec = next((s for s in ch.chunks() if s.tag.lower() == section.lower()), None)
        if sec is None:
            if value == "":
                return
            sec = Chunk.new(section)
            ch.children.append(sec)
        for ln in list(sec.lines()):
            if ln.tokens[:1] and ln.tokens[0].lower() == key.lower():
                if value == "":
                    sec.children.remove(ln)
                else:
                    ln.set_tokens([key, value])
                break
        else:
            if value != "":
                sec.children.append(Line.from_tokens([key, value]))
        if not sec.children:
            ch.children.remove(sec)
        if not ch.children:
            self.root.children.remove(ch)

    # misc -----------------------------------------------------------------------------------
    @property
    def sample_rate(self) -> int:
        return int(self.root.get_float("SAMPLERATE", 0, 44100))

    @property
    def directory(self) -> str:
        return str(Path(self.path).parent) if self.path else os.getcwd()

    def resolve_media(self, file: str) -> str:
        """Absolute path of a source FILE (relative paths are relative to the project folder)."""
        if not file:
            return ""
        p = Path(file.replace("\\", "/")) if not os.path.isabs(file) else Path(file)
        if not p.is_absolute():
            p = Path(self.directory) / p
        return str(p)

    def _absolutise_media(self) -> None:
        for tr in self.tracks:
            for item in tr.items:
                for take in item.takes:
                    src = take.source
                    if src is None:
                        continue
                    root = src.root.chunk
                    f = root.get("FILE")
                    if f and not os.path.isabs(f.replace("\\", "/")):
                        root.set("FILE", 0, self.resolve_media(f))

    def media_problems(self) -> list[MediaProblem]:
        """Every take whose media cannot be read, per item (never raises)."""
        out: list[MediaProblem] = []
        for ti, tr in enumerate(self.tracks):
            for ii, item in enumerate(tr.items):
                take = item.active_take
                src = take.source if take else None
                if src is None:
                    out.append(MediaProblem(tr.name, ii + 1, None, "empty", track_index=ti))
                elif src.is_midi:
                    out.append(MediaProblem(tr.name, ii + 1, None, "midi", track_index=ti))
                elif src.offline:
                    out.append(MediaProblem(tr.name, ii + 1, src.file, "offline", track_index=ti))
                elif src.root.type in AUDIO_SOURCE_TYPES and not os.path.isfile(self.resolve_media(src.file)):
                    out.append(MediaProblem(tr.name, ii + 1, src.file, "missing", track_index=ti))
        return out

    # automation item pools ----------------------------------------------------------------------
    def pooled_envelopes(self) -> list[PooledEnvelope]:
        return [PooledEnvelope(self, c) for c in self.root.chunks("POOLEDENV")]

    def pooled_envelope(self, pool_id: int, *, create: bool = False, length_qn: float = 0.0) -> PooledEnvelope | None:
        """The ``<POOLEDENV`` whose ``ID`` is ``pool_id``; with ``create``, a new empty one at the
        end of the project (where REAPER-format writers put them), ``SRCLEN`` ``length_qn``."""
        for c in self.root.chunks("POOLEDENV"):
            if int(c.get_float("ID", 0, 0)) == int(pool_id):
                return PooledEnvelope(self, c)
        if not create:
            return None
        ch = Chunk.new("POOLEDENV")
        ch.children = [Line.from_tokens(["ID", int(pool_id)]), Line.from_tokens(["SRCLEN", float(length_qn)])]
        self.root.children.append(ch)
        return PooledEnvelope(self, ch)

    @property
    def tempo(self) -> float:
        """The project's tempo in BPM (``TEMPO <bpm> <num> <den>``; 120 when absent or absurd)."""
        bpm = self.root.get_float("TEMPO", 0, 120.0)
        return bpm if 1.0 <= bpm <= 960.0 else 120.0

    def iter_all_envelopes(self) -> Iterator[Envelope]:
        for t in [self.master, *self.tracks]:
            yield from t.envelopes()
