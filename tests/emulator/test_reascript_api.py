"""Behaviour of the emulated ReaScript API against facts.md, with concrete values."""

from __future__ import annotations

import pytest

from reaper_assist.emulator.project import Project
from reaper_assist.emulator.reascript import Reaper
from tests.conftest import RPP_DIR
from tests.emulator.helpers import reaper_for

NULL = "0x0000000000000000"


@pytest.fixture
def api(tmp_path):
    r = reaper_for(tmp_path)
    return r, r.rpr_functions()


def fixture_api(name):
    r = Reaper(Project.load(RPP_DIR / name))
    return r, r.rpr_functions()


def test_tracks_names_and_selection(api):
    r, f = api
    assert f["RPR_CountTracks"](0) == 2
    tr0, tr1 = f["RPR_GetTrack"](0, 0), f["RPR_GetTrack"](0, 1)
    assert tr0.startswith("(MediaTrack*)0x") and len(tr0) == len("(MediaTrack*)0x") + 16
    assert f["RPR_GetTrack"](0, 2).endswith(NULL)
    assert f["RPR_GetTrackName"](tr1, "", 512) == (1, tr1, "Bass Guitar", 512)
    assert f["RPR_CountSelectedTracks"](0) == 1
    assert f["RPR_GetSelectedTrack"](0, 0) == tr0
    f["RPR_SetOnlyTrackSelected"](tr1)
    assert f["RPR_GetSelectedTrack"](0, 0) == tr1 and f["RPR_CountSelectedTracks"](0) == 1
    master = f["RPR_GetMasterTrack"](0)
    assert f["RPR_GetTrackName"](master, "", 64)[2] == "MASTER"
    assert f["RPR_GetMediaTrackInfo_Value"](master, "IP_TRACKNUMBER") == -1.0
    assert f["RPR_GetMediaTrackInfo_Value"](tr1, "IP_TRACKNUMBER") == 2.0


def test_unnamed_track_reads_track_n(api):
    r, f = api
    f["RPR_InsertTrackAtIndex"](2, True)
    tr = f["RPR_GetTrack"](0, 2)
    assert f["RPR_GetTrackName"](tr, "", 64)[2] == "Track 3"
    assert f["RPR_GetSetMediaTrackInfo_String"](tr, "P_NAME", "", False)[3] == ""


def test_track_values_write_through_to_the_saved_project(api, tmp_path):
    r, f = api
    tr = f["RPR_GetTrack"](0, 0)
    assert f["RPR_SetMediaTrackInfo_Value"](tr, "D_VOL", 0.5) == 1
    assert f["RPR_GetMediaTrackInfo_Value"](tr, "D_VOL") == 0.5
    f["RPR_GetSetMediaTrackInfo_String"](tr, "P_EXT:reaper_assist_tag", '{"a": 1}', True)
    f["RPR_Main_SaveProjectEx"](0, str(tmp_path / "out.rpp"), 0)
    again = Project.load(tmp_path / "out.rpp")
    assert again.tracks[0].volume == 0.5
    assert again.tracks[0].get_ext("reaper_assist_tag") == '{"a": 1}'


def test_bool_returns_are_ints_and_wrong_pointer_types_are_null(api):
    r, f = api
    tr = f["RPR_GetTrack"](0, 0)
    item = f["RPR_GetTrackMediaItem"](tr, 0)
    ok = f["RPR_SetMediaTrackInfo_Value"](tr, "D_PAN", 0.25)
    assert ok == 1 and type(ok) is int
    # an item pointer where a track is expected is NULL, as in the binding (facts 1.2)
    assert f["RPR_GetTrackName"](item, "", 64) == (0, item, "", 64)
    assert f["RPR_GetMediaTrackInfo_Value"]("garbage", "D_VOL") == 0.0
    assert f["RPR_CountTrackMediaItems"]("(MediaTrack*)0x00000000DEADBEEF") == 0


def test_deleted_track_pointer_becomes_invalid(api):
    r, f = api
    tr = f["RPR_GetTrack"](0, 1)
    addr = int(tr.split("0x")[1], 16)
    assert f["RPR_ValidatePtr"](addr, "MediaTrack*") == 1
    # the stock binding packs ValidatePtr2's void* argument through ValidatePtr(p, "void*"), which
    # checks no such type (emulator uncertain.VALIDATEPTR_UNLISTED_TYPES): NULL, so 0 even while live
    assert f["RPR_ValidatePtr2"](0, tr, "MediaTrack*") == 0
    f["RPR_DeleteTrack"](tr)
    assert f["RPR_CountTracks"](0) == 1
    assert f["RPR_ValidatePtr"](addr, "MediaTrack*") == 0
    assert f["RPR_GetMediaTrackInfo_Value"](tr, "D_VOL") == 0.0  # stale pointer: NULL


