"""Every emulator mapping that facts.md marks UNCERTAIN (or that no source settles), in one place.

Each constant/function names its source and confidence. ``reaper-assist calibrate`` (and the
plugin maps in :mod:`reaper_assist.plugins.uncertain`) are where a live REAPER settles them; until
then the emulator uses these hypotheses consistently in both directions.
"""

from __future__ import annotations

import numpy as np

# Project ExtState (SetProjExtState) chunk in the .RPP. Not in facts.md; inferred from REAPER-saved
# projects seen elsewhere: <EXTSTATE> holding one sub-chunk per section of "key value" lines.
PROJECT_EXTSTATE_CHUNK = "EXTSTATE"

# Track P_EXT:key data: an <EXT chunk of "key value" lines inside <TRACK. [UNCERTAIN, inferred]
TRACK_EXT_CHUNK = "EXT"

# FADEIN/FADEOUT fields after the key: 0 shape, 1 length (s), 2 auto-crossfade length (s),
# 3 shape again, 4 unknown, 5 curvature (-1..1). Only 0 and 1 are seen documented (facts 4.3).
FADE_FIELDS = {"shape": 0, "length": 1, "auto_length": 2, "dir": 5}

# ValidatePtr(p, type) for a type its doc does not list (GUID*, AudioAccessor*, HWND, void*, ...).
# The SDK lists the types it checks (facts 1.3, ValidatePtr2) and says nothing of others. False is
# the strict choice: the stock binding's rpr_packp (facts 1.2) then passes NULL for such pointers,
# so a GUID* from TrackFX_GetFXGUID cannot reach guidToString (issue 10 point 4). reapy replaces
# rpr_packp with a version that skips the check, which the emulator honours. [UNCERTAIN, inferred]
VALIDATEPTR_UNLISTED_TYPES = False

# Fader scaling (facts addendum Q2, MULTI for the curve shape; DB2SLIDER(0) = 716.2 vs 716.0 open).
_K = 10 ** (12 / 20) / 2  # DB2VAL(+12)/2


def slider_to_amp(y):
    """ScaleFromEnvelopeMode(1, y): fader position 0..1000 (+12 dB) -> linear amplitude.
    Works on floats and numpy arrays (the audio engine evaluates it at audio rate)."""
    t = np.maximum(np.asarray(y, dtype=np.float64), 0.0) / 1000.0
    t3 = t * t * t
    out = _K * (t3 + t3 * t3)
    return float(out) if out.ndim == 0 else out


def amp_to_slider(amp):
    """ScaleToEnvelopeMode(1, amp): linear amplitude -> fader position (inverse of the above).
    REAPER evaluates the naive quadratic formula (its -150 dB anchor matches only that way)."""
    a = np.abs(np.asarray(amp, dtype=np.float64))
    u = (np.sqrt(1.0 + 4.0 * a / _K) - 1.0) / 2.0
    out = 1000.0 * np.cbrt(u)
    return float(out) if out.ndim == 0 else out

# GetProjectStateChangeCount: the API documents only "returns an integer that changes when the
# project state changes" (reascript_api.tsv lists its signature). The emulator moves it with every
# undo point recorded, undone or redone; whether REAPER also moves it for changes that record no
# undo point (a selection change, a script's API call outside an undo block) is not settled, so
# the companion's pre-analysis does not rely on it alone (it also checks its media files' stat).
STATE_CHANGE_COUNT_MOVES_WITH_UNDO = True

# Main_SaveProjectEx(proj, filename, options) with a filename other than the project's own: the API
# doc says only "Save the project. options: &1=save selected tracks as track template, &2=include
# media with track template, &4=include envelopes with track template"; whether REAPER then keeps the
# open project on its file or re-points it to the new one (as "Save as" does) is not documented.
# [UNCERTAIN] The emulator takes the strict choice, Save As (Project.save sets the project's path), so
# that nothing of ours may rely on the copy leaving the project alone: the report reads the project
# (bridge op report_view) instead of saving a copy. Not in `reaper-assist calibrate`: a check must
# save to another path, which under this very behaviour would leave the user's project re-pointed;
# docs/unverified.md gives the check to run by hand in a new, empty project.
SAVE_EX_TO_OTHER_PATH_REPOINTS = True

