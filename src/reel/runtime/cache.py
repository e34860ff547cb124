"""A least-recently-used cache under a byte budget, shared by the threads of one process."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class SizedCache(Generic[V]):
    """Values by key, each with a size in bytes; the least recently used go first when over budget.

    A value larger than the whole budget is not kept. Sizes may grow after a value is stored (`resize`),
    e.g. a masking pass that keeps what it has masked so far.
    """

    def __init__(self, *, max_bytes: int, max_entries: int) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0

    def get(self, key: Hashable) -> V | None:
        """The value under `key` (now the most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: V, size: int) -> None:
        """Keep `value` under `key`, replacing what was there, then trim to the budget."""
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            self._trim()

    def resize(self, key: Hashable, value: V, size: int) -> None:
        """Record the new size of `value` if it is still the one kept under `key`, then trim."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] is not value:
                return
            self._bytes += size - entry[1]
            self._entries[key] = (value, size)
            self._trim()

    def _trim(self) -> None:
        while self._entries and (self._bytes > self.max_bytes or len(self._entries) > self.max_entries):
            _, (_, size) = self._entries.popitem(last=False)
            self._bytes -= size

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
