"""The disk cache's upkeep (analysis.cache.DiskStore): pruned to its bounds least recently used
first and only inside its own folders, a failed write tried again after a while, notes bounded."""

from __future__ import annotations

import json
import os

import pytest

from reaper_assist.analysis import cache as cache_mod
from reaper_assist.analysis.cache import MAX_NOTES, RETRY_WRITE_S, DiskStore

DAY = 86400.0


def _entry(store: DiskStore, key: str, mtime: float, size: int = 100) -> None:
    assert store.save(key, ["x" * size])
    os.utime(store.path(key), (mtime, mtime))


def test_prune_keeps_the_most_recently_used_within_the_byte_bound(tmp_path):
    store = DiskStore(tmp_path / "cache")
    now = 1_000_000_000.0
    keys = [f"{i:02x}" * 32 for i in range(6)]
    for i, key in enumerate(keys):  # keys[5] the most recently used
        _entry(store, key, now - 1000 + i)
    size = store.path(keys[0]).stat().st_size
    assert store.prune(max_bytes=3 * size, now=now) == 3
    assert [store.path(k).exists() for k in keys] == [False, False, False, True, True, True]
    _entry(store, "aa" * 32, now)
    assert store.load(keys[3])[0]  # a load marks it used (now, later than every write above) ...
    assert store.path(keys[3]).stat().st_mtime > now
    assert store.prune(max_bytes=2 * size, now=now) == 2  # ... so it outlives the later writes
    assert store.path(keys[3]).exists() and store.path("aa" * 32).exists()


def test_prune_drops_entries_unused_for_the_age_bound_and_older_analysis_versions(tmp_path):
    store = DiskStore(tmp_path / "cache")
    now = 2_000_000_000.0
    _entry(store, "11" * 32, now - 91 * DAY)
    _entry(store, "22" * 32, now - 89 * DAY)
    old = tmp_path / "cache" / "analysis-v0" / "33"
    old.mkdir(parents=True)
    (old / ("33" * 32 + ".json")).write_text(json.dumps({"key": "33" * 32, "value": [1]}))
    os.utime(old / ("33" * 32 + ".json"), (now - DAY, now - DAY))
    assert store.prune(now=now) == 1  # the old version's entry is recent: kept by age ...
    assert not store.path("11" * 32).exists() and store.path("22" * 32).exists()
    os.utime(old / ("33" * 32 + ".json"), (now - 100 * DAY, now - 100 * DAY))
    assert store.prune(now=now) == 1 and not (old / ("33" * 32 + ".json")).exists()  # ... not by use


def test_prune_touches_nothing_but_its_own_entries(tmp_path):
    root = tmp_path / "cache"
    store = DiskStore(root)
    now = 2_000_000_000.0
    _entry(store, "44" * 32, now - 365 * DAY)
    strangers = [root / "notes.txt", root / "other-app" / "44" / ("55" * 32 + ".json"),
                 store.folder / "44" / "readme.json", store.folder / "zz" / ("66" * 32 + ".json")]
    for f in strangers:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("not the store's")
        os.utime(f, (now - 365 * DAY, now - 365 * DAY))
    outside = tmp_path / "elsewhere"
    (outside / "77").mkdir(parents=True)
    target = outside / "77" / ("77" * 32 + ".json")
    target.write_text("someone's file")
    os.utime(target, (now - 365 * DAY, now - 365 * DAY))
    (store.folder / "77").symlink_to(outside / "77")  # a link to a folder elsewhere is not followed
    (root / "analysis-v9").symlink_to(outside)
    assert store.prune(now=now) == 1 and not store.path("44" * 32).exists()
    assert all(f.read_text() == "not the store's" for f in strangers) and target.exists()
    assert DiskStore(tmp_path / "never-made").prune() == 0


def test_a_failed_write_is_tried_again_after_a_while(tmp_path):
    clock = [100.0]
    root = tmp_path / "cache"
    root.write_text("a file where the folder should be")
    store = DiskStore(root, clock=lambda: clock[0])
    assert not store.save("ab" * 32, [1.0]) and "cannot be written" in store.problem
    root.unlink()  # the user fixes it
    clock[0] += RETRY_WRITE_S - 1
    assert not store.save("ab" * 32, [1.0]) and store.load("ab" * 32) == (False, None)  # memory only still
    assert store.note_count == 1  # the same problem is said once
    clock[0] += 2
    assert store.save("ab" * 32, [1.0]) and store.problem == ""
    assert store.load("ab" * 32) == (True, [1.0])


