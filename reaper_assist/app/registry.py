"""The user actions, by name: what REAPER's action scripts, the companion and the CLI run.

Every action is a function ``run(host, *, track_guids, selected, options) -> dict`` that reads
through the Host, analyses, plans, applies in ONE undo block and returns the ``last_run`` record
it also wrote into the project's ExtState (section ``reaper_assist``, key ``last_run``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EXT_SECTION = "reaper_assist"
LAST_RUN_KEY = "last_run"


@dataclass(frozen=True)
class ActionInfo:
    name: str  # CLI / request name, e.g. "gain-stage"
    title: str  # REAPER action list text after "reaper-assist: "
    target: str  # "module:function"
    command_id: str  # stable named command id registered in reaper-kb.ini


ACTIONS: dict[str, ActionInfo] = {
    "gain-stage": ActionInfo("gain-stage", "Gain-stage selected tracks", "reaper_assist.app.gain_stage:run",
                             "RS_reaper_assist_gain_stage"),
    "auto-eq": ActionInfo("auto-eq", "Auto-EQ selected tracks", "reaper_assist.app.auto_eq:run",
                          "RS_reaper_assist_auto_eq"),
    "auto-compress": ActionInfo("auto-compress", "Auto-compress selected tracks", "reaper_assist.app.auto_compress:run",
                                "RS_reaper_assist_auto_compress"),
    "auto-gate": ActionInfo("auto-gate", "Auto-gate selected tracks", "reaper_assist.app.auto_gate:run",
                            "RS_reaper_assist_auto_gate"),
    "master": ActionInfo("master", "Master selected project for a platform", "reaper_assist.app.master:run",
                         "RS_reaper_assist_master"),
    "unmask": ActionInfo("unmask", "Unmask selected tracks against the focus track", "reaper_assist.app.unmask:run",
                         "RS_reaper_assist_unmask"),
    "ride": ActionInfo("ride", "Ride selected tracks", "reaper_assist.app.ride:run", "RS_reaper_assist_ride"),
    "dip-gaps": ActionInfo("dip-gaps", "Dip noise between phrases on selected tracks", "reaper_assist.app.dip_gaps:run",
                           "RS_reaper_assist_dip_gaps"),
    "de-ess": ActionInfo("de-ess", "De-ess selected tracks", "reaper_assist.app.de_ess:run", "RS_reaper_assist_de_ess"),
    "balance": ActionInfo("balance", "Balance selected tracks around the focus track", "reaper_assist.app.balance:run",
                          "RS_reaper_assist_balance"),
    "auto-pan": ActionInfo("auto-pan", "Pan selected tracks", "reaper_assist.app.auto_pan:run", "RS_reaper_assist_auto_pan"),
    "match-reference": ActionInfo("match-reference", "Match the master to a reference",
                                  "reaper_assist.app.match_reference:run", "RS_reaper_assist_match_reference"),
    "ab-reference": ActionInfo("ab-reference", "Add the A/B reference, level-matched to the mix",
                               "reaper_assist.app.ab_reference:run", "RS_reaper_assist_ab_reference"),
    "ab-reference-toggle": ActionInfo("ab-reference-toggle", "A/B reference: toggle solo",
                                      "reaper_assist.app.ab_reference:run_toggle",
                                      "RS_reaper_assist_ab_reference_toggle"),
    "ab-reference-remove": ActionInfo("ab-reference-remove", "A/B reference: remove",
                                      "reaper_assist.app.ab_reference:run_remove",
                                      "RS_reaper_assist_ab_reference_remove"),
    "denoise": ActionInfo("denoise", "Reduce noise on selected tracks", "reaper_assist.app.denoise:run",
                          "RS_reaper_assist_denoise"),
    "remove": ActionInfo("remove", "Remove reaper-assist changes from selected tracks", "reaper_assist.app.remove:run",
                         "RS_reaper_assist_remove"),
    "compare": ActionInfo("compare", "Compare reaper-assist changes", "reaper_assist.app.compare:run",
                          "RS_reaper_assist_compare"),
    "report": ActionInfo("report", "Show reaper-assist report", "reaper_assist.reporting.action:run",
                         "RS_reaper_assist_report"),
}


# the actions that act on the master track / the mix as a whole (--master)
MASTER_ACTIONS = frozenset({"master", "ab-reference-toggle", "ab-reference-remove"})
# the actions whose script asks for a reference file first when the project's settings name none
REFERENCE_ACTIONS = frozenset({"match-reference", "ab-reference"})
# the actions that act on tracks or (--master) the master track; match-reference and ab-reference take
# the listed tracks together (their sum, soloed), docs/reference.md
EITHER_ACTIONS = frozenset({"remove", "compare", "report", "match-reference", "ab-reference"})


def get_action(name: str) -> ActionInfo:
    try:
        return ACTIONS[name]
    except KeyError:
        raise KeyError(f"unknown action {name!r}; known: {', '.join(sorted(ACTIONS))}") from None


def resolve(name: str) -> Callable[..., dict[str, Any]]:
    module, func = get_action(name).target.split(":")
    return getattr(importlib.import_module(module), func)


def run_action(name: str, host, *, track_guids: list[str] | None = None, selected: bool = True,
               options: dict[str, Any] | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Run an action on a host; returns the ``last_run`` record (status ``ok`` or ``error``)."""
    return resolve(name)(host, track_guids=track_guids, selected=selected, options=options or {}, dry_run=dry_run)
