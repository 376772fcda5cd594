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

# TrackFX_GetFXName with a renamed FX: facts 1.3 says it "probably" returns the renamed name.
FXNAME_RETURNS_RENAMED = True

# TrackFX_AddByName name matching: case-insensitive (facts 1.3: UNCERTAIN).
ADDBYNAME_CASE_INSENSITIVE = True

# GetExtState for a missing key returns "" (facts 1.3: presumably).
MISSING_EXTSTATE = ""
