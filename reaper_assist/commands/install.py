"""``reaper-assist install``: register the actions and the bridge start-up in REAPER's resource folder."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resource-path", help="REAPER's resource folder (default: detected like python-reapy does)")
    p.add_argument("--web-port", type=int, default=None, help="REAPER web interface port for the bridge (default 2307)")
    p.add_argument("--python", default=None,
                   help="Python that runs the companion and whose library REAPER loads (default: this one)")


def run(args: argparse.Namespace) -> int:
    from reaper_assist.install import install
    from reaper_assist.install.kernels import compile_kernels

    plan, cfg = install(args.resource_path, python=args.python, web_port=args.web_port)
    changed = [c for c in plan.changes if not c.noop]
    print(f"reaper-assist installed in {cfg.resource_path}" if changed
          else f"reaper-assist is already installed in {cfg.resource_path}: nothing changed")
    for c in changed:
        verb = "created" if c.old is None else "updated"
        print(f"  {verb} {c.path}")
    for n in plan.notes:
        print(f"  note: {n}")
    # after the files: a compile that fails or times out never undoes or fails the install
    print(f"  note: {compile_kernels(cfg.python).note()}")
    if changed:
        print("Restart REAPER (with REAPER closed while installing: it rewrites reaper-kb.ini and reaper.ini on exit),\n"
              "then bind 'reaper-assist: ...' actions to shortcuts in Actions > Show action list.")
    return 0
