"""Marshalling identical to REAPER's generated ``reaper_python.py`` (facts 1.2), driven by the table
of every function's arguments and return shape (``data/reascript_api.tsv``, a copy of
../shared/reaper/reascript_api.tsv).

Implementations are plain methods that take converted arguments (pointer strings resolved to model
objects or ``None`` for NULL) and return either the C return value, or :class:`Out` when the
function has out-parameters. :func:`make_rpr_function` wraps them so that arity, argument
conversion and the Python return shape are exactly those of the real binding, for every function,
from one place.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from reaper_assist.emulator import uncertain

POINTER_RE = re.compile(r"^\((\w+\*|HWND)\)0x([0-9A-F]+)$")

#: The pointer types ``ValidatePtr`` / ``ValidatePtr2`` check (facts 1.3, ValidatePtr2, PRIMARY S2:
#: "Supported types are: ReaProject*, MediaTrack*, MediaItem*, MediaItem_Take*, TrackEnvelope*
#: and PCM_source*"). What it says for any other type is :data:`uncertain.VALIDATEPTR_UNLISTED_TYPES`.
VALIDATED_TYPES = frozenset({"ReaProject*", "MediaTrack*", "MediaItem*", "MediaItem_Take*",
                             "TrackEnvelope*", "PCM_source*"})


PARSE_CACHE_SIZE = 1 << 14  # distinct pointer strings kept parsed (emptied when full)
PARSE_CACHE_TEXT = 64  # the longest text kept parsed
_UNPARSED = object()


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    n_args: int
    c_return: str  # "void", "bool", "int", "double", "ptr", "const char*"
    arg_kinds: tuple[str, ...]  # e.g. "MediaTrack*", "int", "char* buf (in/out)", "double* (in/out)"
    python_return: str  # as in the table: "int", "pointer MediaTrack*", "tuple(r,p0,str(p1),p2)", ...

    @property
    def return_items(self) -> list[str] | None:
        if not self.python_return.startswith("tuple("):
            return None
        body = re.sub(r"rpr_unpackp\('[^']+',r\)", "r", self.python_return[len("tuple("):-1])
        return [s.strip() for s in body.split(",")]


def load_specs() -> dict[str, FunctionSpec]:
    text = resources.files("reaper_assist.emulator").joinpath("data/reascript_api.tsv").read_text("utf-8")
    specs: dict[str, FunctionSpec] = {}
    for row in csv.DictReader(text.splitlines(), delimiter="\t"):
        kinds = tuple(k.strip() for k in (row["args (in order)"] or "").split(";") if k.strip())
        specs[row["function"]] = FunctionSpec(row["function"], int(row["n_args"]), row["c_return"], kinds,
                                              row["python_return"].strip())
    specs.update(EXTRA_SPECS)
    return specs


# Functions newer than the REAPER 6.x binding the table was made from; shapes follow the binding's
# conventions (facts 1.2) applied to the REAPER 7 SDK signatures.
EXTRA_SPECS: dict[str, FunctionSpec] = {
    "TrackFX_GetParamIdent": FunctionSpec(
        "TrackFX_GetParamIdent", 5, "bool", ("MediaTrack*", "int", "int", "char* buf (in/out)", "int"),
        "tuple(r,p0,p1,p2,str(p3),p4)"),
    # The binding defines RPR_ValidatePtr itself (facts 1.2: it takes a *raw integer* pointer and a
    # type string, and returns the C byte), so the table's row for it lists no argument kinds
    # and a str return; this corrects it.
    "ValidatePtr": FunctionSpec("ValidatePtr", 2, "bool", ("uint64", "const char*"), "bool"),
}


@dataclass
class Out:
    """Return value of an implementation with out-parameters: ``r`` plus {arg index: new value}."""

    r: Any = None
    outs: dict[int, Any] | None = None


class PointerTable:
    """Pointer strings <-> model objects, like REAPER's addresses: stable while the object lives.

    Objects are registered under a stable key (type, identity key such as a GUID), so that an
    address stays valid across an undo that rebuilds the model, as REAPER's MediaTrack* does.

    Pointer arguments are packed as the generated binding packs them (facts 1.2): every wrapper
    calls the ``rpr_packp`` found in :attr:`packing` *at call time* (the ``reaper_python``
    module's dict once :mod:`.pyshim` built it), so replacing that attribute, as reapy does with
    its non-validating version, changes how every function packs, exactly as in REAPER. The stock
    :meth:`stock_packp` turns anything :meth:`validate` rejects into NULL.
    """

    def __init__(self, resolver: Callable[[str, Any], Any], keyer: Callable[[str, Any], Any]):
        self._resolver = resolver  # (type, key) -> live object or None
        self._keyer = keyer  # (type, live object) -> stable key
        self._by_key: dict[tuple[str, Any], int] = {}
        self._by_addr: dict[int, tuple[str, Any]] = {}
        self._next = 0x10A1A000
        self._stock = self.stock_packp
        self.packing: dict[str, Any] = {"rpr_packp": self._stock}
        self._parsed: dict[str, tuple[str, int] | None] = {}

    def address(self, ptype: str, key: Any) -> int:
        k = (ptype, key)
        addr = self._by_key.get(k)
        if addr is None:
            self._next += 0x1A0
            addr = self._next
            self._by_key[k] = addr
            self._by_addr[addr] = k
        return addr

    def to_string(self, ptype: str, obj: Any | None) -> str:
        """Pointer string of a live object (NULL for None)."""
        if obj is None:
            return f"({ptype})0x{0:016X}"
        return f"({ptype})0x{self.address(ptype, self._keyer(ptype, obj)):016X}"

    def resolve_address(self, addr: int, ptype: str | None = None) -> Any:
        entry = self._by_addr.get(addr)
        if entry is None or (ptype is not None and ptype != "void*" and entry[0] != ptype):
            return None
        return self._resolver(entry[0], entry[1])

    def validate(self, addr: int, ptype: str) -> bool:
        """``ValidatePtr(addr, ptype)``: a live object of that type, for the types it checks."""
        if ptype not in VALIDATED_TYPES and not uncertain.VALIDATEPTR_UNLISTED_TYPES:
            return False
        return self.resolve_address(addr, ptype) is not None

    def parse(self, value: Any) -> tuple[str, int] | None:
        """(tag, address) of a pointer string, or None when it is not one. The text alone decides
        it, so each distinct string is parsed once (:data:`PARSE_CACHE_SIZE` kept); whether the
        address is live is checked again on every call (:meth:`_stock_pack`)."""
        text = value if type(value) is str else str(value)
        parsed = self._parsed.get(text, _UNPARSED)
        if parsed is _UNPARSED:
            m = POINTER_RE.match(text)
            parsed = (m.group(1), int(m.group(2), 16) & 0xFFFFFFFFFFFFFFFF) if m is not None else None
            if len(text) <= PARSE_CACHE_TEXT:  # a pointer string is ~30 characters: no big text is kept
                if len(self._parsed) >= PARSE_CACHE_SIZE:
                    self._parsed.clear()
                self._parsed[text] = parsed
        return parsed  # type: ignore[return-value]

    def _stock_pack(self, ptype: str, value: Any) -> tuple[int, Any]:
        """(address, live object) the stock ``rpr_packp`` keeps, or ``(0, None)``."""
        parsed = self.parse(value)
        if parsed is None:
            return 0, None
        t, addr = parsed
        if (t != ptype and ptype != "void*") or (
                ptype not in VALIDATED_TYPES and not uncertain.VALIDATEPTR_UNLISTED_TYPES):
            return 0, None
        obj = self.resolve_address(addr, ptype)  # validated on every call, as ValidatePtr does
        return (addr, obj) if obj is not None else (0, None)

    def stock_packp(self, ptype: str, value: Any) -> int:
        """The generated binding's ``rpr_packp`` (facts 1.2): the address of a pointer string whose
        tag is ``ptype`` (or any tag for ``void*``) and that passes ``ValidatePtr(p, ptype)``;
        anything else is silently 0 (NULL)."""
        return self._stock_pack(ptype, value)[0]

    def resolve(self, ptype: str, value: Any) -> Any:
        """What the C function receives for a pointer argument: the object at the address the
        binding's current ``rpr_packp`` packed, or ``None`` for NULL (or an address that names no
        live object, where REAPER would read freed memory)."""
        packp = self.packing["rpr_packp"]
        if packp == self._stock:  # the same check, resolving the object once
            return self._stock_pack(ptype, value)[1]
        addr = packp(ptype, value)
        return self.resolve_address(int(addr)) if addr else None


def _is_pointer_kind(kind: str) -> bool:
    return kind.endswith("*") and not any(kind.startswith(p) for p in ("char", "const char", "double", "int", "bool"))


def _uint64(value: Any) -> int:
    return int(value) & 0xFFFFFFFFFFFFFFFF


def _c_int(value: Any) -> int:
    v = int(value) & 0xFFFFFFFF  # ctypes c_int wraps
    return v - (1 << 32) if v >= 1 << 31 else v


def _c_bool(value: Any) -> bool:
    return bool(int(value) & 0xFF) if not isinstance(value, str) else bool(value)


def _int_ref(value: Any) -> Any:
    return int(value) if not isinstance(value, str) or value.strip("-").isdigit() else 0


def _same(value: Any) -> Any:
    return value  # GetAudioAccessorSamples' list, an in/out double, a kind the binding passes on


def converter(kind: str, pointers: PointerTable) -> Callable[[Any], Any]:
    """The conversion the binding applies to an argument of ``kind``: chosen once per function
    (:func:`make_rpr_function`), applied on every call. Pointer arguments are packed with the
    binding's current ``rpr_packp`` on every call (:meth:`PointerTable.resolve`)."""
    if kind == "uint64":
        return _uint64
    if kind == "int":
        return _c_int
    if kind == "double":
        return float
    if kind == "bool":
        return _c_bool
    if kind.startswith("const char*") or kind.startswith("char*"):
        return str  # a buffer: its initial content
    if kind.startswith("double*"):
        return _same
    if kind.startswith("int*"):
        return _int_ref
    if kind.startswith("bool*"):
        return bool
    if _is_pointer_kind(kind) or kind == "HWND":
        return functools.partial(pointers.resolve, kind)
    return _same


