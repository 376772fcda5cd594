"""Cache of analysis results keyed by file identity and parameters (no I/O here).

A result is reused only when the same file (path, size, modification time in ns) is analysed
with the same parameters by the same analysis version; any edit of the media changes its
size or mtime and so its key. The caller obtains the identity (``os.stat``) and, if it wants
persistence, stores the JSON-ready value; this module only computes keys and keeps the bounded
in-memory LRU (also used for media segments) for a long-running process such as the companion.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Generic, TypeVar

from reaper_assist.analysis.track import ANALYSIS_VERSION

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


class ResultCache(LRUCache[str, T]):
    """Bounded LRU from :func:`cache_key` to results."""
