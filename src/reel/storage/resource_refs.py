"""The seam between the purge and a resource store: which stored resources recordings still reference.

Resources (stylesheets, fonts, images) are stored once by content hash and shared by every recording
that uses them, so they are not under a recording's prefix. The purge tells the index which recordings
are gone, then deletes the blobs of resources nothing references any more. `NoResources` is the index of
a Reel that stores no resources; `MemoryResourceRefs` is the reference implementation for tests.
"""

from __future__ import annotations

import threading
from typing import Protocol


class ResourceRefs(Protocol):
    """Which recordings reference which resource blobs; every method is idempotent."""

    def release(self, recording_id: str) -> None:
        """Drop every reference `recording_id` holds (its replay data is deleted)."""
        ...

    def unreferenced(self, now: int, limit: int) -> list[str]:
        """Blob keys of resources no recording references.

        An implementation that lets new recordings reference existing resources keeps a grace period
        here, so a resource released a moment ago and referenced again meanwhile is not listed.
        """
        ...

    def forget(self, key: str) -> None:
        """Remove a resource from the index once its blob is deleted."""
        ...


class NoResources:
    """The index of a Reel without stored resources: nothing to release, nothing to delete."""

    def release(self, recording_id: str) -> None:
        return None

    def unreferenced(self, now: int, limit: int) -> list[str]:
        return []

    def forget(self, key: str) -> None:
        return None


class MemoryResourceRefs:
    """Resource keys and the recordings referencing them, in a dict behind a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refs: dict[str, set[str]] = {}

    def add(self, recording_id: str, key: str) -> None:
        """Record that `recording_id` references the resource stored under `key`."""
        with self._lock:
            self._refs.setdefault(key, set()).add(recording_id)

    def release(self, recording_id: str) -> None:
        with self._lock:
            for holders in self._refs.values():
                holders.discard(recording_id)

    def unreferenced(self, now: int, limit: int) -> list[str]:
        with self._lock:
            return sorted(key for key, holders in self._refs.items() if not holders)[:limit]

    def forget(self, key: str) -> None:
        with self._lock:
            holders = self._refs.get(key)
            if holders is not None and not holders:  # referenced again meanwhile: keep it
                del self._refs[key]

    def keys(self) -> list[str]:
        """Every resource the index knows."""
        with self._lock:
            return sorted(self._refs)
