"""Retention and deletion on SQLite: mixed into SqliteSessionStore, which supplies `_write` and `_read`."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, cast

import orjson

from reel.domain.records import Application
from reel.storage.retention_store import (
    DAY_MS,
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
from reel.storage.sqlite_db import SqliteDatabase

_DELETION_COLUMNS = "recording_id, app_id, deleted_at, cause, prefixes, generation, pending"
_AUDIT_COLUMNS = "id, at, actor, actor_id, action, app_id, target, count, detail"
_TOMBSTONE_COLUMNS = "session_id, app_id, recorded_at, deleted_at, cause, retention_days"
# Every table holding rows of a recording, children first (foreign keys are on).
_RECORDING_TABLES = ("actions", "checkpoints", "processing", "beacons")


class SqliteRetention(SqliteDatabase):
    """Retention and deletion queries of the SQLite session store."""

    def application(self, app_id: str) -> Application | None:
        raise NotImplementedError

    def recordings_past_retention(self, now: int, limit: int) -> list[ExpiredRecording]:
        rows = self._read(
            "SELECT r.id, r.app_id, r.last_received_at, a.retention_days, "
            "(SELECT COUNT(*) FROM sessions s WHERE s.app_id = r.app_id AND s.recording_id = r.id), "
            "(SELECT COALESCE(SUM(b.stored_bytes), 0) FROM beacons b WHERE b.recording_id = r.id) + "
            "(SELECT COALESCE(SUM(c.stored_bytes), 0) FROM checkpoints c WHERE c.recording_id = r.id) "
            "FROM applications a JOIN recordings r ON r.app_id = a.id "
            # max_seq >= 0: a recording claimed by ingest but without a stored beacon yet is not expired.
            "WHERE r.last_received_at <= ? - a.retention_days * ? AND r.max_seq >= 0 "
            "ORDER BY r.last_received_at, r.id LIMIT ?",
            (now, DAY_MS, limit),
        )
        return [
            ExpiredRecording(str(r[0]), str(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5])) for r in rows
        ]

    def recordings_of_user(self, app_ids: tuple[str, ...] | None, user_id: str) -> list[str]:
        if app_ids is not None and not app_ids:
            return []
        sql = "SELECT DISTINCT recording_id FROM sessions WHERE user_id = ?"
        params: tuple[Any, ...] = (user_id,)
        if app_ids is not None:
            sql += f" AND app_id IN ({', '.join('?' * len(app_ids))})"
            params += app_ids
        return [str(r[0]) for r in self._read(sql + " ORDER BY recording_id", params)]

    def delete_recordings(
        self, recording_ids: Sequence[str], *, cause: Cause, now: int, audit: AuditEntry | None = None
    ) -> Deleted:
        recordings: list[str] = []
        tombstones: list[Tombstone] = []
        with self._write() as conn:
            for rec in dict.fromkeys(recording_ids):
                found = _delete_recording(conn, rec, cause, now)
                if found is not None:
                    recordings.append(rec)
                    tombstones.extend(found)
            audit_id = None
            if audit is not None:
                audit_id = _append_audit(conn, audit, count=len(tombstones))
        return Deleted(tuple(recordings), tuple(tombstones), audit_id)

    def pending_deletions(self, limit: int) -> list[RecordingDeletion]:
        rows = self._read(
            f"SELECT {_DELETION_COLUMNS} FROM deleted_recordings WHERE pending = 1 "
            "ORDER BY deleted_at, recording_id LIMIT ?",
            (limit,),
        )
        return [_deletion(r) for r in rows]

    def finish_deletion(self, recording_id: str, generation: int) -> bool:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE deleted_recordings SET pending = 0 WHERE recording_id = ? AND generation = ?",
                (recording_id, generation),
            )
            return cur.rowcount > 0

    def deleted_recording(self, recording_id: str) -> RecordingDeletion | None:
        rows = self._read(
            f"SELECT {_DELETION_COLUMNS} FROM deleted_recordings WHERE recording_id = ?", (recording_id,)
        )
        return _deletion(rows[0]) if rows else None

    def tombstone(self, session_id: str) -> Tombstone | None:
        rows = self._read(f"SELECT {_TOMBSTONE_COLUMNS} FROM tombstones WHERE session_id = ?", (session_id,))
        return _tombstone(rows[0]) if rows else None

    def stored_bytes(self, app_id: str) -> int:
        rows = self._read(
            "SELECT (SELECT COALESCE(SUM(b.stored_bytes), 0) FROM recordings r "
            "JOIN beacons b ON b.recording_id = r.id WHERE r.app_id = ?) + "
            "(SELECT COALESCE(SUM(c.stored_bytes), 0) FROM recordings r "
            "JOIN checkpoints c ON c.recording_id = r.id WHERE r.app_id = ?)",
            (app_id, app_id),
        )
        return int(rows[0][0])

    def set_retention(self, app_id: str, days: int, audit: AuditEntry | None = None) -> Application | None:
        with self._write() as conn:
            cur = conn.execute("UPDATE applications SET retention_days = ? WHERE id = ?", (days, app_id))
            if cur.rowcount == 0:
                return None
            if audit is not None:
                _append_audit(conn, audit, count=audit.count)
        return self.application(app_id)

    def set_origins(
        self, app_id: str, origins: tuple[str, ...], audit: AuditEntry | None = None
    ) -> Application | None:
        with self._write() as conn:
            doc = orjson.dumps(list(origins)).decode()
            cur = conn.execute("UPDATE applications SET origins = ? WHERE id = ?", (doc, app_id))
            if cur.rowcount == 0:
                return None
            if audit is not None:
                _append_audit(conn, audit, count=audit.count)
        return self.application(app_id)

    def append_audit(self, entry: AuditEntry) -> AuditEntry:
        with self._write() as conn:
            entry_id = _append_audit(conn, entry, count=entry.count)
        return dataclasses.replace(entry, id=entry_id)

    def audit_entries(
        self, *, app_ids: tuple[str, ...] | None, actor_id: str | None, limit: int, offset: int
    ) -> list[AuditEntry]:
        where, params = "", cast(tuple[str, ...], ())
        if app_ids is not None:
            marks = ", ".join("?" * len(app_ids)) or "NULL"
            where = f"WHERE app_id IN ({marks}) OR actor_id = ?"
            params = (*app_ids, actor_id or "")
        rows = self._read(
            f"SELECT {_AUDIT_COLUMNS} FROM audit_log {where} ORDER BY id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_audit(r) for r in rows]


def _delete_recording(conn: sqlite3.Connection, rec: str, cause: Cause, now: int) -> list[Tombstone] | None:
    """Tombstone the sessions of one recording and delete its rows; None if it is not to be deleted."""
    row = conn.execute(
        "SELECT r.app_id, r.last_received_at, r.max_seq, a.retention_days "
        "FROM recordings r JOIN applications a ON a.id = r.app_id WHERE r.id = ?",
        (rec,),
    ).fetchone()
    if row is None:
        return None
    app_id, last_received_at, max_seq, days = str(row[0]), int(row[1]), int(row[2]), int(row[3])
    if cause == "retention" and (max_seq < 0 or expires_at(last_received_at, days) > now):
        return None
    keys = [str(r[0]) for r in conn.execute("SELECT blob_key FROM beacons WHERE recording_id = ?", (rec,))]
    keys += [
        str(r[0]) for r in conn.execute("SELECT blob_key FROM checkpoints WHERE recording_id = ?", (rec,))
    ]
    keys += [
        str(r[0]) for r in conn.execute("SELECT state_key FROM processing WHERE recording_id = ?", (rec,))
    ]
    prefixes = prefixes_of(keys, rec) | {current_prefix(days, app_id, rec)}
    tombstones = [
        Tombstone(str(r[0]), app_id, int(r[1]), now, cause, days if cause == "retention" else 0)
        for r in conn.execute(
            "SELECT id, created_at FROM sessions WHERE app_id = ? AND recording_id = ? ORDER BY part, id",
            (app_id, rec),
        )
    ]
    conn.executemany(
        f"INSERT OR IGNORE INTO tombstones ({_TOMBSTONE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (t.session_id, t.app_id, t.recorded_at, t.deleted_at, t.cause, t.retention_days)
            for t in tombstones
        ],
    )
    for table in _RECORDING_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE recording_id = ?", (rec,))
    conn.execute("DELETE FROM sessions WHERE app_id = ? AND recording_id = ?", (app_id, rec))
    conn.execute("DELETE FROM recordings WHERE id = ?", (rec,))
    _queue(conn, rec, app_id, now, cause, prefixes)
    return tombstones


def _queue(
    conn: sqlite3.Connection, rec: str, app_id: str, now: int, cause: Cause, prefixes: set[str]
) -> None:
    """Record the deletion as pending with these prefixes (merged into an earlier deletion's, if any)."""
    old = conn.execute("SELECT prefixes FROM deleted_recordings WHERE recording_id = ?", (rec,)).fetchone()
    if old is None:
        conn.execute(
            f"INSERT INTO deleted_recordings ({_DELETION_COLUMNS}) VALUES (?, ?, ?, ?, ?, 0, 1)",
            (rec, app_id, now, cause, orjson.dumps(sorted(prefixes)).decode()),
        )
        return
    merged = sorted(set(orjson.loads(old[0])) | prefixes)
    conn.execute(
        "UPDATE deleted_recordings SET prefixes = ?, generation = generation + 1, pending = 1 "
        "WHERE recording_id = ?",
        (orjson.dumps(merged).decode(), rec),
    )


def requeue_if_deleted(conn: sqlite3.Connection, recording_id: str, keys: Iterable[str]) -> bool:
    """In a write transaction: True if the recording was deleted, after queueing `keys`' prefixes again.

    A late beacon or processing round writes its blob before its row; when the row is refused because
    the recording is gone, the blob is already there, so the purge must look under its prefix again.
    """
    row = conn.execute(
        "SELECT app_id, cause FROM deleted_recordings WHERE recording_id = ?", (recording_id,)
    ).fetchone()
    if row is None:
        return False
    _queue(conn, recording_id, str(row[0]), 0, cast(Cause, row[1]), prefixes_of(keys, recording_id))
    # Ingest may have claimed the recording again before its beacon was refused: nothing else uses it.
    conn.execute(
        "DELETE FROM recordings WHERE id = ? AND NOT EXISTS (SELECT 1 FROM sessions WHERE recording_id = ?) "
        "AND NOT EXISTS (SELECT 1 FROM beacons WHERE recording_id = ?)",
        (recording_id, recording_id, recording_id),
    )
    return True


def _append_audit(conn: sqlite3.Connection, e: AuditEntry, *, count: int) -> int:
    cur = conn.execute(
        "INSERT INTO audit_log (at, actor, actor_id, action, app_id, target, count, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (e.at, e.actor, e.actor_id, e.action, e.app_id, e.target, count, e.detail),
    )
    return int(cur.lastrowid or 0)


def _deletion(r: tuple[Any, ...]) -> RecordingDeletion:
    return RecordingDeletion(
        recording_id=str(r[0]),
        app_id=str(r[1]),
        deleted_at=int(r[2]),
        cause=cast(Cause, r[3]),
        prefixes=tuple(orjson.loads(r[4])),
        generation=int(r[5]),
        pending=bool(r[6]),
    )


def _tombstone(r: tuple[Any, ...]) -> Tombstone:
    return Tombstone(str(r[0]), str(r[1]), int(r[2]), int(r[3]), cast(Cause, r[4]), int(r[5]))


def _audit(r: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(
        id=int(r[0]),
        at=int(r[1]),
        actor=str(r[2]),
        actor_id=str(r[3]),
        action=str(r[4]),
        app_id=None if r[5] is None else str(r[5]),
        target=str(r[6]),
        count=int(r[7]),
        detail=str(r[8]),
    )
