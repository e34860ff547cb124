"""Apply the PostgreSQL migrations (`migrations/postgres/NNNN_name.sql`) exactly once per database, however
many Reel processes start on it at the same moment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from reel.storage.migrations.runner import shipped_migrations

MIGRATION_LOCK = 0x7265656C_00000001
"""The advisory lock key ('reel' and 1) that serialises migrations on a database."""


def postgres_migrations() -> list[tuple[int, str]]:
    """(version, SQL) for every PostgreSQL migration shipped with Reel, in order."""
    return shipped_migrations("postgres")


def migrate_postgres(
    conn: psycopg.Connection[Any], migrations: Sequence[tuple[int, str]] | None = None
) -> int:
    """Bring the database of `conn` (autocommit mode) to the newest schema (`migrations`: Reel's own
    unless given); returns the schema version.

    One transaction: take the advisory lock, then create the bookkeeping table and read the applied
    versions, then apply the missing migrations (PostgreSQL's DDL is transactional). A second process
    waits at the lock and then finds every version applied. The lock is released by COMMIT or ROLLBACK,
    also when the process dies.
    """
    wanted = sorted(migrations) if migrations is not None else postgres_migrations()
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS reel_schema"
            " (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM reel_schema")}
        for number, sql in wanted:
            if number in done:
                continue
            conn.execute(sql.encode())  # no parameters: sent as one script, so it may hold many statements
            conn.execute("INSERT INTO reel_schema (version) VALUES (%s)", (number,))
    return wanted[-1][0] if wanted else 0
