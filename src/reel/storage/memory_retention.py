"""Retention and deletion in memory: mixed into MemorySessionStore, whose dicts and lock it works on."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Sequence

from reel.domain.records import (
    Application,
    Checkpoint,
    ProcessingProgress,
    Session,
    StoredAction,
    StoredBeacon,
)
from reel.storage.retention_store import (
    AuditEntry,
    Cause,
    Deleted,
    ExpiredRecording,
    RecordingDeletion,
    Tombstone,
    current_prefix,
    expires_at,
    prefixes_of,
)


class MemoryRetention:
    """Tombstones, deleted recordings and the audit log next to the memory store's own dicts."""

    _lock: threading.Lock
    _apps: dict[str, Application]
    _recordings: dict[str, str]
    _beacons: dict[tuple[str, int], StoredBeacon]
    _sessions: dict[str, Session]
    _max_seq: dict[str, int]
    _actions: dict[tuple[str, int, str, str, str], StoredAction]
    _checkpoints: dict[tuple[str, int], Checkpoint]
    _progress: dict[str, ProcessingProgress]

    def _init_retention(self) -> None:
        self._tombstones: dict[str, Tombstone] = {}
        self._deleted: dict[str, RecordingDeletion] = {}
        self._audit: list[AuditEntry] = []

    def _last_received(self, rec: str) -> int | None:
        return max((b.received_at for (r, _), b in self._beacons.items() if r == rec), default=None)

    def _bytes(self, recs: set[str]) -> int:
        beacons = sum(b.stored_bytes for (r, _), b in self._beacons.items() if r in recs)
        return beacons + sum(c.stored_bytes for (r, _), c in self._checkpoints.items() if r in recs)

    def recordings_past_retention(self, now: int, limit: int) -> list[ExpiredRecording]:
        with self._lock:
            found = []
            for rec, app_id in self._recordings.items():
                last = self._last_received(rec)
                days = self._apps[app_id].retention_days
                if last is None or expires_at(last, days) > now:
                    continue
                sessions = sum(1 for s in self._sessions.values() if s.recording_id == rec)
                found.append(ExpiredRecording(rec, app_id, last, days, sessions, self._bytes({rec})))
        found.sort(key=lambda e: (e.last_received_at, e.recording_id))
        return found[:limit]

    def recordings_of_user(self, app_ids: tuple[str, ...] | None, user_id: str) -> list[str]:
        with self._lock:
            return sorted(
                {
                    s.recording_id
                    for s in self._sessions.values()
                    if s.user_id == user_id and (app_ids is None or s.app_id in app_ids)
                }
            )

    def delete_recordings(
        self, recording_ids: Sequence[str], *, cause: Cause, now: int, audit: AuditEntry | None = None
    ) -> Deleted:
        recordings: list[str] = []
        tombstones: list[Tombstone] = []
        with self._lock:
            for rec in dict.fromkeys(recording_ids):
                found = self._delete_recording(rec, cause, now)
                if found is not None:
                    recordings.append(rec)
                    tombstones.extend(found)
            audit_id = None
            if audit is not None:
                audit_id = self._append(dataclasses.replace(audit, count=len(tombstones))).id
        return Deleted(tuple(recordings), tuple(tombstones), audit_id)

    def _delete_recording(self, rec: str, cause: Cause, now: int) -> list[Tombstone] | None:
        app_id = self._recordings.get(rec)
        if app_id is None:
            return None
        days = self._apps[app_id].retention_days
        last = self._last_received(rec)
        if cause == "retention" and (last is None or expires_at(last, days) > now):
            return None
        keys = [b.blob_key for (r, _), b in self._beacons.items() if r == rec]
        keys += [c.blob_key for (r, _), c in self._checkpoints.items() if r == rec]
        progress = self._progress.get(rec)
        keys += [progress.state_key] if progress else []
        parts = sorted(
            (s for s in self._sessions.values() if s.recording_id == rec), key=lambda s: (s.part, s.id)
        )
        tombstones = [
            Tombstone(s.id, app_id, s.created_at, now, cause, days if cause == "retention" else 0)
            for s in parts
        ]
        for t in tombstones:
            self._tombstones.setdefault(t.session_id, t)
            del self._sessions[t.session_id]
        for bkey in [k for k in self._beacons if k[0] == rec]:
            del self._beacons[bkey]
        for akey in [k for k, a in self._actions.items() if a.recording_id == rec]:
            del self._actions[akey]
        for ckey in [k for k in self._checkpoints if k[0] == rec]:
            del self._checkpoints[ckey]
        self._progress.pop(rec, None)
        self._max_seq.pop(rec, None)
        del self._recordings[rec]
        self._queue(rec, app_id, now, cause, prefixes_of(keys, rec) | {current_prefix(days, app_id, rec)})
        return tombstones

    def _queue(self, rec: str, app_id: str, now: int, cause: Cause, prefixes: set[str]) -> None:
        old = self._deleted.get(rec)
        if old is None:
            self._deleted[rec] = RecordingDeletion(rec, app_id, now, cause, tuple(sorted(prefixes)), 0, True)
            return
        merged = tuple(sorted(set(old.prefixes) | prefixes))
        self._deleted[rec] = dataclasses.replace(
            old, prefixes=merged, generation=old.generation + 1, pending=True
        )

    def _requeue_if_deleted(self, rec: str, keys: Iterable[str]) -> bool:
        """Under the lock: True if the recording was deleted, after queueing `keys`' prefixes again."""
        old = self._deleted.get(rec)
        if old is None:
            return False
        self._queue(rec, old.app_id, old.deleted_at, old.cause, prefixes_of(keys, rec))
        # Ingest may have claimed the recording again before its beacon was refused: nothing else uses it.
        if not any(s.recording_id == rec for s in self._sessions.values()):
            self._recordings.pop(rec, None)
        return True

    def pending_deletions(self, limit: int) -> list[RecordingDeletion]:
        with self._lock:
            found = [d for d in self._deleted.values() if d.pending]
        return sorted(found, key=lambda d: (d.deleted_at, d.recording_id))[:limit]

    def finish_deletion(self, recording_id: str, generation: int) -> bool:
        with self._lock:
            old = self._deleted.get(recording_id)
            if old is None or old.generation != generation:
                return False
            self._deleted[recording_id] = dataclasses.replace(old, pending=False)
            return True

    def deleted_recording(self, recording_id: str) -> RecordingDeletion | None:
        with self._lock:
            return self._deleted.get(recording_id)

    def tombstone(self, session_id: str) -> Tombstone | None:
        with self._lock:
            return self._tombstones.get(session_id)

    def stored_bytes(self, app_id: str) -> int:
        with self._lock:
            return self._bytes({rec for rec, owner in self._recordings.items() if owner == app_id})

    def set_retention(self, app_id: str, days: int, audit: AuditEntry | None = None) -> Application | None:
        with self._lock:
            app = self._apps.get(app_id)
            if app is None:
                return None
            self._apps[app_id] = dataclasses.replace(app, retention_days=days)
            if audit is not None:
                self._append(audit)
            return self._apps[app_id]

    def set_origins(
        self, app_id: str, origins: tuple[str, ...], audit: AuditEntry | None = None
    ) -> Application | None:
        with self._lock:
            app = self._apps.get(app_id)
            if app is None:
                return None
            self._apps[app_id] = dataclasses.replace(app, origins=origins)
            if audit is not None:
                self._append(audit)
            return self._apps[app_id]

    def _append(self, entry: AuditEntry) -> AuditEntry:
        stored = dataclasses.replace(entry, id=len(self._audit) + 1)
        self._audit.append(stored)
        return stored

    def append_audit(self, entry: AuditEntry) -> AuditEntry:
        with self._lock:
            return self._append(entry)

    def audit_entries(
        self, *, app_ids: tuple[str, ...] | None, actor_id: str | None, limit: int, offset: int
    ) -> list[AuditEntry]:
        with self._lock:
            found = [
                e
                for e in reversed(self._audit)
                if app_ids is None or e.app_id in app_ids or (actor_id is not None and e.actor_id == actor_id)
            ]
        return found[offset : offset + limit]
