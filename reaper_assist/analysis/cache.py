"""Cache of analysis results keyed by file identity and parameters.

A result is reused only when the same file (path, size, modification time in ns and, for media,
a hash of a few of its blocks) is analysed with the same parameters by the same analysis
version; any edit of the media changes its key. The caller obtains the identity and gives
:class:`ResultCache` JSON-ready values through a codec; the bounded in-memory LRU (also used for
media segments) serves a long-running process such as the companion, and an optional
:class:`DiskStore` keeps the results across processes (the companion's restarts, its background
pre-analysis) in the user's cache folder, never next to the media.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
import sys
import tempfile
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

#: Bump when a change alters any figure, so cached results are not reused across versions (part
#: of every key; 2: instrument recognition by the shipped model, issue 13; 3: the recogniser's
#: feature version 2 and its retrained model). Here rather than in analysis.track (which re-exports
#: it) so that the cache does not import scipy.signal and scipy.stats with it.
ANALYSIS_VERSION = 3

log = logging.getLogger("reaper_assist.cache")

#: Environment variable naming the cache folder (tests point it at a temporary folder).
CACHE_DIR_ENV = "REAPER_ASSIST_CACHE_DIR"

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class FileIdentity:
    """What makes two reads of a media file the same: absolute path, size, mtime (ns)."""

    path: str
    size: int
    mtime_ns: int


def cache_key(identity: FileIdentity, params: Mapping[str, Any] | None = None) -> str:
    """Stable hex key of (identity, parameters, :data:`ANALYSIS_VERSION`)."""
    payload = {"file": asdict(identity), "params": dict(params or {}), "version": ANALYSIS_VERSION}
    blob = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


class LRUCache(Generic[K, V]):
    """Bounded least-recently-used map, safe to share between threads.

    The one LRU of the project: :class:`ResultCache` (analysis results) and
    :class:`reaper_assist.media.source.SegmentCache` (decoded audio) are this class.

    Parameters
    ----------
    max_entries : int
        Upper bound on the number of entries.
    max_bytes : int, optional
        Upper bound on the summed ``nbytes`` given to :meth:`put`; a value larger than the whole
        bound is not stored (nothing is evicted for it).
    """

    def __init__(self, max_entries: int = 256, *, max_bytes: int | None = None):
        self.max_entries = int(max_entries)
        self.max_bytes = None if max_bytes is None else int(max_bytes)
        self._data: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: K, value: V, nbytes: int = 0) -> None:
        if self.max_bytes is not None and nbytes > self.max_bytes:
            return  # larger than the whole cache: do not evict everything for it
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (value, nbytes)
            self._bytes += nbytes
            while self._data and (
                len(self._data) > self.max_entries
                or (self.max_bytes is not None and self._bytes > self.max_bytes)
            ):
                _, (_, size) = self._data.popitem(last=False)
                self._bytes -= size

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The cached value, or ``compute()`` stored under ``key``."""
        value = self.get(key)
        if value is None:
            value = compute()
            self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    @property
    def nbytes(self) -> int:
        """Summed ``nbytes`` of the entries held."""
        return self._bytes


def default_cache_dir() -> Path:
    """The user's cache folder for reaper-assist: ``$REAPER_ASSIST_CACHE_DIR`` when set, else
    ``$XDG_CACHE_HOME/reaper-assist`` (``~/.cache/reaper-assist``) on Linux,
    ``~/Library/Caches/reaper-assist`` on macOS, ``%LOCALAPPDATA%\\reaper-assist\\Cache`` on Windows."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "reaper-assist"
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "reaper-assist" / "Cache"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base_dir = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"  # XDG: relative is ignored
    return base_dir / "reaper-assist"


_KEY_CHARS = frozenset("0123456789abcdef")


#: Largest entry read back (a gain-stage entry is a few hundred bytes): anything bigger is not ours.
MAX_ENTRY_BYTES = 1 << 16


def _read_entry(p: Path) -> tuple[bytes, float]:
    """The bytes of an entry and its modification time, read only if it is a regular file (not a
    link, a FIFO or a device) of at most :data:`MAX_ENTRY_BYTES`."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(p, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY_BYTES:
            raise OSError(f"not a cache entry (a {'large ' if stat.S_ISREG(st.st_mode) else 'non-regular '}file)")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(MAX_ENTRY_BYTES + 1), st.st_mtime
    finally:
        os.close(fd)


def _check_private(d: Path) -> None:
    """Refuse a cache folder another user could write into or swap: a symbolic link, or (POSIX) not
    owned by this user or writable by others (e.g. one made beforehand in a shared folder)."""
    st = os.lstat(d)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise OSError(f"{d} is not a folder of its own (a link or a file)")
    if os.name == "posix" and (st.st_uid != os.getuid() or st.st_mode & 0o022):
        raise OSError(f"{d} is owned by another user or writable by others")


