"""Cache of analysis results keyed by file identity and parameters (no I/O here).

A result is reused only when the same file (path, size, modification time in ns) is analysed
with the same parameters by the same analysis version; any edit of the media changes its
size or mtime and so its key. The caller obtains the identity (``os.stat``) and, if it wants
persistence, stores the JSON-ready value; this module only computes keys and keeps a bounded
in-memory LRU for a long-running process such as the companion.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Generic, TypeVar

from reaper_assist.analysis.track import ANALYSIS_VERSION

T = TypeVar("T")


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


class ResultCache(Generic[T]):
    """Bounded least-recently-used map from :func:`cache_key` to results."""

    def __init__(self, max_entries: int = 256):
        self.max_entries = max_entries
        self._items: OrderedDict[str, T] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> T | None:
        if key in self._items:
            self._items.move_to_end(key)
            self.hits += 1
            return self._items[key]
        self.misses += 1
        return None

    def put(self, key: str, value: T) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        """The cached value, or ``compute()`` stored under ``key``."""
        value = self.get(key)
        if value is None:
            value = compute()
            self.put(key, value)
        return value

    def __len__(self) -> int:
        return len(self._items)
