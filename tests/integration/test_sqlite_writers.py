"""The stores of one process on one SQLite file wait for each other's writes in the process, not in
SQLite's busy handler (which polls with sleeps): a real file, real connections."""

from __future__ import annotations

import threading
from pathlib import Path

from reel.storage.sqlite_db import SqliteDatabase


def test_a_write_waits_for_another_stores_write_on_the_same_file_without_sqlite_busy_waits(
    tmp_path: Path,
) -> None:
    # busy_timeout 0: a write that met the other connection's lock inside SQLite would fail at once.
    first = SqliteDatabase(tmp_path / "db.sqlite3", busy_timeout_ms=0)
    second = SqliteDatabase(tmp_path / "db.sqlite3", busy_timeout_ms=0)
    try:
        with first.write() as tx:
            tx.run("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
        holding, done = threading.Event(), threading.Event()
        errors: list[BaseException] = []

        def other_write() -> None:
            holding.wait()
            try:
                with second.write() as tx:
                    tx.run("INSERT INTO t (n) VALUES (2)")
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)
            done.set()

        thread = threading.Thread(target=other_write)
        thread.start()
        with first.write() as tx:
            tx.run("INSERT INTO t (n) VALUES (1)")
            holding.set()
            assert not done.wait(0.3)  # the other write waits while this transaction is open
        thread.join(timeout=10)
        assert not errors, errors
        with first.read() as tx:
            assert [r["n"] for r in tx.all("SELECT n FROM t ORDER BY n")] == [1, 2]
    finally:
        first.close()
        second.close()