def test_items_takes_and_sources(api, tmp_path):
    r, f = api
    tr = f["RPR_GetTrack"](0, 0)
    item = f["RPR_GetTrackMediaItem"](tr, 0)
    assert f["RPR_GetMediaItemInfo_Value"](item, "D_POSITION") == 1.0
    assert f["RPR_GetMediaItemInfo_Value"](item, "D_LENGTH") == 1.5
    take = f["RPR_GetActiveTake"](item)
    src = f["RPR_GetMediaItemTake_Source"](take)
    assert f["RPR_GetMediaSourceFileName"](src, "", 4096) == (src, str(tmp_path / "kick.wav"), 4096)
    assert f["RPR_GetMediaSourceSampleRate"](src) == 48000
    assert f["RPR_GetMediaSourceNumChannels"](src) == 2
    length, _, isqn = f["RPR_GetMediaSourceLength"](src, 0)
    assert length == pytest.approx(2.0) and isqn == 0
    assert f["RPR_SetMediaItemTakeInfo_Value"](take, "D_VOL", -0.5) == 1  # negative = polarity flipped
    assert f["RPR_GetMediaItemTakeInfo_Value"](take, "D_VOL") == -0.5
    f["RPR_SetMediaItemInfo_Value"](item, "D_FADEINLEN", 0.25)
    assert f["RPR_GetMediaItemInfo_Value"](item, "D_FADEINLEN") == 0.25


def test_fixture_items_multi_take_and_midi():
    r, f = fixture_api("griffinsauce_with-external-files.rpp")
    tr = f["RPR_GetTrack"](0, 1)
    item = f["RPR_GetTrackMediaItem"](tr, 0)
    take = f["RPR_GetActiveTake"](item)
    src = f["RPR_GetMediaItemTake_Source"](take)
    assert f["RPR_GetMediaSourceType"](src, "", 64)[1] == "MIDI"
    assert f["RPR_GetMediaSourceFileName"](src, "", 64)[1] == ""  # in-project MIDI has no file
    assert f["RPR_GetMediaSourceSampleRate"](src) == 0
    # the values of the file's first item on its second track, read independently of the model
    text = (RPP_DIR / "griffinsauce_with-external-files.rpp").read_text()
    second_track = text.split("<TRACK")[2]
    first_item = second_track.split("<ITEM")[1]
    pos = float(first_item.split("POSITION ")[1].split()[0])
    soffs = float(first_item.split("SOFFS ")[1].split()[0])
    assert f["RPR_GetMediaItemInfo_Value"](item, "D_POSITION") == pos
    assert f["RPR_GetMediaItemTakeInfo_Value"](take, "D_STARTOFFS") == soffs


def test_missing_media_is_reported_per_item_not_fatal():
    p = Project.load(RPP_DIR / "exvertus_test_track.rpp")
    problems = p.media_problems()
    assert len(problems) == 101
    assert all(pr.reason in ("missing", "midi", "offline", "empty") for pr in problems)
    first = problems[0]
    assert f"track {first.track_index + 1}" in str(first) and first.track_name in str(first)


def test_project_ext_state(api):
    r, f = api
    assert f["RPR_GetProjExtState"](0, "reaper_assist", "last_run", "", 4096)[4] == '{"status": "ok"}'
    assert f["RPR_SetProjExtState"](0, "reaper_assist", "other", "x y") == 1
    assert f["RPR_EnumProjExtState"](0, "reaper_assist", 1, "", 64, "", 64)[4:7:2] == ("other", "x y")
    assert f["RPR_GetProjExtState"](0, "nope", "k", "", 64) == (0, 0, "nope", "k", "", 64)
    f["RPR_SetProjExtState"](0, "reaper_assist", "", "")  # empty key clears the section
    assert f["RPR_GetProjExtState"](0, "reaper_assist", "last_run", "", 64)[0] == 0


