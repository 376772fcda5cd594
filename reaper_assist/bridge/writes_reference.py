"""Write kinds for tracks reaper-assist adds (runs inside REAPER; registered in
:data:`reaper_assist.bridge.writes.KINDS`): a new track of ours holding one item that plays a
file (the A/B reference), and the removal of such a track.

A track we add carries ``P_EXT:reaper_assist_track`` = the action that owns it (notes/contracts:
ownership of the tool's work); its item's take is named ``RA <action>``. Only a track carrying
that mark with the same owner is ever deleted. The file is only read by REAPER, never written.
"""

from __future__ import annotations

from reaper_assist.bridge.remote import NULL_SUFFIX, OWNER_KEY
from reaper_assist.bridge.writes import _INT, _NUMBER, _TEXT, ApplyError, Write, _track_by_guid, register


def _null(handle) -> bool:
    return handle is None or str(handle).endswith(NULL_SUFFIX)


class InsertTaggedTrack(Write):
    """A new last track ``name`` (owner ``owner``) at linear volume ``volume``, with one item
    from 0 s, ``length`` s long, whose one take plays ``file``. ``audition`` 0: the track is
    muted (the A/B reference at rest); 1: unmuted and soloed (a trial render hears only it)."""

    kind = "insert_tagged_track"
    target = "project"
    required = {"owner": _TEXT, "name": _TEXT, "file": _TEXT, "length": _NUMBER, "volume": _NUMBER,
                "take_name": _TEXT, "audition": _INT}

    def __init__(self, op):
        super().__init__(op)
        if not op["owner"] or not op["file"] or not 0 < float(op["length"]) <= 86400 or float(op["volume"]) < 0:
            raise ApplyError(f"write {self.kind!r}: needs an owner, a file, a length in (0, 86400] s, a volume >= 0")

    def apply(self, api, h):
        idx = int(api.CountTracks(0))
        api.InsertTrackAtIndex(idx, False)
        tr = api.GetTrack(0, idx)
        if _null(tr):
            raise ApplyError(f"REAPER did not insert the track {self.op['name']!r}")
        guid = api.GetSetMediaTrackInfo_String(tr, "GUID", "", False)[3]
        api.GetSetMediaTrackInfo_String(tr, "P_NAME", self.op["name"], True)
        api.GetSetMediaTrackInfo_String(tr, OWNER_KEY, self.op["owner"], True)
        api.SetMediaTrackInfo_Value(tr, "D_VOL", float(self.op["volume"]))
        audition = bool(self.op["audition"])
        api.SetMediaTrackInfo_Value(tr, "B_MUTE", 0.0 if audition else 1.0)
        api.SetMediaTrackInfo_Value(tr, "I_SOLO", 1.0 if audition else 0.0)
        item = api.AddMediaItemToTrack(tr)
        if _null(item):
            raise ApplyError(f"REAPER did not add an item to the track {self.op['name']!r}")
        api.SetMediaItemInfo_Value(item, "D_POSITION", 0.0)
        api.SetMediaItemInfo_Value(item, "D_LENGTH", float(self.op["length"]))
        take = api.AddTakeToMediaItem(item)
        src = api.PCM_Source_CreateFromFile(self.op["file"])
        if _null(take) or _null(src) or not api.SetMediaItemTake_Source(take, src):
            raise ApplyError(f"REAPER could not make a take of {self.op['file']!r} on {self.op['name']!r}")
        api.GetSetMediaItemTakeInfo_String(take, "P_NAME", self.op["take_name"], True)
        return guid

    def revert(self, api, h, old, result):
        tr = _track_by_guid(api, str(result)) if result else None
        if tr is not None:
            api.DeleteTrack(tr)

    def describe(self) -> str:
        return f"{self.kind} {self.op['name']}"


class DeleteTaggedTrack(Write):
    """Delete the track if it is ours: its ``P_EXT:reaper_assist_track`` is ``owner``."""

    kind = "delete_tagged_track"
    required = {"owner": _TEXT}

    def resolve(self, api):
        h = super().resolve(api)
        mark = api.GetSetMediaTrackInfo_String(h["track"], OWNER_KEY, "", False)[3]
        if not self.op["owner"] or mark != self.op["owner"]:
            raise ApplyError(f"track {self.where} is not reaper-assist's {self.op['owner']} track: never deleted")
        return h

    def apply(self, api, h):
        api.DeleteTrack(h["track"])
        return True

    def revert(self, api, h, old, result):
        return None  # the undo block's abort puts a deleted track back


register(InsertTaggedTrack, DeleteTaggedTrack)
