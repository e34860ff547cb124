"""One SQL for SQLite and PostgreSQL: the seam the SQL stores are written against.

Stores write their queries once, in the subset both engines share (`?` placeholders, `ON CONFLICT`,
`RETURNING`, `CASE`, `COALESCE`), read rows by column name, and ask the dialect for the few pieces that
differ (row locks, substring search, the larger of two values, lists of text). A backend supplies
transactions: `write()` is one read-write transaction that commits on success and rolls back on any error,
`read()` one consistent snapshot, `query()` one statement outside a transaction. Engine errors come out as
StorageUnavailable (IntegrityError as the database's `integrity_error` where a store asks for it), never
hidden.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, fields
from typing import Any, Protocol, TypeVar

import orjson

from reel.errors import StorageUnavailable

Row = Mapping[str, Any]
T = TypeVar("T")
_INSERT_PARAMS = 10_000
"""Parameters of one multi-row INSERT at most (SQLite allows 32,766, PostgreSQL 65,535)."""


@dataclass(frozen=True)
class Dialect:
    """What differs between the engines, as pieces of SQL."""

    name: str
    paramstyle: str
    """`?` (SQLite) or `%s` (psycopg)."""
    for_update: str
    """Appended to a SELECT that must lock the rows it reads until the transaction ends ('' in SQLite,
    whose write transactions are serial anyway)."""
    contains: str
    """`{}` is replaced by a column: true when it contains the text bound to the next placeholder."""
    greatest: str
    """The function giving the larger of its arguments (`MAX` in SQLite, `GREATEST` in PostgreSQL)."""
    skip_locked: str
    """Appended to a SELECT … FOR UPDATE that hands rows to one of several workers: rows another
    transaction holds are passed over ('' in SQLite, where one write transaction runs at a time)."""
    key_lock: str
    """A statement taking a lock on (an integer, a text) until the transaction ends ('' in SQLite)."""
    native_arrays: bool
    """Lists of text are array columns (PostgreSQL); else JSON text."""
    insert_in_pieces: bool = False
    """Multi-row inserts go in pieces of power-of-two sizes (`Tx.insert`): SQLite compiles a statement
    text again once it has left the driver's cache, which inserts of every length overflowed. Not on
    PostgreSQL, where an insert outside a pipeline would cost a round trip per piece."""

    def sql(self, text: str) -> str:
        """`text` with this engine's placeholders."""
        if self.paramstyle == "?":
            return text
        return text.replace("%", "%%").replace("?", self.paramstyle)

    def text_list(self, values: Sequence[str] | None) -> Any:
        """`values` as this engine keeps a list of text (None stays NULL)."""
        if values is None or self.native_arrays:
            return None if values is None else list(values)
        return orjson.dumps(list(values)).decode()


SQLITE = Dialect(
    "sqlite", "?", "", "instr({}, ?) > 0", "MAX", "", "", native_arrays=False, insert_in_pieces=True
)
POSTGRES = Dialect(
    "postgresql",
    "%s",
    " FOR UPDATE",
    "strpos({}, ?) > 0",
    "GREATEST",
    " FOR UPDATE SKIP LOCKED",
    "SELECT pg_advisory_xact_lock(?, hashtext(?))",
    native_arrays=True,
)


def text_list_of(value: Any) -> tuple[str, ...]:
    """A list of text as either engine returns it (an array, or JSON text)."""
    return tuple(orjson.loads(value) if isinstance(value, str) else value)


class Cursor(Protocol):
    """The part of a DB-API cursor the stores use."""

    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Sequence[Any]: ...


