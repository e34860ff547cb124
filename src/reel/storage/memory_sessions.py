"""In-memory session store: the reference backend the contract tests hold every other backend to."""

from __future__ import annotations

import dataclasses
import threading

from reel.errors import Conflict
from reel.storage.records import Application, Session, SessionKey, SessionPage, SessionQuery, StoredBeacon
from reel.storage.session_store import SaveResult, SessionFold


class MemorySessionStore:
    """Dicts behind one lock; every method is a transaction."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._apps: dict[str, Application] = {}
        self._recordings: dict[str, str] = {}
        self._beacons: dict[tuple[str, int], StoredBeacon] = {}
        self._sessions: dict[str, Session] = {}

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

    def save_beacon(self, key: SessionKey, beacon: StoredBeacon, fold: SessionFold) -> SaveResult:
        with self._lock:
            existing = self._beacons.get((beacon.recording_id, beacon.seq))
            if existing is not None:
                return SaveResult(duplicate=True, session_id=existing.session_id)
            owner = self._recordings.get(key.recording_id)
            if owner is not None and owner != key.app_id:
                raise Conflict("recording belongs to another application", field="recording_id")
            current = self._current_session(key)
            updated = fold(current)
            self._recordings[key.recording_id] = key.app_id
            self._sessions[updated.id] = updated
            stored = dataclasses.replace(beacon, session_id=updated.id)
            self._beacons[(beacon.recording_id, beacon.seq)] = stored
            return SaveResult(duplicate=False, session_id=updated.id)

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
            found = [s for s in self._sessions.values() if query.app_ids is None or s.app_id in query.app_ids]
        found.sort(key=lambda s: (s.created_at, s.id), reverse=True)
        return SessionPage(tuple(found[query.offset : query.offset + query.limit]), len(found))

    def beacons(self, recording_id: str) -> list[StoredBeacon]:
        with self._lock:
            found = [b for (rec, _), b in self._beacons.items() if rec == recording_id]
        return sorted(found, key=lambda b: b.seq)

    def close(self) -> None:
        return None
