"""What every SQLite store shares: WAL, one write connection behind a lock, a read connection per thread,
and SQLite failures raised as StorageUnavailable (never hidden).

`:memory:` is a database in this process only (the in-memory backend, `memory://`): one connection,
every read and write behind the lock.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from reel.storage.migrations.runner import migrate_sqlite
from reel.storage.sql import SQLITE, Dialect, Row, Tx, engine_errors

MEMORY = ":memory:"

# The stores of one process on the same file (sessions, operators, rules, resources) take one lock for
# their write transactions: a write waits for another here and is woken as soon as it ends, instead of
# in SQLite's busy handler, which polls with sleeps of up to 100 ms. Measured before: the group commit
# waited ~10 ms per group in BEGIN IMMEDIATE behind the resource worker's transactions.
_write_locks: dict[str, threading.RLock] = {}
_write_locks_guard = threading.Lock()


def _write_lock_of(path: str) -> threading.RLock:
    """The write lock every store of this process shares for the database file at `path`."""
    key = os.path.realpath(path)
    with _write_locks_guard:
        return _write_locks.setdefault(key, threading.RLock())


class SqliteDatabase:
    """Connections to one SQLite file, migrated to the newest schema when opened.

    `store_name` names the store in error messages; `foreign_keys` enforces foreign keys on its
    connections; `raise_integrity_errors` lets IntegrityError through to callers that turn it into
    Conflict or a duplicate (else it is StorageUnavailable).
    """

    dialect: Dialect = SQLITE
    integrity_error: type[Exception] = sqlite3.IntegrityError

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout_ms: int = 5000,
        store_name: str = "store",
        foreign_keys: bool = True,
        raise_integrity_errors: bool = True,
    ) -> None:
        self.store_name = store_name
        self.foreign_keys = foreign_keys
        self.raise_integrity_errors = raise_integrity_errors
        self.path = str(path)
        self.memory = self.path == MEMORY
        if not self.memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._busy_timeout_ms = busy_timeout_ms
        self._write_lock = threading.RLock() if self.memory else _write_lock_of(self.path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        with self._guard():
            self._writer = self._connect()
            if not self.memory:
                self._writer.execute("PRAGMA journal_mode=WAL")
            migrate_sqlite(self._writer)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_ms)}")
        # FULL: a commit is on disk before Reel answers (a beacon acknowledged, a token revoked), even
        # across a power cut.
        conn.execute("PRAGMA synchronous=FULL")
        if self.foreign_keys:
            conn.execute("PRAGMA foreign_keys=ON")
        with self._all_lock:
            self._all.append(conn)
        return conn

    def _reader(self) -> sqlite3.Connection:
        if self.memory:
            return self._writer
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def _guard(self) -> AbstractContextManager[None]:
        """Turn SQLite failures (locked, disk full, I/O) into StorageUnavailable; never hide them."""
        return engine_errors(
            self.store_name,
            sqlite3.Error,
            sqlite3.IntegrityError,
            raise_integrity_errors=self.raise_integrity_errors,
        )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, rolled back on any error)."""
        with self._write_lock, self._guard():
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """The rows of one query, by column name, outside a transaction."""
        if self.memory:
            with self._write_lock, self._guard():
                return Tx(self._writer, self.dialect).all(sql, params)
        with self._guard():
            return Tx(self._reader(), self.dialect).all(sql, params)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """One write transaction for portable SQL (reel.storage.sql)."""
        with self._write() as conn:
            yield Tx(conn, self.dialect)

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """One consistent read snapshot for portable SQL (a deferred transaction on this thread's reader)."""
        if self.memory:
            with self._write_lock, self._guard():
                yield Tx(self._writer, self.dialect)
            return
        with self._guard():
            conn = self._reader()
            conn.execute("BEGIN")
            try:
                yield Tx(conn, self.dialect)
            finally:
                conn.execute("COMMIT")

    def close(self) -> None:
        """Close every connection this store opened (an in-memory database lives as long as the store:
        like the other in-memory stores, closing it loses nothing)."""
        if self.memory:
            return
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()
