"""Apply numbered `NNNN_name.sql` files in order, recording each applied version in the database.

Several processes may start on one fresh database at once: the versions already applied are read inside
the same write transaction that applies the missing ones, so each migration is applied exactly once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from importlib import resources


def shipped_migrations(dialect: str) -> list[tuple[int, str]]:
    """(version, SQL) for every migration of `dialect` ('sqlite', 'postgres') shipped with Reel, in order."""
    folder = resources.files("reel.storage.migrations") / dialect
    found: list[tuple[int, str]] = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def sqlite_migrations() -> list[tuple[int, str]]:
    """(version, SQL) for every SQLite migration shipped with Reel, in order."""
    return shipped_migrations("sqlite")


def migrate_sqlite(conn: sqlite3.Connection, migrations: Sequence[tuple[int, str]] | None = None) -> int:
    """Bring `conn` (autocommit mode) to the newest schema (`migrations`: Reel's own unless given);
    returns the schema version. Safe to run on every start, from several processes at once."""
    conn.execute("CREATE TABLE IF NOT EXISTS reel_schema (version INTEGER PRIMARY KEY, applied_at TEXT)")
    wanted = sorted(migrations) if migrations is not None else sqlite_migrations()
    newest = wanted[-1][0] if wanted else 0

    def applied() -> set[int]:
        return {row[0] for row in conn.execute("SELECT version FROM reel_schema")}

    if all(number in applied() for number, _ in wanted):
        return newest  # the usual start: nothing to do, and no write lock taken
    # BEGIN IMMEDIATE takes the write lock before reading: a process that started at the same moment
    # either applied everything already (and is seen here) or waits for this transaction.
    conn.execute("BEGIN IMMEDIATE")
    try:
        done = applied()
        for number, sql in wanted:
            if number in done:
                continue
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO reel_schema (version, applied_at) VALUES (?, datetime('now'))", (number,)
            )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return newest


def _statements(script: str) -> list[str]:
    """The statements of an SQL script, split where SQLite itself would end one (triggers stay whole).

    `executescript` would do this, but it commits first: the migration would run outside the transaction
    that checked it was needed.
    """
    found: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            found.append(pending)
            pending = ""
    if pending.strip(" \n\t;"):
        found.append(pending)
    return [s for s in found if _has_code(s)]


def _has_code(statement: str) -> bool:
    """False for a piece holding only comments and blank space (the tail after the last statement)."""
    lines = (line.split("--", 1)[0].strip() for line in statement.splitlines())
    return any(line and line != ";" for line in lines)
