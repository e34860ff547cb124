"""PostgreSQL stores when the database fails: no server at start, a server that goes away, connections the
server closed while idle, a database that refuses writes. Failures are StorageUnavailable (503 upstream);
a connection that broke while idle in the pool is replaced without the caller seeing an error."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from local_services import PostgresServer, free_port, postgres_server
from reel.domain.records import Application
from reel.errors import StorageUnavailable
from reel.storage.operator_store import Operator
from reel.storage.postgres_db import PostgresDatabase
from reel.storage.sql_operators import SqlOperatorStore
from reel.storage.sql_sessions import SqlSessionStore

T0 = 1_764_240_000_000


def operator(n: int) -> Operator:
    return Operator(f"opr_{n}", f"op{n}", "admin", None, T0 + n)


def postgres_operator_store(url: str, **pool: Any) -> SqlOperatorStore:
    return SqlOperatorStore(PostgresDatabase(url, store_name="operator store", **pool))


def terminate_connections(admin_url: str, database: str) -> int:
    """Close every server connection to `database`, as a restart or an idle timeout would."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return len(rows)


def test_no_server_at_start_is_storage_unavailable() -> None:
    with pytest.raises(StorageUnavailable):
        postgres_operator_store(f"postgresql://reel@127.0.0.1:{free_port()}/reel", timeout_s=1)


def test_connections_closed_while_idle_are_replaced(pg_server: PostgresServer, pg_url: str) -> None:
    store = postgres_operator_store(pg_url, min_size=2, max_size=2)
    try:
        store.create_operator(operator(1), None)
        database = pg_url.rsplit("/", 1)[1]
        assert terminate_connections(pg_server.url(), database) >= 1
        assert store.operator("opr_1") == operator(1)  # a read, on a fresh connection
        assert terminate_connections(pg_server.url(), database) >= 1
        store.create_operator(operator(2), None)  # a write, begun again on a fresh connection
        assert [o.id for o in store.operators()] == ["opr_1", "opr_2"]
    finally:
        store.close()


def test_a_snapshot_read_on_a_connection_closed_while_idle_is_begun_again(
    pg_server: PostgresServer, pg_url: str
) -> None:
    store = SqlSessionStore(PostgresDatabase(pg_url, min_size=2, max_size=2))
    app = Application(id="app_1", name="A", app_key="rk-1", origins=("https://a.example",), created_at=T0)
    try:
        store.create_application(app)
        database = pg_url.rsplit("/", 1)[1]
        assert terminate_connections(pg_server.url(), database) >= 1
        assert store.application("app_1") == app  # a REPEATABLE READ snapshot, on a fresh connection
    finally:
        store.close()


def test_a_database_refusing_writes_fails_writes_and_keeps_reads(
    pg_server: PostgresServer, pg_url: str
) -> None:
    store = postgres_operator_store(pg_url)
    try:
        store.create_operator(operator(1), None)
        database = pg_url.rsplit("/", 1)[1]
        with psycopg.connect(pg_server.url(), autocommit=True) as admin:
            admin.execute(f"ALTER DATABASE {database} SET default_transaction_read_only = on")
        terminate_connections(pg_server.url(), database)
        with pytest.raises(StorageUnavailable, match="read-only"):
            store.create_operator(operator(2), None)
        assert [o.id for o in store.operators()] == ["opr_1"]
    finally:
        store.close()


def test_a_server_that_goes_away_is_storage_unavailable() -> None:
    with postgres_server() as server:
        store = postgres_operator_store(server.url(), timeout_s=1)
        store.create_operator(operator(1), None)
    try:
        with pytest.raises(StorageUnavailable):
            store.operator("opr_1")
        with pytest.raises(StorageUnavailable):
            store.create_operator(operator(2), None)
    finally:
        store.close()
