"""``reaper-assist uninstall``: take out exactly what ``install`` put into REAPER's resource folder."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resource-path", help="REAPER's resource folder (default: detected like python-reapy does)")


def run(args: argparse.Namespace) -> int:
    from reaper_assist.install import uninstall

    plan = uninstall(args.resource_path)
    print(f"reaper-assist removed from {plan.resource}")
    for c in plan.changes:
        if not c.noop:
            print(f"  {'removed' if c.new is None else 'restored'} {c.path}")
    for n in plan.notes:
        print(f"  note: {n}")
    return 0
