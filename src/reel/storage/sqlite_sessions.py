"""Session store on SQLite in WAL mode: one write connection behind a lock, a read connection per thread."""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import Any

import orjson

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
from reel.domain.sessions import split_session, with_counters
from reel.errors import Conflict, Gone
from reel.storage.session_store import SaveResult, SessionFold
from reel.storage.sqlite_retention import SqliteRetention, requeue_if_deleted

_SESSION_COLUMNS = (
    "id, app_id, recording_id, client_session_id, part, start_ts, end_ts, first_url, last_url, pages, "
    "beacons, events, min_seq, max_seq, has_full_snapshot, has_meta, closed, created_at, updated_at, "
    "user_id, actions, errors, rage_clicks, dead_clicks, platform, close_reason, rules_version"
)
_ACTION_COLUMNS = "recording_id, session_id, app_id, ts, kind, url, target, label, data"
_SORT_COLUMNS = {
    "start": "start_ts",
    "duration": "(end_ts - start_ts)",
    "actions": "actions",
    "errors": "errors",
}
_BEACON_COLUMNS = (
    "app_id, recording_id, seq, session_id, blob_key, received_at, first_ts, last_ts, events, "
    "stored_bytes, final"
)
_APP_COLUMNS = "id, name, app_key, origins, created_at, enabled, retention_days, mobile"


