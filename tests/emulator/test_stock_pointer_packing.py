"""Pointer arguments pass through REAPER's stock binding exactly as its generated rpr_packp does
(facts 1.2): the string must match, its tag must equal the parameter's type (or the parameter is
void*), and it must pass ValidatePtr, which checks only the types the SDK lists (facts 1.3); anything
else is NULL. reapy replaces rpr_packp with a version without ValidatePtr, and the emulator's
functions must pack with whichever rpr_packp the reaper_python module holds at call time."""

from __future__ import annotations

import re

import pytest

from reaper_assist.emulator import pyshim
from reaper_assist.emulator.reascript import Reaper
from tests.emulator.helpers import rich_project


def reapy_style_packp(t, v):
    """What reapy puts in place of rpr_packp (facts 1.2): the same parse, no ValidatePtr."""
    m = re.match(r"^\((\w+\*|HWND)\)0x([0-9A-F]+)$", str(v))
    if m is not None and (m.group(1) == t or t == "void*"):
        return int(m.group(2), 16)
    return 0


@pytest.fixture
def reaper(tmp_path):
    return Reaper(rich_project(tmp_path))


def test_a_fx_guid_pointer_reaches_guidtostring_as_null_through_the_stock_binding(reaper):
    f = reaper.rpr_functions()
    tr = f["RPR_GetTrack"](0, 0)
    g = f["RPR_TrackFX_GetFXGUID"](tr, 0)
    assert g.startswith("(GUID*)0x") and not g.endswith("0" * 16)  # a real pointer comes back
    assert f["RPR_guidToString"](g, "") == (g, "")  # ...but guidToString gets NULL and writes nothing


def test_with_reapys_packing_the_same_pointer_reads_the_guid(reaper):
    mod = pyshim.build_module(reaper)
    tr = mod.RPR_GetTrack(0, 0)
    g = mod.RPR_TrackFX_GetFXGUID(tr, 0)
    assert mod.RPR_guidToString(g, "")[1] == ""
    mod.rpr_packp = reapy_style_packp  # what importing reapy.reascript_api does inside REAPER
    want = reaper.project.tracks[0].fx[0].guid
    assert re.fullmatch(r"\{[0-9A-F-]{36}\}", want)
    assert mod.RPR_guidToString(g, "")[1] == want


def test_stock_packp_keeps_only_live_pointers_of_the_right_type(reaper):
    mod = pyshim.build_module(reaper)
    tr = mod.RPR_GetTrack(0, 0)
    item = mod.RPR_GetTrackMediaItem(tr, 0)
    addr = int(tr[-16:], 16)
    assert mod.rpr_packp("MediaTrack*", tr) == addr
    assert mod.rpr_packp("void*", tr) == 0  # ValidatePtr(p, "void*") checks no such type
    assert mod.rpr_packp("MediaItem*", tr) == 0  # wrong tag
    assert mod.rpr_packp("MediaTrack*", tr.lower()) == 0  # hex must be upper case
    assert mod.rpr_packp("MediaTrack*", "(MediaTrack*)0x00000000DEADBEEF") == 0  # no object there
    assert mod.RPR_GetMediaItemInfo_Value(item, "D_POSITION") == 1.0
    assert mod.RPR_GetMediaItemInfo_Value(tr, "D_POSITION") == 0.0  # a track where an item is due
    mod.RPR_DeleteTrack(tr)
    assert mod.rpr_packp("MediaTrack*", tr) == 0  # stale
    assert mod.RPR_GetMediaTrackInfo_Value(tr, "D_VOL") == 0.0
