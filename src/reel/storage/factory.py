"""Every store chosen by its URL, in one place (backends are imported here and nowhere else).

Session data and what lives beside it (operators, masking rules, resources) share one database URL:
`sqlite:///relative/path.sqlite3`, `sqlite:////absolute/path.sqlite3` or `memory://`. Replay data has its
own URL: `file:///path` or `memory://`.
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
from reel.storage.sql_sessions import SqlSessionStore
from reel.storage.sqlite_db import MEMORY, SqliteDatabase
from reel.storage.sqlite_operators import SqliteOperatorStore
from reel.storage.sqlite_resources import SqliteResourceStore
from reel.storage.sqlite_rules import SqliteRuleStore
from reel.storage.urls import local_path, scheme_of


def _unsupported(kind: str, url: str) -> ValueError:
    return ValueError(f"unsupported {kind} URL: {url!r}")


def open_session_store(url: str) -> SessionStore:
    """The session store for a database URL."""
    scheme = scheme_of(url)
    if scheme == "sqlite":
        return sqlite_session_store(local_path(url))
    if scheme == "memory":
        return memory_session_store()
    raise _unsupported("session store", url)


def sqlite_session_store(path: str | Path, *, busy_timeout_ms: int = 5000) -> SqlSessionStore:
    """A session store in the SQLite file at `path`."""
    return SqlSessionStore(SqliteDatabase(path, busy_timeout_ms=busy_timeout_ms))


def memory_session_store() -> SqlSessionStore:
    """A session store in this process's memory (SQLite's in-memory database): the same SQL as on disk."""
    return SqlSessionStore(SqliteDatabase(MEMORY))


def open_operator_store(url: str) -> OperatorStore:
    """The operator store for a database URL (the session store's)."""
    scheme = scheme_of(url)
    if scheme == "sqlite":
        return SqliteOperatorStore(local_path(url))
    if scheme == "memory":
        return MemoryOperatorStore()
    raise _unsupported("operator store", url)


def open_rule_store(url: str) -> RuleStore:
    """The masking rule store for a database URL (the session store's)."""
    scheme = scheme_of(url)
    if scheme == "sqlite":
        return SqliteRuleStore(local_path(url))
    if scheme == "memory":
        return MemoryRuleStore()
    raise _unsupported("rule store", url)


def open_resource_store(url: str) -> ResourceStore:
    """The resource store for a database URL (the session store's)."""
    scheme = scheme_of(url)
    if scheme == "sqlite":
        return SqliteResourceStore(local_path(url))
    if scheme == "memory":
        return MemoryResourceStore()
    raise _unsupported("resource store", url)


def open_replay_store(url: str) -> ReplayStore:
    """The replay store for a replay data URL."""
    scheme = scheme_of(url)
    if scheme == "file":
        return FileReplayStore(Path(local_path(url)))
    if scheme == "memory":
        return MemoryReplayStore()
    raise _unsupported("replay store", url)
