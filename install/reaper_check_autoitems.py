# reaper-assist: how this REAPER plays automation items (the automation-item rows of docs/unverified.md).
# Load it in REAPER like install/reaper_check.py and run it with any project open: it adds one track with a
# Volume lane and automation items inside one undo block, reads the effective envelope values REAPER
# reports (Envelope_Evaluate), then undoes that block, so the project is left as it was (Edit > Undo
# history shows the step undone). Compare REAPER's console with docs/unverified.md.
from reaper_python import *  # noqa: F403
# ruff: noqa: F405 - the RPR_* names come from that import

import math

RATE = 48000


def _say(name, value):
    RPR_ShowConsoleMsg("reaper-assist check: %s: %s\n" % (name, value))


def _db(env, t):
    """The effective value of the Volume lane at ``t`` s, in dB."""
    v = RPR_Envelope_Evaluate(env, t, RATE, 1, 0, 0, 0, 0)[5]
    a = RPR_ScaleFromEnvelopeMode(1, v)
    return "%.2f" % (round(20.0 * math.log10(a), 2) + 0.0) if a > 0 else "-inf"  # + 0.0: no "-0.00"


def _item(env, position, length, gain_db):
    """An automation item of one flat point at ``gain_db``, in a new pool of its own."""
    k = RPR_InsertAutomationItem(env, -1, position, length)
    RPR_InsertEnvelopePointEx(env, k, position, RPR_ScaleToEnvelopeMode(1, 10.0 ** (gain_db / 20.0)), 0, 0.0,
                              False, True)
    RPR_Envelope_SortPointsEx(env, k)
    return k


RPR_Undo_BeginBlock2(0)
RPR_InsertTrackAtIndex(RPR_CountTracks(0), False)
_track = RPR_GetTrack(0, RPR_CountTracks(0) - 1)
RPR_SetOnlyTrackSelected(_track)
RPR_Main_OnCommand(40406, 0)  # Track: Toggle track volume envelope visible (creates the lane)
_env = RPR_GetTrackEnvelopeByName(_track, "Volume")
RPR_InsertEnvelopePoint(_env, 0.0, RPR_ScaleToEnvelopeMode(1, 1.0), 0, 0.0, False, True)  # the lane: 0 dB
RPR_Envelope_SortPoints(_env)

_k = _item(_env, 1.0, 1.0, -6.0)
_say("a -6 dB item over 1-2 s on a 0 dB lane, dB at 0.5 / 1.5 / 2.5 s",
     "%s / %s / %s" % (_db(_env, 0.5), _db(_env, 1.5), _db(_env, 2.5)))
_say("its D_POOL_QNLEN (1 s in quarter notes at the project's tempo), D_BASELINE, D_AMPLITUDE", "%.4f, %.4f, %.4f" % (
    RPR_GetSetAutomationItemInfo(_env, _k, "D_POOL_QNLEN", 0, False),
    RPR_GetSetAutomationItemInfo(_env, _k, "D_BASELINE", 0, False),
    RPR_GetSetAutomationItemInfo(_env, _k, "D_AMPLITUDE", 0, False)))
RPR_GetSetAutomationItemInfo(_env, _k, "D_AMPLITUDE", 0.0, True)
_say("amplitude 0, baseline 0.5, dB at 1.5 s", _db(_env, 1.5))
RPR_GetSetAutomationItemInfo(_env, _k, "D_BASELINE", 0.25, True)
_say("amplitude 0, baseline 0.25, dB at 1.5 s", _db(_env, 1.5))
RPR_GetSetAutomationItemInfo(_env, _k, "D_AMPLITUDE", 0.5, True)
RPR_GetSetAutomationItemInfo(_env, _k, "D_BASELINE", 0.5, True)
_say("amplitude 0.5, baseline 0.5, dB at 1.5 s", _db(_env, 1.5))
RPR_GetSetAutomationItemInfo(_env, _k, "D_AMPLITUDE", 1.0, True)
_item(_env, 1.25, 0.5, -12.0)  # a later item over the middle of the first
_say("a -12 dB item over 1.25-1.75 s, inserted after the -6 dB one, dB at 1.1 / 1.5 / 1.9 s",
     "%s / %s / %s" % (_db(_env, 1.1), _db(_env, 1.5), _db(_env, 1.9)))
RPR_Undo_EndBlock2(0, "reaper-assist check: automation items", -1)
RPR_Undo_DoUndo2(0)
_say("undone, tracks back to", RPR_CountTracks(0))
