"""In-memory resource store: the reference backend for tests and throwaway runs."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence

from reel.storage.keys import RESOURCE_PREFIX, resource_blob_key
from reel.storage.resource_store import (
    UNREFERENCED_GRACE_MS,
    CaptureRow,
    PendingResource,
    RecordingResource,
    ResourceMeta,
    ResourceSettings,
)


class MemoryResourceStore:
    """Rows and settings in dicts, guarded by one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings: dict[str, ResourceSettings] = {}
        self._meta: dict[str, ResourceMeta] = {}
        self._used: dict[str, int] = {}
        self._links: dict[str, dict[str, str]] = {}
        self._rows: dict[tuple[str, str], RecordingResource] = {}
        self._claimed: dict[tuple[str, str], int] = {}

    def settings(self, app_id: str) -> ResourceSettings | None:
        with self._lock:
            return self._settings.get(app_id)

    def save_settings(self, settings: ResourceSettings) -> None:
        with self._lock:
            self._settings[settings.app_id] = settings

    def enqueue(self, app_id: str, recording_id: str, urls: Sequence[str], now: int) -> int:
        added = 0
        with self._lock:
            for url in dict.fromkeys(urls):
                key = (recording_id, url)
                if key not in self._rows:
                    self._rows[key] = RecordingResource(
                        app_id, recording_id, url, "pending", None, "", now, None, 0
                    )
                    self._claimed[key] = 0
                    added += 1
        return added

    def claim(self, limit: int, now: int, lease_ms: int) -> list[PendingResource]:
        with self._lock:
            due = [
                row
                for key, row in self._rows.items()
                if row.status == "pending" and self._claimed.get(key, 0) <= now - lease_ms
            ]
            due.sort(key=lambda r: (self._claimed.get((r.recording_id, r.url), 0), r.discovered_at, r.url))
            taken = due[:limit]
            for row in taken:
                self._claimed[(row.recording_id, row.url)] = now
            return [
                PendingResource(r.app_id, r.recording_id, r.url, r.discovered_at, r.attempts) for r in taken
            ]

    def save_resource(self, meta: ResourceMeta, links: Sequence[tuple[str, str]], now: int) -> None:
        with self._lock:
            self._meta.setdefault(meta.digest, meta)
            self._used[meta.digest] = max(now, self._used.get(meta.digest, 0))
            known = self._links.setdefault(meta.digest, {})
            for url, child in links:
                known.setdefault(url, child)

    def resource(self, digest: str) -> ResourceMeta | None:
        with self._lock:
            return self._meta.get(digest)

    def links(self, digest: str) -> list[tuple[str, str]]:
        with self._lock:
            return sorted(self._links.get(digest, {}).items())

    def finish(self, app_id: str, recording_id: str, rows: Sequence[CaptureRow], now: int) -> None:
        with self._lock:
            for out in rows:
                key = (recording_id, out.url)
                old = self._rows.get(key)
                attempts = (old.attempts if old else 0) + 1
                if out.status == "pending":
                    if old is not None:
                        self._rows[key] = dataclasses.replace(old, attempts=attempts, reason=out.reason)
                    continue
                if old is not None and old.status == "captured" and out.status != "captured":
                    continue  # a capture already made is not undone by a later failed attempt
                self._rows[key] = RecordingResource(
                    app_id,
                    recording_id,
                    out.url,
                    out.status,
                    out.digest,
                    out.reason,
                    old.discovered_at if old else now,
                    now,
                    attempts,
                )
                if out.digest is not None:
                    self._used[out.digest] = max(now, self._used.get(out.digest, 0))

    def recent_capture(self, app_id: str, url: str, since: int) -> str | None:
        with self._lock:
            best: RecordingResource | None = None
            for row in self._rows.values():
                if (
                    row.app_id == app_id
                    and row.url == url
                    and row.status == "captured"
                    and row.captured_at is not None
                    and row.captured_at >= since
                    and (best is None or (best.captured_at or 0) < row.captured_at)
                ):
                    best = row
            return best.digest if best else None

    def captured(self, recording_id: str) -> dict[str, str]:
        with self._lock:
            return {
                url: row.digest
                for (rec, url), row in self._rows.items()
                if rec == recording_id and row.status == "captured" and row.digest is not None
            }

    def rows(self, recording_id: str) -> list[RecordingResource]:
        with self._lock:
            return sorted(
                (r for (rec, _), r in self._rows.items() if rec == recording_id), key=lambda r: r.url
            )

    def visible(self, digest: str, app_ids: tuple[str, ...] | None) -> bool:
        with self._lock:
            return any(
                row.digest == digest and (app_ids is None or row.app_id in app_ids)
                for row in self._rows.values()
            )

    def release(self, recording_id: str) -> None:
        with self._lock:
            for key in [k for k in self._rows if k[0] == recording_id]:
                del self._rows[key]
                self._claimed.pop(key, None)

    def unreferenced(self, now: int, limit: int) -> list[str]:
        with self._lock:
            held = {row.digest for row in self._rows.values() if row.digest is not None}
            idle = [
                d for d in self._meta if d not in held and self._used.get(d, 0) < now - UNREFERENCED_GRACE_MS
            ]
            return [resource_blob_key(d) for d in sorted(idle)[:limit]]

    def forget(self, key: str) -> None:
        if not key.startswith(RESOURCE_PREFIX):
            return
        digest = key[len(RESOURCE_PREFIX) :]
        with self._lock:
            if any(row.digest == digest for row in self._rows.values()):
                return  # referenced again meanwhile: keep it
            self._meta.pop(digest, None)
            self._used.pop(digest, None)
            self._links.pop(digest, None)

    def close(self) -> None:
        return None
