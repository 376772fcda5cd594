"""``reaper-assist calibrate``: check the stock-plugin parameter maps against a live REAPER.

Inserts each stock plugin on a temporary track (the bridge's one operation ``calibrate_sweep``:
:func:`reaper_assist.bridge.sweep.sweep_with`), reads ``TrackFX_FormatParamValueNormalized`` over a sweep of normalized values
for every mapped parameter, removes the track, and compares REAPER's display text with our
predictions (:func:`reaper_assist.plugins.calibrate.calibrate`). Prints every mismatch; exit status
1 when there is any.
"""

from __future__ import annotations

import argparse
from typing import Any

from reaper_assist.bridge.sweep import UNDO_NAME, sweep_with  # noqa: F401 - runs inside REAPER


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resource-path", default=None,
                   help="the REAPER resource folder whose bridge to use (default: the one found on this machine)")
    p.add_argument("--plugin", action="append", default=None,
                   help="only this plugin (registry key: reaeq, reacomp, reagate, realimit, js_volume); repeatable")
    p.add_argument("--steps", type=int, default=20, help="sweep 0..1 in this many steps (default 20)")


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
    host = reapy_host.ReapyHost(args.resource_path)
    texts = host.calibrate_sweep(plan)
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
