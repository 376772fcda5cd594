"""Switching and labelling takes, with REAPER's calls (reascript_api.tsv): ``SetActiveTake``, a
take's ``P_NAME`` set, an item's ``P_EXT:`` strings, ``SetItemStateChunk``, ``UpdateItemInProject`` (creating takes and
sources is :mod:`.media_create`). What REAPER does and the emulator copies (docs/unverified.md):
``SetActiveTake`` marks the take ``TAKE SEL`` (the first take is active when no line says SEL).
"""

from __future__ import annotations

from typing import Any

from reaper_assist.emulator.binding import Out
from reaper_assist.emulator import rpp
from reaper_assist.emulator.rpp import Chunk, Line


def chunk_ext(chunk: Chunk, key: str) -> str | None:
    """``P_EXT:key`` of an item or track chunk (an ``<EXT`` chunk of "key value" lines)."""
    ext = chunk.chunk("EXT")
    if ext is None:
        return None
    for ln in ext.lines():
        if ln.tokens[:1] == [key]:
            return ln.tokens[1] if len(ln.tokens) > 1 else ""
    return None


def set_chunk_ext(chunk: Chunk, key: str, value: str) -> None:
    ext = chunk.chunk("EXT")
    if ext is None:
        ext = Chunk.new("EXT")
        chunk.children.append(ext)
    for ln in ext.lines():
        if ln.tokens[:1] == [key]:
            if value == "":
                ext.children.remove(ln)
                if not ext.children:  # no key left: no EXT block, as for a track (docs/unverified.md)
                    chunk.children.remove(ext)
            else:
                ln.set_tokens([key, value])
            return
    if value != "":
        ext.children.append(Line.from_tokens([key, value]))


class TakeOps:
    """The mixin of :class:`reaper_assist.emulator.reascript.Reaper` for these calls."""

    project: Any

    def SetActiveTake(self, take):
        if take is None:
            return None
        for t in take.item.takes[1:]:
            head = t.nodes[0]
            head.set_tokens(["TAKE", "SEL"] if t.index == take.index else ["TAKE"])
        return None

    def SetItemStateChunk(self, item, chunk_text, isundo):
        """reascripthelp: "SetItemStateChunk(MediaItem* item, const char* str, bool isundo)": the
        item's whole state from an ``<ITEM`` chunk. The item stays the same object (its pointer is
        still valid), as REAPER keeps the MediaItem*."""
        if item is None:
            return False
        try:
            new = rpp.parse(chunk_text)
        except Exception:
            return False
        if new.tag != "ITEM":
            return False
        item.chunk.head, item.chunk.children = new.head, new.children
        return True

    def UpdateItemInProject(self, item):
        return None  # REAPER redraws the item; the model has nothing to update

    def take_name_set(self, take, value: str) -> None:
        ln = take._line("NAME")
        if ln is None:
            kids = take.item.chunk.children
            ln = Line.from_tokens(["NAME", value])
            head = take.nodes[0] if take.nodes else None
            kids.insert(kids.index(head) + 1 if head in kids else len(kids), ln)
            take.nodes.insert(1, ln)
        ln.set_tokens(["NAME", value])

    def item_string(self, item, parm: str, value: str, set_: bool) -> Out | None:
        """An item's ``P_EXT:`` string, or None for another key."""
        if not parm.startswith("P_EXT:"):
            return None
        key = parm[len("P_EXT:"):]
        if set_:
            set_chunk_ext(item.chunk, key, value)
            return Out(True, {2: value})
        v = chunk_ext(item.chunk, key)
        return Out(v is not None, {2: v or ""})
