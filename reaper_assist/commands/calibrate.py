"""``reaper-assist calibrate``: check the stock-plugin parameter maps against a live REAPER.

Inserts each stock plugin on a temporary track (one request shipped into REAPER:
:func:`sweep_with`), reads ``TrackFX_FormatParamValueNormalized`` over a sweep of normalized values
for every mapped parameter, removes the track, and compares REAPER's display text with our
predictions (:func:`reaper_assist.plugins.calibrate.calibrate`). Prints every mismatch; exit status
1 when there is any.

This module is also imported inside REAPER (by name, through reapy), so it imports nothing but the
standard library at module level.
"""

from __future__ import annotations

import argparse
from typing import Any

UNDO_NAME = "reaper-assist: calibrate (temporary track)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--web-port", type=int, default=None,
                   help="REAPER's web interface port used by reapy (default 2307)")
    p.add_argument("--plugin", action="append", default=None,
                   help="only this plugin (registry key: reaeq, reacomp, reagate, realimit, js_volume); repeatable")
    p.add_argument("--steps", type=int, default=20, help="sweep 0..1 in this many steps (default 20)")


# -- runs inside REAPER ------------------------------------------------------------------------
def sweep_with(api, plan: list[dict[str, Any]]) -> dict[str, Any]:
    """For each ``{"key", "name", "params": [[index, [norm, ...]], ...]}`` add the plugin to a
    temporary track and return ``{key: {str(index): [text, ...]}}`` (``{"error": ...}`` for a
    plugin REAPER cannot add). The track is removed again, whatever happens."""
    out: dict[str, Any] = {}
    api.Undo_BeginBlock2(0)
    api.PreventUIRefresh(1)
    n = api.CountTracks(0)
    api.InsertTrackAtIndex(n, False)
    track = api.GetTrack(0, n)
    try:
        for entry in plan:
            k = api.TrackFX_AddByName(track, entry["name"], False, -1)
            if k < 0:
                out[entry["key"]] = {"error": f"REAPER could not add {entry['name']!r}"}
                continue
            texts: dict[str, list[str]] = {}
            for index, norms in entry["params"]:
                texts[str(index)] = [api.TrackFX_FormatParamValueNormalized(track, k, int(index), float(v), "", 256)[5]
                                     for v in norms]
            out[entry["key"]] = texts
    finally:
        api.DeleteTrack(track)
        api.PreventUIRefresh(-1)
        api.Undo_EndBlock2(0, UNDO_NAME, -1)
    return out


def sweep(plan):
    """Entry point reapy calls inside REAPER."""
    import reapy.reascript_api as api

    return sweep_with(api, plan)


# -- runs in the companion -----------------------------------------------------------------------
def build_plan(keys: list[str] | None, steps: int) -> tuple[list[dict[str, Any]], tuple[float, ...]]:
    from reaper_assist.errors import ParameterError
    from reaper_assist.plugins import SPECS

    if not 1 <= steps <= 1000:
        raise ParameterError(f"--steps {steps} outside the range [1, 1000]")
    norms = tuple(i / steps for i in range(steps + 1))
    wanted = keys or list(SPECS)
    unknown = [k for k in wanted if k not in SPECS]
    if unknown:
        raise ParameterError(f"unknown plugin {unknown[0]!r}; known: {', '.join(SPECS)}")
    plan = []
    for key in wanted:
        spec = SPECS[key]
        params = [[i, list(norms)] for i, p in enumerate(spec.params(spec.default_state())) if p.mapped]
        plan.append({"key": key, "name": spec.fx_name, "params": params})
    return plan, norms


class _Reader:
    def __init__(self, texts: dict[str, Any], norms: tuple[float, ...]):
        self.texts, self.norms = texts, norms

    def format_param_normalized(self, fx_key: str, param_index: int, norm: float) -> str:
        return self.texts[fx_key][str(param_index)][self.norms.index(norm)]


def run(args: argparse.Namespace) -> int:
    from reaper_assist.errors import HostError
    from reaper_assist.host import reapy_host
    from reaper_assist.plugins import SPECS
    from reaper_assist.plugins.calibrate import calibrate

    plan, norms = build_plan(args.plugin, args.steps)
    host = reapy_host.ReapyHost(web_port=args.web_port)
    texts = host.call(sweep, plan)
    failed = {k: v["error"] for k, v in texts.items() if "error" in v}
    for key, err in failed.items():
        print(f"{key}: {err}")
    specs = [SPECS[e["key"]] for e in plan if e["key"] not in failed]
    mismatches = calibrate(_Reader(texts, norms), specs=specs, sweep=norms)
    for m in mismatches:
        print(m)
    checked = sum(len(e["params"]) for e in plan if e["key"] not in failed) * len(norms)
    print(f"calibrate: {checked} values of {len(specs)} plugins checked, {len(mismatches)} mismatches")
    if failed and not specs:
        raise HostError("no stock plugin could be added in REAPER")
    return 1 if mismatches or failed else 0
