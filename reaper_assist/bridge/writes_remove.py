"""The write kinds of ``remove`` (runs inside REAPER, standard library only): delete one of our
tagged FX, one of our envelope lanes, or a track the tool added. Each checks, inside REAPER, that
what it deletes is listed as the tool's (the track's ``P_EXT`` tags), so a plan can never delete a
user's FX, lane or track, whatever it says.

FX and lanes are found by GUID when the write runs (an earlier delete in the same plan moves the
indices). A lane goes through the track's state chunk: its ``<...ENV`` block with our ``EGUID`` is
cut out and the chunk set back (REAPER has no call that deletes a track envelope; docs/unverified.md).
"""

from __future__ import annotations

import json

from reaper_assist.bridge.remote import CHUNK_BUF, TAG_KEY
from reaper_assist.bridge.remote import OWNER_KEY as TRACK_OWNER_KEY
from reaper_assist.bridge.remote import _tags as tags_of
from reaper_assist.bridge import writes
from reaper_assist.bridge.writes import _TEXT, ApplyError, Write, fx_by_guid
from reaper_assist.bridge.writes_env import env_tags


def _ours(api, track: str) -> dict[str, str]:
    return tags_of(api.GetSetMediaTrackInfo_String(track, TAG_KEY, "", False)[3])


class OurFxDelete(Write):
    """Delete our tagged FX ``fx_guid`` (its index found when the write runs) and take it off the
    track's list of our FX."""

    kind = "our_fx_delete"
    required = {"fx_guid": _TEXT}

    def resolve(self, api):
        h = super().resolve(api)
        g = self.op["fx_guid"].upper()
        if g not in _ours(api, h["track"]):
            raise ApplyError(f"track {self.where}: FX {g} is not tagged as reaper-assist's; it is never deleted")
        if fx_by_guid(api, h["track"], g) < 0:
            raise ApplyError(f"track {self.where}: our FX {g} no longer exists")
        return h

    def apply(self, api, h):
        k = fx_by_guid(api, h["track"], self.op["fx_guid"])
        if k < 0:
            raise ApplyError(f"track {self.where}: our FX {self.op['fx_guid']} is gone")
        api.TrackFX_Delete(h["track"], k)
        tags = _ours(api, h["track"])  # the FX is not ours any more: off the track's list too
        tags.pop(self.op["fx_guid"].upper(), None)
        api.GetSetMediaTrackInfo_String(h["track"], TAG_KEY, json.dumps(tags, sort_keys=True) if tags else "", True)
        return True

    def capture(self, api, h):
        return api.GetSetMediaTrackInfo_String(h["track"], TAG_KEY, "", False)[3]

    def revert(self, api, h, old, result):
        api.GetSetMediaTrackInfo_String(h["track"], TAG_KEY, old or "", True)  # the abort's undo brings the FX


def cut_envelope_block(chunk: str, guid: str) -> str | None:
    """The track chunk without its top-level envelope block whose ``EGUID`` is ``guid`` (None if
    there is none). Blocks inside FX (parameter envelopes) are not top-level and never cut."""
    lines = chunk.split("\n")
    depth, start, g = 0, -1, guid.upper()
    for i, ln in enumerate(lines):
        s = ln.strip()
        if s.startswith("<"):
            depth += 1
            if depth == 2:  # a block directly in the track: only envelopes carry an EGUID line
                start = i
        elif s == ">":
            if depth == 2 and start >= 0:
                block = lines[start:i + 1]
                if any(b.strip().upper() == f"EGUID {g}" for b in block):
                    return "\n".join(lines[:start] + lines[i + 1:])
                start = -1
            depth -= 1
    return None


class LaneDelete(Write):
    """Delete the track envelope lane ``lane_guid`` that the track's env tags list as ours."""

    kind = "lane_delete"
    required = {"lane_guid": _TEXT}

    def _chunk(self, api, h) -> str:
        r = api.GetTrackStateChunk(h["track"], "", CHUNK_BUF, False)
        if not r[0]:
            raise ApplyError(f"track {self.where}: REAPER did not give its state chunk")
        return str(r[2])

    def resolve(self, api):
        h = super().resolve(api)
        g = self.op["lane_guid"].upper()
        if not any(str(v.get("guid", "")).upper() == g for v in env_tags(api, h["track"]).values()
                   if isinstance(v, dict)):
            raise ApplyError(f"track {self.where}: lane {g} is not listed as reaper-assist's; it is never deleted")
        if cut_envelope_block(self._chunk(api, h), g) is None:
            raise ApplyError(f"track {self.where}: our lane {g} no longer exists")
        return h

    def capture(self, api, h):
        return self._chunk(api, h)

    def apply(self, api, h):
        new = cut_envelope_block(self._chunk(api, h), self.op["lane_guid"])
        if new is None or not api.SetTrackStateChunk(h["track"], new, False):
            raise ApplyError(f"track {self.where}: REAPER did not take the chunk without our lane")
        return True

    def revert(self, api, h, old, result):
        if old:
            api.SetTrackStateChunk(h["track"], old, False)


EMPTY_CHAIN_LINES = ("SHOW", "LASTSEL", "DOCKED")  # what REAPER writes in an FX chain nobody opened


def cut_empty_fxchain(chunk: str) -> str | None:
    """The track chunk without its ``<FXCHAIN`` block when that holds no FX and nothing but
    SHOW/LASTSEL/DOCKED (a chain the user opened has a WNDRECT line and stays); else None."""
    lines = chunk.split("\n")
    depth, start = 0, -1
    for i, ln in enumerate(lines):
        s = ln.strip()
        if s.startswith("<"):
            depth += 1
            if depth == 2 and s.split(" ", 1)[0] == "<FXCHAIN":
                start = i
            elif start >= 0:
                return None  # an FX (or anything else) inside the chain
        elif s == ">":
            if depth == 2 and start >= 0:
                return "\n".join(lines[:start] + lines[i + 1:])
            depth -= 1
        elif start >= 0 and s and s.split(" ", 1)[0] not in EMPTY_CHAIN_LINES:
            return None
    return None


class FxChainDropEmpty(Write):
    """Drop the track's FX chain block once the last FX (ours) is gone and nothing of the user's is
    in it, so the track's chunk is as it was before the tool added its first FX."""

    kind = "fxchain_drop_empty"

    def capture(self, api, h):
        r = api.GetTrackStateChunk(h["track"], "", CHUNK_BUF, False)
        return str(r[2]) if r[0] else None

    def apply(self, api, h):
        old = self.capture(api, h)
        if int(api.TrackFX_GetCount(h["track"])) != 0 or old is None:
            return False
        new = cut_empty_fxchain(old)
        return bool(new is not None and api.SetTrackStateChunk(h["track"], new, False))

    def revert(self, api, h, old, result):
        if result and old:
            api.SetTrackStateChunk(h["track"], old, False)


class TrackDelete(Write):
    """Delete a track the tool added (its ``P_EXT:reaper_assist_track`` names the action)."""

    kind = "track_delete"

    def resolve(self, api):
        h = super().resolve(api)
        if not api.GetSetMediaTrackInfo_String(h["track"], TRACK_OWNER_KEY, "", False)[3]:
            raise ApplyError(f"track {self.where} was not added by reaper-assist; it is never deleted")
        return h

    def apply(self, api, h):
        api.DeleteTrack(h["track"])
        return True

    def revert(self, api, h, old, result):
        return None  # the undo block's abort brings the track back


KINDS: dict[str, type[Write]] = {cls.kind: cls for cls in (OurFxDelete, LaneDelete, FxChainDropEmpty, TrackDelete)}
writes.KINDS.update(KINDS)