class SqliteSessionStore(SqliteRetention):
    """SQLite-backed session store; `path` is the database file (created with its folder if missing)."""

    store_name = "session store"

    # applications

    def create_application(self, app: Application) -> None:
        try:
            with self._write() as conn:
                conn.execute(
                    f"INSERT INTO applications ({_APP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        app.id,
                        app.name,
                        app.app_key,
                        orjson.dumps(list(app.origins)).decode(),
                        app.created_at,
                        int(app.enabled),
                        app.retention_days,
                        int(app.mobile),
                    ),
                )
        except sqlite3.IntegrityError as exc:
            raise Conflict("application id or key already exists") from exc

    def application(self, app_id: str) -> Application | None:
        rows = self._read(f"SELECT {_APP_COLUMNS} FROM applications WHERE id = ?", (app_id,))
        return _app(rows[0]) if rows else None

    def application_by_key(self, app_key: str) -> Application | None:
        rows = self._read(f"SELECT {_APP_COLUMNS} FROM applications WHERE app_key = ?", (app_key,))
        return _app(rows[0]) if rows else None

    def applications(self) -> list[Application]:
        return [
            _app(r) for r in self._read(f"SELECT {_APP_COLUMNS} FROM applications ORDER BY created_at, id")
        ]

    # beacons and sessions

    def beacon_session(self, recording_id: str, seq: int) -> str | None:
        rows = self._read(
            "SELECT session_id FROM beacons WHERE recording_id = ? AND seq = ?", (recording_id, seq)
        )
        return str(rows[0][0]) if rows else None

    def recording_app(self, recording_id: str) -> str | None:
        rows = self._read("SELECT app_id FROM recordings WHERE id = ?", (recording_id,))
        return str(rows[0][0]) if rows else None

    def claim_recording(
        self, app_id: str, recording_id: str, clock_offset_ms: int, now: int
    ) -> RecordingClaim:
        sql = "SELECT app_id, clock_offset_ms FROM recordings WHERE id = ?"
        rows = self._read(sql, (recording_id,))
        if not rows:  # only a recording's first beacon pays for a write transaction here
            with self._write() as conn:
                conn.execute(
                    "INSERT OR IGNORE INTO recordings (id, app_id, created_at, clock_offset_ms) "
                    "VALUES (?, ?, ?, ?)",
                    (recording_id, app_id, now, clock_offset_ms),
                )
                rows = list(conn.execute(sql, (recording_id,)))
        return RecordingClaim(str(rows[0][0]), int(rows[0][1]))

    def save_beacon(self, key: SessionKey, beacon: StoredBeacon, fold: SessionFold) -> SaveResult:
        saved = self._save_beacon(key, beacon, fold)
        if saved is None:  # raised only now, so that the requeue of the deleted recording is committed
            raise Gone("this recording was deleted; its beacons are no longer stored", field="recording_id")
        return saved

    def _save_beacon(self, key: SessionKey, beacon: StoredBeacon, fold: SessionFold) -> SaveResult | None:
        with self._write() as conn:
            row = conn.execute(
                "SELECT session_id FROM beacons WHERE recording_id = ? AND seq = ?",
                (beacon.recording_id, beacon.seq),
            ).fetchone()
            if row is not None:
                return SaveResult(duplicate=True, session_id=str(row[0]))
            if requeue_if_deleted(conn, key.recording_id, (beacon.blob_key,)):
                return None
            owner = conn.execute("SELECT app_id FROM recordings WHERE id = ?", (key.recording_id,)).fetchone()
            if owner is None:
                conn.execute(
                    "INSERT INTO recordings (id, app_id, created_at) VALUES (?, ?, ?)",
                    (key.recording_id, key.app_id, beacon.received_at),
                )
            elif owner[0] != key.app_id:
                raise Conflict("recording belongs to another application", field="recording_id")
            cur = conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE app_id = ? AND recording_id = ? "
                "AND client_session_id = ? ORDER BY part DESC LIMIT 1",
                (key.app_id, key.recording_id, key.client_session_id),
            ).fetchone()
            updated = fold(_session(cur) if cur else None)
            if cur is None:
                # A new recorder session on a recording means the user came back after the idle timeout.
                conn.execute(
                    "UPDATE sessions SET closed = 1, close_reason = 'idle' WHERE recording_id = ? "
                    "AND client_session_id != ? AND closed = 0",
                    (key.recording_id, key.client_session_id),
                )
            conn.execute(
                "UPDATE recordings SET max_seq = MAX(max_seq, ?) WHERE id = ?", (beacon.seq, key.recording_id)
            )
            _upsert_session(conn, updated)
            stored = dataclasses.replace(beacon, session_id=updated.id)
            conn.execute(
                f"INSERT INTO beacons ({_BEACON_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    stored.app_id,
                    stored.recording_id,
                    stored.seq,
                    stored.session_id,
                    stored.blob_key,
                    stored.received_at,
                    stored.first_ts,
                    stored.last_ts,
                    stored.events,
                    stored.stored_bytes,
                    int(stored.final),
                ),
            )
            return SaveResult(duplicate=False, session_id=updated.id)

    def session(self, session_id: str) -> Session | None:
        rows = self._read(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
        return _session(rows[0]) if rows else None

    def list_sessions(self, query: SessionQuery) -> SessionPage:
        where, params = _where(query)
        total = int(self._read(f"SELECT COUNT(*) FROM sessions {where}", params)[0][0])
        order = "DESC" if query.descending else "ASC"
        rows = self._read(
            f"SELECT {_SESSION_COLUMNS} FROM sessions {where} "
            f"ORDER BY {_SORT_COLUMNS[query.sort]} {order}, start_ts {order}, id {order} LIMIT ? OFFSET ?",
            (*params, query.limit, query.offset),
        )
        return SessionPage(tuple(_session(r) for r in rows), total)

    def session_parts(self, app_id: str, recording_id: str, client_session_id: str) -> list[Session]:
        rows = self._read(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE app_id = ? AND recording_id = ? "
            "AND client_session_id = ? ORDER BY part",
            (app_id, recording_id, client_session_id),
        )
        return [_session(r) for r in rows]

    def close_silent_sessions(self, silent_before: int, now: int) -> int:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE sessions SET closed = 1, close_reason = 'silent', updated_at = ? "
                "WHERE closed = 0 AND updated_at < ?",
                (now, silent_before),
            )
            return int(cur.rowcount)

    def pending_processing(self, limit: int) -> list[ProcessingProgress]:
        rows = self._read(
            "SELECT r.id, COALESCE(p.processed_seq, -1), COALESCE(p.state_key, ''), "
            "COALESCE(p.updated_at, 0) "
            "FROM recordings r LEFT JOIN processing p ON p.recording_id = r.id "
            "WHERE r.max_seq > COALESCE(p.processed_seq, -1) ORDER BY r.id LIMIT ?",
            (limit,),
        )
        return [ProcessingProgress(str(r[0]), int(r[1]), str(r[2]), int(r[3])) for r in rows]

    def save_processing(self, batch: ProcessingBatch) -> None:
        with self._write() as conn:
            written = (batch.state_key, *(p.checkpoint_key for p in batch.parts))
            if requeue_if_deleted(conn, batch.recording_id, written):
                return
            touched: set[str] = set()
            for part in batch.parts:
                row = conn.execute(
                    f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (part.closed_session_id,)
                ).fetchone()
                if row is None:
                    continue
                ended, opened = split_session(_session(row), part, batch.now)
                _upsert_session(conn, ended)
                if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (opened.id,)).fetchone() is None:
                    _upsert_session(conn, opened)
                conn.execute(
                    "INSERT OR IGNORE INTO checkpoints (recording_id, ts, blob_key, stored_bytes) "
                    "VALUES (?, ?, ?, ?)",
                    (batch.recording_id, part.at, part.checkpoint_key, part.checkpoint_bytes),
                )
                touched.update((ended.id, opened.id))
            conn.executemany(
                f"INSERT OR IGNORE INTO actions ({_ACTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        a.recording_id,
                        a.session_id,
                        a.app_id,
                        a.ts,
                        a.kind,
                        a.url,
                        a.target,
                        a.label,
                        orjson.dumps(a.data).decode(),
                    )
                    for a in batch.actions
                ],
            )
            touched.update(a.session_id for a in batch.actions)
            for session_id in sorted(touched):
                row = conn.execute(
                    f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,)
                ).fetchone()
                if row is None:
                    continue
                own = [
                    _action(r)
                    for r in conn.execute(
                        f"SELECT {_ACTION_COLUMNS} FROM actions WHERE session_id = ?", (session_id,)
                    )
                ]
                _upsert_session(conn, with_counters(_session(row), own))
            conn.execute(
                "INSERT INTO processing (recording_id, processed_seq, state_key, updated_at) "
                "VALUES (?, ?, ?, ?) "
                "ON CONFLICT(recording_id) DO UPDATE SET processed_seq = excluded.processed_seq, "
                "state_key = excluded.state_key, updated_at = excluded.updated_at",
                (batch.recording_id, batch.processed_seq, batch.state_key, batch.now),
            )

    def actions(self, session_id: str) -> list[StoredAction]:
        rows = self._read(
            f"SELECT {_ACTION_COLUMNS} FROM actions WHERE session_id = ? ORDER BY ts, kind", (session_id,)
        )
        return [_action(r) for r in rows]

    def checkpoint(self, recording_id: str, ts: int) -> Checkpoint | None:
        rows = self._read(
            "SELECT recording_id, ts, blob_key, stored_bytes FROM checkpoints "
            "WHERE recording_id = ? AND ts = ?",
            (recording_id, ts),
        )
        if not rows:
            return None
        return Checkpoint(str(rows[0][0]), int(rows[0][1]), str(rows[0][2]), int(rows[0][3]))

    def beacons(self, recording_id: str) -> list[StoredBeacon]:
        rows = self._read(
            f"SELECT {_BEACON_COLUMNS} FROM beacons WHERE recording_id = ? ORDER BY seq", (recording_id,)
        )
        return [_beacon(r) for r in rows]