_CONVERTERS: dict[str, Callable[[Any], Any]] = {"str": str, "int": int, "float": float, "": lambda x: x}


def _return_plan(spec: FunctionSpec) -> list[tuple[str, int]] | None:
    """The tuple return items as ``(converter name, arg index)``; ``("r", -1)`` for the C return.
    Parsed once per function, not per call."""
    items = spec.return_items
    if items is None:
        return None
    plan = []
    for it in items:
        if it == "r":
            plan.append(("r", -1))
            continue
        m = re.fullmatch(r"(str|int|float)?\(?p(\d+)\)?", it)
        if m is None:  # pragma: no cover - the table only holds these forms
            raise RuntimeError(f"unknown return item {it!r} for {spec.name}")
        plan.append((m.group(1) or "", int(m.group(2))))
    return plan


def _return_pointer_type(spec: FunctionSpec) -> str:
    """Pointer type of a ``ptr`` C return, from the table's Python return text."""
    if spec.python_return.startswith("pointer"):
        return spec.python_return.split(" ", 1)[1]
    m = re.search(r"rpr_unpackp\('([^']+)'", spec.python_return)
    return m.group(1) if m else "void*"


def make_rpr_function(spec: FunctionSpec, impl: Callable[..., Any], pointers: PointerTable) -> Callable[..., Any]:
    plan = _return_plan(spec)
    n_args = spec.n_args
    ptype = _return_pointer_type(spec) if spec.c_return == "ptr" else "void*"
    to_python = _return_converter(spec.c_return, ptype, pointers)
    decodes = plan is None and spec.python_return.startswith("str")
    # defined in the binding itself without a C signature (ValidatePtr): raw values
    convs = tuple(converter(k, pointers) for k in spec.arg_kinds) if len(spec.arg_kinds) == n_args else None
    tuple_plan = tuple((_CONVERTERS[c] if c and c != "r" else None, c == "r", i) for c, i in plan or ())

    def rpr(*args: Any) -> Any:
        if len(args) != n_args:
            raise TypeError(f"RPR_{spec.name}() takes {n_args} positional arguments but {len(args)} were given")
        conv = [c(a) for c, a in zip(convs, args)] if convs is not None else list(args)
        res = impl(*conv)
        r, outs = (res.r, res.outs or {}) if isinstance(res, Out) else (res, None)
        r = to_python(r)
        if plan is None:
            if decodes:
                if r is None:  # the binding does r.decode() on NULL
                    raise AttributeError("'NoneType' object has no attribute 'decode'")
                return str(r)
            return r
        out: list[Any] = []
        for to, is_r, idx in tuple_plan:
            if is_r:
                out.append(r)
            elif outs is not None and idx in outs:
                out.append(to(outs[idx]) if to is not None else outs[idx])
            elif to is not None:
                out.append(to(conv[idx]))
            else:
                out.append(args[idx])
        return tuple(out)

    rpr.__name__ = f"RPR_{spec.name}"
    rpr.__qualname__ = rpr.__name__
    rpr.__doc__ = f"{spec.c_return} {spec.name}({'; '.join(spec.arg_kinds)}) -> {spec.python_return}"
    return rpr


def _void(r: Any) -> None:
    return None


def _c_bool_return(r: Any) -> int:
    return 1 if r else 0


def _int_return(r: Any) -> int:
    return int(r or 0)


def _double_return(r: Any) -> float:
    return float(r or 0.0)


def _return_converter(c: str, ptype: str, pointers: PointerTable) -> Callable[[Any], Any]:
    """What the binding makes of the C return value, chosen once per function."""
    if c == "ptr":
        return functools.partial(_pointer_return, ptype, pointers)
    return {"void": _void, "bool": _c_bool_return, "int": _int_return, "double": _double_return}.get(c, _same)


def _pointer_return(ptype: str, pointers: PointerTable, r: Any) -> str:
    if isinstance(r, str) and POINTER_RE.match(r):
        return r
    return pointers.to_string(ptype, r)
