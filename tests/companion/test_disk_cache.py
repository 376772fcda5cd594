"""The persistent analysis cache (analysis.cache.DiskStore behind gain_stage's ResultCache): keyed
by media identity (path, size, mtime, a hash of a few blocks), found again after a restart, corrupt
entries ignored and rewritten, an unwritable folder said clearly while the press still works."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import soundfile as sf

from reaper_assist.analysis.cache import CACHE_DIR_ENV, DiskStore, ResultCache, default_cache_dir
from reaper_assist.app import gain_stage
from reaper_assist.host.inprocess import InProcessHost
from tests.app.conftest import SR, Builder, measured_pre_fx, sine

LEVEL_TOL_DB = 0.05  # a cached figure against the independent measurement of the same media


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """gain_stage's cache with empty memory over a disk store in ``tmp_path/cache``; returns a
    function making a new one over the same folder (a companion restart)."""

    def restart() -> ResultCache:
        c = ResultCache(max_entries=64, store=DiskStore(tmp_path / "cache"), encode=list, decode=gain_stage._decode)
        monkeypatch.setattr(gain_stage, "_CACHE", c)
        return c

    restart()
    return restart


@pytest.fixture
def counted(monkeypatch):
    """How many tracks gain_stage measured from their media (not from the cache)."""
    calls: list[str] = []
    real = gain_stage._measure_relative

    def measure(track, *a, **kw):
        calls.append(track.name)
        return real(track, *a, **kw)

    monkeypatch.setattr(gain_stage, "_measure_relative", measure)
    return calls


def project(tmp_path, *amps: float):
    b = Builder(tmp_path)
    for i, a in enumerate(amps):
        b.track(f"T{i}", sine(a, seconds=2.0, freq=220.0 + 50 * i))
    return b.save()


def measure(path):
    host = InProcessHost.open(str(path))
    state = host.read_state()
    return state, gain_stage._measure_all(list(state.tracks), state.sample_rate, -60.0)


def test_same_media_after_a_restart_is_read_from_disk_not_measured(tmp_path, fresh_cache, counted):
    path = project(tmp_path, 0.1, 0.3)
    _, first = measure(path)
    assert counted == ["T0", "T1"]
    cache = fresh_cache()  # a new process: empty memory, the same folder
    _, again = measure(path)
    assert counted == ["T0", "T1"]  # nothing measured again
    assert cache.store is not None and cache.store.loads == 2
    for (m1, _), (m2, _) in zip(first, again):
        assert m1 == m2
    rms, _ = measured_pre_fx(path, "T1")
    assert again[1][0]["active_rms_dbfs"] == pytest.approx(rms, abs=LEVEL_TOL_DB)
    files = list((tmp_path / "cache").rglob("*.json"))
    assert len(files) == 2 and not list((tmp_path / "cache").rglob(".tmp-*"))  # atomic: no temporary left
    assert not [p for p in tmp_path.glob("*") if p.suffix == ".json"]  # nothing next to the media


def test_a_changed_file_is_measured_again_even_with_the_same_size_and_mtime(tmp_path, fresh_cache, counted):
    path = project(tmp_path, 0.1)
    _, first = measure(path)
    media = tmp_path / "T0-0.wav"
    st = os.stat(media)
    sf.write(media, sine(0.4, seconds=2.0), SR, subtype="FLOAT")  # same length and format: same size
    os.utime(media, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the old modification time
    assert os.stat(media).st_size == st.st_size and os.stat(media).st_mtime_ns == st.st_mtime_ns
    fresh_cache()
    _, again = measure(path)
    assert counted == ["T0", "T0"]  # the block hash told them apart
    assert again[0][0]["active_rms_dbfs"] - first[0][0]["active_rms_dbfs"] == pytest.approx(
        20 * np.log10(0.4 / 0.1), abs=LEVEL_TOL_DB)


def test_an_edit_that_changes_the_mtime_is_measured_again(tmp_path, fresh_cache, counted):
    path = project(tmp_path, 0.1)
    measure(path)
    media = tmp_path / "T0-0.wav"
    sf.write(media, sine(0.2, seconds=3.0), SR, subtype="FLOAT")
    os.utime(media, ns=(os.stat(media).st_atime_ns, os.stat(media).st_mtime_ns + 10**9))
    measure(path)
    assert counted == ["T0", "T0"]


def test_a_corrupt_entry_is_ignored_with_a_note_and_rewritten(tmp_path, fresh_cache, counted):
    path = project(tmp_path, 0.1)
    _, first = measure(path)
    (entry,) = (tmp_path / "cache").rglob("*.json")
    entry.write_bytes(b'{"key": "cut sho')
    cache = fresh_cache()
    host = InProcessHost.open(str(path))
    rec = gain_stage.run(host)
    assert counted == ["T0", "T0"]
    assert "ignored a corrupt analysis cache entry" in rec["message"] and str(entry) in rec["message"]
    assert rec["status"] == "ok" and rec["tracks"][0]["before_db"] == pytest.approx(first[0][0]["rms_dbfs"], abs=1e-3)
    d = json.loads(entry.read_text())  # rewritten whole
    assert d["key"] == entry.stem and d["value"][0]["rms_dbfs"] == pytest.approx(first[0][0]["rms_dbfs"], abs=1e-9)
    assert cache.store is not None and len(cache.store.notes) == 1


def test_an_entry_of_another_key_or_shape_is_ignored(tmp_path):
    store = DiskStore(tmp_path)
    c = ResultCache(max_entries=4, store=store, encode=list, decode=gain_stage._decode)
    key = "ab" * 32
    store.path(key).parent.mkdir(parents=True)
    store.path(key).write_text(json.dumps({"key": "cd" * 32, "value": [None, ""]}))
    assert c.get(key) is None and "not an entry of this key" in store.notes[0] and "corrupt" in store.notes[0]
    store.path(key).write_text(json.dumps({"key": key, "value": [{"rms_dbfs": "loud"}, ""]}))
    assert c.get(key) is None and len(store.notes) == 2
    with pytest.raises(ValueError, match="not a cache key"):
        store.path("../../etc")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_the_folders_the_store_creates_are_private_to_the_user(tmp_path):
    store = DiskStore(tmp_path / "cache" / "reaper-assist")
    assert store.save("ab" * 32, [1.0])
    for d in (tmp_path / "cache" / "reaper-assist", store.folder, store.path("ab" * 32).parent):
        assert d.stat().st_mode & 0o777 == 0o700, d


def test_an_unwritable_cache_folder_is_said_and_the_press_still_works(tmp_path, monkeypatch, counted):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    c = ResultCache(max_entries=64, store=DiskStore(blocker), encode=list, decode=gain_stage._decode)
    monkeypatch.setattr(gain_stage, "_CACHE", c)
    path = project(tmp_path, 0.1)
    host = InProcessHost.open(str(path))
    rec = gain_stage.run(host)
    assert rec["status"] == "ok" and rec["message"].startswith("changed 1 of 1 tracks")
    assert f"the analysis cache folder {blocker}" in rec["message"] and "cannot be written" in rec["message"]
    assert CACHE_DIR_ENV in rec["message"]
    out = tmp_path / "out.rpp"
    host.save(str(out))
    rms, _ = measured_pre_fx(out, "T0")
    assert rms == pytest.approx(-18.0, abs=0.2)  # the press did its work
    assert blocker.read_text() == "a file where the cache folder should be"
    gain_stage.run(host)  # memory still holds it: not measured again
    assert counted == ["T0"]


def test_the_cache_folder_follows_the_platform_and_the_override(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(CACHE_DIR_ENV)
    if os.name == "posix" and os.uname().sysname == "Linux":
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert default_cache_dir() == tmp_path / "xdg" / "reaper-assist"
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
        assert default_cache_dir() == __import__("pathlib").Path.home() / ".cache" / "reaper-assist"


def test_garbage_entries_of_every_kind_are_measured_again_and_never_break_a_lookup(tmp_path):
    store = DiskStore(tmp_path / "c")
    c = ResultCache(max_entries=4, store=store, encode=list, decode=gain_stage._decode)
    key = "ef" * 32
    good = {k: -12.0 for k in gain_stage.FIGURES}
    assert store.save(key, [good, ""]) and c.get(key) == (good, "")
    for value in ([{}, ""], [{**good, "rms_dbfs": True}, ""], [{**good, "rms_dbfs": float("nan")}, ""],
                  [{**good, "duration_s": 10**400}, ""], [good], "x"):
        c2 = ResultCache(max_entries=4, store=store, encode=list, decode=gain_stage._decode)
        store.path(key).write_text(json.dumps({"key": key, "value": value}))
        assert c2.get(key) is None, value
    store.path(key).write_text("[" * 100000 + "]" * 100000)  # nesting deeper than the decoder's stack
    assert ResultCache(max_entries=4, store=store, decode=gain_stage._decode).get(key) is None


@pytest.mark.skipif(os.name != "posix", reason="FIFOs, symbolic links, owners: POSIX")
def test_an_entry_that_is_a_fifo_or_a_link_or_too_big_is_not_read(tmp_path):
    store = DiskStore(tmp_path / "c")
    key = "ab" * 32
    assert store.save(key, [1.0])
    p = store.path(key)
    p.unlink()
    os.mkfifo(p)  # reading it would block the press for ever
    assert store.load(key) == (False, None) and "not a cache entry" in store.notes[-1]
    p.unlink()
    (tmp_path / "elsewhere.json").write_text(json.dumps({"key": key, "value": [2.0]}))
    p.symlink_to(tmp_path / "elsewhere.json")
    assert store.load(key) == (False, None)
    p.unlink()
    p.write_bytes(b" " * (1 << 17))
    assert store.load(key) == (False, None) and "large" in store.notes[-1]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_cache_folder_others_can_write_is_neither_read_nor_written(tmp_path):
    shared = tmp_path / "shared"
    (shared / "analysis-v1").mkdir(parents=True)
    store = DiskStore(shared)
    store.folder.mkdir(parents=True, exist_ok=True)
    key = "cd" * 32
    store.path(key).parent.mkdir(parents=True, exist_ok=True)
    store.path(key).write_text(json.dumps({"key": key, "value": [3.0]}))  # planted
    os.chmod(shared, 0o777)
    assert store.load(key) == (False, None) and "writable by others" in store.notes[-1]
    assert not store.save("ef" * 32, [1.0]) and "writable by others" in store.problem