class Connection(Protocol):
    """The part of a DB-API connection the stores use (sqlite3 and psycopg both have it)."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...

    def executemany(self, sql: str, params_seq: Sequence[Sequence[Any]]) -> Any: ...


class Tx:
    """One transaction of a SQL store: portable SQL in, rows by column name out."""

    def __init__(self, conn: Connection, dialect: Dialect) -> None:
        self.conn = conn
        self.dialect = dialect

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute a statement; the number of rows it changed."""
        cur: Cursor = self.conn.execute(self.dialect.sql(sql), tuple(params))
        return int(cur.rowcount)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        row = self.conn.execute(self.dialect.sql(sql), tuple(params)).fetchone()
        return None if row is None else _mapping(row)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query."""
        return [_mapping(r) for r in self.conn.execute(self.dialect.sql(sql), tuple(params)).fetchall()]

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Execute a statement once per parameter row; the number of rows they changed in all.

        One call to the driver: psycopg sends every row in one pipeline (one round trip, the statement
        prepared once), sqlite3 steps one prepared statement."""
        if not rows:
            return 0
        done = self.conn.executemany(self.dialect.sql(sql), [tuple(r) for r in rows])
        # sqlite3 answers a new cursor; a psycopg cursor answers None and holds the count itself.
        cur: Cursor = self.conn if done is None else done  # type: ignore[assignment]
        return int(cur.rowcount)

    def insert(self, head: str, rows: Sequence[Sequence[Any]], tail: str = "") -> int:
        """`head` (`INSERT INTO t (a, b) VALUES`) with every row in one statement (one more per
        _INSERT_PARAMS parameters), then `tail` (`ON CONFLICT …`); the number of rows changed.

        One statement, not one per row: the engine runs its executor once for them all (on PostgreSQL,
        per-row statements cost about as much server time as the rows themselves). On SQLite the rows go
        in pieces of power-of-two sizes (30 rows: 16, 8, 4 and 2), so the statements come in a few
        lengths whose compiled forms the driver keeps: a group commit's inserts of ever other lengths
        were compiled every time (~300 µs for 30 rows, several times their run)."""
        if not rows:
            return 0
        width = len(rows[0])
        changed = 0
        for part in chunked(rows, max(1, _INSERT_PARAMS // width)):
            for piece in _binary_pieces(part) if self.dialect.insert_in_pieces else (part,):
                values = ", ".join([f"({placeholders(width)})"] * len(piece))
                changed += self.run(f"{head} {values} {tail}", [v for r in piece for v in r])
        return changed

    def all_of(self, queries: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        """Every row of each of several queries that do not depend on each other, sent together where the
        engine can (PostgreSQL: one round trip for all of them)."""
        return [self.all(sql, params) for sql, params in queries]

    def together(self) -> AbstractContextManager[None]:
        """Statements run inside are sent together where the engine can (PostgreSQL: one round trip when
        the block ends, where an error in any of them is raised); their row counts are not known inside."""
        return nullcontext()

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.one(sql, params)
        return None if row is None else next(iter(row.values()))

    def lock(self, table: str, key: str, value: Any) -> bool:
        """Lock one row for the rest of the transaction (PostgreSQL); True if it exists."""
        sql = f"SELECT 1 AS found FROM {table} WHERE {key} = ?{self.dialect.for_update}"
        return self.one(sql, (value,)) is not None

    def key_lock(self, space: int, key: str) -> None:
        """Hold a lock on (`space`, `key`) until the transaction ends: transactions taking the same one,
        from any process, run one after another (SQLite's write transactions already do)."""
        if self.dialect.key_lock:
            self.run(self.dialect.key_lock, (space, key))

    def savepoint(self, name: str) -> AbstractContextManager[None]:
        """A nested transaction: on error, what it did is undone and the error goes on."""
        return _Savepoint(self, name)


def _mapping(row: Any) -> Row:
    """A row as a mapping by column name (sqlite3.Row is indexable by name but not a Mapping)."""
    if isinstance(row, dict):
        return row
    return dict(zip(row.keys(), row, strict=True))


class _Savepoint:
    def __init__(self, tx: Tx, name: str) -> None:
        self.tx = tx
        self.name = name

    def __enter__(self) -> None:
        self.tx.conn.execute(f"SAVEPOINT {self.name}")

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.tx.conn.execute(f"RELEASE SAVEPOINT {self.name}")
        else:
            self.tx.conn.execute(f"ROLLBACK TO SAVEPOINT {self.name}")
            self.tx.conn.execute(f"RELEASE SAVEPOINT {self.name}")


class SqlDatabase(Protocol):
    """A database the SQL stores run on."""

    dialect: Dialect
    integrity_error: type[Exception]
    """What the engine raises when a statement breaks a constraint (a unique key taken …)."""

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """The rows of one query outside a transaction (a single statement needs no snapshot)."""
        ...

    def write(self) -> AbstractContextManager[Tx]:
        """One read-write transaction."""
        ...

    def read(self) -> AbstractContextManager[Tx]:
        """One read-only snapshot."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


@contextmanager
def engine_errors(
    store_name: str,
    error: type[Exception],
    integrity_error: type[Exception],
    *,
    raise_integrity_errors: bool,
    describe: Callable[[Exception], str] = str,
) -> Iterator[None]:
    """Turn an engine's failures (locked, disk full, server down …) into StorageUnavailable naming the
    store, never hidden; IntegrityError goes through as it is when the store turns it into Conflict."""
    try:
        yield
    except integrity_error as exc:
        if raise_integrity_errors:
            raise
        raise StorageUnavailable(f"{store_name} error: {describe(exc)}") from exc
    except error as exc:
        raise StorageUnavailable(f"{store_name} error: {describe(exc)}") from exc


def record(cls: type[T], row: Row, **overrides: Any) -> T:
    """A frozen dataclass from a row whose columns are named as its fields (booleans from integers)."""
    values: dict[str, Any] = {}
    for name, boolean in _fields_of(cls):  # type: ignore[arg-type]
        if name in overrides:
            values[name] = overrides[name]
        elif name in row:
            value = row[name]
            values[name] = bool(value) if boolean else value
    return cls(**values)


@functools.cache
def _fields_of(cls: type) -> tuple[tuple[str, bool], ...]:
    """A dataclass's field names, each with whether it is a boolean (looked up once per class: every
    session a group commit reads is built through `record`)."""
    return tuple((f.name, f.type in ("bool", bool)) for f in fields(cls))


def placeholders(count: int) -> str:
    """`?, ?, ?` for `count` values; callers handle an empty list themselves (`IN ()` is not SQL)."""
    if count < 1:
        raise ValueError("an IN list needs at least one value")
    return ", ".join("?" * count)


def padded(values: Sequence[T]) -> list[T]:
    """An IN list's `values` with the last one repeated up to the next power of two (a repeat changes no
    result): such lists come in a few lengths, whose prepared statements the engine reuses (SQLite
    compiled a query with 30 values in ~400 µs, five times its run)."""
    out = list(values)
    if out:
        out.extend([out[-1]] * ((1 << (len(out) - 1).bit_length()) - len(out)))
    return out


def _binary_pieces(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """`values` in consecutive slices whose lengths are distinct powers of two, largest first."""
    start = 0
    left = len(values)
    while left:
        size = 1 << (left.bit_length() - 1)
        yield values[start : start + size]
        start += size
        left -= size


def chunked(values: Sequence[T], size: int = 512) -> Iterator[Sequence[T]]:
    """`values` in slices small enough for one statement's parameters."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
