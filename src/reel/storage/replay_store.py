"""The replay store interface: immutable blobs of replay data by key (backends: reel.storage.factory)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol


class ReplayStore(Protocol):
    """Immutable blobs by key; `put` returns once the blob is durable; errors raise, never hide."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key` atomically: readers see the whole blob or nothing."""
        ...

    def get(self, key: str) -> bytes:
        """The blob under `key`; raises BlobNotFound if absent and StorageUnavailable on store errors."""
        ...

    def get_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes `start` up to `end` (exclusive) of the blob, fewer where it is shorter; errors as `get`."""
        ...

    def delete(self, key: str) -> None:
        """Remove `key`; deleting an absent key is not an error."""
        ...

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key starting with `prefix`, in lexical order."""
        ...
