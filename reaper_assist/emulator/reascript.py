"""The emulated REAPER application behind the ``RPR_*`` functions.

:class:`Reaper` holds the open project, the undo history, the global ExtState, the console, the
registered actions and the pointer table. Each ReaScript function is a method with the function's
REAPER name; :mod:`reaper_assist.emulator.binding` wraps it into an ``RPR_<name>`` callable with the
exact arity and return shape of REAPER's generated Python binding. Semantics follow
../shared/reaper/facts.md (section numbers cited per function).
"""

from __future__ import annotations

import configparser
from collections import deque
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reaper_assist.emulator import rpp, uncertain
from reaper_assist.emulator.media_create import MediaCreation
from reaper_assist.emulator.binding import Out, PointerTable, load_specs, make_rpr_function
from reaper_assist.emulator.project import (
    FX,
    Envelope,
    EnvPoint,
    Item,
    Project,
    Source,
    Track,
    new_guid,
)
from reaper_assist.emulator.autoitem_ops import AutomationItemOps, _finite, store_points
from reaper_assist.emulator.take_ops import TakeOps
from reaper_assist.emulator.undo import UndoHistory
from reaper_assist.units import amp_to_db, db_to_amp

APP_VERSION = "7.0/emulator-x86_64"

# Native actions the emulator implements (facts 1.5, 3.1, dry-run addendum).
CMD_SELECT_ALL_TRACKS = 40296
CMD_UNSELECT_ALL_TRACKS = 40297
CMD_UNDO = 40029
CMD_REDO = 40030
CMD_SAVE_PROJECT = 40026
ENVELOPE_TOGGLE_ACTIONS = {40406: "VOLENV2", 40407: "PANENV2", 40408: "VOLENV", 40409: "PANENV",
                           40867: "MUTEENV", 42020: "VOLENV3", 41870: "WIDTHENV2"}
FIRST_SCRIPT_COMMAND_ID = 53000
WHERE_HINTS = 1 << 16  # positions of live chunks remembered (emptied when full)
# GetSetProjectInfo render settings and their values in a new project (reascripthelp: RENDER_SETTINGS
# 0 = master mix; RENDER_BOUNDSFLAG 1 = entire project; RENDER_SRATE 0 = the project's rate)
RENDER_NUMBERS = {"RENDER_SETTINGS": 0.0, "RENDER_BOUNDSFLAG": 1.0, "RENDER_SRATE": 0.0, "RENDER_CHANNELS": 2.0}


