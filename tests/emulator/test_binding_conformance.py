"""Every implemented RPR_* function has the arity and Python return shape of REAPER's generated
binding, as listed in tests/data/reaper/reascript_api.tsv (its own copy, see ORIGIN.md)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from tests.emulator.helpers import reaper_for

TSV = Path(__file__).parent.parent / "data" / "reaper" / "reascript_api.tsv"
POINTER = re.compile(r"^\((\w+\*|HWND)\)0x[0-9A-F]{16}$")
# Functions that would block or need input in REAPER, or that the table documents specially.
NOT_CALLED = {"Main_OnCommand", "Main_OnCommandEx"}


def _table() -> dict[str, dict]:
    with TSV.open(encoding="utf-8") as fh:
        return {row["function"]: row for row in csv.DictReader(fh, delimiter="\t")}


TABLE = _table()


@pytest.fixture(scope="module")
def saved_project(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("conf")
    r = reaper_for(tmp)
    return tmp, r.project.path


def _implemented(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("impl")
    return reaper_for(tmp).implemented()


IMPLEMENTED = sorted(n for n in reaper_for(Path(__import__("tempfile").mkdtemp())).implemented())


def test_a_substantial_part_of_the_api_is_implemented():
    assert len(IMPLEMENTED) >= 120
    for name in ("GetTrackName", "TrackFX_AddByName", "GetProjExtState", "SetProjExtState", "Undo_DoUndo2",
                 "Main_SaveProjectEx", "NamedCommandLookup", "Main_OnCommand", "TrackFX_GetNamedConfigParm",
                 "InsertEnvelopePoint", "Envelope_Evaluate", "GetMediaSourceFileName", "EnumProjects"):
        assert name in IMPLEMENTED


def test_every_implemented_function_is_in_the_table_or_documented_as_newer():
    from reaper_assist.emulator.binding import EXTRA_SPECS

    missing = [n for n in IMPLEMENTED if n not in TABLE and n not in EXTRA_SPECS]
    assert missing == []


def _dummy(kind: str, ptrs: dict[str, str]):
    kind = kind.strip()
    if kind in ptrs:
        return ptrs[kind]
    if kind == "void*":
        return ptrs["MediaTrack*"]
    if kind.endswith("*") and not kind.startswith(("char", "const char", "double", "int", "bool")):
        return f"({kind})0x0000000000000000"
    if kind == "HWND":
        return "(HWND)0x0000000000000000"
    if kind.startswith("const char*"):
        return "Volume"
    if kind.startswith("char*"):
        return ""
    if kind == "double" or kind.startswith("double*"):
        return 0.0
    return 0


def _pointers(r) -> dict[str, str]:
    f = r.rpr_functions()
    tr = f["RPR_GetTrack"](0, 0)
    item = f["RPR_GetTrackMediaItem"](tr, 0)
    take = f["RPR_GetActiveTake"](item)
    return {
        "ReaProject*": f["RPR_EnumProjects"](-1, "", 512)[0],
        "MediaTrack*": tr, "MediaItem*": item, "MediaItem_Take*": take,
        "PCM_source*": f["RPR_GetMediaItemTake_Source"](take),
        "TrackEnvelope*": f["RPR_GetTrackEnvelopeByChunkName"](tr, "<VOLENV2"),
    }


@pytest.mark.parametrize("name", IMPLEMENTED)
def test_arity_and_return_shape(name, saved_project, monkeypatch):
    from reaper_assist.emulator.project import Project
    from reaper_assist.emulator.reascript import Reaper

    tmp, path = saved_project
    monkeypatch.chdir(tmp)  # functions given file names (Main_SaveProjectEx "Volume") write here
    r = Reaper(Project.load(path), resource_path=str(tmp))
    fn = r.rpr_functions()[f"RPR_{name}"]
    row = TABLE.get(name)
    if row is None:  # newer than the table: use the shape documented next to the binding
        from reaper_assist.emulator.binding import EXTRA_SPECS

        spec = EXTRA_SPECS[name]
        row = {"n_args": spec.n_args, "args (in order)": "; ".join(spec.arg_kinds),
               "python_return": spec.python_return, "c_return": spec.c_return}
    n = int(row["n_args"])
    with pytest.raises(TypeError):
        fn(*([0] * (n + 1)))
    if name in NOT_CALLED:
        return
    kinds = [k for k in (row["args (in order)"] or "").split(";") if k.strip()]
    if len(kinds) != n:  # e.g. ValidatePtr, defined in the binding itself: tested by value elsewhere
        return
    args = [_dummy(k, _pointers(r)) for k in kinds]
    ret = row["python_return"].strip()
    try:
        result = fn(*args)
    except AttributeError:
        assert ret.startswith("str"), f"{name} raised AttributeError but returns {ret}"
        return
    if ret.startswith("tuple("):
        body = re.sub(r"rpr_unpackp\('[^']+',r\)", "r", ret[6:-1])
        items = [s.strip() for s in body.split(",")]
        assert isinstance(result, tuple) and len(result) == len(items), (result, ret)
        for item, value in zip(items, result):
            m = re.fullmatch(r"p(\d+)", item)
            if m:  # in-arguments come back as passed
                assert value == args[int(m.group(1))]
            elif item.startswith("str("):
                assert isinstance(value, str)
            elif item.startswith("int("):
                assert isinstance(value, int)
            elif item.startswith("float("):
                assert isinstance(value, float)
        if items[0] == "r" and row["c_return"] == "bool":
            assert result[0] in (0, 1) and type(result[0]) is int
    elif ret.startswith("pointer"):
        ptype = ret.split(" ", 1)[1]
        assert isinstance(result, str) and POINTER.match(result) and result.startswith(f"({ptype})")
    elif ret == "int":
        assert type(result) is int
    elif ret == "double":
        assert type(result) is float
    elif ret == "bool":
        assert type(result) is int and result in (0, 1)  # a C byte, not a Python bool (facts 1.2)
    elif ret == "None":
        assert result is None
    elif ret.startswith("str"):
        assert isinstance(result, str)
