"""What every PostgreSQL store shares: a connection pool (psycopg 3), one transaction per write, reads
outside transactions, the schema migrated on open, and psycopg failures raised as StorageUnavailable."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from reel.storage.migrations.postgres_runner import migrate_postgres
from reel.storage.sql import POSTGRES, Dialect, Row, Tx, engine_errors

Connection = psycopg.Connection[tuple[Any, ...]]


class PostgresDatabase:
    """A pool of connections to one PostgreSQL database, migrated to the newest schema when opened.

    `url` is a libpq URL (`postgresql://user:password@host:port/db?sslmode=require`); libpq's PG*
    environment variables (PGPASSWORD …) fill what it leaves out. `store_name` names the store in error
    messages; `raise_integrity_errors` lets IntegrityError through to callers that turn it into Conflict
    or a duplicate (else it is StorageUnavailable).
    """

    dialect: Dialect = POSTGRES
    integrity_error: type[Exception] = psycopg.errors.IntegrityError

    def __init__(
        self,
        url: str,
        *,
        min_size: int = 1,
        max_size: int = 8,
        timeout_s: float = 10.0,
        store_name: str = "store",
        raise_integrity_errors: bool = True,
    ) -> None:
        self.url = url
        self.store_name = store_name
        self.raise_integrity_errors = raise_integrity_errors
        # autocommit: a read is one round trip; writes open their own transaction (`_write`).
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout_s,
            kwargs={"autocommit": True},
            open=False,
            name=self.store_name,
        )
        try:
            with self._guard():
                self._pool.open(wait=True, timeout=timeout_s)
                with self._pool.connection() as conn:
                    migrate_postgres(conn)
        except BaseException:
            self._pool.close()  # its workers would go on trying to connect
            raise

    def _guard(self) -> AbstractContextManager[None]:
        """Turn psycopg failures (server down, pool exhausted, disk full …) into StorageUnavailable."""
        return engine_errors(
            self.store_name,
            psycopg.Error,
            psycopg.errors.IntegrityError,
            raise_integrity_errors=self.raise_integrity_errors,
            describe=_message,
        )

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (BEGIN … COMMIT, rolled back on any error)."""
        with self._guard(), ExitStack() as held:
            conn = self._begin(held, "BEGIN")
            try:
                yield conn
            except BaseException:
                with suppress(psycopg.Error):  # the error worth raising is the one that got here
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _begin(self, held: ExitStack, begin: str) -> Connection:
        """A pooled connection (given back when `held` closes) on which `begin` has run.

        Begun again once on a fresh connection if the pooled one had broken while idle (the server
        restarted or closed it): nothing was sent but `begin`, so nothing is done twice. Connections are
        not tested before each use: that would cost every query a round trip.
        """
        conn = held.enter_context(self._pool.connection())
        try:
            conn.execute(begin)
        except psycopg.OperationalError:
            if not conn.broken:
                raise
            held.close()  # gives the broken connection back: the pool drops it
            self._pool.check()  # and the others that broke with it (a restart breaks them all)
            conn = held.enter_context(self._pool.connection())
            conn.execute(begin)
        return conn

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """The rows of one query, by column name, outside any transaction.

        Retried once on a connection that broke while idle in the pool (the server restarted or closed
        it): a read has no effect to repeat, and the pool replaces the broken connection.
        """
        text, values = self.dialect.sql(sql), tuple(params)
        with self._guard():
            with self._pool.connection() as conn:
                try:
                    return list(conn.cursor(row_factory=dict_row).execute(text, values).fetchall())
                except psycopg.OperationalError:
                    if not conn.broken:
                        raise
            # That connection had broken while idle in the pool, and the pool has dropped it; the others
            # may have broken with it (a server restart breaks them all).
            self._pool.check()
            with self._pool.connection() as conn:
                return list(conn.cursor(row_factory=dict_row).execute(text, values).fetchall())

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """One write transaction for portable SQL (reel.storage.sql), rows by column name."""
        with self._write() as conn:
            yield PostgresTx(conn.cursor(row_factory=dict_row), self.dialect)

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """One consistent read-only snapshot for portable SQL (REPEATABLE READ), rows by column name."""
        with self._guard(), ExitStack() as held:
            conn = self._begin(held, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield PostgresTx(conn.cursor(row_factory=dict_row), self.dialect)
            finally:
                with suppress(psycopg.Error):
                    conn.execute("COMMIT")

    def close(self) -> None:
        """Close the pool and every connection in it."""
        self._pool.close()


class PostgresTx(Tx):
    """A transaction whose independent statements share round trips (psycopg's pipeline mode)."""

    conn: psycopg.Cursor[dict[str, Any]]

    def all_of(self, queries: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        connection = self.conn.connection
        cursors = [connection.cursor(row_factory=dict_row) for _ in queries]
        with connection.pipeline():
            for cur, (sql, params) in zip(cursors, queries, strict=True):
                cur.execute(self.dialect.sql(sql), tuple(params))
        return [list(cur.fetchall()) for cur in cursors]

    @contextmanager
    def together(self) -> Iterator[None]:
        with self.conn.connection.pipeline():
            yield


def _message(exc: Exception) -> str:
    """The server's primary message (never the query or its parameters), else the error's first line."""
    primary = exc.diag.message_primary if isinstance(exc, psycopg.Error) else None
    if primary:
        return primary
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