def test_notes_are_bounded_and_counted(tmp_path, monkeypatch):
    store = DiskStore(tmp_path / "cache")
    for i in range(MAX_NOTES + 10):
        store._note(f"note {i}")
    assert store.note_count == MAX_NOTES + 10 and len(store.notes) == MAX_NOTES
    assert store.notes[0] == "note 10" and store.notes[-1] == f"note {MAX_NOTES + 9}"
    assert store.notes_since(MAX_NOTES + 8) == [f"note {MAX_NOTES + 8}", f"note {MAX_NOTES + 9}"]
    assert store.notes_since(0) == store.notes  # the oldest are gone
    assert store.notes_since(store.note_count) == []


@pytest.mark.parametrize("name", ["analysis-v1", "analysis-v12"])
def test_the_version_folders_prune_recognises(name):
    assert cache_mod._VERSION_DIR.match(name)
    assert not cache_mod._VERSION_DIR.match(name + "x") and not cache_mod._VERSION_DIR.match("analysis-")


def test_a_load_marks_its_entry_used_at_most_once_a_day(tmp_path):
    """Not a write per press: an entry marked within the last TOUCH_AFTER_S keeps its time;
    an older one is marked now."""
    import time

    store = DiskStore(tmp_path / "cache")
    now = time.time()
    recent, old = "88" * 32, "99" * 32
    _entry(store, recent, now - cache_mod.TOUCH_AFTER_S / 2)
    _entry(store, old, now - 2 * cache_mod.TOUCH_AFTER_S)
    before = store.path(recent).stat().st_mtime
    assert store.load(recent)[0] and store.load(old)[0]
    assert store.path(recent).stat().st_mtime == before
    assert store.path(old).stat().st_mtime >= now


def test_prune_removes_temporary_files_a_crash_left_and_follows_no_link(tmp_path):
    root = tmp_path / "cache"
    store = DiskStore(root)
    now = 2_000_000_000.0
    _entry(store, "ab" * 32, now - DAY)  # kept: recent, within the bounds
    shard = store.path("ab" * 32).parent
    stale, writing = shard / ".tmp-k2j4_x9a.json", shard / ".tmp-0qwe81zz.json"
    for f, age in ((stale, 2 * cache_mod.STALE_TMP_S), (writing, cache_mod.STALE_TMP_S / 2)):
        f.write_text('{"key": "ab')  # cut short by the crash
        os.utime(f, (now - age, now - age))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    targets = {name: outside / name for name in (".tmp-target01.json", "cd" * 32 + ".json", "target-shard")}
    for t in list(targets.values())[:2]:
        t.write_text("someone's file")
    targets["target-shard"].mkdir()
    (targets["target-shard"] / ".tmp-inside01.json").write_text("someone's file")
    links = {shard / ".tmp-link0001.json": targets[".tmp-target01.json"],  # a stale-looking temp file
             shard / ("cd" * 32 + ".json"): targets["cd" * 32 + ".json"],  # a symlinked entry
             store.folder / "cd": targets["target-shard"]}  # a symlinked shard with a temp file in it
    for link, target in links.items():
        link.symlink_to(target)
    for t in [*targets.values(), targets["target-shard"] / ".tmp-inside01.json"]:
        os.utime(t, (now - 365 * DAY, now - 365 * DAY))
    for link in links:
        os.utime(link, (now - 365 * DAY, now - 365 * DAY), follow_symlinks=False)
    assert store.prune(now=now) == 1
    assert not stale.exists() and writing.exists() and store.path("ab" * 32).exists()
    assert all(link.is_symlink() for link in links)
    assert targets[".tmp-target01.json"].read_text() == targets["cd" * 32 + ".json"].read_text() == "someone's file"
    assert (targets["target-shard"] / ".tmp-inside01.json").read_text() == "someone's file"
    assert store.load("cd" * 32) == (False, None)  # a symlinked entry is not read, nor marked used
    assert targets["cd" * 32 + ".json"].stat().st_mtime == now - 365 * DAY