# TrackFX_GetFXName with a renamed FX: facts 1.3 says it "probably" returns the renamed name.
FXNAME_RETURNS_RENAMED = True

# TrackFX_AddByName name matching: case-insensitive (facts 1.3: UNCERTAIN).
ADDBYNAME_CASE_INSENSITIVE = True

# GetExtState for a missing key returns "" (facts 1.3: presumably).
MISSING_EXTSTATE = ""


# --- Item playback (the engine's item player, engine/items.py) -----------------------------------
# None of this is in facts.md; each choice is the emulator's own statement of a hypothesis, kept
# here so that a live REAPER render of one item can settle it.

def frame_nearest(seconds: float, rate: float) -> int:
    """Item edges, take offsets and SECTION bounds land on the nearest sample at ``rate`` (round
    half to even). REAPER may keep sub-sample positions: at most half a sample of shift."""
    return int(round(float(seconds) * float(rate)))


# A mono source (or a mono channel mode) plays in channels 1 and 2 at this gain: unity, as if
# items were not panned by the pan law before the FX. A -3 dB law would make it 0.7071.
MONO_TO_STEREO_GAIN = 1.0


def downmix_gain(source_channels: int) -> float:
    """CHANMODE 2 (mono downmix): the sum of the source channels times this gain, i.e. their
    mean. REAPER might sum at 0 dB or -3 dB instead; no source gives it."""
    return 1.0 / max(1, int(source_channels))


# A playrate (or source/project rate ratio) is resampled as the nearest fraction with a
# denominator <= 2000 (scipy resample_poly): exact for the ratios of standard rates and for
# playrates like 0.5, 1.25 or 2; otherwise the timing drifts by |r - r'|/r (below 1e-6 of the
# duration for any ratio). REAPER's resampler (and its preserve-pitch stretch) is not modelled.
PLAYRATE_RATIO = "nearest fraction, denominator <= 2000"

# Fade curves (FADEIN/FADEOUT shape 0..6 with curvature -1..1). Source: the reverse-engineered
# curves of the Cockos forum thread https://forum.cockos.com/showthread.php?t=262260 ("cohler"),
# as used by ReaTeam's "Convert item fades to take volume envelopes" (Oded D, v1.4): shape k is
# entry k+1 of its table, and a fade-out is the fade-in read backwards from the item end with the
# curvature negated. That script passes the item's stored curvature, so do we (its defaults for
# shapes 2-4 apply only without one). Overlapping fade-in and fade-out multiply.


def _bend(x: np.ndarray, c: float, base, up, down) -> np.ndarray:
    """``base`` pulled toward ``up`` (curvature c > 0) or ``down`` (c < 0) by |c|."""
    w = abs(c)
    return (1.0 - w) * base(x) + w * (up(x) if c >= 0 else down(x))


def _bezier_warp(x: np.ndarray, t: float) -> np.ndarray:
    """Time warp of the S-curves: solve the quadratic Bezier ``x = (1-2t) g^2 + 2t g`` (control
    point t) for g (stable root), then map g through the Bezier with control point ``1 - t``."""
    g = x / (t + np.sqrt(t * t + (1.0 - 2.0 * t) * x))
    return (2.0 - 2.0 * t) * g + (2.0 * t - 1.0) * g * g


def _quartic_pull(x):
    return x ** 4


def _quartic_push(x):
    return 1.0 - (1.0 - x) ** 4


_CURVES = {
    0: lambda x, c: _bend(x, c, lambda v: v, _quartic_pull, _quartic_push),
    1: lambda x, c: _bend(x, c, lambda v: v * (2.0 - v), _quartic_pull,
                          lambda v: np.sqrt(1.0 - (1.0 - v) ** 8)),
    2: lambda x, c: _bend(x, c, lambda v: v, lambda v: v * v, lambda v: 1.0 - (1.0 - v) ** 2),
    5: lambda x, c: (lambda u: u * u * (3.0 - 2.0 * u))(_bezier_warp(x, (c + 2.0) / 4.0)),
    6: lambda x, c: (lambda u: np.where(u <= 0.5, 8.0 * u ** 4, 1.0 - 8.0 * (1.0 - u) ** 4))(
        _bezier_warp(x, (5.0 * c + 8.0) / 16.0)),
}
_CURVES[3] = _CURVES[4] = _CURVES[0]


