"""The write kinds a plan may ask REAPER for, each one small class (runs inside REAPER).

A write arrives as a JSON object ``{"op": <kind>, ...fields}`` (built by
:mod:`reaper_assist.host.realize`). :func:`parse` turns each into an instance of its kind's class,
which checks its own fields; an unknown kind or a bad field is refused before anything is
written. Every kind knows how to

* ``resolve`` the objects it names (track, item, FX by GUID; an FX added earlier in the same plan
  as ``"fx": "@<n>"``, the n-th write's result),
* read the ``current`` value (checked against ``expect``, the value the plan was computed from),
* ``capture`` what it is about to change, ``apply`` itself, and ``revert`` (put back the capture).

FX parameters are addressed by REAPER's parameter name (or ReaEQ band number), never by an assumed
index: a user's default preset may give a fresh ReaEQ another band count, which moves every index
after the first band (issue 10 point 3). Standard library only (this package runs in REAPER).

This module holds what every kind shares (:class:`Write`, field checks, finding tracks, items and FX
by GUID) and the registry; the kinds live by topic in ``writes_<topic>`` modules: values
(:mod:`.writes_values`), FX and ReaEQ bands (:mod:`.writes_fx`), envelope lanes (:mod:`.writes_env`),
FX parameter envelopes (:mod:`.writes_fxenv`), takes, comparison, removal and the reference track.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any, ClassVar

from reaper_assist.bridge.remote import _fx_guids


class ApplyError(Exception):
    """A write cannot be done (the project changed, REAPER refused, a field is wrong)."""


def fx_guid(api, track: str, index: int) -> str:
    """The GUID of FX ``index`` on the track (from the track chunk's FXID lines, as the read does)."""
    guids = _fx_guids(api, track)
    return guids[index] if 0 <= index < len(guids) else ""


#: While :func:`prepare` resolves a batch: (api, master, {GUID: [(index, track)]}) read once, so a
#: batch of N writes costs N + 1 track scans' worth of API calls, not N x N (issue 20: 64 tracks).
_TRACK_INDEX: tuple[Any, Any, dict[str, list[tuple[int, Any]]]] | None = None


def _track_index(api) -> tuple[Any, dict[str, list[tuple[int, Any]]]]:
    if _TRACK_INDEX is not None and _TRACK_INDEX[0] is api:
        return _TRACK_INDEX[1], _TRACK_INDEX[2]
    master = api.GetMasterTrack(0)
    index: dict[str, list[tuple[int, Any]]] = {}
    for i in range(api.CountTracks(0)):
        tr = api.GetTrack(0, i)
        index.setdefault(api.GetSetMediaTrackInfo_String(tr, "GUID", "", False)[3].upper(), []).append((i, tr))
    return master, index


def _track_by_guid(api, guid: str) -> str | None:
    """The one track holding ``guid`` (the master too: GetMasterTrack, it is not among the
    CountTracks tracks); two tracks holding it is refused (either could be meant)."""
    g = guid.upper()
    master, index = _track_index(api)
    if api.GetSetMediaTrackInfo_String(master, "GUID", "", False)[3].upper() == g:
        return master
    found = index.get(g, [])
    if len(found) > 1:
        names = " and ".join(f"track {i + 1} {api.GetTrackName(tr, '', 2048)[2]!r}" for i, tr in found)
        raise ApplyError(f"{names} share the track GUID {guid}, so a change for one could land on the other: "
                         "nothing changed (give one of them a new GUID, e.g. re-create it with Duplicate tracks)")
    return found[0][1] if found else None


def _item_by_guid(api, track: str, guid: str) -> str | None:
    g = guid.upper()
    for k in range(api.CountTrackMediaItems(track)):
        it = api.GetTrackMediaItem(track, k)
        if api.GetSetMediaItemInfo_String(it, "GUID", "", False)[3].upper() == g:
            return it
    return None


def fx_by_guid(api, track: str, guid: str) -> int:
    """The index of the one FX holding ``guid`` on ``track``; two holding it is refused."""
    g = str(guid).upper()
    found = [k for k, fg in enumerate(_fx_guids(api, track)) if fg and fg.upper() == g]
    if len(found) > 1:
        names = " and ".join(f"FX {k + 1} {api.TrackFX_GetFXName(track, k, '', 2048)[3]!r}" for k in found)
        raise ApplyError(f"track {api.GetTrackName(track, '', 2048)[2]!r}: {names} share the FX GUID {guid}: "
                         "nothing changed")
    return found[0] if found else -1


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == x and abs(x) != float("inf")


_NUMBER = "number"
_TEXT = "text"
_INT = "int"
_FX = "fx"  # an FX GUID or "@<n>"
_POINTS = "points"


def _is_points(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(p, list) and len(p) == 3 and _is_number(p[0]) and _is_number(p[1]) and isinstance(p[2], int)
        for p in value)


_CHECKS = {
    _NUMBER: _is_number,
    _TEXT: lambda v: isinstance(v, str),
    _INT: lambda v: isinstance(v, int) and not isinstance(v, bool),
    _FX: lambda v: isinstance(v, str) and bool(v),
    _POINTS: _is_points,
}
INFO_KEY = re.compile(r"[BCDIP]_[A-Z0-9_]+")  # Get/SetMedia*Info_Value keys (facts 1.4)


def _check_field(kind: str, name: str, value: Any, want: str) -> None:
    if not _CHECKS[want](value):
        raise ApplyError(f"write {kind!r}: field {name!r} must be a {want}, got {value!r}")


class Write:
    """One write kind. Subclasses set ``kind``, their ``required``/``optional`` fields and the
    four operations; ``target`` says which handles :meth:`resolve` must find."""

    kind: ClassVar[str] = ""
    required: ClassVar[dict[str, str]] = {}
    optional: ClassVar[dict[str, str]] = {}
    target: ClassVar[str] = "track"  # "project", "track", "item", "fx"

    def __init__(self, op: dict[str, Any]):
        allowed = {"op", "expect", "track", "track_name", *self.required, *self.optional}
        allowed |= {"item"} if self.target == "item" else {"fx"} if self.target == "fx" else set()
        extra = set(op) - allowed
        if extra:
            raise ApplyError(f"write {self.kind!r}: unknown field(s) {', '.join(sorted(extra))}")
        need = dict(self.required)
        if self.target != "project":
            need["track"] = _TEXT
        if self.target == "item":
            need["item"] = _TEXT
        if self.target == "fx":
            need["fx"] = _FX
        for name, want in need.items():
            if name not in op:
                raise ApplyError(f"write {self.kind!r}: field {name!r} is missing")
            _check_field(self.kind, name, op[name], want)
        for name, want in self.optional.items():
            if op.get(name) is not None:
                _check_field(self.kind, name, op[name], want)
        if op.get("expect") is not None and not _is_number(op["expect"]):
            raise ApplyError(f"write {self.kind!r}: field 'expect' must be a number, got {op['expect']!r}")
        self.op = op

    # -- naming -------------------------------------------------------------------------------
    @property
    def where(self) -> str:
        return repr(self.op.get("track_name") or self.op.get("track") or "the project")

    @property
    def fx_ref(self) -> int | None:
        """n for ``"fx": "@n"`` (an FX added by the n-th write of this plan), else None."""
        fx = self.op.get("fx")
        if isinstance(fx, str) and fx.startswith("@"):
            try:
                return int(fx[1:])
            except ValueError:
                raise ApplyError(f"write {self.kind!r}: bad FX reference {fx!r}") from None
        return None

    # -- resolve ------------------------------------------------------------------------------
    def resolve(self, api) -> dict[str, Any]:
        """Handles of everything the write names that exists before the plan runs."""
        h: dict[str, Any] = {}
        if self.target == "project":
            return h
        tr = _track_by_guid(api, self.op["track"])
        if tr is None:
            raise ApplyError(f"track {self.where} no longer exists")
        h["track"] = tr
        if self.target == "item":
            it = _item_by_guid(api, tr, self.op["item"])
            if it is None:
                raise ApplyError(f"an item of track {self.where} no longer exists")
            h["item"] = it
        if self.target == "fx" and self.fx_ref is None:
            k = fx_by_guid(api, tr, self.op["fx"])
            if k < 0:
                raise ApplyError(f"an FX on track {self.where} no longer exists")
            h["fx"] = k
        return h

    def bind(self, api, h: dict[str, Any], results: list[Any]) -> dict[str, Any]:
        """The handles at apply time: an ``@n`` FX reference becomes the FX the n-th write added."""
        n = self.fx_ref
        if n is None:
            return h
        if not 0 <= n < len(results):
            raise ApplyError(f"write {self.kind!r} refers to write {n}, which has not run")
        k = fx_by_guid(api, h["track"], str(results[n]))
        if k < 0:
            raise ApplyError(f"the FX added on track {self.where} is gone")
        return {**h, "fx": k}

    # -- the four operations (subclasses) -----------------------------------------------------
    def current(self, api, h: dict[str, Any]) -> Any:
        return None

    def capture(self, api, h: dict[str, Any]) -> Any:
        return self.current(api, h)

    def apply(self, api, h: dict[str, Any]) -> Any:
        raise NotImplementedError

    def revert(self, api, h: dict[str, Any], old: Any, result: Any) -> None:
        if old is not None:
            self.with_value(old).apply(api, h)

    def with_value(self, value: Any) -> Write:
        return type(self)({**self.op, "value": value})

    def check_expect(self, api, h: dict[str, Any]) -> None:
        if self.op.get("expect") is None:
            return
        cur = self.current(api, h)
        exp = float(self.op["expect"])
        if cur is None or abs(float(cur) - exp) > 1e-9 * max(1.0, abs(exp)):
            raise ApplyError(f"{self.op.get('track_name', 'a track')!r} changed since it was analysed "
                             f"({self.describe()}: expected {self.op['expect']}, now {cur})")

    def describe(self) -> str:
        """The write in a message: its kind and what it writes."""
        what = self.op.get("parm", self.op.get("name", self.op.get("param", self.op.get("key", ""))))
        return f"{self.kind} {what}".strip()


KINDS: dict[str, type[Write]] = {}  # every write kind by name; each writes_<topic> module adds its own


def register(*classes: type[Write]) -> None:
    """Add the write kinds of a ``writes_<topic>`` module (each calls this when imported)."""
    KINDS.update({cls.kind: cls for cls in classes})


def parse(ops: Any) -> list[Write]:
    """Each JSON write as an instance of its kind; raises :class:`ApplyError` for anything else."""
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise ApplyError("a plan is a list of write objects")
    out = []
    for i, op in enumerate(ops):
        cls = KINDS.get(op.get("op"))  # type: ignore[arg-type]
        if cls is None:
            raise ApplyError(f"write {i}: unknown kind {op.get('op')!r} (known: {', '.join(sorted(KINDS))})")
        w = cls(op)
        n = w.fx_ref
        if n is not None and not (0 <= n < i and ops[n].get("op") == "add_fx"):
            raise ApplyError(f"write {i}: 'fx': '@{n}' must name an earlier add_fx write")
        out.append(w)
    return out


@contextlib.contextmanager
def tracks_held(api):
    """Within it, :func:`_track_by_guid` looks tracks up in one index built on entry: for work
    that resolves many GUIDs and adds, deletes or moves no track meanwhile."""
    global _TRACK_INDEX
    master, index = _track_index(api)
    _TRACK_INDEX = (api, master, index)
    try:
        yield
    finally:
        _TRACK_INDEX = None


def prepare(api, ops: Any) -> tuple[list[Write], list[dict[str, Any]]]:
    """Parse, resolve every GUID and check every ``expect`` against the live project; raises
    :class:`ApplyError` (nothing written yet) when the project changed since analysis."""
    writes = parse(ops)
    handles = []
    with tracks_held(api):  # nothing is written while resolving: the tracks stay put
        for w in writes:
            h = w.resolve(api)
            if w.fx_ref is None:
                w.check_expect(api, h)
            handles.append(h)
    return writes, handles


# the kinds, each topic in its own module (imported here so that every bridge knows all of them)
from reaper_assist.bridge import writes_values, writes_fx, writes_env  # noqa: E402, F401, I001
from reaper_assist.bridge import writes_compare, writes_remove, writes_reference  # noqa: E402, F401
from reaper_assist.bridge import writes_fxenv, writes_take  # noqa: E402, F401
