"""Every store factory in one place: the backend is chosen by the URL's scheme.

Database URLs (sessions, operators, rules, resources): `memory://`, `sqlite:///path` (relative) or
`sqlite:////path` (absolute), `postgresql://user@host:port/db`. Replay store URLs: `memory://`,
`file:///path`, `s3://bucket/prefix?endpoint=…&region=…`. The interfaces know nothing of their backends.
"""

from __future__ import annotations

from pathlib import Path

from reel.storage.file_blobs import FileReplayStore
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from reel.storage.memory_resources import MemoryResourceStore
from reel.storage.memory_rules import MemoryRuleStore
from reel.storage.operator_store import OperatorStore
from reel.storage.replay_store import ReplayStore
from reel.storage.resource_store import ResourceStore
from reel.storage.rule_store import RuleStore
from reel.storage.session_store import SessionStore
from reel.storage.sql import SqlDatabase
from reel.storage.sql_operators import SqlOperatorStore
from reel.storage.sql_resources import SqlResourceStore
from reel.storage.sql_rules import SqlRuleStore
from reel.storage.sql_sessions import SqlSessionStore
from reel.storage.sqlite_db import MEMORY, SqliteDatabase
from reel.storage.urls import local_path, scheme_of

# The PostgreSQL and S3 backends are imported when a URL names them: psycopg and obstore cost an
# embedded (SQLite + files) process over 100 ms of start-up for nothing.
POSTGRES_SCHEMES = ("postgresql", "postgres")


def open_session_store(url: str) -> SessionStore:
    """A session store for `url`: `sqlite:///path`, `postgresql://…` or `memory://`."""
    scheme = scheme_of(url)
    if scheme == "sqlite":
        return sqlite_session_store(local_path(url))
    if scheme == "memory":
        return memory_session_store()
    if scheme in POSTGRES_SCHEMES:
        from reel.storage.postgres_db import PostgresDatabase

        return SqlSessionStore(PostgresDatabase(url))
    raise ValueError(f"unsupported session store URL: {_shown(url)}")


def sqlite_session_store(path: str | Path, *, busy_timeout_ms: int = 5000) -> SqlSessionStore:
    """A session store in the SQLite file at `path`."""
    return SqlSessionStore(SqliteDatabase(path, busy_timeout_ms=busy_timeout_ms))


def memory_session_store() -> SqlSessionStore:
    """A session store in this process's memory (SQLite's in-memory database): the same SQL as on disk."""
    return SqlSessionStore(SqliteDatabase(MEMORY))


def open_operator_store(url: str) -> OperatorStore:
    """An operator store for `url` (the session store's URL)."""
    if scheme_of(url) == "memory":
        return MemoryOperatorStore()
    return SqlOperatorStore(_database(url, "operator store"))


def open_rule_store(url: str) -> RuleStore:
    """A masking rule store for `url` (the session store's URL)."""
    if scheme_of(url) == "memory":
        return MemoryRuleStore()
    return SqlRuleStore(_database(url, "rule store", integrity_errors=False))


def open_resource_store(url: str) -> ResourceStore:
    """A resource store for `url` (the session store's URL)."""
    if scheme_of(url) == "memory":
        return MemoryResourceStore()
    return SqlResourceStore(_database(url, "resource store", integrity_errors=False))


def _database(url: str, store: str, *, integrity_errors: bool = True) -> SqlDatabase:
    """Connections of `store` to the session store's database at `url` (SQLite or PostgreSQL).

    `integrity_errors`: a broken constraint comes out as the engine's IntegrityError, for a store that
    answers Conflict; else as StorageUnavailable. Foreign keys are enforced in SQLite where they come out.
    """
    scheme = scheme_of(url)
    if scheme == "sqlite":
        return SqliteDatabase(
            local_path(url),
            store_name=store,
            foreign_keys=integrity_errors,
            raise_integrity_errors=integrity_errors,
        )
    if scheme in POSTGRES_SCHEMES:
        from reel.storage.postgres_db import PostgresDatabase

        return PostgresDatabase(url, store_name=store, raise_integrity_errors=integrity_errors)
    raise ValueError(f"unsupported {store} URL: {_shown(url)}")


def open_replay_store(url: str) -> ReplayStore:
    """A replay store for `url`: `file:///path`, `s3://bucket/prefix?…` or `memory://`."""
    scheme = scheme_of(url)
    if scheme == "file":
        return FileReplayStore(Path(local_path(url)))
    if scheme == "memory":
        return MemoryReplayStore()
    if scheme == "s3":
        from reel.storage.s3_blobs import S3ReplayStore

        return S3ReplayStore.from_url(url)
    raise ValueError(f"unsupported replay store URL: {_shown(url)}")


def _shown(url: str) -> str:
    """A URL fit for an error message: its scheme only, since the rest may hold a password or a key."""
    return repr(f"{scheme_of(url)}://…") if "://" in url else repr(url[:20])
