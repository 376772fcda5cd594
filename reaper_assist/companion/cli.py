"""``reaper-assist companion --resource-path DIR``: the process REAPER's action scripts talk to.

Normally started on demand by an action script (with the Python recorded at install time); it
exits by itself after the configured idle time.
"""

from __future__ import annotations

import argparse
import sys
import threading


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resource-path", required=True, help="REAPER resource folder holding reaper_assist.json")
    p.add_argument("--idle-minutes", type=float, default=None,
                   help="exit after this many minutes without requests (default: from the install config)")


def run(args: argparse.Namespace) -> int:
    # first, so that numba's start overlaps the companion's own imports and the first request
    logging_ready = threading.Event()
    threading.Thread(target=warm_meter, args=(logging_ready,), name="warm-meter", daemon=True).start()
    from reaper_assist.companion.config import load_config
    from reaper_assist.companion.server import Companion, log, setup_logging

    try:
        config = load_config(args.resource_path)
        setup_logging(config)
    finally:
        logging_ready.set()
    companion = Companion(config, idle_minutes=args.idle_minutes)
    try:
        companion.bind()
    except OSError as exc:
        msg = f"cannot listen ({exc}); another companion is probably running"
        log.info(msg)
        print(f"reaper-assist companion: {msg}", file=sys.stderr)
        return 0
    companion.serve_forever()
    return 0


#: How long the warm-up's log line waits for the companion's log to be set up.
LOG_WAIT_S = 10.0


def warm_meter(logging_ready: threading.Event | None = None) -> None:
    """Load the loudness meter's compiled kernels (numba's start-up and cache load, about 1 s)
    while the first request is read and its tracks are fetched, not when its analysis starts.

    Never raises (it runs in its own thread, where an exception is a raw traceback on stderr):
    when numba is missing or fails, the meter uses its numpy reference (the same figures, slower)
    and the companion's log says so in one line, once ``logging_ready`` is set.
    """
    import logging

    why, fallback = "", True
    try:
        from reaper_assist.analysis.loudness import kernels, kernels_problem

        if kernels() is None:
            why = kernels_problem()
        from reaper_assist.media.wav_pcm import converter

        converter()  # the WAV reader's (numpy when it cannot load: the same values)
    except Exception as exc:  # noqa: BLE001 - e.g. the meter's own imports: its first use will say so
        why, fallback = f"{type(exc).__name__}: {exc}", False
    if not why:
        return
    if logging_ready is not None:
        logging_ready.wait(LOG_WAIT_S)
    log = logging.getLogger("reaper_assist.companion")
    if fallback:
        log.warning("loudness meter: numba's compiled kernels did not load (%s); metering with the numpy "
                    "reference (the same figures, slower)", why)
    else:
        log.warning("loudness meter: could not be loaded ahead of the first request (%s)", why)


def main(argv: list[str] | None = None) -> int:
    from reaper_assist.errors import ReaperAssistError

    parser = argparse.ArgumentParser(prog="python -m reaper_assist.companion", description=__doc__.splitlines()[0])
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except ReaperAssistError as exc:
        print(f"reaper-assist companion: {exc}", file=sys.stderr)
        return 2