#: What :meth:`DiskStore.prune` keeps: at most this many bytes of entries, none unused this long.
PRUNE_MAX_BYTES = 64 << 20
PRUNE_MAX_AGE_S = 90 * 86400.0
#: A load marks its entry used only when its mark is older than this (not a write per press):
#: :meth:`DiskStore.prune`'s age bound is 90 days, so a day is fine enough.
TOUCH_AFTER_S = 86400.0
#: A temporary file of a write (``.tmp-*.json``) older than this was left by a crash: prune removes it.
STALE_TMP_S = 3600.0
#: After a failed write the store works from memory this long, then tries the folder again.
RETRY_WRITE_S = 60.0
#: The notes kept (the newest); :attr:`DiskStore.note_count` counts them all.
MAX_NOTES = 64
_VERSION_DIR = re.compile(r"^analysis-v\d+$")
_ENTRY_NAME = re.compile(r"^[0-9a-f]{8,}\.json$")
_TMP_NAME = re.compile(r"^\.tmp-[A-Za-z0-9_]+\.json$")  # tempfile.mkstemp(prefix=".tmp-", suffix=".json")


class DiskStore:
    """JSON values on disk, one small file per key: ``<root>/analysis-v<version>/<ab>/<key>.json``.

    Writes are atomic (a temporary file in the same folder, then ``os.replace``), so a reader
    sees the old entry or the new one, never half of one. An entry that cannot be read back (not
    JSON, another key, cut short) is ignored with a note and rewritten by the next :meth:`save`.
    When the folder cannot be written, the failure is noted (:attr:`problem`, the log) and the
    store is left alone for :data:`RETRY_WRITE_S` (results live in memory only meanwhile, and
    nothing else changes); then the next load or save tries the folder again, and a save that
    succeeds clears the problem. A load marks its entry used (its modification time, when older
    than :data:`TOUCH_AFTER_S`), which :meth:`prune` goes by.

    Parameters
    ----------
    root : path, optional
        The cache folder; default :func:`default_cache_dir`, looked up at first use.
    clock : the monotonic clock of the retry (tests give a fake one).
    """

    def __init__(self, root: str | os.PathLike | None = None, *, clock: Callable[[], float] = time.monotonic):
        self._root = Path(root) if root is not None else None
        self.problem = ""  # why nothing is written (an unwritable folder), "" while it works
        self._notes: deque[str] = deque(maxlen=MAX_NOTES)  # the newest problems met, in order
        self.note_count = 0  # every note ever made (the number of the next one)
        self.loads = self.saves = 0
        self._lock = threading.Lock()
        self._clock = clock
        self._failed_at: float | None = None

    @property
    def folder(self) -> Path:
        if self._root is None:
            self._root = default_cache_dir()
        return self._root / f"analysis-v{ANALYSIS_VERSION}"

    def path(self, key: str) -> Path:
        if len(key) < 8 or not set(key) <= _KEY_CHARS:
            raise ValueError(f"not a cache key: {key[:40]!r}")
        return self.folder / key[:2] / f"{key}.json"

    def _note(self, text: str) -> None:
        log.warning("%s", text)
        with self._lock:
            self._notes.append(text)
            self.note_count += 1

    @property
    def notes(self) -> list[str]:
        """The newest notes (at most :data:`MAX_NOTES`), oldest first."""
        with self._lock:
            return list(self._notes)

    def notes_since(self, number: int) -> list[str]:
        """The notes numbered ``number`` and later (``note_count`` before some work: what that
        work met) that are still kept."""
        with self._lock:
            kept = len(self._notes)
            first = self.note_count - kept  # the number of the oldest kept note
            return list(self._notes)[max(0, number - first):]

    def _waiting(self) -> bool:
        """Whether a recent failed write still keeps the store in memory only."""
        return bool(self.problem) and self._failed_at is not None and self._clock() - self._failed_at < RETRY_WRITE_S

    def _make_folders(self, leaf: Path) -> None:
        """The folders down to ``leaf``; the ones the store creates (its root included) are private
        to the user (0700): entries name the user's media by their measurements."""
        root = self.folder.parent
        root.parent.mkdir(parents=True, exist_ok=True)
        for d in (root, self.folder, leaf):
            d.mkdir(mode=0o700, exist_ok=True)
            _check_private(d)

    def load(self, key: str) -> tuple[bool, Any]:
        """``(True, value)`` for a stored entry, ``(False, None)`` when there is none (or it was
        unreadable: noted)."""
        p = self.path(key)
        if self._waiting():
            return False, None
        try:
            for d in (self.folder.parent, self.folder, p.parent):
                _check_private(d)
            raw, mtime = _read_entry(p)
        except FileNotFoundError:
            return False, None
        except OSError as exc:
            self._note(f"analysis cache entry {p} cannot be read ({exc}); analysed again")
            return False, None
        try:
            d = json.loads(raw.decode("utf-8"))
            if not isinstance(d, dict) or d.get("key") != key or "value" not in d:
                raise ValueError("not an entry of this key")
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            self._note(f"ignored a corrupt analysis cache entry {p} ({exc}); it is analysed again and rewritten")
            return False, None
        self.loads += 1
        if time.time() - mtime > TOUCH_AFTER_S:  # used now: what prune keeps longest
            try:
                os.utime(p, follow_symlinks=os.utime not in os.supports_follow_symlinks)
            except OSError:
                pass
        return True, d["value"]

    def save(self, key: str, value: Any) -> bool:
        """Store ``value`` (JSON-ready) under ``key``; False when the folder cannot be written."""
        if self._waiting():
            return False
        p = self.path(key)
        try:
            data = json.dumps({"key": key, "value": value}, sort_keys=True).encode("utf-8")
            self._make_folders(p.parent)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=p.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, p)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError as exc:
            self._failed_at = self._clock()
            problem = (f"the analysis cache folder {self.folder} cannot be written ({exc}); results are "
                       f"kept in memory only (set {CACHE_DIR_ENV} to a writable folder)")
            if problem != self.problem:
                self._note(problem)
            self.problem = problem
            return False
        self.problem, self._failed_at = "", None
        self.saves += 1
        return True

    def prune(self, max_bytes: int = PRUNE_MAX_BYTES, max_age_s: float = PRUNE_MAX_AGE_S,
              now: float | None = None) -> int:
        """Delete entries unused for ``max_age_s`` (by modification time: written or loaded),
        then the least recently used until at most ``max_bytes`` remain, and the temporary files
        of writes (``<ab>/.tmp-*.json``) older than :data:`STALE_TMP_S` (left by a crash);
        returns how many went. Only regular files of those names in the store's own
        ``analysis-v<N>`` folders of its root are touched, those of older analysis versions
        included (no one reads them again); anything else in the root, links included (never
        followed), is left alone."""
        root = self.folder.parent
        if not root.is_dir():
            return 0
        _check_private(root)
        wall = time.time() if now is None else float(now)
        entries: list[tuple[float, int, Path]] = []
        stale: list[Path] = []
        for version in os.scandir(root):
            if not (_VERSION_DIR.match(version.name) and version.is_dir(follow_symlinks=False)):
                continue
            for shard in os.scandir(version.path):
                if not (len(shard.name) == 2 and set(shard.name) <= _KEY_CHARS
                        and shard.is_dir(follow_symlinks=False)):
                    continue
                for e in os.scandir(shard.path):
                    if not e.is_file(follow_symlinks=False):
                        continue
                    if _ENTRY_NAME.match(e.name):
                        st = e.stat(follow_symlinks=False)
                        entries.append((st.st_mtime, st.st_size, Path(e.path)))
                    elif _TMP_NAME.match(e.name) and wall - e.stat(follow_symlinks=False).st_mtime > STALE_TMP_S:
                        stale.append(Path(e.path))
        entries.sort(key=lambda x: x[0], reverse=True)  # the most recently used first
        kept = removed = 0
        for path in stale:
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
        full = False
        for mtime, size, path in entries:
            full = full or wall - mtime > max_age_s or kept + size > max_bytes
            if not full:  # once one entry does not fit, every older one goes too
                kept += size
                continue
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
        return removed


