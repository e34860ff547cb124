"""In-memory replay store: the reference backend for tests and throwaway runs."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from reel.errors import BadRequest, BlobNotFound


class MemoryReplayStore:
    """Blobs in a dict, guarded by a lock."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            self._blobs[key] = bytes(data)

    def get(self, key: str) -> bytes:
        with self._lock:
            try:
                return self._blobs[key]
            except KeyError:
                raise BlobNotFound(f"no blob {key!r}") from None

    def get_range(self, key: str, start: int, end: int) -> bytes:
        if start < 0 or end < start:
            raise BadRequest("invalid byte range")
        return self.get(key)[start:end]

    def delete(self, key: str) -> None:
        with self._lock:
            self._blobs.pop(key, None)

    def keys(self, prefix: str = "") -> Iterator[str]:
        with self._lock:
            found = sorted(k for k in self._blobs if k.startswith(prefix))
        return iter(found)
