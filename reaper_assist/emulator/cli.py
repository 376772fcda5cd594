"""``reaper-assist emulator`` / ``python -m reaper_assist.emulator``: run the REAPER emulator."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--project", help="the .RPP to open (default: a new empty project)")
    p.add_argument("--resource-path", required=True, help="REAPER resource folder (reaper-kb.ini, Scripts/)")
    p.add_argument("--web-port", type=int, default=0, help="web interface port (0: a free port)")
    p.add_argument("--reapy-port", type=int, default=0,
                   help="port of python-reapy's own server, for test drivers (0: a free port)")
    p.add_argument("--defer-hz", type=float, default=30.0, help="defer loop rate, like REAPER's timer (default 30)")
    p.add_argument("--host", default="127.0.0.1", help="address of the web interface (default loopback)")
    p.add_argument("--no-reapy-server", action="store_true",
                   help="do not start python-reapy's own server (the resource folder's start-up may start "
                        "reaper-assist's bridge, which never uses reapy's port)")
    p.add_argument("--quiet", action="store_true", help="do not echo the REAPER console to stdout")
    p.add_argument("--console-file", help="also append everything written to the REAPER console to this file "
                                          "(REAPER has no API to read its console; test drivers read this)")


def run(args: argparse.Namespace) -> int:
    from reaper_assist.emulator.process import EmulatorProcess

    return EmulatorProcess(project=args.project, resource_path=args.resource_path, web_port=args.web_port,
                           reapy_port=args.reapy_port, defer_hz=args.defer_hz, host=args.host,
                           reapy_server=not args.no_reapy_server, echo_console=not args.quiet,
                           console_file=args.console_file).run()


def main(argv: list[str] | None = None) -> int:
    import sys

    from reaper_assist.errors import ReaperAssistError

    parser = argparse.ArgumentParser(prog="python -m reaper_assist.emulator", description=__doc__)
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except ReaperAssistError as exc:
        print(f"reaper-assist emulator: {exc}", file=sys.stderr)
        return 2
