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
        self.packing: dict[str, Any] = {"rpr_packp": self.stock_packp}

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

    def _stock_pack(self, ptype: str, value: Any) -> tuple[int, Any]:
        """(address, live object) the stock ``rpr_packp`` keeps, or ``(0, None)``."""
        m = POINTER_RE.match(str(value))
        if m is None:
            return 0, None
        t, hexpart = m.groups()
        if (t != ptype and ptype != "void*") or (
                ptype not in VALIDATED_TYPES and not uncertain.VALIDATEPTR_UNLISTED_TYPES):
            return 0, None
        addr = int(hexpart, 16) & 0xFFFFFFFFFFFFFFFF
        obj = self.resolve_address(addr, ptype)
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
        if packp == self.stock_packp:  # the same check, resolving the object once
            return self._stock_pack(ptype, value)[1]
        addr = packp(ptype, value)
        return self.resolve_address(int(addr)) if addr else None


def _is_pointer_kind(kind: str) -> bool:
    return kind.endswith("*") and not any(kind.startswith(p) for p in ("char", "const char", "double", "int", "bool"))


def _convert_in(kind: str, value: Any, pointers: PointerTable) -> Any:
    if kind == "uint64":
        return int(value) & 0xFFFFFFFFFFFFFFFF
    if kind in ("int",):
        v = int(value) & 0xFFFFFFFF  # ctypes c_int wraps
        return v - (1 << 32) if v >= 1 << 31 else v
    if kind == "double":
        return float(value)
    if kind == "bool":
        return bool(int(value) & 0xFF) if not isinstance(value, str) else bool(value)
    if kind.startswith("const char*"):
        return str(value)
    if kind.startswith("char*"):
        return str(value)  # buffer: its initial content
    if kind.startswith("double*"):
        return value  # GetAudioAccessorSamples' list, or an in/out double
    if kind.startswith("int*"):
        return int(value) if not isinstance(value, str) or value.strip("-").isdigit() else 0
    if kind.startswith("bool*"):
        return bool(value)
    if _is_pointer_kind(kind) or kind == "HWND":
        return pointers.resolve(kind, value)
    return value


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
    ret = spec.python_return
    ptype = _return_pointer_type(spec) if spec.c_return == "ptr" else "void*"

    def rpr(*args: Any) -> Any:
        if len(args) != spec.n_args:
            raise TypeError(f"RPR_{spec.name}() takes {spec.n_args} positional arguments but {len(args)} were given")
        if len(spec.arg_kinds) == spec.n_args:
            conv = [_convert_in(k, a, pointers) for k, a in zip(spec.arg_kinds, args)]
        else:  # defined in the binding itself without a C signature (ValidatePtr): raw values
            conv = list(args)
        res = impl(*conv)
        r, outs = (res.r, res.outs or {}) if isinstance(res, Out) else (res, {})
        r = _convert_return(spec.c_return, ptype, r, pointers)
        if plan is None:
            if ret.startswith("str"):
                if r is None:  # the binding does r.decode() on NULL
                    raise AttributeError("'NoneType' object has no attribute 'decode'")
                return str(r)
            return r
        out: list[Any] = []
        for conv_name, idx in plan:
            if conv_name == "r":
                out.append(r)
            elif idx in outs:
                out.append(_CONVERTERS[conv_name](outs[idx]))
            elif conv_name:
                out.append(_CONVERTERS[conv_name](conv[idx]))
            else:
                out.append(args[idx])
        return tuple(out)

    rpr.__name__ = f"RPR_{spec.name}"
    rpr.__qualname__ = rpr.__name__
    rpr.__doc__ = f"{spec.c_return} {spec.name}({'; '.join(spec.arg_kinds)}) -> {spec.python_return}"
    return rpr


def _convert_return(c: str, ptype: str, r: Any, pointers: PointerTable) -> Any:
    if c == "void":
        return None
    if c == "bool":
        return 1 if r else 0
    if c == "int":
        return int(r or 0)
    if c == "double":
        return float(r or 0.0)
    if c == "ptr":
        if isinstance(r, str) and POINTER_RE.match(r):
            return r
        return pointers.to_string(ptype, r)
    return r