def fade_curve(x, shape: int, curvature: float) -> np.ndarray:
    """Fade-in gain at fade position ``x`` (0 start .. 1 end, clamped), shape 0..6 (others as
    0), curvature clamped to -1..1. 0 at x = 0, 1 at x >= 1."""
    xs = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    c = max(-1.0, min(1.0, float(curvature)))
    f = _CURVES.get(int(shape), _CURVES[0])
    return np.clip(f(xs, c), 0.0, 1.0)


# User default presets (reaper-defpresets.ini; docs/emulator.md "User default presets").
# Section name: "[defaultpresets]" in Ultraschall's file-type descriptions (mespotine,
# Docs/Filetype-Descriptions.html); one public parser uses "[defpresets]". UNCERTAIN: the former.
DEFPRESETS_SECTION = "defaultpresets"
# Keys: "vst-reacomp" (Windows) and "vst-reacomp.vst" (macOS) per the same page; the Linux form
# (a file "reacomp.vst.so") is not documented: the key without extension is accepted. UNCERTAIN.
DEFPRESET_KEY_WITHOUT_EXTENSION = True
DEFPRESET_KEY_MAC_VST = True
# A preset's Data (hex) is taken to be the plugin's own state, the middle segment of the <VST body;
# its Len field is not checked (the page's formula for it is unclear). UNCERTAIN.
DEFPRESET_DATA_IS_PLUGIN_STATE = True
# Where a plugin's presets live: "presets/<key>.ini" (the page says one file per plugin in <resource>/presets,
# named after the plugin; the exact stem, "vst-reaeq", is assumed equal to the defpresets key). UNCERTAIN.
DEFPRESET_FILE = "presets/{key}.ini"
# TrackFX_Get/SetNamedConfigParm "vst_chunk" (facts 1.3: read/write, base64): taken to be the plugin's own
# state, the middle segment of the <VST body (what the plugin's chunk call returns). A ReaEQ state of
# another band count is taken in place: the FX keeps its FXID, BYPASS line and slot (they are outside
# the plugin state) and its parameters follow the new bands (auto-EQ's re-run, docs/unverified.md); a
# state the plugin's codec cannot read is refused, the FX unchanged. UNCERTAIN.
VST_CHUNK_IS_PLUGIN_STATE = True


# --- Automation items (POOLEDENVINST in a lane, <POOLEDENV pools; docs/engine.md) ----------------
# Sourced (docs/engine.md "Automation items"): the line's fields (ReaTeam/Doc State Chunk
# Definitions), the API's keys and ranges and InsertAutomationItem (ReaTeam/Doc reascripthelp.html).
# Everything below is the emulator's hypothesis; each is settled on a live REAPER by one
# Envelope_Evaluate at a time inside and outside an item (the API's "effective envelope value").

# While an item plays, its (transformed) pooled points replace the lane's own value; outside every
# item the lane's points rule. Where items overlap, the one written later in the lane wins.
# Alternatives: REAPER's "combine with underlying envelope" options, or the earlier item winning.
AI_REPLACES_UNDERLYING = True
AI_OVERLAP = "later line wins"

# A muted item (field 13) plays nothing: the lane's points rule under it.
AI_MUTED_PLAYS = False

# Pooled point times (PPT lines) and SRCLEN are quarter notes from the pool's start, converted at the
# project's base tempo (TEMPO line); D_POOL_QNLEN ("pooled source length in quarter notes") is the
# reason. The item's start offset and play rate act in seconds (D_STARTOFFS "in seconds"): item time
# t plays pool position start_offset + playrate * (t - position) seconds. A tempo envelope is not
# applied (a render names it). Alternative: PPT times in seconds.
POOLED_POINT_TIME_UNIT = "qn"

