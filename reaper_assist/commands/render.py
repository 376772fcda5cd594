"""``reaper-assist render``: render a project's master mix (or one track) to a WAV file through
the emulator's audio engine (stock-plugin models, envelopes, folders; see docs/engine.md)."""

from __future__ import annotations

import argparse
import sys


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--project", required=True, help="the .RPP to render")
    p.add_argument("--track", help="render this track (by name) post-fader instead of the master")
    p.add_argument("--out", required=True, help="output .wav (32-bit float)")
    p.add_argument("--start", type=float, default=None, help="start, seconds (default 0)")
    p.add_argument("--end", type=float, default=None, help="end, seconds (default: end of the last item)")
    p.add_argument("--sample-rate", type=int, default=None, help="Hz (default: the project's rate)")


def run(args: argparse.Namespace) -> int:
    import soundfile as sf

    from reaper_assist.emulator.engine import render
    from reaper_assist.emulator.project import Project
    from reaper_assist.errors import ParameterError
    from reaper_assist.units import amp_to_db

    project = Project.load(args.project)
    track = None
    if args.track is not None:
        tracks = project.tracks
        track = next((t for t in tracks if t.name == args.track), None) or next(
            (t for t in tracks if t.name.casefold() == args.track.casefold()), None)
        if track is None:
            names = ", ".join(repr(t.name) for t in tracks) or "none"
            raise ParameterError(f"no track named {args.track!r} in {args.project} (tracks: {names})")
    result = render(project, track=track, start_s=args.start, end_s=args.end, sample_rate=args.sample_rate)
    sf.write(args.out, result.audio.T, result.sample_rate, subtype="FLOAT")  # (samples, channels) here only
    peak = float(abs(result.audio).max()) if result.audio.size else 0.0
    what = f"track {track.name!r}" if track is not None else "master mix"
    print(f"rendered {what}: {result.duration_s:.2f} s at {result.sample_rate} Hz, "
          f"peak {amp_to_db(peak):.2f} dBFS -> {args.out}")
    for name in result.unmodelled_fx:
        print(f"warning: not modelled, passed through: {name}", file=sys.stderr)
    for problem in result.media_problems:
        print(f"warning: silence for {problem}", file=sys.stderr)
    return 0