class ResultCache(LRUCache[str, T]):
    """Bounded LRU from :func:`cache_key` to results, optionally backed by a :class:`DiskStore`.

    With a store, a key missing in memory is looked up on disk (and kept in memory when found),
    and every :meth:`put` is also saved; ``encode``/``decode`` turn a result into JSON-ready data
    and back (default: unchanged). The store's problems never fail a lookup or a put.
    """

    def __init__(self, max_entries: int = 256, *, store: DiskStore | None = None,
                 encode: Callable[[T], Any] | None = None, decode: Callable[[Any], T] | None = None):
        super().__init__(max_entries)
        self.store = store
        self._encode = encode or (lambda v: v)
        self._decode = decode or (lambda v: v)

    def get(self, key: str) -> T | None:
        value = super().get(key)
        if value is not None or self.store is None:
            return value
        found, raw = self.store.load(key)
        if not found:
            return None
        try:
            value = self._decode(raw)
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            self.store._note(f"ignored a corrupt analysis cache entry {self.store.path(key)} ({exc!r}); "
                             "it is analysed again and rewritten")
            return None
        super().put(key, value)
        return value

    def has(self, key: str) -> bool:
        """Whether ``key`` is held in memory or on disk (read from disk into memory when found)."""
        return self.get(key) is not None

    def put(self, key: str, value: T, nbytes: int = 0) -> None:
        super().put(key, value, nbytes)
        if self.store is not None:
            self.store.save(key, self._encode(value))