# PPT lines have the PT layout (time value shape [sig] [selected] [flags] [tension]). One
# converter (DawVert) writes "PPT t v shape tension"; REAPER's own layout of the line is unpublished.
PPT_LAYOUT = "as PT"

# A looped item (LOOPSRC) repeats the pool every SRCLEN; an unlooped one holds the pool's value at
# its last point past SRCLEN, as an envelope holds its last point. A pool with no points plays the
# lane's default value (Envelope_Evaluate's default for the lane).
AI_UNLOOPED_PAST_END = "hold last point"


def ai_transform(normalized, baseline: float, amplitude: float):
    """Baseline/amplitude on a pooled value ``normalized`` to its lane's range (0..1): the value is
    scaled by ``amplitude`` about the range's centre and moved to ``baseline``, i.e.
    ``baseline + amplitude * (n - 0.5)``, clamped to the range. baseline 0.5 / amplitude 1 (REAPER's
    defaults) is the identity; amplitude 0 gives the baseline itself; amplitude -1 mirrors the
    shape. The State Chunk Definitions give only the display scale (baseline 0 = -100 .. 1 = +100,
    amplitude 1 = 100 %), not the arithmetic. [UNCERTAIN]"""
    n = np.asarray(normalized, dtype=np.float64)
    return np.clip(float(baseline) + float(amplitude) * (n - 0.5), 0.0, 1.0)


# The range baseline/amplitude act on: a volume lane's fader positions 0..1000 (+12 dB at the top,
# the scale of slider_to_amp above), an FX parameter lane's PARMENV min..max, -1..1 for pan and
# width, 0..1 otherwise. REAPER may use the "volume envelope range" preference (field 16 of the
# line: +6/+0/+12/+24 dB) for the top of a volume lane instead. [UNCERTAIN]
AI_VOLUME_RANGE_SLIDER = 1000.0

# The API's D_POOL_ID is the chunk's pool index minus one: the chunk's field is "greater by 1 than
# the one displayed" (State Chunk Definitions) and InsertAutomationItem takes pool_id >= 0 for an
# existing pool. [UNCERTAIN]
AI_POOL_ID_OFFSET = 1

# GetSetAutomationItemInfo set: D_PLAYRATE below 0.001 becomes 0.001 (Ultraschall's doc of the
# line: "minimum value is 0.001"); D_BASELINE is clamped to [0, 1] and D_AMPLITUDE to [-1, 1], the
# API's ranges (the chunk may hold -2..2, which renders). A length <= 0 or a non-finite value is
# refused (the item keeps its value). [UNCERTAIN: REAPER's own clamping is unpublished]
AI_MIN_PLAYRATE = 0.001
AI_AMPLITUDE_API_RANGE = (-1.0, 1.0)

# The *Ex point functions on an automation item (autoitem_idx >= 0) read and write the pool's raw
# points (no baseline/amplitude), with times on the project timeline; "visible" points are those of
# every loop iteration inside [position, position + length). With autoitem_idx | 0x10000000, point
# k is pool point k at its time in the item's first iteration. [UNCERTAIN: the doc names the two
# indexings, not the times]
AI_POINTS_RAW = True
AI_FULL_LOOP_FLAG = 0x10000000


# --- Track sends and receives (docs/emulator.md "Sends") -----------------------------------------
# A send lives in the .RPP as an ``AUXRECV`` line on the *receiving* track. Field order after the
# key, from SWS (reaper-oss/sws ``SnM/SnM_Chunk.cpp``, ``SNM_SendPatcher``, which writes these
# lines for REAPER): source track index (0-based), I_SENDMODE, D_VOL, D_PAN, B_MUTE, B_MONO,
# B_PHASE, I_SRCCHAN, I_DSTCHAN, D_PANLAW, I_MIDIFLAGS, I_AUTOMODE; REAPER-written files add a
# quoted token at the end (``AUXRECV 0 0 1 0 0 0 0 0 0 -1:U 0 -1 ''`` in public projects). The
# meaning of each value is the SDK's (GetTrackSendInfo_Value): I_SENDMODE 0 = post-fader, 1 = pre-FX,
# 2 = post-FX (deprecated), 3 = post-FX (i.e. pre-fader). Settled by sources: the order and the
# meanings. Not settled, and chosen here:
AUXRECV_FIELDS = ("SRC", "I_SENDMODE", "D_VOL", "D_PAN", "B_MUTE", "B_MONO", "B_PHASE", "I_SRCCHAN",
                  "I_DSTCHAN", "D_PANLAW", "I_MIDIFLAGS", "I_AUTOMODE")