class Reaper(MediaCreation, TakeOps, AutomationItemOps):
    """One emulated REAPER instance with one open project tab."""

    def __init__(self, project: Project | None = None, *, resource_path: str | os.PathLike | None = None):
        self.project = project or Project.new()
        self.resource_path = str(resource_path) if resource_path else os.getcwd()
        self.undo = UndoHistory(self)
        self.console: list[str] = []
        self.console_echo = False
        self.console_file: str | None = None  # also append the console here (test drivers read it)
        self.ext_state: dict[tuple[str, str], str] = {}
        self.commands: dict[int, dict[str, Any]] = {}  # numeric id -> {named, path, desc}
        self.named_commands: dict[str, int] = {}
        self.script_runner: Callable[[str, int], None] | None = None  # (path, SCR flags); set by the process
        self.toggle_states: dict[tuple[int, int], int] = {}  # (section, command) -> 0/1 (SetToggleCommandState)
        self.toolbar_refreshes: list[tuple[int, int]] = []  # RefreshToolbar2 calls
        self.action_hooks: dict[int, Callable[[], None]] = {}  # extra native actions (audio engine)
        self.render_stats: dict[str, str] = {}
        self.free_sources: dict[int, Any] = {}  # PCM_Source_CreateFromFile sources no take owns yet
        # render settings set through GetSetProjectInfo(_String) (RENDER_SETTINGS, RENDER_FORMAT...),
        # kept in memory (the emulator does not write them into the .RPP's RENDER_* lines)
        self.render_config: dict[str, float | str] = {}
        self.ui_refresh = 0  # PreventUIRefresh's count: > 0 while REAPER holds its UI redraw
        self.ui_log: deque[tuple] = deque(maxlen=4096)  # the UI calls in order (PreventUIRefresh, UpdateArrange...)
        self._live: dict[tuple[str, Any], Any] = {}
        self._where: dict[int, int] = {}  # id(chunk) -> its index in its parent at the last check
        self.pointers = PointerTable(self._resolve_key, self._key_of)
        self.specs = load_specs()
        self._load_persisted_ext_state()

    # ---------------------------------------------------------------------------------------
    # pointers: stable keys per object type
    # ---------------------------------------------------------------------------------------
    def _key_of(self, ptype: str, obj: Any) -> Any:
        if ptype == "ReaProject*":
            return "project"
        if ptype == "MediaTrack*":
            if obj.is_master:
                return "master"
            g = obj.guid.upper()
            # tracks sharing a GUID (a hand-edited file) are still distinct tracks, as in REAPER
            return (g, self.project.guid_occurrence(obj)) if g in self.project.shared_track_guids() else g
        if ptype == "MediaItem*":
            return obj.guid.upper()
        if ptype == "MediaItem_Take*":
            return (obj.item.guid.upper(), obj.index)
        if ptype == "PCM_source*" and obj.take is None:
            return ("free", id(obj.chunk))
        if ptype == "PCM_source*":
            # the type tells a SECTION wrapper from the source inside it (GetMediaSourceParent)
            return ("src", obj.take.item.guid.upper(), obj.take.index, obj.type)
        if ptype == "TrackEnvelope*":
            return obj.guid.upper()
        if ptype == "GUID*":
            return ("guid", obj)
        return ("obj", id(obj))

    def _resolve_key(self, ptype: str, key: Any) -> Any:
        """Live object for a pointer key: the cached view while it is still part of the project,
        else looked up again by GUID (e.g. after an undo rebuilt the tree)."""
        cached = self._live.get((ptype, key))
        if cached is not None and self._still_live(ptype, cached):
            return cached
        obj = self._lookup_key(ptype, key)
        if obj is not None:
            self._live[(ptype, key)] = obj
        else:
            self._live.pop((ptype, key), None)
        return obj

    def _still_live(self, ptype: str, obj: Any) -> bool:
        # membership in the chunk's parent is an identity test (Chunk and Line compare by identity)
        p = self.project
        if ptype == "MediaTrack*":
            return obj is p.master if obj.is_master else (obj.project is p and self._within(p.root.children, obj.chunk))
        if ptype == "MediaItem*":
            return self._still_live("MediaTrack*", obj.track) and self._within(obj.track.chunk.children, obj.chunk)
        if ptype == "MediaItem_Take*":
            return self._still_live("MediaItem*", obj.item) and all(
                self._within(obj.item.chunk.children, n) for n in obj.nodes[:1])
        if ptype == "TrackEnvelope*":
            if not self._still_live("MediaTrack*", obj.track):
                return False
            if obj.fx is not None:
                return obj.chunk in obj.fx.extras and obj.fx in obj.track.fx
            return self._within(obj.track.chunk.children, obj.chunk)
        return False  # sources, GUIDs: always looked up again

    def _within(self, children: list, node: Any) -> bool:
        """``node in children`` by identity, looking first where it was found the last time (a
        pointer is checked on every call; a project of many tracks must not make each check slow)."""
        hint = self._where.get(id(node))
        if hint is not None and hint < len(children) and children[hint] is node:
            return True
        try:
            i = children.index(node)
        except ValueError:
            return False
        if len(self._where) >= WHERE_HINTS:
            self._where.clear()
        self._where[id(node)] = i
        return True

    def _lookup_key(self, ptype: str, key: Any) -> Any:
        p = self.project
        if ptype == "ReaProject*":
            return p
        if ptype == "MediaTrack*":
            if isinstance(key, tuple):  # the n-th of the tracks sharing a GUID
                same = [t for t in p.tracks if t.guid.upper() == key[0]]
                return same[key[1]] if key[1] < len(same) else None
            return p.master if key == "master" else p.track_by_guid(key)
        if ptype == "MediaItem*":
            return self._item_by_guid(key)
        # a take or source is found through its (cached) parent, not by scanning every item
        if ptype == "MediaItem_Take*":
            item = self._resolve_key("MediaItem*", key[0])
            takes = item.takes if item else []
            return takes[key[1]] if key[1] < len(takes) else None
        if ptype == "PCM_source*" and key[0] == "free":
            return self.free_sources.get(key[1])
        if ptype == "PCM_source*":
            take = self._resolve_key("MediaItem_Take*", (key[1], key[2]))
            src = take.source if take is not None else None
            if src is None:
                return None
            return src if key[3] == src.type else (src.root if src.root.type == key[3] else None)
        if ptype == "TrackEnvelope*":
            return next((e for e in p.iter_all_envelopes() if e.guid.upper() == key), None)
        if ptype == "GUID*":
            return key[1]
        return None

    def _item_by_guid(self, guid: str) -> Item | None:
        for t in self.project.tracks:
            for it in t.items:
                if it.guid.upper() == guid:
                    return it
        return None

    def ptr(self, ptype: str, obj: Any) -> str:
        return self.pointers.to_string(ptype, obj)

    # ---------------------------------------------------------------------------------------
    # the RPR_* namespace
    # ---------------------------------------------------------------------------------------
    def rpr_functions(self) -> dict[str, Callable[..., Any]]:
        """``{"RPR_Name": callable}`` for every implemented function."""
        out = {}
        for name, spec in self.specs.items():
            impl = getattr(self, name, None)
            if impl is not None and callable(impl):
                out[f"RPR_{name}"] = make_rpr_function(spec, impl, self.pointers)
        return out

    def implemented(self) -> list[str]:
        return sorted(n for n in self.specs if callable(getattr(self, n, None)))

    # ---------------------------------------------------------------------------------------
    # application / projects
    # ---------------------------------------------------------------------------------------
    def GetAppVersion(self):
        return APP_VERSION

    def GetResourcePath(self):
        return self.resource_path

    def EnumProjects(self, idx, fn, sz):
        if idx in (-1, 0):
            return Out(self.project, {1: self.project.path or ""})
        return Out(None, {1: ""})

    def ValidatePtr(self, pointer, ctype):  # (int address, type): what the stock rpr_packp asks
        return self.pointers.validate(int(pointer), str(ctype))

    def ValidatePtr2(self, proj, pointer, ctype):
        if isinstance(pointer, int):
            return self.pointers.resolve_address(pointer, ctype) is not None
        return pointer is not None

    def GetProjectName(self, proj, buf, sz):
        return Out(None, {1: Path(self.project.path).name if self.project.path else ""})

    def GetProjectPath(self, buf, sz):
        return Out(None, {0: self._record_path()})

    def GetProjectPathEx(self, proj, buf, sz):
        return Out(None, {1: self._record_path()})

    def _record_path(self) -> str:
        # facts 1.3: the *recording* path (Media folder), not the .rpp directory
        rec = self.project.root.get("RECORD_PATH", 0, "") or ""
        base = self.project.directory
        return str(Path(base) / rec) if rec else base

    def Master_GetTempo(self):
        return float(self.project.tempo)

    def GetSetProjectInfo(self, proj, desc, value, is_set):
        p = self.project
        if desc == "PROJECT_SRATE":
            if is_set:
                p.root.set("SAMPLERATE", 0, int(value))
            return float(p.sample_rate)
        if desc in RENDER_NUMBERS:
            if is_set:
                self.render_config[desc] = float(value)
            return float(self.render_config.get(desc, RENDER_NUMBERS[desc]))
        return 0.0

    def GetSetProjectInfo_String(self, proj, desc, value, is_set):
        p = self.project
        if desc == "PROJECT_NAME":
            return Out(True, {2: Path(p.path).name if p.path else ""})
        if desc in ("RENDER_FILE", "RENDER_PATTERN", "PROJECT_TITLE", "RECORD_PATH"):
            key = {"PROJECT_TITLE": "TITLE"}.get(desc, desc)
            if is_set:
                p.root.set(key, 0, value)
                return Out(True, {2: value})
            return Out(True, {2: p.root.get(key, 0, "") or ""})
        if desc == "RENDER_FORMAT":
            if is_set:
                self.render_config[desc] = str(value)
            return Out(True, {2: str(self.render_config.get(desc, "ZXZhdxgAAQ=="))})
        if desc == "RENDER_STATS":
            # facts addendum: value names the action that ran; result is "FILE:...;LUFSI:...;..."
            return Out(True, {2: self.render_stats.get(str(value).strip(), "")})
        return Out(False, {2: ""})

    def Main_SaveProject(self, proj, force_save_as_in):
        self._save(None)

    def Main_SaveProjectEx(self, proj, filename, options):
        self._save(filename or None)

    def _save(self, filename: str | None) -> None:
        target = filename or self.project.path
        if not target:
            return
        if uncertain.SAVE_EX_TO_OTHER_PATH_REPOINTS:
            self.project.save(target)  # "Save as": the open project now is the new file
        else:
            kept = self.project.path
            self.project.save(target)
            self.project.path = kept

    # ---------------------------------------------------------------------------------------
    # console, UI
    # ---------------------------------------------------------------------------------------
    def ShowConsoleMsg(self, msg):
        self.console.append(msg)
        if self.console_echo:
            sys.stdout.write(msg)
            sys.stdout.flush()
        if self.console_file:
            with open(self.console_file, "a", encoding="utf-8") as f:
                f.write(msg)

    def ClearConsole(self):
        self.console.clear()

    def ShowMessageBox(self, msg, title, type_):
        self.console.append(f"[{title}] {msg}\n")
        return 1

    def PreventUIRefresh(self, count):
        self.ui_refresh += count
        self.ui_log.append(("PreventUIRefresh", int(count)))

    def UpdateArrange(self):
        self.ui_log.append(("UpdateArrange",))

    def UpdateTimeline(self):
        return None

    def TrackList_AdjustWindows(self, is_minor):
        self.ui_log.append(("TrackList_AdjustWindows", bool(is_minor)))

    def DB2SLIDER(self, x):
        return uncertain.amp_to_slider(db_to_amp(x))

    def SLIDER2DB(self, y):
        return amp_to_db(uncertain.slider_to_amp(y)) if y > 0 else -150.0

    # ---------------------------------------------------------------------------------------
    # ExtState (global) and project ExtState
    # ---------------------------------------------------------------------------------------
    def _extstate_file(self) -> Path:
        return Path(self.resource_path) / "reaper-extstate.ini"

    def _load_persisted_ext_state(self) -> None:
        f = self._extstate_file()
        if not f.is_file():
            return
        cp = configparser.ConfigParser(strict=False, delimiters=("=",), interpolation=None)
        cp.optionxform = str  # type: ignore[assignment]
        try:
            cp.read(f, encoding="utf-8")
        except configparser.Error:
            return
        for sec in cp.sections():
            for k, v in cp.items(sec):
                self.ext_state[(sec.lower(), k.lower())] = v

    def _persist_ext_state(self, section: str, key: str, value: str | None) -> None:
        f = self._extstate_file()
        cp = configparser.ConfigParser(strict=False, delimiters=("=",), interpolation=None)
        cp.optionxform = str  # type: ignore[assignment]
        if f.is_file():
            cp.read(f, encoding="utf-8")
        if value is None:
            if cp.has_section(section):
                cp.remove_option(section, key)
        else:
            if not cp.has_section(section):
                cp.add_section(section)
            cp.set(section, key, value.replace("\n", " "))  # facts 1.3: no newlines when persisted
        with open(f, "w", encoding="utf-8") as fh:
            cp.write(fh)

    def GetExtState(self, section, key):
        return self.ext_state.get((section.lower(), key.lower()), uncertain.MISSING_EXTSTATE)

    def SetExtState(self, section, key, value, persist):
        self.ext_state[(section.lower(), key.lower())] = str(value)
        if persist:
            self._persist_ext_state(section, key, str(value))

    def HasExtState(self, section, key):
        return (section.lower(), key.lower()) in self.ext_state

    def DeleteExtState(self, section, key, persist):
        self.ext_state.pop((section.lower(), key.lower()), None)
        if persist:
            self._persist_ext_state(section, key, None)

    def GetProjExtState(self, proj, extname, key, buf, sz):
        v = self.project.get_ext_state(extname, key)
        return Out(1 if v is not None else 0, {3: v or ""})

    def SetProjExtState(self, proj, extname, key, value):
        if key == "":
            # an empty key clears the whole section (SDK)
            for k, _ in self.project.ext_state_items(extname):
                self.project.set_ext_state(extname, k, "")
            return 1
        self.project.set_ext_state(extname, key, value)
        return 1

    def EnumProjExtState(self, proj, extname, idx, keybuf, ksz, valbuf, vsz):
        items = self.project.ext_state_items(extname)
        if 0 <= idx < len(items):
            return Out(True, {3: items[idx][0], 5: items[idx][1]})
        return Out(False, {3: "", 5: ""})

    # ---------------------------------------------------------------------------------------
    # tracks
    # ---------------------------------------------------------------------------------------
    def CountTracks(self, proj):
        return len(self.project.tracks)

    def GetTrack(self, proj, idx):
        tracks = self.project.tracks
        return tracks[idx] if 0 <= idx < len(tracks) else None

    def GetMasterTrack(self, proj):
        return self.project.master

    def _selected(self, wantmaster: bool) -> list[Track]:
        sel = [t for t in self.project.tracks if t.selected]
        if wantmaster and self.project.master.selected:
            sel.insert(0, self.project.master)
        return sel

    def CountSelectedTracks(self, proj):
        return len(self._selected(False))

    def CountSelectedTracks2(self, proj, wantmaster):
        return len(self._selected(wantmaster))

    def GetSelectedTrack(self, proj, idx):
        sel = self._selected(False)
        return sel[idx] if 0 <= idx < len(sel) else None

    def GetSelectedTrack2(self, proj, idx, wantmaster):
        sel = self._selected(wantmaster)
        return sel[idx] if 0 <= idx < len(sel) else None

    def SetTrackSelected(self, track, selected):
        if track is not None:
            track.selected = selected

    def IsTrackSelected(self, track):
        return bool(track is not None and track.selected)

    def SetOnlyTrackSelected(self, track):
        for t in self.project.tracks:
            t.selected = t is track or (track is not None and t.chunk is track.chunk)
        self.project.master.selected = bool(track is not None and track.is_master)

    def InsertTrackAtIndex(self, idx, wantDefaults):
        self.project.add_track(max(0, idx))

    def DeleteTrack(self, track):
        if track is not None and not track.is_master:
            self.project.delete_track(track)

    def GetTrackName(self, track, buf, sz):
        if track is None:
            return Out(False, {1: ""})
        if track.is_master:
            return Out(True, {1: "MASTER"})
        name = track.name
        if not name:  # facts 1.3: "Track N" for unnamed tracks
            idx = next(i for i, t in enumerate(self.project.tracks) if t.chunk is track.chunk)
            name = f"Track {idx + 1}"
        return Out(True, {1: name})

    def GetTrackGUID(self, track):
        return track.guid if track is not None else None

    def guidToString(self, g, dest):
        return Out(None, {1: g or ""})

    def GetSetMediaTrackInfo_String(self, track, parm, value, set_):
        if track is None:
            return Out(False, {2: ""})
        if parm == "P_NAME":
            if track.is_master:
                return Out(False, {2: ""})
            if set_:
                track.name = value
            return Out(True, {2: track.name})
        if parm == "GUID":
            return Out(True, {2: track.guid})
        if parm.startswith("P_EXT:"):
            key = parm[len("P_EXT:"):]
            if set_:
                track.set_ext(key, value)
                return Out(True, {2: value})
            v = track.get_ext(key)
            return Out(v is not None, {2: v or ""})
        return Out(False, {2: ""})

    def _track_index(self, track: Track) -> int:
        for i, t in enumerate(self.project.tracks):
            if t.chunk is track.chunk:
                return i
        return -1

    # parm -> (view attribute, conversion of the value written); facts 1.4
    _TRACK_NUM: dict[str, tuple[str, Callable[[float], Any]]] = {
        "D_VOL": ("volume", float), "D_PAN": ("pan", lambda v: max(-1.0, min(1.0, v))),
        "B_MUTE": ("mute", bool), "I_SOLO": ("solo", int), "B_PHASE": ("phase", bool),
        "I_SELECTED": ("selected", bool), "I_FOLDERDEPTH": ("folder_depth", int), "I_FXEN": ("fx_enabled", bool),
        "B_MAINSEND": ("main_send", bool),
        "I_NCHAN": ("nchan", lambda v: max(2, min(128, int(v) + (int(v) % 2)))),  # 2..128, even
    }
    _MASTER_SETTABLE = ("D_VOL", "D_PAN", "I_SELECTED", "I_FXEN")

    def GetMediaTrackInfo_Value(self, track, parm):
        if track is None:
            return 0.0
        if parm == "IP_TRACKNUMBER":
            return -1.0 if track.is_master else float(self._track_index(track) + 1)
        entry = self._TRACK_NUM.get(parm)
        return float(getattr(track, entry[0])) if entry else 0.0

    def SetMediaTrackInfo_Value(self, track, parm, value):
        entry = self._TRACK_NUM.get(parm)
        if track is None or entry is None or (track.is_master and parm not in self._MASTER_SETTABLE):
            return False
        attr, convert = entry
        setattr(track, attr, convert(float(value)))
        return True

    def GetTrackStateChunk(self, track, buf, sz, isundo):
        if track is None:
            return Out(False, {1: ""})
        for fx in track.fx:  # REAPER gives every FX an FXID line; a loaded file may lack them
            _ = fx.guid  # the property writes the missing line
        track.flush()
        if track.is_master:
            return Out(True, {1: _master_track_chunk(track)})
        return Out(True, {1: rpp.dumps(track.chunk)})

    def SetTrackStateChunk(self, track, chunk_text, isundo):
        if track is None or track.is_master:
            return False
        try:
            new = rpp.parse(chunk_text)
        except Exception:
            return False
        if new.tag != "TRACK":
            return False
        kids = self.project.root.children
        for i, c in enumerate(kids):
            if c is track.chunk:
                kids[i] = new
                track.chunk = new
                track._fxchain = None
                return True
        return False

    # ---------------------------------------------------------------------------------------
    # sends and receives (facts: docs/emulator.md "Sends"; layout: emulator/uncertain.py)
    # ---------------------------------------------------------------------------------------
    _SEND_PARMS = ("B_MUTE", "B_PHASE", "B_MONO", "D_VOL", "D_PAN", "D_PANLAW", "I_SENDMODE", "I_AUTOMODE",
                   "I_SRCCHAN", "I_DSTCHAN", "I_MIDIFLAGS")

    def _routing(self, track, category: int, idx: int):
        """The Receive behind (track, category, index): category < 0 receives, 0 sends; None for
        hardware outputs (not modelled) and out-of-range indices."""
        if track is None or category > 0:
            return None
        lst = track.receives() if category < 0 else track.sends()
        return lst[idx] if 0 <= idx < len(lst) else None

    def CreateTrackSend(self, tr, desttrIn):
        if tr is None or tr.is_master or desttrIn is None or desttrIn.is_master or tr.chunk is desttrIn.chunk:
            return -1  # hardware outputs (NULL destination) are not modelled
        r = self.project.add_send(tr, desttrIn)
        return next(i for i, s in enumerate(tr.sends()) if s.line is r.line)

    def RemoveTrackSend(self, tr, category, sendidx):
        r = self._routing(tr, int(category), int(sendidx))
        if r is None:
            return False
        self.project.remove_receive(r)
        return True

    def GetTrackNumSends(self, tr, category):
        if tr is None:
            return 0
        if category > 0:
            return len(tr.hardware_outputs())
        return len(tr.receives() if category < 0 else tr.sends())

    def GetTrackSendInfo_Value(self, tr, category, sendidx, parmname):
        r = self._routing(tr, int(category), int(sendidx))
        if r is None:
            return 0.0
        if parmname in ("P_DESTTRACK", "P_SRCTRACK"):  # the pointer as a number, as REAPER returns it
            t = r.dest if parmname == "P_DESTTRACK" else r.source
            return float(self.pointers.address("MediaTrack*", self._key_of("MediaTrack*", t))) if t else 0.0
        if parmname not in self._SEND_PARMS:
            return 0.0
        return r.get(parmname, 1.0 if parmname == "D_VOL" else 0.0)

    def SetTrackSendInfo_Value(self, tr, category, sendidx, parmname, newvalue):
        r = self._routing(tr, int(category), int(sendidx))
        if r is None or parmname not in self._SEND_PARMS:
            return False
        v = float(newvalue)
        if not _finite(v):  # refused, not written into the AUXRECV line
            return False
        if parmname == "D_PAN":
            v = max(-1.0, min(1.0, v))
        elif parmname == "D_VOL":
            v = max(0.0, v)
        elif parmname[0] == "B":
            v = float(bool(v))
        r.set(parmname, v)
        return True

    def GetTrackSendName(self, track, send_index, buf, sz):
        r = self._routing(track, 0, int(send_index))
        return Out(r is not None, {2: self.GetTrackName(r.dest, "", 0).outs[1] if r else ""})

    def GetTrackReceiveName(self, track, recv_index, buf, sz):
        r = self._routing(track, -1, int(recv_index))
        src = r.source if r is not None else None
        return Out(src is not None, {2: self.GetTrackName(src, "", 0).outs[1] if src else ""})

    # ---------------------------------------------------------------------------------------
    # items, takes, sources
    # ---------------------------------------------------------------------------------------
    def CountTrackMediaItems(self, track):
        return len(track.items) if track is not None else 0

    def GetTrackMediaItem(self, track, idx):
        items = track.items if track is not None else []
        return items[idx] if 0 <= idx < len(items) else None

    def _all_items(self) -> list[Item]:
        return [it for t in self.project.tracks for it in t.items]

    def CountMediaItems(self, proj):
        return len(self._all_items())

    def GetMediaItem(self, proj, idx):
        items = self._all_items()
        return items[idx] if 0 <= idx < len(items) else None

    def GetMediaItem_Track(self, item):
        return item.track if item is not None else None

    def GetMediaItemTrack(self, item):
        return item.track if item is not None else None

    _ITEM_NUM = {"D_POSITION": "position", "D_LENGTH": "length", "D_VOL": "volume", "D_FADEINLEN": "fade_in",
                 "D_FADEOUTLEN": "fade_out", "D_FADEINLEN_AUTO": "fade_in_auto", "D_FADEOUTLEN_AUTO": "fade_out_auto",
                 "D_FADEINDIR": "fade_in_dir", "D_FADEOUTDIR": "fade_out_dir", "C_FADEINSHAPE": "fade_in_shape",
                 "C_FADEOUTSHAPE": "fade_out_shape", "B_MUTE": "mute", "B_UISEL": "selected",
                 "I_CURTAKE": "active_take_index", "B_LOOPSRC": "loop_source"}

    def GetMediaItemInfo_Value(self, item, parm):
        if item is None:
            return 0.0
        if parm == "IP_ITEMNUMBER":
            return float(next((i for i, it in enumerate(item.track.items) if it.chunk is item.chunk), -1))
        attr = self._ITEM_NUM.get(parm)
        return float(getattr(item, attr)) if attr else 0.0

    def SetMediaItemInfo_Value(self, item, parm, value):
        if item is None:
            return False
        attr = self._ITEM_NUM.get(parm)
        if attr is None or not isinstance(getattr(type(item), attr, None), property) or getattr(type(item), attr).fset is None:
            return False
        if parm in ("D_LENGTH", "D_FADEINLEN", "D_FADEOUTLEN") and value < 0:
            value = 0.0
        setattr(item, attr, bool(value) if parm.startswith("B_") else value)
        return True

    def GetSetMediaItemInfo_String(self, item, parm, value, set_):
        if item is None:
            return Out(False, {2: ""})
        if parm == "GUID":
            return Out(True, {2: item.guid})
        ext = self.item_string(item, parm, value, set_)
        return ext if ext is not None else Out(False, {2: ""})

    def CountTakes(self, item):
        return len(item.takes) if item is not None else 0

    def GetActiveTake(self, item):
        return item.active_take if item is not None else None

    def GetMediaItemTake(self, item, tk):
        takes = item.takes if item is not None else []
        return takes[tk] if 0 <= tk < len(takes) else None

    def GetMediaItemTake_Item(self, take):
        return take.item if take is not None else None

    def GetMediaItemTake_Track(self, take):
        return take.item.track if take is not None else None

    def GetMediaItemTake_Source(self, take):
        return take.source if take is not None else None

    def GetTakeName(self, take):
        return take.name if take is not None else None

    _TAKE_NUM = {"D_STARTOFFS": "start_offset", "D_VOL": "volume", "D_PLAYRATE": "playrate", "D_PAN": "pan",
                 "I_CHANMODE": "chanmode"}

    def GetMediaItemTakeInfo_Value(self, take, parm):
        if take is None:
            return 0.0
        if parm == "IP_TAKENUMBER":
            return float(take.index)
        attr = self._TAKE_NUM.get(parm)
        return float(getattr(take, attr)) if attr else 0.0

    def SetMediaItemTakeInfo_Value(self, take, parm, value):
        # facts 1.4's take table lists D_PAN (-1..1); out of range: uncertain.TAKE_PAN_RANGE
        if take is None or parm not in ("D_STARTOFFS", "D_VOL", "D_PLAYRATE", "D_PAN"):
            return False
        if parm == "D_PLAYRATE" and value <= 0:
            return False
        if parm == "D_PAN":
            lo, hi = uncertain.TAKE_PAN_RANGE
            value = max(lo, min(hi, value))
        setattr(take, self._TAKE_NUM[parm], value)
        return True

    def GetSetMediaItemTakeInfo_String(self, take, parm, value, set_):
        if take is None:
            return Out(False, {2: ""})
        if parm == "P_NAME":
            if set_:
                self.take_name_set(take, value)
            return Out(True, {2: take.name})
        if parm == "GUID":
            return Out(True, {2: take.guid})
        return Out(False, {2: ""})

    def GetMediaSourceFileName(self, src, buf, sz):
        if src is None or src.is_midi:  # facts 1.3: in-project MIDI has no file name
            return Out(None, {1: ""})
        return Out(None, {1: self.project.resolve_media(src.file)})

    def GetMediaSourceType(self, src, buf, sz):
        return Out(None, {1: src.type if src is not None else ""})

    def GetMediaSourceParent(self, src):
        if src is None or src.type != "SECTION":
            return None
        inner = src.chunk.chunk("SOURCE")
        return Source(inner, src.take) if inner is not None else None

    def PCM_Source_GetSectionInfo(self, src, offs, length, rev):
        """(ok, src, offset, length, reversed) of a SECTION source; REAPER returns false otherwise."""
        sec = src.section if src is not None else None
        if sec is None:
            return Out(False, {1: 0.0, 2: 0.0, 3: 0})
        return Out(True, {1: sec[0], 2: sec[1], 3: int(sec[2])})

    def GetItemStateChunk(self, item, buf, sz, isundo):
        if item is None:
            return Out(False, {1: ""})
        return Out(True, {1: rpp.dumps(item.chunk)})

    def _source_info(self, src: Source | None):
        from reaper_assist.emulator import media_info

        if src is None or src.is_midi:
            return None
        return media_info.info(self.project.resolve_media(src.file))

    def GetMediaSourceSampleRate(self, src):
        info = self._source_info(src)
        return int(info.samplerate) if info else 0

    def GetMediaSourceNumChannels(self, src):
        info = self._source_info(src)
        return int(info.channels) if info else 0  # MIDI and missing media: 0

    def GetMediaSourceLength(self, src, isqn):
        info = self._source_info(src)
        return Out(info.duration if info else 0.0, {1: 0})

    # ---------------------------------------------------------------------------------------
    # FX
    # ---------------------------------------------------------------------------------------
    def _fx(self, track: Track | None, idx: int) -> FX | None:
        if track is None or idx & 0x1000000 or idx & 0x2000000:  # input/monitoring FX, containers: not modelled
            return None
        fx = track.fx
        return fx[idx] if 0 <= idx < len(fx) else None

    def TrackFX_GetCount(self, track):
        return len(track.fx) if track is not None else 0

    def TrackFX_GetFXName(self, track, idx, buf, sz):
        fx = self._fx(track, idx)
        if fx is None:
            return Out(False, {2: ""})
        return Out(True, {2: fx.name if uncertain.FXNAME_RETURNS_RENAMED else fx.original_name})

    def TrackFX_GetFXGUID(self, track, idx):
        fx = self._fx(track, idx)
        return fx.guid if fx is not None else None

    def TrackFX_AddByName(self, track, fxname, rec_fx, instantiate):
        """facts 1.3: <0 always add, 0 query, >0 add if missing, <=-1000 insert at position."""
        from reaper_assist.emulator import fxchain_ops

        if track is None or rec_fx:
            return -1
        return fxchain_ops.add_by_name(track, fxname, instantiate, resource_path=self.resource_path)

    def TrackFX_Delete(self, track, idx):
        fx = self._fx(track, idx)
        if fx is None:
            return False
        chain = track.fxchain
        chain.fx.remove(fx)
        chain.flush()
        return True

    def TrackFX_GetEnabled(self, track, idx):
        fx = self._fx(track, idx)
        return bool(fx is not None and fx.enabled)

    def TrackFX_SetEnabled(self, track, idx, enabled):
        fx = self._fx(track, idx)
        if fx is not None:
            fx.enabled = bool(enabled)
            track.fxchain.flush()

    def TrackFX_GetOffline(self, track, idx):
        fx = self._fx(track, idx)
        return bool(fx is not None and fx.offline)

    def TrackFX_GetNumParams(self, track, idx):
        fx = self._fx(track, idx)
        return fx.model.num_params if fx is not None else 0

    def TrackFX_GetParamName(self, track, idx, p, buf, sz):
        fx = self._fx(track, idx)
        if fx is None or not fx.model.valid(p):
            return Out(False, {3: ""})
        return Out(True, {3: fx.model.param_name(p)})

    def TrackFX_GetParamIdent(self, track, idx, p, buf, sz):
        fx = self._fx(track, idx)
        if fx is None or not fx.model.valid(p):
            return Out(False, {3: ""})
        return Out(True, {3: fx.model.param_ident(p)})

    def TrackFX_GetParamFromIdent(self, track, idx, ident):
        fx = self._fx(track, idx)
        if fx is None:
            return -1
        m = fx.model
        for p in range(m.num_params):
            pid = m.param_ident(p)
            if ident == pid or (ident.startswith(":") and pid.endswith(ident)):
                return p
        return -1

    def _param_value(self, fx: FX, p: int) -> float:
        if fx.model.is_bypass_param(p):  # the Bypass wrapper mirrors the BYPASS line
            return 0.0 if fx.enabled else 1.0
        return fx.model.get_param(p)

    def TrackFX_GetParam(self, track, idx, p, mn, mx):
        fx = self._fx(track, idx)
        if fx is None or not fx.model.valid(p):
            return Out(0.0, {3: 0.0, 4: 0.0})
        lo, hi = fx.model.param_range(p)
        return Out(self._param_value(fx, p), {3: lo, 4: hi})

    def TrackFX_GetParamEx(self, track, idx, p, mn, mx, mid):
        fx = self._fx(track, idx)
        if fx is None or not fx.model.valid(p):
            return Out(0.0, {3: 0.0, 4: 0.0, 5: 0.0})
        lo, hi = fx.model.param_range(p)
        return Out(self._param_value(fx, p), {3: lo, 4: hi, 5: (lo + hi) / 2})

    def _set_param(self, track: Track, fx: FX, p: int, set_fn: Callable[[], bool]) -> bool:
        if fx.model.is_bypass_param(p):
            ok = set_fn()
            fx.enabled = fx.model.bypass_param < 0.5
            track.fxchain.flush()
            return ok
        return set_fn()

    def TrackFX_SetParam(self, track, idx, p, val):
        fx = self._fx(track, idx)
        if fx is None or not fx.model.valid(p):
            return False
        return self._set_param(track, fx, p, lambda: fx.model.set_param(p, val))

    def TrackFX_GetParamNormalized(self, track, idx, p):
        fx = self._fx(track, idx)
        if fx is None or not fx.model.valid(p):
            return 0.0
        if fx.model.is_bypass_param(p):
            return self._param_value(fx, p)
        return fx.model.get_normalized(p)

    def TrackFX_SetParamNormalized(self, track, idx, p, val):
        fx = self._fx(track, idx)
        if fx is None or not fx.model.valid(p):
            return False
        return self._set_param(track, fx, p, lambda: fx.model.set_normalized(p, val))

    def TrackFX_GetFormattedParamValue(self, track, idx, p, buf, sz):
        fx = self._fx(track, idx)
        if fx is None or not fx.model.valid(p):
            return Out(False, {3: ""})
        return Out(True, {3: fx.model.format_value(p, self._param_value(fx, p))})

    def TrackFX_FormatParamValue(self, track, idx, p, val, buf, sz):
        fx = self._fx(track, idx)
        if fx is None or not fx.model.valid(p) or fx.model.spec is None:
            return Out(False, {4: ""})  # facts: only FX with Cockos VST extensions
        return Out(True, {4: fx.model.format_value(p, val)})

    def TrackFX_FormatParamValueNormalized(self, track, idx, p, val, buf, sz):
        fx = self._fx(track, idx)
        if fx is None or not fx.model.valid(p) or fx.model.spec is None:
            return Out(False, {4: ""})
        return Out(True, {4: fx.model.format_value(p, fx.model.normalized_to_native(p, val))})

    def TrackFX_GetNamedConfigParm(self, track, idx, name, buf, sz):
        fx = self._fx(track, idx)
        if fx is None:
            return Out(False, {3: ""})
        if name == "renamed_name":
            return Out(True, {3: fx.renamed_name})
        if name in ("fx_name", "original_name"):
            return Out(True, {3: fx.original_name})
        if name == "fx_ident":
            return Out(True, {3: fx.plugin.attrs[1] if len(fx.plugin.attrs) > 1 else ""})
        if name == "fx_type":
            return Out(True, {3: {"VST": "VST", "JS": "JS"}.get(fx.plugin.tag, fx.plugin.tag)})
        v = fx.model.get_named_config(name)
        return Out(v is not None, {3: v or ""})

    def TrackFX_SetNamedConfigParm(self, track, idx, name, value):
        fx = self._fx(track, idx)
        if fx is None:
            return False
        if name == "renamed_name":
            fx.renamed_name = value
            return True
        return fx.model.set_named_config(name, value)

    # ReaEQ helpers with their own band-type numbering (facts 2.1)
    def TrackFX_GetEQ(self, track, instantiate):
        from reaper_assist.emulator import fxchain_ops

        if track is None:
            return -1
        return fxchain_ops.get_eq(track, bool(instantiate))

    def TrackFX_GetEQParam(self, track, fxidx, paramidx, bandtype, bandidx, paramtype, normval):
        from reaper_assist.emulator import fxchain_ops

        fx = self._fx(track, fxidx)
        res = fxchain_ops.eq_param_info(fx, paramidx) if fx is not None else None
        if res is None:
            return Out(False, {3: -1, 4: -1, 5: -1, 6: 0.0})
        bt, bi, pt, nv = res
        return Out(True, {3: bt, 4: bi, 5: pt, 6: nv})

    def TrackFX_SetEQParam(self, track, fxidx, bandtype, bandidx, paramtype, val, isnorm):
        from reaper_assist.emulator import fxchain_ops

        fx = self._fx(track, fxidx)
        return fx is not None and fxchain_ops.set_eq_param(fx, bandtype, bandidx, paramtype, val, bool(isnorm))

    def TrackFX_GetEQBandEnabled(self, track, fxidx, bandtype, bandidx):
        from reaper_assist.emulator import fxchain_ops

        fx = self._fx(track, fxidx)
        return fx is not None and fxchain_ops.eq_band_enabled(fx, bandtype, bandidx)

    def TrackFX_SetEQBandEnabled(self, track, fxidx, bandtype, bandidx, enable):
        from reaper_assist.emulator import fxchain_ops

        fx = self._fx(track, fxidx)
        return fx is not None and fxchain_ops.set_eq_band_enabled(fx, bandtype, bandidx, bool(enable))

    # ---------------------------------------------------------------------------------------
    # envelopes (facts 1.5: API values of volume envelopes are fader-scaled)
    # ---------------------------------------------------------------------------------------
    def CountTrackEnvelopes(self, track):
        return len(track.envelopes()) if track is not None else 0

    def GetTrackEnvelope(self, track, idx):
        envs = track.envelopes() if track is not None else []
        return envs[idx] if 0 <= idx < len(envs) else None

    def GetTrackEnvelopeByName(self, track, name):
        if track is None:
            return None
        for env in track.envelopes():
            if env.name == name:
                return env
        return None

    def GetTrackEnvelopeByChunkName(self, track, name):
        if track is None:
            return None
        if name.startswith("{"):
            return next((e for e in track.envelopes() if e.guid.upper() == name.upper()), None)
        return track.envelope_by_chunk_name(name.lstrip("<"))

    def GetFXEnvelope(self, track, fxidx, param, create):
        fx = self._fx(track, fxidx)
        if fx is None or not fx.model.valid(param):
            return None
        env = fx.envelope_for_param(param, create=bool(create))
        if env is not None and create:
            env.active = True  # facts 1.3: create=True un-bypasses an existing envelope
        return env

    def GetEnvelopeName(self, env, buf, sz):
        return Out(env is not None, {1: env.name if env is not None else ""})

    def GetEnvelopeScalingMode(self, env):
        return env.scaling_mode if env is not None else 0

    def ScaleToEnvelopeMode(self, mode, val):
        return uncertain.amp_to_slider(val) if mode == 1 else val

    def ScaleFromEnvelopeMode(self, mode, val):
        return uncertain.slider_to_amp(val) if mode == 1 else val

    def _to_api(self, env: Envelope, stored: float) -> float:
        return uncertain.amp_to_slider(stored) if env.scaling_mode == 1 else stored

    def _from_api(self, env: Envelope, value: float) -> float:
        return uncertain.slider_to_amp(value) if env.scaling_mode == 1 else value

    def CountEnvelopePoints(self, env):
        return len(env.points) if env is not None else 0

    def GetEnvelopePoint(self, env, idx, t, v, shape, tension, sel):
        pts = env.points if env is not None else []
        if not 0 <= idx < len(pts):
            return Out(False, {2: 0.0, 3: 0.0, 4: 0, 5: 0.0, 6: 0})
        pt = pts[idx]
        return Out(True, {2: pt.time, 3: self._to_api(env, pt.value), 4: pt.shape, 5: pt.tension, 6: int(pt.selected)})

    def InsertEnvelopePoint(self, env, time, value, shape, tension, selected, nosort):
        if env is None or not _finite(time, value, tension):  # a NaN point would corrupt the saved lane
            return Out(False, {6: nosort})
        store_points(env, [*env.points, EnvPoint(time, self._from_api(env, value), int(shape), tension,
                                                 bool(selected))], nosort)
        return Out(True, {6: nosort})

    def SetEnvelopePoint(self, env, idx, time, value, shape, tension, selected, nosort):
        pts = env.points if env is not None else []
        if not 0 <= idx < len(pts) or not _finite(time, value, tension):
            return Out(False, {7: nosort})
        # SDK: NULL out-params leave the field unchanged; from Python every field is given
        pts[idx] = EnvPoint(time, self._from_api(env, value), int(shape), tension, bool(selected))
        store_points(env, pts, nosort)
        return Out(True, {7: nosort})

    def DeleteEnvelopePointRange(self, env, t0, t1):
        if env is None or not _finite(t0, t1):
            return False
        # ends: start inclusive, end exclusive [UNCERTAIN facts 1.3]
        env.set_points([p for p in env.points if not (t0 <= p.time < t1)])
        return True

    def Envelope_SortPoints(self, env):
        if env is None:
            return False
        store_points(env, env.points, False)
        return True

    def Envelope_Evaluate(self, env, time, sr, req, v, d1, d2, d3):
        from reaper_assist.emulator import envelope_eval

        import numpy as np

        from reaper_assist.emulator.engine.automation import envelope_values

        if env is None:
            return Out(0, {4: 0.0, 5: 0.0, 6: 0.0, 7: 0.0})
        stored = None
        if env.automation_items:  # the "effective" value: an automation item playing there rules
            v = envelope_values(env, np.array([float(time)]), respect_active=False)
            if v is not None and not np.isnan(v[0]):
                stored = float(v[0])
        if stored is None:
            stored = envelope_eval.evaluate(env.points, time, default=self._env_default(env))
        return Out(max(1, int(req)), {4: self._to_api(env, stored), 5: 0.0, 6: 0.0, 7: 0.0})

    def _env_default(self, env: Envelope) -> float:
        from reaper_assist.emulator.engine.automation import default_value

        return default_value(env)  # the render's own default: both read the same stored value

    def Envelope_FormatValue(self, env, value, buf, sz):
        if env is None:
            return Out(None, {2: ""})
        if env.scaling_mode == 1:
            db = amp_to_db(uncertain.slider_to_amp(value))
            return Out(None, {2: "-inf dB" if db == float("-inf") else f"{db:+.2f} dB"})
        if env.chunk.tag in ("PANENV2", "PANENV"):
            # facts 1.5: pan envelopes store the value inverted (0.5 displays as 50%L)
            pct = round(abs(value) * 100)
            return Out(None, {2: "center" if pct == 0 else f"{pct}%{'L' if value > 0 else 'R'}"})
        if env.fx is not None and env.param_index is not None:
            return Out(None, {2: env.fx.model.format_value(env.param_index, value)})
        return Out(None, {2: f"{value:.2f}"})

    def GetSetEnvelopeInfo_String(self, env, parm, value, set_):
        if env is None:
            return Out(False, {2: ""})
        if parm == "ACTIVE":
            if set_:
                env.active = value.strip() not in ("0", "")
            return Out(True, {2: "1" if env.active else "0"})
        if parm in ("VISIBLE", "SHOWLANE", "ARM"):
            key, pos = {"VISIBLE": ("VIS", 0), "SHOWLANE": ("VIS", 1), "ARM": ("ARM", 0)}[parm]
            if set_:
                env.chunk.set(key, pos, 1 if value.strip() not in ("0", "") else 0, fill=[1, 1, 1])
            return Out(True, {2: env.chunk.get(key, pos, "0") or "0"})
        if parm == "GUID":
            return Out(True, {2: env.guid})
        return Out(False, {2: ""})

    def GetEnvelopeInfo_Value(self, env, parm):
        return 0.0

    # ---------------------------------------------------------------------------------------
    # undo (see undo.py)
    # ---------------------------------------------------------------------------------------
    def Undo_BeginBlock(self):
        self.undo.begin()

    def Undo_BeginBlock2(self, proj):
        self.undo.begin()

    def Undo_EndBlock(self, desc, flags):
        self.undo.end(desc, flags)

    def Undo_EndBlock2(self, proj, desc, flags):
        self.undo.end(desc, flags)

    def Undo_OnStateChange(self, desc):
        self.undo.point(desc)

    def Undo_OnStateChange2(self, proj, desc):
        self.undo.point(desc)

    def Undo_OnStateChangeEx(self, desc, flags, trackparm):
        self.undo.point(desc)

    def GetProjectStateChangeCount(self, proj):
        return self.undo.changes

    def Undo_DoUndo2(self, proj):
        return 1 if self.undo.undo() else 0

    def Undo_DoRedo2(self, proj):
        return 1 if self.undo.redo() else 0

    def Undo_CanUndo2(self, proj):
        return self.undo.can_undo()  # None -> AttributeError in the binding, as in REAPER

    def Undo_CanRedo2(self, proj):
        return self.undo.can_redo()

    # ---------------------------------------------------------------------------------------
    # actions
    # ---------------------------------------------------------------------------------------
    def register_script(self, named_id: str, path: str, description: str = "", *, flags: int = 4) -> int:
        named = named_id.lstrip("_")
        if named in self.named_commands:
            cmd = self.named_commands[named]
        else:
            cmd = FIRST_SCRIPT_COMMAND_ID + len(self.commands)
        self.commands[cmd] = {"named": named, "path": path, "desc": description, "flags": flags}
        self.named_commands[named] = cmd
        return cmd

    def NamedCommandLookup(self, name):
        if not name:
            return 0
        if name.isdigit():
            return int(name)
        return self.named_commands.get(name.lstrip("_"), 0)

    def ReverseNamedCommandLookup(self, cmd):
        c = self.commands.get(cmd)
        return c["named"] if c else None  # NULL for native actions -> AttributeError

    def AddRemoveReaScript(self, add, section, path, commit):
        if section != 0:
            return 0
        if add:
            for cmd, c in self.commands.items():
                if os.path.abspath(c["path"]) == os.path.abspath(path):
                    return cmd
            named = "RS" + re.sub(r"[^A-Za-z0-9]", "", new_guid())[:40]
            return self.register_script(named, path, f"Script: {os.path.basename(path)}")
        for cmd, c in list(self.commands.items()):
            if os.path.abspath(c["path"]) == os.path.abspath(path):
                del self.commands[cmd]
                self.named_commands.pop(c["named"], None)
                return cmd
        return 0

    # toggle states (reascripthelp: "0=off, 1=on, -1=NA because the action does not have on/off
    # states"; SetToggleCommandState: "Only ReaScripts can have their toggle states changed
    # programmatically")
    def GetToggleCommandStateEx(self, section, cmd):
        return self.toggle_states.get((int(section), int(cmd)), -1)

    def GetToggleCommandState(self, cmd):
        return self.GetToggleCommandStateEx(0, cmd)

    def SetToggleCommandState(self, section, cmd, state):
        if int(section) != 0 or int(cmd) not in self.commands:
            return False
        self.toggle_states[(0, int(cmd))] = 1 if state else 0
        return True

    def RefreshToolbar2(self, section, cmd):
        self.toolbar_refreshes.append((int(section), int(cmd)))

    def Main_OnCommand(self, cmd, flag):
        self.run_command(int(cmd))

    def Main_OnCommandEx(self, cmd, flag, proj):
        self.run_command(int(cmd))

    def run_command(self, cmd: int) -> bool:
        if cmd in self.commands:
            if self.script_runner is None:
                return False
            c = self.commands[cmd]
            self.script_runner(c["path"], c.get("flags", 4))
            return True
        if cmd in self.action_hooks:
            self.action_hooks[cmd]()
            return True
        if cmd == CMD_SELECT_ALL_TRACKS:
            for t in self.project.tracks:
                t.selected = True
        elif cmd == CMD_UNSELECT_ALL_TRACKS:
            for t in self.project.tracks:
                t.selected = False
        elif cmd == CMD_UNDO:
            self.undo.undo()
        elif cmd == CMD_REDO:
            self.undo.redo()
        elif cmd == CMD_SAVE_PROJECT:
            self._save(None)
        elif cmd in ENVELOPE_TOGGLE_ACTIONS:
            tag = ENVELOPE_TOGGLE_ACTIONS[cmd]
            for t in self._selected(False):
                existing = t.envelope_by_chunk_name(tag)
                if existing is None:
                    t.envelope_by_chunk_name(tag, create=True)  # created visible and active
                else:
                    visible = existing.chunk.get("VIS", 0, "1") == "1"
                    existing.chunk.set("VIS", 0, 0 if visible else 1, fill=[1, 1, 1])
            self.undo.point("Toggle envelope visible")
        else:
            return False
        return True


def _master_track_chunk(master) -> str:
    """The master's state chunk as REAPER returns it: a ``<TRACK`` chunk whose FX are an
    ``<FXCHAIN`` (public scripts read the master's hardware outputs before ``<FXCHAIN`` and its
    FX blocks from it), built from the project's MASTER_* lines and ``<MASTERFXLIST``."""
    vol = master.chunk.line("MASTER_VOLUME")
    lines = ["<TRACK", f"  VOLPAN {' '.join(vol.tokens[1:]) if vol is not None else '1 0 -1 -1 1'}", "  MAINSEND 1 0"]
    fxl = master.chunk.chunk("MASTERFXLIST")
    if fxl is not None:
        body = rpp.dumps(fxl).splitlines()
        lines.append("  <FXCHAIN")
        lines.extend("  " + ln for ln in body[1:])
    lines.append(">")
    return "\n".join(lines) + "\n"
