"""What the tone and dynamics assistants (auto-EQ, unmask, auto-compress, auto-gate) use, under one
name (``from reaper_assist.app import assist_common as C``). Each piece lives in its own module:

* :mod:`reaper_assist.rules.tables`: rule tables with the settings' overrides, ``amount``;
* :mod:`reaper_assist.app.track_source`: a track's pre-FX audio and instrument;
* :mod:`reaper_assist.app.our_fx`: our tagged FX, the user's FX, the step for our plugin;
* :mod:`reaper_assist.app.per_track`: the per-track plan loop and its decisions;
* :mod:`reaper_assist.app.run_action`: read -> plan -> realize -> apply -> record.
"""

from __future__ import annotations

from reaper_assist.app.our_fx import fx_label, our_fx, plugin_steps, user_fx_doing, users_own
from reaper_assist.app.per_track import decision, plan_each_track, skipped, track_inputs
from reaper_assist.app.run_action import clean, run_assistant, undo_name
from reaper_assist.app.track_source import TrackSource, instrument_note, track_source
from reaper_assist.rules.tables import load_table, parse_amount, row_for, table_with_overrides

__all__ = ["TrackSource", "clean", "decision", "fx_label", "instrument_note", "load_table",
           "our_fx", "parse_amount", "plan_each_track", "plugin_steps", "row_for", "run_assistant", "skipped",
           "table_with_overrides", "track_inputs", "track_source", "undo_name", "user_fx_doing", "users_own"]
