"""The write kinds of ``remove`` (runs inside REAPER, standard library only): delete one of our
tagged FX, one of our envelope lanes, one of our takes, or a track the tool added. Each checks, inside REAPER, that
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
from reaper_assist.bridge.writes_take import (TAKE_TAG_KEY, parse_take_restore, restore_take_values, take_tags,
                                              takes_by_guid)


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


def _item_nodes(lines: list[str]) -> list[tuple[str, int, int]]:
    """The ITEM's children: (key, first line, line after the last) of each line, or of each block
    from its ``<KEY`` line to its ``>``."""
    nodes: list[tuple[str, int, int]] = []
    depth, key, start = 0, "", 0
    for i, ln in enumerate(lines):
        s = ln.strip()
        if depth == 0:
            depth = 1 if s.startswith("<") else 0  # the ITEM's own line
        elif depth == 1:
            if s == ">":
                depth = 0
            elif s.startswith("<"):
                key, start, depth = s.split(" ", 1)[0], i, 2
            else:
                nodes.append((s.split(" ", 1)[0], i, i + 1))
        else:
            depth += 1 if s.startswith("<") else -1 if s == ">" else 0
            if depth == 1:
                nodes.append((key, start, i + 1))
    return nodes


def cut_take_block(chunk: str, take_guid: str) -> str | None:
    """The item chunk without the take whose ``GUID`` is ``take_guid``, leaving any ``<EXT`` block
    (the item's P_EXT strings) where it is; None if there is no such take or it is the only one.

    A later take is its ``TAKE`` line and what follows up to the next ``TAKE`` line or the item's
    end. The first take has no ``TAKE`` line: its lines are the item's own from its ``NAME`` to the
    first ``TAKE`` line (but ``VOLPAN``, which holds the item's volume too: fields item volume,
    take pan, take volume, pan law); the second take's lines take their place, its ``TAKEVOLPAN``
    (pan, volume, pan law) going into ``VOLPAN`` (facts 4.3, as emulator/project.py reads takes)."""
    lines = chunk.split("\n")
    takes: list[list[tuple[str, int, int]]] = [[]]
    for node in _item_nodes(lines):
        if node[0] == "TAKE":
            takes.append([node])
        else:
            takes[-1].append(node)
    want = f"GUID {take_guid.upper()}"
    k = next((i for i, g in enumerate(takes) if any(n[0] == "GUID" and lines[n[1]].strip().upper() == want
                                                     for n in g)), None)
    if k is None or len(takes) < 2:
        return None
    if k > 0:
        cut = {i for n in takes[k] if n[0] != "<EXT" for i in range(n[1], n[2])}
        return "\n".join(ln for i, ln in enumerate(lines) if i not in cut)
    head, second = takes[0], takes[1]
    j = next((i for i, n in enumerate(head) if n[0] in ("NAME", "SOFFS", "PLAYRATE", "CHANMODE", "GUID", "<SOURCE")),
             len(head))
    old_vp = next((lines[n[1]].split()[1:] for n in head if n[0] == "VOLPAN"), [])
    tvp = next((lines[n[1]].split()[1:] for n in second if n[0] == "TAKEVOLPAN"), [])
    pan, vol, law = (tvp + ["0", "1", "-1"][len(tvp):])[:3]
    indent = lines[second[0][1]][: len(lines[second[0][1]]) - len(lines[second[0][1]].lstrip())]
    volpan = f"{indent}VOLPAN {old_vp[0] if old_vp else '1'} {pan} {vol} {law}"
    body = [n for n in second[1:] if n[0] not in ("TAKEVOLPAN", "VOLPAN", "<EXT")]
    new: list[str] = []
    for idx, n in enumerate(body):
        new += lines[n[1]:n[2]]
        if idx == 0 and n[0] == "NAME":  # REAPER writes VOLPAN after the take's NAME
            new.append(volpan)
    if not body or body[0][0] != "NAME":
        new.insert(0, volpan)
    kept = [ln for n in head[j:] + second if n[0] == "<EXT" for ln in lines[n[1]:n[2]]]
    at = head[j][1] if j < len(head) else second[0][1]
    return "\n".join(lines[:at] + new + kept + lines[second[-1][2]:])


class OurTakeDelete(Write):
    """Delete the take ``take_guid`` that the item's ``P_EXT:reaper_assist_take`` lists as ours,
    through the item's state chunk (``GetItemStateChunk`` / ``SetItemStateChunk``: REAPER has no
    call that deletes one take), and take it off that list. When ours was the active take, the
    user's ``original_take`` is made active again and ``restore`` (JSON ``[[info key, value, [the
    values reaper-assist left it at]]]``) puts the take values back on it where it holds one of those.
    The user's takes are never cut (the list is checked inside REAPER); the rendered file stays."""

    kind = "our_take_delete"
    target = "item"
    required = {"take_guid": _TEXT}
    optional = {"original_take": _TEXT, "restore": _TEXT}

    def resolve(self, api):
        h = super().resolve(api)
        g = self.op["take_guid"].upper()
        if g not in {str(k).upper() for k in take_tags(api, h["item"])}:
            raise ApplyError(f"an item of track {self.where}: take {g} is not listed as reaper-assist's; it is "
                             "never deleted")
        parse_take_restore(self.kind, self.op.get("restore"))
        return h

    def capture(self, api, h):
        r = api.GetItemStateChunk(h["item"], "", CHUNK_BUF, False)
        return str(r[2]) if r[0] else None

    def apply(self, api, h):
        item, g = h["item"], self.op["take_guid"].upper()
        takes = takes_by_guid(api, item)
        if g in takes:
            if len(takes) < 2:
                raise ApplyError(f"an item of track {self.where}: our take is its only take; it is left")
            active = api.GetActiveTake(item)
            ours_active = api.GetSetMediaItemTakeInfo_String(active, "GUID", "", False)[3].upper() == g
            new = cut_take_block(self.capture(api, h) or "", g)
            if new is None or not api.SetItemStateChunk(item, new, False):
                raise ApplyError(f"an item of track {self.where}: REAPER did not take the item without our take")
            if ours_active:
                left = takes_by_guid(api, item)
                orig = left.get(str(self.op.get("original_take") or "").upper())
                if orig is not None:  # the user's take as it was: active again, with its own values
                    api.SetActiveTake(orig)
                    restore_take_values(api, orig, parse_take_restore(self.kind, self.op.get("restore")))
                # without it (deleted since) REAPER's choice of active take is left alone: its values
                # are the user's, never ours to put back
        tags = take_tags(api, item)
        tags = {k: v for k, v in tags.items() if str(k).upper() != g}
        api.GetSetMediaItemInfo_String(item, TAKE_TAG_KEY, json.dumps(tags, sort_keys=True) if tags else "", True)
        api.UpdateItemInProject(item)
        return True

    def revert(self, api, h, old, result):
        if old:
            api.SetItemStateChunk(h["item"], old, False)


KINDS: dict[str, type[Write]] = {cls.kind: cls for cls in (OurFxDelete, LaneDelete, FxChainDropEmpty, TrackDelete,
                                                           OurTakeDelete)}
writes.KINDS.update(KINDS)
