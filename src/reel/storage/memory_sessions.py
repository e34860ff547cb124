"""In-memory session store: the reference backend the contract tests hold every other backend to."""

from __future__ import annotations

import dataclasses
import threading

from reel.domain.records import (
    Application,
    Checkpoint,
    ProcessingBatch,
    ProcessingProgress,
    RecordingClaim,
    Session,
    SessionKey,
    SessionPage,
    SessionQuery,
    StoredAction,
    StoredBeacon,
)
from reel.domain.sessions import session_matches, sort_key, split_session, with_counters
from reel.errors import Conflict, Gone
from reel.storage.memory_retention import MemoryRetention
from reel.storage.session_store import SaveResult, SessionFold


class MemorySessionStore(MemoryRetention):
    """Dicts behind one lock; every method is a transaction."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._apps: dict[str, Application] = {}
        self._recordings: dict[str, str] = {}
        self._clock_offsets: dict[str, int] = {}
        self._beacons: dict[tuple[str, int], StoredBeacon] = {}
        self._sessions: dict[str, Session] = {}
        self._max_seq: dict[str, int] = {}
        self._actions: dict[tuple[str, int, str, str, str], StoredAction] = {}
        self._checkpoints: dict[tuple[str, int], Checkpoint] = {}
        self._progress: dict[str, ProcessingProgress] = {}
        self._init_retention()

    def create_application(self, app: Application) -> None:
        with self._lock:
            if app.id in self._apps or any(a.app_key == app.app_key for a in self._apps.values()):
                raise Conflict("application id or key already exists")
            self._apps[app.id] = app

    def application(self, app_id: str) -> Application | None:
        with self._lock:
            return self._apps.get(app_id)

    def application_by_key(self, app_key: str) -> Application | None:
        with self._lock:
            return next((a for a in self._apps.values() if a.app_key == app_key), None)

    def applications(self) -> list[Application]:
        with self._lock:
            return sorted(self._apps.values(), key=lambda a: (a.created_at, a.id))

    def beacon_session(self, recording_id: str, seq: int) -> str | None:
        with self._lock:
            found = self._beacons.get((recording_id, seq))
        return found.session_id if found else None

    def recording_app(self, recording_id: str) -> str | None:
        with self._lock:
            return self._recordings.get(recording_id)

    def claim_recording(
        self, app_id: str, recording_id: str, clock_offset_ms: int, now: int
    ) -> RecordingClaim:
        with self._lock:
            if recording_id not in self._recordings:
                self._recordings[recording_id] = app_id
                self._clock_offsets[recording_id] = clock_offset_ms
            return RecordingClaim(self._recordings[recording_id], self._clock_offsets.get(recording_id, 0))

    def save_beacon(self, key: SessionKey, beacon: StoredBeacon, fold: SessionFold) -> SaveResult:
        with self._lock:
            existing = self._beacons.get((beacon.recording_id, beacon.seq))
            if existing is not None:
                return SaveResult(duplicate=True, session_id=existing.session_id)
            if self._requeue_if_deleted(key.recording_id, (beacon.blob_key,)):
                message = "this recording was deleted; its beacons are no longer stored"
                raise Gone(message, field="recording_id")
            owner = self._recordings.get(key.recording_id)
            if owner is not None and owner != key.app_id:
                raise Conflict("recording belongs to another application", field="recording_id")
            current = self._current_session(key)
            updated = fold(current)
            if current is None:
                self._close_replaced(key)
            self._recordings[key.recording_id] = key.app_id
            self._max_seq[key.recording_id] = max(self._max_seq.get(key.recording_id, -1), beacon.seq)
            self._sessions[updated.id] = updated
            stored = dataclasses.replace(beacon, session_id=updated.id)
            self._beacons[(beacon.recording_id, beacon.seq)] = stored
            return SaveResult(duplicate=False, session_id=updated.id)

    def _close_replaced(self, key: SessionKey) -> None:
        # A new recorder session on a recording means the user came back after the idle timeout.
        for s in list(self._sessions.values()):
            if (
                s.recording_id == key.recording_id
                and s.client_session_id != key.client_session_id
                and not s.closed
            ):
                self._sessions[s.id] = dataclasses.replace(s, closed=True, close_reason="idle")

    def _current_session(self, key: SessionKey) -> Session | None:
        parts = [
            s
            for s in self._sessions.values()
            if (s.app_id, s.recording_id, s.client_session_id)
            == (key.app_id, key.recording_id, key.client_session_id)
        ]
        return max(parts, key=lambda s: s.part, default=None)

    def session(self, session_id: str) -> Session | None:
        with self._lock:
            return self._sessions.get(session_id)

    def list_sessions(self, query: SessionQuery) -> SessionPage:
        with self._lock:
            urls: dict[str, list[str]] = {}
            for a in self._actions.values():
                if a.kind in ("load", "navigation"):
                    urls.setdefault(a.session_id, []).append(a.url)
            found = [
                s for s in self._sessions.values() if session_matches(s, query, tuple(urls.get(s.id, ())))
            ]
        found.sort(key=lambda s: sort_key(s, query.sort), reverse=query.descending)
        return SessionPage(tuple(found[query.offset : query.offset + query.limit]), len(found))

    def session_parts(self, app_id: str, recording_id: str, client_session_id: str) -> list[Session]:
        with self._lock:
            parts = [
                s
                for s in self._sessions.values()
                if (s.app_id, s.recording_id, s.client_session_id)
                == (app_id, recording_id, client_session_id)
            ]
        return sorted(parts, key=lambda s: s.part)

    def close_silent_sessions(self, silent_before: int, now: int) -> int:
        with self._lock:
            silent = [s for s in self._sessions.values() if not s.closed and s.updated_at < silent_before]
            for s in silent:
                self._sessions[s.id] = dataclasses.replace(
                    s, closed=True, close_reason="silent", updated_at=now
                )
        return len(silent)

    def pending_processing(self, limit: int) -> list[ProcessingProgress]:
        with self._lock:
            found = []
            for rec, max_seq in sorted(self._max_seq.items()):
                progress = self._progress.get(rec, ProcessingProgress(rec, -1, "", 0))
                if max_seq > progress.processed_seq:
                    found.append(progress)
        return found[:limit]

    def save_processing(self, batch: ProcessingBatch) -> None:
        with self._lock:
            written = (batch.state_key, *(p.checkpoint_key for p in batch.parts))
            if self._requeue_if_deleted(batch.recording_id, written):
                return
            touched: set[str] = set()
            for part in batch.parts:
                closed = self._sessions.get(part.closed_session_id)
                if closed is None:
                    continue
                ended, opened = split_session(closed, part, batch.now)
                self._sessions[ended.id] = ended
                self._sessions.setdefault(opened.id, opened)
                touched.update((ended.id, opened.id))
                key = (batch.recording_id, part.at)
                self._checkpoints.setdefault(
                    key, Checkpoint(batch.recording_id, part.at, part.checkpoint_key, part.checkpoint_bytes)
                )
            for action in batch.actions:
                self._actions.setdefault(_action_key(action), action)
                touched.add(action.session_id)
            for session_id in touched:
                session = self._sessions.get(session_id)
                if session is not None:
                    own = [a for a in self._actions.values() if a.session_id == session_id]
                    self._sessions[session_id] = with_counters(session, own)
            self._progress[batch.recording_id] = ProcessingProgress(
                batch.recording_id, batch.processed_seq, batch.state_key, batch.now
            )

    def actions(self, session_id: str) -> list[StoredAction]:
        with self._lock:
            found = [a for a in self._actions.values() if a.session_id == session_id]
        return sorted(found, key=lambda a: (a.ts, a.kind))

    def checkpoint(self, recording_id: str, ts: int) -> Checkpoint | None:
        with self._lock:
            return self._checkpoints.get((recording_id, ts))

    def beacons(self, recording_id: str) -> list[StoredBeacon]:
        with self._lock:
            found = [b for (rec, _), b in self._beacons.items() if rec == recording_id]
        return sorted(found, key=lambda b: b.seq)

    def close(self) -> None:
        return None


def _action_key(a: StoredAction) -> tuple[str, int, str, str, str]:
    """Re-processing finds the same actions again; this key stores each once (as the SQL UNIQUE does)."""
    return (a.recording_id, a.ts, a.kind, a.target, a.label)
