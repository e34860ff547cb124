"""The session store in SQL, one implementation for SQLite and PostgreSQL (reel.storage.sql).

Ingest writes a group of beacons in one transaction (sql_beacon_groups.py): each folds into its session
(the fold is the domain's, passed in) and leaves its payload in the buffer. Processing and compaction are in
sql_processing.py, retention in sql_retention.py. In PostgreSQL several processes write at once, so every
transaction that changes a recording's sessions first locks the recording's row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from reel.domain.records import (
    Application,
    Checkpoint,
    IdlePeriod,
    RecordingClaim,
    Session,
    SessionPage,
    SessionQuery,
    StoredAction,
    StoredBeacon,
)
from reel.errors import Conflict, ReelError, StorageUnavailable
from reel.storage import sql_rows as rows
from reel.storage.session_store import BeaconWrite, OtherClockOffset, SaveResult
from reel.storage.sql import SqlDatabase, placeholders
from reel.storage.sql_beacon_groups import ClaimRaced, save_group
from reel.storage.sql_login_failures import SqlLoginFailures
from reel.storage.sql_processing import SqlProcessing
from reel.storage.sql_quotas import SqlQuotas

_CLAIM_RACES = 3
"""Times a group is decided again when another process claims one of its new recordings meanwhile."""


class SqlSessionStore(SqlProcessing, SqlQuotas, SqlLoginFailures):
    """The session store on a SQL database (`SqliteDatabase`, or `PostgresDatabase` for many processes)."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    def close(self) -> None:
        self.db.close()

    # applications

    def create_application(self, app: Application) -> None:
        with self.db.write() as tx:
            taken = tx.one(
                "SELECT 1 AS taken FROM applications WHERE id = ? OR app_key = ?", (app.id, app.app_key)
            )
            if taken is not None:
                raise Conflict("application id or key already exists")
            tx.run(
                f"INSERT INTO applications ({rows.APP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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

    def application(self, app_id: str) -> Application | None:
        with self.db.read() as tx:
            row = tx.one(f"SELECT {rows.APP_COLUMNS} FROM applications WHERE id = ?", (app_id,))
        return rows.application(row) if row else None

    def application_by_key(self, app_key: str) -> Application | None:
        with self.db.read() as tx:
            row = tx.one(f"SELECT {rows.APP_COLUMNS} FROM applications WHERE app_key = ?", (app_key,))
        return rows.application(row) if row else None

    def applications(self) -> list[Application]:
        with self.db.read() as tx:
            found = tx.all(f"SELECT {rows.APP_COLUMNS} FROM applications ORDER BY created_at, id")
        return [rows.application(r) for r in found]

    # ingest

    def beacon_session(self, recording_id: str, seq: int) -> str | None:
        with self.db.read() as tx:
            found = tx.value(
                "SELECT session_id FROM beacons WHERE recording_id = ? AND seq = ?", (recording_id, seq)
            )
        return None if found is None else str(found)

    def recording_app(self, recording_id: str) -> str | None:
        with self.db.read() as tx:
            found = tx.value("SELECT app_id FROM recordings WHERE id = ?", (recording_id,))
        return None if found is None else str(found)

    def claim_recording(
        self, app_id: str, recording_id: str, clock_offset_ms: int, now: int
    ) -> RecordingClaim:
        sql = "SELECT app_id, clock_offset_ms FROM recordings WHERE id = ?"
        with self.db.read() as tx:
            row = tx.one(sql, (recording_id,))
        if row is None:  # only a recording's first beacon pays for a write transaction here
            with self.db.write() as tx:
                tx.run(
                    "INSERT INTO recordings (id, app_id, created_at, clock_offset_ms) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (id) DO NOTHING",
                    (recording_id, app_id, now, clock_offset_ms),
                )
                row = tx.one(sql, (recording_id,))
        assert row is not None  # noqa: S101 -- inserted or found in this transaction
        return RecordingClaim(str(row["app_id"]), int(row["clock_offset_ms"]))

    def save_beacons(self, writes: Sequence[BeaconWrite]) -> list[SaveResult | OtherClockOffset | ReelError]:
        # Rolled back and decided again when another process claimed one of the group's new recordings
        # meanwhile: its claim is committed by then, and read the next time.
        for _ in range(_CLAIM_RACES):
            try:
                with self.db.write() as tx:
                    return save_group(tx, writes)
            except ClaimRaced:
                continue
        raise StorageUnavailable("the group's recordings kept being claimed by other processes; try again")

    # sessions

    def session(self, session_id: str) -> Session | None:
        with self.db.read() as tx:
            row = tx.one(f"SELECT {rows.SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
        return rows.session(row) if row else None

    def list_sessions(self, query: SessionQuery) -> SessionPage:
        where, params = _where(query, self.db.dialect.contains)
        order = "DESC" if query.descending else "ASC"
        with self.db.read() as tx:
            total = int(tx.value(f"SELECT COUNT(*) AS n FROM sessions {where}", params))
            found = tx.all(
                f"SELECT {rows.SESSION_COLUMNS} FROM sessions {where} ORDER BY "
                f"{rows.SORT_COLUMNS[query.sort]} {order}, start_ts {order}, id {order} LIMIT ? OFFSET ?",
                (*params, query.limit, query.offset),
            )
        return SessionPage(tuple(rows.session(r) for r in found), total)

    def session_parts(self, app_id: str, recording_id: str, client_session_id: str) -> list[Session]:
        with self.db.read() as tx:
            found = tx.all(
                f"SELECT {rows.SESSION_COLUMNS} FROM sessions WHERE app_id = ? AND recording_id = ? "
                "AND client_session_id = ? ORDER BY part",
                (app_id, recording_id, client_session_id),
            )
        return [rows.session(r) for r in found]

    def close_silent_sessions(self, silent_before: int, now: int) -> int:
        with self.db.write() as tx:
            return tx.run(
                "UPDATE sessions SET closed = 1, close_reason = 'silent', updated_at = ? "
                "WHERE closed = 0 AND updated_at < ?",
                (now, silent_before),
            )

    def actions(self, session_id: str) -> list[StoredAction]:
        with self.db.read() as tx:
            found = tx.all(
                f"SELECT {rows.ACTION_COLUMNS} FROM actions WHERE session_id = ? ORDER BY ts, kind",
                (session_id,),
            )
        return [rows.action(r) for r in found]

    def idle_periods(self, session_id: str) -> list[IdlePeriod]:
        with self.db.read() as tx:
            found = tx.all(
                "SELECT session_id, start_ts, end_ts FROM idle_periods WHERE session_id = ? "
                "ORDER BY start_ts",
                (session_id,),
            )
        return [IdlePeriod(str(r["session_id"]), int(r["start_ts"]), int(r["end_ts"])) for r in found]

    def checkpoint(self, recording_id: str, ts: int) -> Checkpoint | None:
        with self.db.read() as tx:
            row = tx.one(
                "SELECT recording_id, ts, blob_key, stored_bytes FROM checkpoints "
                "WHERE recording_id = ? AND ts = ?",
                (recording_id, ts),
            )
        return (
            Checkpoint(
                str(row["recording_id"]), int(row["ts"]), str(row["blob_key"]), int(row["stored_bytes"])
            )
            if row
            else None
        )

    def beacons(self, recording_id: str, low: int = 0, high: int | None = None) -> list[StoredBeacon]:
        upper, params = (
            ("", (recording_id, low)) if high is None else (" AND seq <= ?", (recording_id, low, high))
        )
        with self.db.read() as tx:
            found = tx.all(
                f"SELECT {rows.BEACON_COLUMNS} FROM beacons "
                f"WHERE recording_id = ? AND seq >= ?{upper} ORDER BY seq",
                params,
            )
        return [rows.beacon(r) for r in found]

    def missing_beacons(self, recording_id: str, low: int, high: int) -> int:
        if high < low:
            return 0
        with self.db.read() as tx:
            stored = tx.value(
                "SELECT COUNT(*) AS n FROM beacons WHERE recording_id = ? AND seq BETWEEN ? AND ?",
                (recording_id, low, high),
            )
        return high - low + 1 - int(stored or 0)

    def gaps(self, recording_id: str, low: int, high: int) -> list[tuple[int, int]]:
        # Each stored seq with the next stored one: a jump of more than one is a gap between them.
        with self.db.read() as tx:
            found = tx.all(
                "SELECT seq, nxt FROM (SELECT seq, LEAD(seq) OVER (ORDER BY seq) AS nxt FROM beacons "
                "WHERE recording_id = ? AND seq BETWEEN ? AND ?) AS runs WHERE nxt > seq + 1",
                (recording_id, low, high),
            )
            first = tx.value(
                "SELECT MIN(seq) AS first FROM beacons WHERE recording_id = ? AND seq BETWEEN ? AND ?",
                (recording_id, low, high),
            )
        out = [(int(r["seq"]) + 1, int(r["nxt"]) - 1) for r in found]
        if first is None:
            return [(low, high)] if low <= high else []
        if int(first) > low:
            out.insert(0, (low, int(first) - 1))
        return out


def _where(q: SessionQuery, contains: str) -> tuple[str, tuple[Any, ...]]:
    """WHERE clause and parameters for a query; the semantics are reel.domain.sessions.session_matches."""
    clauses: list[str] = []
    params: list[Any] = []
    if q.app_ids is not None:
        if not q.app_ids:
            clauses.append("1 = 0")
        else:
            clauses.append(f"app_id IN ({placeholders(len(q.app_ids))})")
            params.extend(q.app_ids)
    if q.user_id is not None:
        clauses.append(rows.user_is(q.user_id))
        params.append(q.user_id)
    simple = (
        (q.started_after, "start_ts >= ?"),
        (q.started_before, "start_ts < ?"),
        (q.min_duration_ms, "end_ts - start_ts >= ?"),
        (q.max_duration_ms, "end_ts - start_ts <= ?"),
        (q.min_actions, "actions >= ?"),
        (q.max_actions, "actions <= ?"),
        (q.platform, "platform = ?"),
        (q.os, "os = ?"),
        (q.device, "device = ?"),
    )
    for value, clause in simple:
        if value is not None:
            clauses.append(clause)
            params.append(value)
    if q.has_errors is not None:
        clauses.append("errors > 0" if q.has_errors else "errors = 0")
    if q.has_rage_clicks is not None:
        clauses.append("rage_clicks > 0" if q.has_rage_clicks else "rage_clicks = 0")
    if q.has_dead_clicks is not None:
        clauses.append("dead_clicks > 0" if q.has_dead_clicks else "dead_clicks = 0")
    if q.user_prefix is not None:
        # Compared, not LIKE: the operator's text is literal, % and _ included.
        clauses.append("SUBSTR(user_id, 1, ?) = ?")
        params.extend([len(q.user_prefix), q.user_prefix])
    if q.event_name is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM actions e WHERE e.session_id = sessions.id "
            "AND e.kind = 'custom' AND e.label = ?)"
        )
        params.append(q.event_name)
    if q.page_contains is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM actions p WHERE p.session_id = sessions.id "
            f"AND p.kind IN ('load', 'navigation') AND {contains.format('p.url')})"
        )
        params.append(q.page_contains)
    if q.browser is not None:
        clauses.append("(browser = ? OR SUBSTR(browser, 1, ?) = ?)")
        params.extend([q.browser, len(q.browser) + 1, q.browser + " "])
    if q.language is not None:
        clauses.append("(language = ? OR SUBSTR(language, 1, ?) = ?)")
        params.extend([q.language, len(q.language) + 1, q.language + "-"])
    if q.url_contains is not None:
        # Matched literally (no LIKE wildcards): the operator's text, % and _ included.
        visited = (
            "EXISTS (SELECT 1 FROM actions a WHERE a.session_id = sessions.id "
            f"AND a.kind IN ('load', 'navigation') AND {contains.format('a.url')})"
        )
        clauses.append(f"({contains.format('first_url')} OR {contains.format('last_url')} OR {visited})")
        params.extend([q.url_contains] * 3)
    return ("WHERE " + " AND ".join(clauses) if clauses else "", tuple(params))
