"""Creating items, takes and sources through the API, as REAPER does (part of the emulated
``Reaper``): ``AddMediaItemToTrack`` (an empty item at 0 s, length 0, no take),
``AddTakeToMediaItem`` (an empty take, which becomes active when it is the first),
``PCM_Source_CreateFromFile`` (a source not yet owned by a take; its type from the file name:
REAPER picks the decoder by the file, facts 1.3/4.3) and ``SetMediaItemTake_Source`` (the take
owns the source from then on). reascripthelp: "AddMediaItemToTrack: creates a new media item",
"AddTakeToMediaItem: creates a new take in an item", "PCM_Source_CreateFromFile: see
PCM_Source_CreateFromFileEx", "SetMediaItemTake_Source: Set media source of media item take.
The old source will not be destroyed".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reaper_assist.emulator.project import FADE, ITEM_VOLPAN, Item, Source, Take, new_guid
from reaper_assist.emulator.rpp import Chunk, Line

SOURCE_TYPES = {".wav": "WAVE", ".w64": "WAVE", ".flac": "FLAC", ".mp3": "MP3", ".ogg": "VORBIS",
                ".opus": "OPUS", ".aif": "WAVE", ".aiff": "WAVE"}


class MediaCreation:
    """Mixin of :class:`reaper_assist.emulator.reascript.Reaper`."""

    project: Any
    free_sources: dict[int, Source]

    def AddMediaItemToTrack(self, track):
        if track is None or track.is_master:
            return None
        ch = Chunk.new("ITEM")
        lines = [["POSITION", 0], ["SNAPOFFS", 0], ["LENGTH", 0], ["LOOP", 1], ["ALLTAKES", 0],
                 ["FADEIN", *FADE], ["FADEOUT", *FADE], ["MUTE", 0, 0], ["SEL", 0], ["IGUID", new_guid()], ["IID", 1]]
        ch.children = [Line.from_tokens(t) for t in lines]
        track.chunk.children.append(ch)
        return Item(track, ch)

    def AddTakeToMediaItem(self, item):
        if item is None:
            return None
        lines = [["NAME", ""], ["VOLPAN", *ITEM_VOLPAN], ["SOFFS", 0], ["PLAYRATE", 1, 1, 0, -1, 0, 0.0025],
                 ["CHANMODE", 0], ["GUID", new_guid()]]
        if item.takes:
            lines.insert(0, ["TAKE"])
        item.chunk.children.extend(Line.from_tokens(t) for t in lines)
        return item.takes[-1]

    def PCM_Source_CreateFromFile(self, filename):
        if not filename:
            return None
        ch = Chunk.new("SOURCE", [SOURCE_TYPES.get(Path(str(filename)).suffix.lower(), "WAVE")])
        ch.children = [Line.from_tokens(["FILE", str(filename)])]
        src = Source(ch, None)  # type: ignore[arg-type]  # no take owns it yet
        self.free_sources[id(ch)] = src
        return src

    def SetMediaItemTake_Source(self, take: Take, source: Source):
        if take is None or source is None:
            return False
        kids = take.item.chunk.children
        old = take.source
        # the take object may be a cached view (a pointer resolved earlier): keep its nodes in step
        if old is not None:
            kids[kids.index(old.chunk)] = source.chunk
            take.nodes[take.nodes.index(old.chunk)] = source.chunk
        else:
            last = take.nodes[-1] if take.nodes else None
            at = kids.index(last) + 1 if last in kids else len(kids)
            kids.insert(at, source.chunk)
            take.nodes.append(source.chunk)
        self.free_sources.pop(id(source.chunk), None)
        return True
