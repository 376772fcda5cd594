"""analyze_track, the result cache and the ``reaper-assist analyze`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import pytest
import soundfile
from analysis_helpers import RATE, assert_db_close, music_like

from reaper_assist.analysis import analyze_track
from reaper_assist.analysis.cache import FileIdentity, ResultCache, cache_key
from reaper_assist.analysis.loudness import measure_loudness
from reaper_assist.commands import analyze as analyze_cmd
from reaper_assist.errors import InvalidAudioError

JSON_KEYS = {
    "integrated_lufs",
    "max_momentary_lufs",
    "max_short_term_lufs",
    "lra_lu",
    "sample_peak_dbfs",
    "true_peak_dbtp",
    "rms_dbfs",
    "crest_db",
    "instrument",
    "instrument_confidence",
}


def test_analysis_layer_never_imports_reapy():
    assert sys.modules["reapy"] is None  # set by the autouse fixture: importing would fail
    import importlib

    from reaper_assist.analysis import track

    importlib.reload(track)


def test_analyze_track_agrees_with_the_single_measures(rng):
    audio = music_like(8.0, rng)
    a = analyze_track(audio, RATE, name="Gtr L")
    ref = measure_loudness(audio, RATE)
    assert_db_close(a.loudness.integrated_lufs, ref.integrated_lufs, 1e-9)
    assert_db_close(a.loudness.true_peak_dbtp, ref.true_peak_dbtp, 1e-9)
    assert a.instrument.instrument == "guitar" and a.instrument.source == "name"
    d = a.to_dict()
    assert JSON_KEYS <= d.keys()
    json.dumps(d, allow_nan=False)  # strictly valid JSON


@pytest.mark.filterwarnings("error")
def test_analyze_track_on_silence_gives_nulls_in_json():
    d = analyze_track(np.zeros((2, RATE)), RATE).to_dict()
    assert d["integrated_lufs"] is None and d["true_peak_dbtp"] is None
    assert d["instrument"] == "other" and d["instrument_confidence"] == 0.0
    json.dumps(d, allow_nan=False)


def test_analyze_track_rejects_nan():
    audio = np.zeros((2, RATE))
    audio[0, 10] = np.nan
    with pytest.raises(InvalidAudioError, match="non-finite"):
        analyze_track(audio, RATE, name="Vox")


def test_cache_key_changes_with_identity_params_and_lru_evicts():
    ident = FileIdentity("/a.wav", 100, 1)
    assert cache_key(ident) == cache_key(FileIdentity("/a.wav", 100, 1))
    assert cache_key(ident) != cache_key(FileIdentity("/a.wav", 100, 2))
    assert cache_key(ident) != cache_key(ident, {"name": "Kick"})
    cache: ResultCache[int] = ResultCache(max_entries=2)
    calls = []
    for key in ["a", "b", "a", "c", "b"]:
        cache.get_or_compute(key, lambda k=key: calls.append(k) or len(calls))
    assert calls == ["a", "b", "c", "b"]  # "a" hit once; "b" evicted by "c"
    assert len(cache) == 2 and cache.hits == 1


def _run(argv):
    parser = argparse.ArgumentParser()
    analyze_cmd.add_arguments(parser)
    return analyze_cmd.run(parser.parse_args(argv))


@pytest.fixture
def wav_files(tmp_path):
    t = np.arange(3 * RATE) / RATE
    sine = np.stack([0.5 * np.sin(2 * np.pi * 997 * t), np.zeros_like(t)])
    p1 = tmp_path / "Kick In.wav"
    soundfile.write(p1, sine.T, RATE, subtype="FLOAT")  # soundfile wants (frames, channels)
    p2 = tmp_path / "silence.wav"
    soundfile.write(p2, np.zeros((RATE, 2)), RATE)
    return p1, p2


def test_cli_json_one_object_per_file(wav_files, tmp_path, capsys):
    rc = _run([str(p) for p in wav_files] + ["--json", "--cache-dir", str(tmp_path / "c")])
    assert rc == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert JSON_KEYS <= first.keys()
    assert_db_close(first["integrated_lufs"], -6.0206 - 3.0103, 0.02, "997 Hz in one channel")
    assert first["instrument"] == "kick" and first["instrument_confidence"] >= 0.9
    assert second["integrated_lufs"] is None and second["rms_dbfs"] is None


def test_cli_uses_the_cache_until_the_file_changes(wav_files, tmp_path, capsys, monkeypatch):
    cache = tmp_path / "c"
    path = wav_files[0]
    assert _run([str(path), "--json", "--cache-dir", str(cache)]) == 0
    assert len(list(cache.glob("*.json"))) == 1
    calls = []
    from reaper_assist import analysis

    real = analysis.analyze_stream
    monkeypatch.setattr(
        analysis, "analyze_stream", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    _run([str(path), "--json", "--cache-dir", str(cache)])
    assert calls == []  # unchanged file: served from the cache
    soundfile.write(path, np.zeros((RATE, 2)), RATE)
    os.utime(path, ns=(1, 10**18))
    _run([str(path), "--json", "--cache-dir", str(cache)])
    assert calls == [1]
    out = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert out[-1]["integrated_lufs"] is None


def test_cli_human_output_and_bad_file(wav_files, tmp_path, capsys):
    bad = tmp_path / "notaudio.wav"
    bad.write_text("hello")
    rc = _run([str(wav_files[0]), str(bad), str(tmp_path / "missing.wav"), "--no-cache"])
    captured = capsys.readouterr()
    assert rc == 1
    assert "integrated -9.0 LUFS" in captured.out and "instrument kick" in captured.out
    assert "notaudio.wav: not a readable audio file" in captured.err
    assert "missing.wav: cannot read" in captured.err


def test_streaming_memory_stays_bounded_on_a_long_file():
    """Issue 5: a long file never needs more than a small multiple of one block in memory."""
    import tracemalloc

    from reaper_assist.analysis import analyze_stream

    block_frames = 1 << 18
    blocks_total = 30  # 164 s of stereo 48 kHz, never held whole (30 blocks)
    block = (0.1 * np.random.default_rng(3).standard_normal((2, block_frames))).astype(np.float32)

    def blocks():
        for _ in range(blocks_total):
            yield block

    def excerpt(start, stop):
        reps = -(-(stop - start) // block_frames)
        return np.tile(block, (1, reps))[:, : stop - start]

    def peak_bytes(**kwargs):
        tracemalloc.start()
        try:
            result = analyze_stream(blocks(), RATE, **kwargs)
            return result, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    # the first recognition in a process imports librosa's feature code and fills its caches: do that
    # once outside the measurement, so the figure is the analysis's memory whatever ran before
    analyze_stream(iter([block, block]), RATE, name=None, read_excerpt=excerpt)
    result, streamed = peak_bytes(name="Kick")  # instrument from the name: no excerpt
    assert result.loudness.duration_s > 160
    # measured ~11 blocks (float64 working copies of a float32 block, spectrum frames)
    assert streamed < 16 * block.nbytes, f"{streamed / 1e6:.0f} MB, block {block.nbytes / 1e6} MB"
    # recognising from audio re-reads the loudest 45 s (~8 blocks of float32) on top
    _, with_excerpt = peak_bytes(name=None, read_excerpt=excerpt)
    assert with_excerpt < streamed + 10 * block.nbytes, f"{with_excerpt / 1e6:.0f} MB"
