"""Retention and deletion in SQL: the part of the session store the purge and deletion requests use."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any, cast

import orjson

from reel.domain.records import Application
from reel.storage import sql_rows as rows
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
from reel.storage.sql import Row, SqlDatabase, Tx, placeholders, record

_DELETION_COLUMNS = "recording_id, app_id, deleted_at, cause, prefixes, generation, pending"
_AUDIT_COLUMNS = "id, at, actor, actor_id, action, app_id, target, count, detail"
_TOMBSTONE_COLUMNS = "session_id, app_id, recorded_at, deleted_at, cause, retention_days"
# Every table holding rows of a recording (children before the recording itself).
_RECORDING_TABLES = (
    "actions",
    "idle_periods",
    "checkpoints",
    "processing",
    "beacon_buffer",
    "segments",
    "beacons",
)
# What a recording holds in the replay store and the buffer, in bytes.
_STORED_BYTES = (
    "(SELECT COALESCE(SUM(b.stored_bytes), 0) FROM beacons b WHERE b.recording_id = r.id) + "
    "(SELECT COALESCE(SUM(LENGTH(f.payload)), 0) FROM beacon_buffer f WHERE f.recording_id = r.id) + "
    "(SELECT COALESCE(SUM(s.stored_bytes), 0) FROM segments s WHERE s.recording_id = r.id) + "
    "(SELECT COALESCE(SUM(c.stored_bytes), 0) FROM checkpoints c WHERE c.recording_id = r.id)"
)


class SqlRetention:
    """Retention and deletion queries of the SQL session store."""

    db: SqlDatabase

    def recordings_past_retention(self, now: int, limit: int) -> list[ExpiredRecording]:
        with self.db.read() as tx:
            found = tx.all(
                "SELECT r.id, r.app_id, r.last_received_at, a.retention_days, "
                "(SELECT COUNT(*) FROM sessions s WHERE s.app_id = r.app_id AND s.recording_id = r.id) "
                f"AS sessions, {_STORED_BYTES} AS stored_bytes "
                "FROM applications a JOIN recordings r ON r.app_id = a.id "
                # max_seq >= 0: a recording claimed by ingest but without a stored beacon yet is not expired.
                "WHERE r.last_received_at <= ? - a.retention_days * CAST(? AS BIGINT) AND r.max_seq >= 0 "
                "ORDER BY r.last_received_at, r.id LIMIT ?",
                (now, DAY_MS, limit),
            )
        return [
            ExpiredRecording(
                str(r["id"]),
                str(r["app_id"]),
                int(r["last_received_at"]),
                int(r["retention_days"]),
                int(r["sessions"]),
                int(r["stored_bytes"]),
            )
            for r in found
        ]

    def recordings_of_user(self, app_ids: tuple[str, ...] | None, user_id: str) -> list[str]:
        if app_ids is not None and not app_ids:
            return []
        sql = f"SELECT DISTINCT recording_id FROM sessions WHERE {rows.user_is(user_id)}"
        params: tuple[Any, ...] = (user_id,)
        if app_ids is not None:
            sql += f" AND app_id IN ({placeholders(len(app_ids))})"
            params += app_ids
        with self.db.read() as tx:
            return [str(r["recording_id"]) for r in tx.all(sql + " ORDER BY recording_id", params)]

    def delete_recordings(
        self, recording_ids: Sequence[str], *, cause: Cause, now: int, audit: AuditEntry | None = None
    ) -> Deleted:
        recordings: list[str] = []
        tombstones: list[Tombstone] = []
        with self.db.write() as tx:
            for rec in sorted(set(recording_ids)):  # locked in one order: concurrent deletions never deadlock
                tx.lock("recordings", "id", rec)
            for rec in dict.fromkeys(recording_ids):
                found = _delete_recording(tx, rec, cause, now)
                if found is not None:
                    recordings.append(rec)
                    tombstones.extend(found)
            audit_id = None if audit is None else _append_audit(tx, audit, count=len(tombstones))
        return Deleted(tuple(recordings), tuple(tombstones), audit_id)

    def pending_deletions(self, limit: int) -> list[RecordingDeletion]:
        with self.db.read() as tx:
            found = tx.all(
                f"SELECT {_DELETION_COLUMNS} FROM deleted_recordings WHERE pending = 1 "
                "ORDER BY deleted_at, recording_id LIMIT ?",
                (limit,),
            )
        return [_deletion(r) for r in found]

    def finish_deletion(self, recording_id: str, generation: int) -> bool:
        with self.db.write() as tx:
            return (
                tx.run(
                    "UPDATE deleted_recordings SET pending = 0 WHERE recording_id = ? AND generation = ?",
                    (recording_id, generation),
                )
                > 0
            )

    def deleted_recording(self, recording_id: str) -> RecordingDeletion | None:
        with self.db.read() as tx:
            row = tx.one(
                f"SELECT {_DELETION_COLUMNS} FROM deleted_recordings WHERE recording_id = ?", (recording_id,)
            )
        return _deletion(row) if row else None

    def tombstone(self, session_id: str) -> Tombstone | None:
        with self.db.read() as tx:
            row = tx.one(f"SELECT {_TOMBSTONE_COLUMNS} FROM tombstones WHERE session_id = ?", (session_id,))
        return record(Tombstone, row) if row else None

    def stored_bytes(self, app_id: str) -> int:
        with self.db.read() as tx:
            total = tx.value(
                f"SELECT COALESCE(SUM({_STORED_BYTES}), 0) AS n FROM recordings r WHERE r.app_id = ?",
                (app_id,),
            )
        return int(total or 0)

    def set_retention(self, app_id: str, days: int, audit: AuditEntry | None = None) -> Application | None:
        with self.db.write() as tx:
            if tx.run("UPDATE applications SET retention_days = ? WHERE id = ?", (days, app_id)) == 0:
                return None
            if audit is not None:
                _append_audit(tx, audit, count=audit.count)
            row = tx.one(f"SELECT {rows.APP_COLUMNS} FROM applications WHERE id = ?", (app_id,))
        return rows.application(row) if row else None

    def set_origins(
        self, app_id: str, origins: tuple[str, ...], audit: AuditEntry | None = None
    ) -> Application | None:
        with self.db.write() as tx:
            doc = orjson.dumps(list(origins)).decode()
            if tx.run("UPDATE applications SET origins = ? WHERE id = ?", (doc, app_id)) == 0:
                return None
            if audit is not None:
                _append_audit(tx, audit, count=audit.count)
            row = tx.one(f"SELECT {rows.APP_COLUMNS} FROM applications WHERE id = ?", (app_id,))
        return rows.application(row) if row else None

    def append_audit(self, entry: AuditEntry) -> AuditEntry:
        with self.db.write() as tx:
            entry_id = _append_audit(tx, entry, count=entry.count)
        return dataclasses.replace(entry, id=entry_id)

    def audit_entries(
        self, *, app_ids: tuple[str, ...] | None, actor_id: str | None, limit: int, offset: int
    ) -> list[AuditEntry]:
        where, params = "", cast(tuple[str, ...], ())
        if app_ids is not None:
            where = (
                "WHERE actor_id = ?"
                if not app_ids
                else f"WHERE app_id IN ({placeholders(len(app_ids))}) OR actor_id = ?"
            )
            params = (*app_ids, actor_id or "")
        with self.db.read() as tx:
            found = tx.all(
                f"SELECT {_AUDIT_COLUMNS} FROM audit_log {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                (*params, limit, offset),
            )
        return [record(AuditEntry, r) for r in found]


def _delete_recording(tx: Tx, rec: str, cause: Cause, now: int) -> list[Tombstone] | None:
    """Tombstone the sessions of one recording and delete its rows; None if it is not to be deleted."""
    row = tx.one(
        "SELECT r.app_id, r.last_received_at, r.max_seq, a.retention_days "
        "FROM recordings r JOIN applications a ON a.id = r.app_id WHERE r.id = ?",
        (rec,),
    )
    if row is None:
        return None
    app_id, days = str(row["app_id"]), int(row["retention_days"])
    if cause == "retention" and (
        int(row["max_seq"]) < 0 or expires_at(int(row["last_received_at"]), days) > now
    ):
        return None
    keys = [str(r["blob_key"]) for r in tx.all("SELECT blob_key FROM beacons WHERE recording_id = ?", (rec,))]
    keys += [
        str(r["blob_key"]) for r in tx.all("SELECT blob_key FROM checkpoints WHERE recording_id = ?", (rec,))
    ]
    keys += [
        str(r["state_key"]) for r in tx.all("SELECT state_key FROM processing WHERE recording_id = ?", (rec,))
    ]
    for r in tx.all("SELECT blob_key, keyframe_key FROM segments WHERE recording_id = ?", (rec,)):
        keys += [str(r["blob_key"]), str(r["keyframe_key"])]
    prefixes = prefixes_of(keys, rec) | {current_prefix(days, app_id, rec)}
    tombstones = [
        Tombstone(str(r["id"]), app_id, int(r["created_at"]), now, cause, days if cause == "retention" else 0)
        for r in tx.all(
            "SELECT id, created_at FROM sessions WHERE app_id = ? AND recording_id = ? ORDER BY part, id",
            (app_id, rec),
        )
    ]
    tx.many(
        f"INSERT INTO tombstones ({_TOMBSTONE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (session_id) DO NOTHING",
        [
            (t.session_id, t.app_id, t.recorded_at, t.deleted_at, t.cause, t.retention_days)
            for t in tombstones
        ],
    )
    for table in _RECORDING_TABLES:
        tx.run(f"DELETE FROM {table} WHERE recording_id = ?", (rec,))
    tx.run("DELETE FROM sessions WHERE app_id = ? AND recording_id = ?", (app_id, rec))
    tx.run("DELETE FROM recordings WHERE id = ?", (rec,))
    _queue(tx, rec, app_id, now, cause, prefixes)
    return tombstones


def _queue(tx: Tx, rec: str, app_id: str, now: int, cause: Cause, prefixes: set[str]) -> None:
    """Record the deletion as pending with these prefixes (merged into an earlier deletion's, if any)."""
    old = tx.value("SELECT prefixes FROM deleted_recordings WHERE recording_id = ?", (rec,))
    if old is None:
        tx.run(
            f"INSERT INTO deleted_recordings ({_DELETION_COLUMNS}) VALUES (?, ?, ?, ?, ?, 0, 1)",
            (rec, app_id, now, cause, orjson.dumps(sorted(prefixes)).decode()),
        )
        return
    merged = sorted(set(orjson.loads(old)) | prefixes)
    tx.run(
        "UPDATE deleted_recordings SET prefixes = ?, generation = generation + 1, pending = 1 "
        "WHERE recording_id = ?",
        (orjson.dumps(merged).decode(), rec),
    )


def requeue_if_deleted(tx: Tx, recording_id: str, keys: Iterable[str]) -> bool:
    """In a write transaction: True if the recording was deleted, after queueing `keys`' prefixes again.

    A late beacon or processing round may write blobs before its row (images, keyframes); when the row
    is refused because the recording is gone, they are already there, so the purge must look again.
    """
    row = tx.one("SELECT app_id, cause FROM deleted_recordings WHERE recording_id = ?", (recording_id,))
    if row is None:
        return False
    _queue(
        tx, recording_id, str(row["app_id"]), 0, cast(Cause, row["cause"]), prefixes_of(keys, recording_id)
    )
    # Ingest may have claimed the recording again before its beacon was refused: nothing else uses it.
    tx.run(
        "DELETE FROM recordings WHERE id = ? AND NOT EXISTS (SELECT 1 FROM sessions WHERE recording_id = ?) "
        "AND NOT EXISTS (SELECT 1 FROM beacons WHERE recording_id = ?)",
        (recording_id, recording_id, recording_id),
    )
    return True


def _append_audit(tx: Tx, e: AuditEntry, *, count: int) -> int:
    return int(
        tx.value(
            "INSERT INTO audit_log (at, actor, actor_id, action, app_id, target, count, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (e.at, e.actor, e.actor_id, e.action, e.app_id, e.target, count, e.detail),
        )
    )


def _deletion(r: Row) -> RecordingDeletion:
    return record(RecordingDeletion, r, prefixes=tuple(orjson.loads(r["prefixes"])))