# A send made by CreateTrackSend: post-fader, 0 dB, centre, audio 1/2 -> 1/2, MIDI all channels,
# project pan law, track automation mode (REAPER takes these from its preferences; these are its
# shipped defaults as far as public projects show: every AUXRECV seen in them reads so).
NEW_AUXRECV = [0, 0, 1, 0, 0, 0, 0, 0, 0, "-1:U", 0, -1, ""]  # the last: REAPER writes ''
# A track's sends (GetTrackNumSends(tr, 0), send index) are listed in the order of their
# receiving tracks, and within one receiving track in its AUXRECV order. REAPER keeps its own list;
# the .RPP stores only receives, so this is the order a loaded project can have. [UNCERTAIN]
SEND_ORDER = "receiving track order, then AUXRECV order"
# Hardware outputs (category > 0, ``HWOUT`` lines) are counted but not modelled: their fields read
# 0 and CreateTrackSend(tr, NULL) fails (-1). A render of the master or a track never holds them.
HWOUT_KEY = "HWOUT"

# Where each send mode taps the sending track (the render, engine/render.py):
# * post-fader (0): the track's output after volume, pan, mute (what goes to its parent);
# * pre-fader / post-FX (3, and the deprecated 2): after the FX chain, before volume and pan;
# * pre-FX (1): the FX chain's input, i.e. after the polarity switch and the pre-FX volume/pan
#   envelopes (where exactly REAPER taps it relative to those envelopes is not published).
SEND_TAPS = {0: "post_fader", 1: "pre_fx", 2: "post_fx", 3: "post_fx"}
# A muted track (B_MUTE, or its Mute envelope at 0) sends nothing, pre-fader sends included
# (REAPER's default mute behaviour as its manual describes "mute" of a track; an option can let
# pre-fader sends through, which is not modelled). [UNCERTAIN]
MUTE_SILENCES_PRE_FADER_SENDS = True
# The send's own pan uses the track pan law of engine/uncertain.py (balance, 0 dB centre): the
# D_PANLAW field is not modelled. B_MONO sums the two channels to their mean on both sides.
SEND_MONO_SUM = "mean of L and R"
# Solo: a track that receives from a track that sounds under solo sounds too, with those
# receives only (REAPER lets a soloed track be heard through the buses it sends to). [UNCERTAIN]
SOLO_FOLLOWS_SENDS = True


# --- JS: Mid/Side Encoder / Decoder (match-reference's width, engine/js_midside.py) --------------
# The model is the code of the Cockos JSFX files utility/KanakaMSEncoder1 and utility/KanakaMS5 as
# shipped with an older REAPER (docs/engine.md, source S22). UNCERTAIN: that REAPER 7 still ships
# them under these paths, with these names ("JS: Mid/Side Encoder", "JS: Mid/Side Decoder") and this
# code; and that a slider value between the slider's steps (Center Level's step is 1 dB) is kept as
# set through TrackFX_SetParam rather than rounded to the step (the same assumption the JS Volume
# gain stage makes). False would make the model round the Center Level to whole slider steps.
JS_SLIDER_FRACTIONS_KEPT = True
MS_ENCODER_PATH = "utility/KanakaMSEncoder1"
MS_DECODER_PATH = "utility/KanakaMS5"

# SetMediaItemTakeInfo_Value(take, "D_PAN", v): facts 1.4 gives the take's D_PAN range, -1..1, and
# REAPER accepts the key; a value outside it is clamped to the range, as the emulator does for the
# track's D_PAN. [UNCERTAIN: REAPER's own handling of an out-of-range take pan is unpublished]
TAKE_PAN_RANGE = (-1.0, 1.0)
