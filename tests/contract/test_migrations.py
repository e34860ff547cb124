"""Migrations when several processes start on one fresh database at the same moment: each migration is
applied exactly once, on SQLite and on PostgreSQL, and a failed migration leaves nothing half applied."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest

from reel.storage.factory import (
    open_operator_store,
    open_resource_store,
    open_rule_store,
    open_session_store,
    sqlite_session_store,
)
from reel.storage.migrations.postgres_runner import migrate_postgres, postgres_migrations
from reel.storage.migrations.runner import migrate_sqlite, sqlite_migrations

STARTERS = 8
# Each migration leaves a mark that a second application would add again (no error to stop it), so a
# migration applied twice shows as a count of 2. The first one takes a while (a table of 300,000 rows):
# a runner that checked what was applied before taking its lock would let every starter in meanwhile.
COUNTED = [
    (
        1,
        "CREATE TABLE IF NOT EXISTS applied (version integer NOT NULL);\nINSERT INTO applied VALUES (1);\n"
        "CREATE TABLE IF NOT EXISTS slow AS WITH RECURSIVE c(x) AS"
        " (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT x FROM c;",
    ),
    (2, "INSERT INTO applied VALUES (2); -- a comment; with a semicolon"),
    (3, "INSERT INTO applied VALUES (3);\nINSERT INTO applied VALUES (3);"),
]


def at_once(start: Callable[[], Any]) -> list[Any]:
    """Run `start` in STARTERS threads released together; their results (raising the first error)."""
    gate = threading.Barrier(STARTERS)

    def run() -> Any:
        gate.wait()
        return start()

    with ThreadPoolExecutor(STARTERS) as pool:
        futures = [pool.submit(run) for _ in range(STARTERS)]
        return [f.result() for f in futures]


def sqlite_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def test_sqlite_applies_each_migration_once_when_started_together(tmp_path: Path) -> None:
    path = tmp_path / "reel.sqlite3"

    def start() -> int:
        conn = sqlite_connect(path)
        try:
            return migrate_sqlite(conn, COUNTED)
        finally:
            conn.close()

    assert at_once(start) == [3] * STARTERS
    conn = sqlite_connect(path)
    marks = conn.execute("SELECT version, COUNT(*) FROM applied GROUP BY version ORDER BY version").fetchall()
    assert marks == [(1, 1), (2, 1), (3, 2)]
    assert [r[0] for r in conn.execute("SELECT version FROM reel_schema ORDER BY version")] == [1, 2, 3]
    assert migrate_sqlite(conn, COUNTED) == 3  # and again on the next start: nothing more
    assert conn.execute("SELECT COUNT(*) FROM applied").fetchone() == (4,)


def test_postgres_applies_each_migration_once_when_started_together(pg_url: str) -> None:
    def start() -> int:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            return migrate_postgres(conn, COUNTED)

    assert at_once(start) == [3] * STARTERS
    with psycopg.connect(pg_url, autocommit=True) as conn:
        marks = conn.execute("SELECT version, COUNT(*) FROM applied GROUP BY version ORDER BY version")
        assert marks.fetchall() == [(1, 1), (2, 1), (3, 2)]
        versions = conn.execute("SELECT version FROM reel_schema ORDER BY version").fetchall()
        assert versions == [(1,), (2,), (3,)]


def test_reel_stores_opened_together_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "reel.sqlite3"

    def start() -> None:
        sqlite_session_store(path).close()

    at_once(start)
    conn = sqlite_connect(path)
    versions = [r[0] for r in conn.execute("SELECT version FROM reel_schema ORDER BY version")]
    assert versions == [n for n, _ in sqlite_migrations()]


def test_reel_stores_opened_together_on_a_fresh_postgres_database(pg_url: str) -> None:
    kinds = [open_operator_store, open_rule_store, open_resource_store]
    turn = iter(range(STARTERS))
    lock = threading.Lock()

    def start() -> None:
        with lock:
            kind = kinds[next(turn) % len(kinds)]
        kind(pg_url).close()

    at_once(start)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM reel_schema ORDER BY version")]
    assert versions == [n for n, _ in postgres_migrations()]


BROKEN = [(1, "CREATE TABLE first_one (x integer);"), (2, "CREATE TABLE broken (x no_such_type);")]


def test_a_failed_sqlite_migration_leaves_nothing_applied(tmp_path: Path) -> None:
    conn = sqlite_connect(tmp_path / "reel.sqlite3")
    with pytest.raises(sqlite3.Error):
        migrate_sqlite(conn, [*BROKEN[:1], (2, "CREATE TABLE first_one (x integer);")])
    assert conn.execute("SELECT COUNT(*) FROM reel_schema").fetchone() == (0,)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'first_one'").fetchone() is None
    assert not conn.in_transaction


def test_a_failed_postgres_migration_leaves_nothing_applied_and_no_lock(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        with pytest.raises(psycopg.Error):
            migrate_postgres(conn, BROKEN)
        assert conn.execute("SELECT to_regclass('first_one')").fetchone() == (None,)
    # The lock went with the failed transaction: another process migrates at once.
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert migrate_postgres(conn, BROKEN[:1]) == 1


def _kept_before_due(execute: Callable[[str], object]) -> None:
    """Rows a store of the version before `due` holds: rec-work has beacons past its processed seq,
    rec-done has none left."""
    execute(
        "INSERT INTO applications (id, name, app_key, origins, created_at, enabled, retention_days, mobile) "
        "VALUES ('app_1', 'A', 'rk-1', '[]', 0, 1, 30, 0)"
    )
    for rec, processed in (("rec-work", 1), ("rec-done", 3)):
        execute(
            "INSERT INTO recordings (id, app_id, created_at, max_seq, clock_offset_ms, last_received_at) "
            f"VALUES ('{rec}', 'app_1', 0, 3, 0, 0)"
        )
        execute(
            "INSERT INTO processing (recording_id, processed_seq, state_key, updated_at, lease_owner, "
            f"lease_until) VALUES ('{rec}', {processed}, '', 0, '', 0)"
        )


def _keeps_the_work(store: Any) -> None:
    assert [p.recording_id for p in store.pending_processing(10, 1, 0)] == ["rec-work"]
    assert store.settle_processing(10) == 1  # rec-done
    assert [p.recording_id for p in store.pending_processing(10, 1, 0)] == ["rec-work"]


def test_a_sqlite_store_from_before_the_workers_list_keeps_its_work(tmp_path: Path) -> None:
    path = tmp_path / "reel.sqlite3"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        migrate_sqlite(conn, [m for m in sqlite_migrations() if m[0] < 16])
        _kept_before_due(conn.execute)
    with contextlib.closing(sqlite_session_store(path)) as store:
        _keeps_the_work(store)


def test_a_postgres_store_from_before_the_workers_list_keeps_its_work(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        migrate_postgres(conn, [m for m in postgres_migrations() if m[0] < 9])
        _kept_before_due(conn.execute)
    with contextlib.closing(open_session_store(pg_url)) as store:
        _keeps_the_work(store)
