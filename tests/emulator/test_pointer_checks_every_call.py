"""The binding's work done once (argument converters per function, the parse of a pointer string,
a line's tokens, the project's track list) never stands in for what REAPER checks on every call:
a pointer is validated each time it is passed, whatever was cached about its text."""

from __future__ import annotations

import pytest

from reaper_assist.emulator import binding, pyshim
from reaper_assist.emulator.reascript import Reaper
from reaper_assist.emulator.rpp import Chunk, Line
from tests.emulator.helpers import rich_project


@pytest.fixture
def reaper(tmp_path):
    return Reaper(rich_project(tmp_path))


def test_a_pointer_parsed_before_is_null_once_its_object_is_gone(reaper):
    mod = pyshim.build_module(reaper)
    tr = mod.RPR_GetTrack(0, 1)
    item = mod.RPR_GetTrackMediaItem(tr, 0)
    assert mod.RPR_GetMediaItemInfo_Value(item, "D_LENGTH") == 2.0  # parsed and live
    track = reaper.project.tracks[1]
    track.chunk.children = [c for c in track.chunk.children if c is not track.items[0].chunk]
    assert mod.RPR_GetMediaItemInfo_Value(item, "D_LENGTH") == 0.0  # the same text, now NULL
    assert mod.rpr_packp("MediaItem*", item) == 0
    mod.RPR_DeleteTrack(tr)
    assert mod.RPR_GetMediaTrackInfo_Value(tr, "D_VOL") == 0.0


def test_a_pointer_stays_valid_when_its_object_moves_in_the_project(reaper):
    """The position where a chunk was last found is only a first guess: a track inserted before
    it, or an item moved to another track, is still found (MediaItem* survives a move in REAPER)."""
    mod = pyshim.build_module(reaper)
    tr = mod.RPR_GetTrack(0, 1)
    item = mod.RPR_GetTrackMediaItem(tr, 0)
    assert mod.RPR_GetMediaTrackInfo_Value(tr, "IP_TRACKNUMBER") == 2.0
    mod.RPR_InsertTrackAtIndex(0, False)
    assert mod.RPR_GetMediaTrackInfo_Value(tr, "IP_TRACKNUMBER") == 3.0
    other = mod.RPR_GetTrack(0, 0)
    src, dst = reaper.project.tracks[2].chunk, reaper.project.tracks[0].chunk
    moved = next(c for c in src.children if isinstance(c, Chunk) and c.tag == "ITEM")
    src.children.remove(moved)
    dst.children.append(moved)
    assert mod.RPR_GetMediaItemInfo_Value(item, "D_LENGTH") == 2.0
    assert mod.RPR_GetMediaItem_Track(item) == other


def test_a_full_parse_cache_changes_no_answer(reaper, monkeypatch):
    monkeypatch.setattr(binding, "PARSE_CACHE_SIZE", 2)
    mod = pyshim.build_module(reaper)
    tracks = [mod.RPR_GetTrack(0, i) for i in range(2)]
    for _ in range(3):
        names = [mod.RPR_GetTrackName(t, "", 64)[2] for t in tracks]
        assert names == ["Kick", "Bass Guitar"]
        assert mod.RPR_GetTrackName("(MediaTrack*)0xNOTHEX", "", 64)[0] == 0  # not a pointer: NULL
        assert mod.RPR_GetTrackName(tracks[0].lower(), "", 64)[0] == 0
    assert len(reaper.pointers._parsed) <= 2


def test_the_track_list_follows_any_change_of_the_projects_top_level(reaper):
    p = reaper.project
    kids = p.root.children
    first = p.tracks
    assert [t.name for t in first] == ["Kick", "Bass Guitar"]
    first.pop()  # a caller's list is its own
    assert len(p.tracks) == 2
    extra = Chunk.new("TRACK", ["{00000000-0000-0000-0000-000000000001}"])
    extra.children = [Line.from_tokens(["NAME", "Added"])]
    kids.append(extra)  # edited in place, not through add_track
    assert [t.name for t in p.tracks] == ["Kick", "Bass Guitar", "Added"]
    i = kids.index(extra)
    replacement = Chunk.new("TRACK", ["{00000000-0000-0000-0000-000000000002}"])
    replacement.children = [Line.from_tokens(["NAME", "Replaced"])]
    kids[i] = replacement  # same length, another child
    assert [t.name for t in p.tracks] == ["Kick", "Bass Guitar", "Replaced"]
    replacement.head = "NOTATRACK"  # the same child, no longer a TRACK chunk
    assert [t.name for t in p.tracks] == ["Kick", "Bass Guitar"]
    p.root.children = [c for c in kids if c is not replacement]
    assert len(p.tracks) == 2


def test_a_lines_tokens_follow_its_text_and_a_caller_cannot_change_them():
    ln = Line('NAME "a b" 1')
    toks = ln.tokens
    assert toks == ["NAME", "a b", "1"]
    toks.append("x")
    assert ln.tokens == ["NAME", "a b", "1"]
    ln.text = "NAME c 2"
    assert ln.tokens == ["NAME", "c", "2"] and ln.key == "NAME"
    ln.set_tokens(["VOLPAN", 0.5, 0])
    assert ln.tokens == ["VOLPAN", "0.5", "0"] and ln.has_key("VOLPAN") and not ln.has_key("VOL")
    parent = Chunk("ITEM", [Line("VOL 1"), Line("VOLPAN 1 0"), Line("VOLPAN\t2")])
    assert [c.text for c in parent.lines("VOLPAN")] == ["VOLPAN 1 0"]  # a tab is not the key's end
    assert parent.get("VOL") == "1" and parent.line("VOLPAN 1") is None
