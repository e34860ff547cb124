"""Apply numbered `NNNN_name.sql` files in order, recording each applied version in the database."""

from __future__ import annotations

import sqlite3
from importlib import resources


def sqlite_migrations() -> list[tuple[int, str]]:
    """(version, SQL) for every SQLite migration shipped with Reel, in order."""
    folder = resources.files("reel.storage.migrations") / "sqlite"
    found: list[tuple[int, str]] = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def migrate_sqlite(conn: sqlite3.Connection) -> int:
    """Bring `conn` to the newest schema; returns the schema version. Safe to run on every start."""
    conn.execute("CREATE TABLE IF NOT EXISTS reel_schema (version INTEGER PRIMARY KEY, applied_at TEXT)")
    applied = {row[0] for row in conn.execute("SELECT version FROM reel_schema")}
    version = max(applied, default=0)
    for number, sql in sqlite_migrations():
        if number in applied:
            continue
        # executescript commits first; wrap the migration and its bookkeeping in one explicit transaction.
        conn.executescript(
            f"BEGIN IMMEDIATE;\n{sql}\n"
            f"INSERT INTO reel_schema (version, applied_at) VALUES ({number}, datetime('now'));\nCOMMIT;"
        )
        version = number
    return version