def test_global_ext_state_persists_to_the_resource_folder(tmp_path):
    r = reaper_for(tmp_path)
    f = r.rpr_functions()
    f["RPR_SetExtState"]("reaper_assist", "token", "abc", True)
    f["RPR_SetExtState"]("reaper_assist", "volatile", "1", False)
    assert f["RPR_HasExtState"]("reaper_assist", "token") == 1
    again = Reaper(Project.new(), resource_path=str(tmp_path)).rpr_functions()
    assert again["RPR_GetExtState"]("reaper_assist", "token") == "abc"
    assert again["RPR_GetExtState"]("reaper_assist", "volatile") == ""
    assert again["RPR_HasExtState"]("reaper_assist", "volatile") == 0


def test_null_const_char_returns_raise_attribute_error(api):
    r, f = api
    with pytest.raises(AttributeError):
        f["RPR_Undo_CanUndo2"](0)
    with pytest.raises(AttributeError):
        f["RPR_ReverseNamedCommandLookup"](40296)  # native action: NULL (facts 1.3)


def test_track_state_chunk_round_trip(api):
    r, f = api
    tr = f["RPR_GetTrack"](0, 0)
    ok, _, chunk, _, _ = f["RPR_GetTrackStateChunk"](tr, "", 1 << 20, False)
    assert ok == 1 and chunk.startswith("<TRACK") and "NAME Kick" in chunk
    assert f["RPR_SetTrackStateChunk"](tr, chunk.replace("NAME Kick", "NAME Kik"), False) == 1
    assert f["RPR_GetTrackName"](tr, "", 64)[2] == "Kik"
    assert f["RPR_SetTrackStateChunk"](tr, "<TRACK\n  NAME x\n", False) == 0  # corrupt: refused


def test_app_and_resource_path(tmp_path):
    r = Reaper(Project.new(), resource_path=str(tmp_path))
    f = r.rpr_functions()
    assert f["RPR_GetResourcePath"]() == str(tmp_path)
    assert "/" in f["RPR_GetAppVersion"]()


def test_a_takes_pan_is_set_as_reaper_accepts_it(tmp_path):
    """facts 1.4 lists D_PAN among the take keys SetMediaItemTakeInfo_Value writes; the first take
    keeps it in the item's VOLPAN line (field 2), a later one in its TAKEVOLPAN line (field 1)."""
    r = reaper_for(tmp_path)
    f = r.rpr_functions()
    item = f["RPR_GetTrackMediaItem"](f["RPR_GetTrack"](0, 0), 0)
    take = f["RPR_GetActiveTake"](item)
    # volumes that are not the defaults (the first take's polarity flipped), so a pan write that
    # reset or moved one of them shows
    assert f["RPR_SetMediaItemInfo_Value"](item, "D_VOL", 0.8) == 1
    assert f["RPR_SetMediaItemTakeInfo_Value"](take, "D_VOL", -0.5) == 1
    assert f["RPR_SetMediaItemTakeInfo_Value"](take, "D_PAN", -0.5) == 1
    assert f["RPR_GetMediaItemTakeInfo_Value"](take, "D_PAN") == -0.5
    assert f["RPR_GetMediaItemTakeInfo_Value"](take, "D_VOL") == -0.5  # the take volume beside it unchanged
    assert f["RPR_GetMediaItemInfo_Value"](item, "D_VOL") == 0.8  # and the item's, in the same line
    assert f["RPR_SetMediaItemTakeInfo_Value"](take, "D_PAN", 3.0) == 1
    assert f["RPR_GetMediaItemTakeInfo_Value"](take, "D_PAN") == 1.0  # to the documented -1..1
    second = f["RPR_AddTakeToMediaItem"](item)
    assert f["RPR_SetMediaItemTakeInfo_Value"](second, "D_VOL", 0.25) == 1
    assert f["RPR_SetMediaItemTakeInfo_Value"](second, "D_PAN", 0.75) == 1
    assert f["RPR_GetMediaItemTakeInfo_Value"](second, "D_PAN") == 0.75
    assert f["RPR_GetMediaItemTakeInfo_Value"](second, "D_VOL") == 0.25
    assert f["RPR_GetMediaItemTakeInfo_Value"](take, "D_PAN") == 1.0
    assert f["RPR_GetMediaItemTakeInfo_Value"](take, "D_VOL") == -0.5
    r.project.save(tmp_path / "panned.rpp")
    saved = Project.load(tmp_path / "panned.rpp").tracks[0].items[0]
    assert saved.chunk.line("VOLPAN").tokens[1:4] == ["0.8", "1", "-0.5"]  # item volume, take pan, take volume
    assert (saved.takes[0].volume, saved.takes[0].pan) == (-0.5, 1.0)
    assert (saved.takes[1].volume, saved.takes[1].pan) == (0.25, 0.75)