def _upsert_session(conn: sqlite3.Connection, s: Session) -> None:
    conn.execute(
        f"INSERT INTO sessions ({_SESSION_COLUMNS}) VALUES ({', '.join('?' * 27)}) "
        "ON CONFLICT(id) DO UPDATE SET start_ts=excluded.start_ts, end_ts=excluded.end_ts, "
        "first_url=excluded.first_url, last_url=excluded.last_url, pages=excluded.pages, "
        "beacons=excluded.beacons, events=excluded.events, min_seq=excluded.min_seq, "
        "max_seq=excluded.max_seq, has_full_snapshot=excluded.has_full_snapshot, "
        "has_meta=excluded.has_meta, closed=excluded.closed, updated_at=excluded.updated_at, "
        "user_id=excluded.user_id, actions=excluded.actions, errors=excluded.errors, "
        "rage_clicks=excluded.rage_clicks, dead_clicks=excluded.dead_clicks, platform=excluded.platform, "
        "close_reason=excluded.close_reason, rules_version=excluded.rules_version",
        (
            s.id,
            s.app_id,
            s.recording_id,
            s.client_session_id,
            s.part,
            s.start,
            s.end,
            s.first_url,
            s.last_url,
            s.pages,
            s.beacons,
            s.events,
            s.min_seq,
            s.max_seq,
            int(s.has_full_snapshot),
            int(s.has_meta),
            int(s.closed),
            s.created_at,
            s.updated_at,
            s.user_id,
            s.actions,
            s.errors,
            s.rage_clicks,
            s.dead_clicks,
            s.platform,
            s.close_reason,
            s.rules_version,
        ),
    )


