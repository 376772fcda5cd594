"""``reaper-assist analyze FILE... [--json]``: measure audio files.

Files are read in blocks with soundfile (never whole), analysed with
:func:`reaper_assist.analysis.analyze_stream`, and the results cached on disk by file
identity (path, size, mtime) and analysis version, so re-running on unchanged media is
instant. With ``--json`` each file gives one JSON object on its own line (JSON Lines);
``-inf`` levels are written as ``null``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

BLOCK_FRAMES = 1 << 18


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="audio files (WAV, FLAC, ...)")
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per file, one per line"
    )
    parser.add_argument(
        "--name",
        help="track name to use for instrument recognition "
        "(default: the file name without extension)",
    )
    parser.add_argument("--no-cache", action="store_true", help="always re-analyse")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where results are cached (default: $XDG_CACHE_HOME/reaper-assist)",
    )


def _channels_first(frames_by_channel):
    """soundfile gives (frames, channels); the analysis wants (channels, frames), contiguous: the
    meter's per-channel filters and reductions ran ~3x slower over the transposed view (issue 20),
    and one copy of a block costs less than that."""
    import numpy as np

    return np.ascontiguousarray(frames_by_channel.T)


def _cache_dir(args: argparse.Namespace) -> Path:
    if args.cache_dir is not None:
        return args.cache_dir
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reaper-assist" / "analysis"


def analyze_file(path: Path, *, name: str | None, cache_dir: Path | None) -> dict[str, Any]:
    """Analysis summary of one file (a :meth:`TrackAnalysis.to_dict`), cached if possible."""
    import soundfile

    from reaper_assist.analysis import analyze_stream
    from reaper_assist.analysis.cache import FileIdentity, cache_key
    from reaper_assist.errors import MediaError

    try:
        st = path.stat()
    except OSError as exc:
        raise MediaError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    key = cache_key(FileIdentity(str(path.resolve()), st.st_size, st.st_mtime_ns), {"name": name})
    cached = cache_dir / f"{key}.json" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        try:
            return json.loads(cached.read_text())
        except (OSError, ValueError):
            pass  # a corrupt cache entry is recomputed
    try:
        with soundfile.SoundFile(str(path)) as f:
            rate = f.samplerate

            def blocks():
                while True:
                    data = f.read(BLOCK_FRAMES, dtype="float32", always_2d=True)
                    if data.shape[0] == 0:
                        if f.tell() == 0:
                            yield _channels_first(data)  # empty file: one empty block
                        return
                    yield _channels_first(data)

            def read_excerpt(start: int, stop: int):
                f.seek(start)
                return _channels_first(f.read(stop - start, dtype="float32", always_2d=True))

            result = analyze_stream(blocks(), rate, name=name, read_excerpt=read_excerpt)
    except (RuntimeError, soundfile.LibsndfileError) as exc:
        raise MediaError(f"{path}: not a readable audio file ({exc})") from exc
    summary = result.to_dict()
    summary["file"] = str(path)
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(".tmp")
            tmp.write_text(json.dumps(summary))
            tmp.replace(cached)
        except OSError:
            pass  # caching is an optimisation only
    return summary


def _fmt(value: Any, unit: str, digits: int = 1) -> str:
    if value is None:
        return f"-inf {unit}"
    return f"{value:.{digits}f} {unit}"


def _print_human(s: dict[str, Any]) -> None:
    print(f"{s['file']}  ({s['channels']} ch, {s['sample_rate']:.0f} Hz, {s['duration_s']:.1f} s)")
    print(
        f"  loudness   integrated {_fmt(s['integrated_lufs'], 'LUFS')}, max momentary "
        f"{_fmt(s['max_momentary_lufs'], 'LUFS')}, max short-term "
        f"{_fmt(s['max_short_term_lufs'], 'LUFS')}, LRA {_fmt(s['lra_lu'], 'LU')}"
        + ("  (shorter than 400 ms)" if s["too_short"] else "")
    )
    print(
        f"  level      sample peak {_fmt(s['sample_peak_dbfs'], 'dBFS', 2)}, true peak "
        f"{_fmt(s['true_peak_dbtp'], 'dBTP', 2)}, RMS {_fmt(s['rms_dbfs'], 'dBFS')}, "
        f"crest {_fmt(s['crest_db'], 'dB')}"
        + (f", {s['clipped_samples']} clipped samples" if s["clipped_samples"] else "")
    )
    print(
        f"  dynamics   transients {s['transient_density_hz']:.1f}/s, noise floor "
        f"{_fmt(s['noise_floor_dbfs'], 'dBFS')}, active {100 * s['active_fraction']:.0f} %"
    )
    tilt = s["tilt_db_per_oct"]
    print(
        f"  spectrum   tilt {_fmt(tilt, 'dB/oct')}, low end {_fmt(s['low_end_db'], 'dB')}, "
        f"low-mid {_fmt(s['low_mid_db'], 'dB')}"
    )
    if s["resonances"]:
        res = ", ".join(
            f"{r['freq_hz']:.0f} Hz +{r['excess_db']:.1f} dB Q {r['q']:.1f}"
            for r in s["resonances"][:4]
        )
        print(f"  resonances {res}")
    print(
        f"  instrument {s['instrument']} ({s['instrument_source']}, confidence "
        f"{s['instrument_confidence']:.2f})"
    )


def run(args: argparse.Namespace) -> int:
    from reaper_assist.errors import ReaperAssistError

    cache_dir = None if args.no_cache else _cache_dir(args)
    status = 0
    for file in args.files:
        path = Path(file)
        name = args.name if args.name is not None else path.stem
        try:
            summary = analyze_file(path, name=name, cache_dir=cache_dir)
        except ReaperAssistError as exc:
            status = 1
            if args.json:
                print(json.dumps({"file": file, "error": str(exc)}))
            else:
                print(f"reaper-assist analyze: {exc}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps(summary))
        else:
            _print_human(summary)
    return status