def _app(r: tuple[Any, ...]) -> Application:
    return Application(
        id=r[0],
        name=r[1],
        app_key=r[2],
        origins=tuple(orjson.loads(r[3])),
        created_at=r[4],
        enabled=bool(r[5]),
        retention_days=r[6],
        mobile=bool(r[7]),
    )


def _session(r: tuple[Any, ...]) -> Session:
    return Session(
        id=r[0],
        app_id=r[1],
        recording_id=r[2],
        client_session_id=r[3],
        part=r[4],
        start=r[5],
        end=r[6],
        first_url=r[7],
        last_url=r[8],
        pages=r[9],
        beacons=r[10],
        events=r[11],
        min_seq=r[12],
        max_seq=r[13],
        has_full_snapshot=bool(r[14]),
        has_meta=bool(r[15]),
        closed=bool(r[16]),
        created_at=r[17],
        updated_at=r[18],
        user_id=r[19],
        actions=r[20],
        errors=r[21],
        rage_clicks=r[22],
        dead_clicks=r[23],
        platform=r[24],
        close_reason=r[25],
        rules_version=r[26],
    )


def _beacon(r: tuple[Any, ...]) -> StoredBeacon:
    return StoredBeacon(
        app_id=r[0],
        recording_id=r[1],
        seq=r[2],
        session_id=r[3],
        blob_key=r[4],
        received_at=r[5],
        first_ts=r[6],
        last_ts=r[7],
        events=r[8],
        stored_bytes=r[9],
        final=bool(r[10]),
    )


def _action(r: tuple[Any, ...]) -> StoredAction:
    return StoredAction(
        recording_id=r[0],
        session_id=r[1],
        app_id=r[2],
        ts=r[3],
        kind=r[4],
        url=r[5],
        target=r[6],
        label=r[7],
        data=orjson.loads(r[8]),
    )


def _where(q: SessionQuery) -> tuple[str, tuple[Any, ...]]:
    """WHERE clause and parameters for a query; the semantics are processing.sessions.session_matches."""
    clauses: list[str] = []
    params: list[Any] = []
    if q.app_ids is not None:
        clauses.append(f"app_id IN ({', '.join('?' * len(q.app_ids))})" if q.app_ids else "0")
        params.extend(q.app_ids)
    simple = (
        (q.user_id, "user_id = ?"),
        (q.started_after, "start_ts >= ?"),
        (q.started_before, "start_ts < ?"),
        (q.min_duration_ms, "end_ts - start_ts >= ?"),
        (q.max_duration_ms, "end_ts - start_ts <= ?"),
        (q.min_actions, "actions >= ?"),
        (q.max_actions, "actions <= ?"),
        (q.platform, "platform = ?"),
    )
    for value, clause in simple:
        if value is not None:
            clauses.append(clause)
            params.append(value)
    if q.has_errors is not None:
        clauses.append("errors > 0" if q.has_errors else "errors = 0")
    if q.has_rage_clicks is not None:
        clauses.append("rage_clicks > 0" if q.has_rage_clicks else "rage_clicks = 0")
    if q.url_contains is not None:
        # instr, not LIKE: the operator's text is matched literally, % and _ included.
        clauses.append(
            "(instr(first_url, ?) > 0 OR instr(last_url, ?) > 0 OR EXISTS (SELECT 1 FROM actions a "
            "WHERE a.session_id = sessions.id AND a.kind IN ('load', 'navigation') AND instr(a.url, ?) > 0))"
        )
        params.extend([q.url_contains] * 3)
    return ("WHERE " + " AND ".join(clauses) if clauses else "", tuple(params))
