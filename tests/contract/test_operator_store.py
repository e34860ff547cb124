"""Contract: every operator store backend behaves the same, and keeps no secret in the clear."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.admin.operators import create_operator, issue_token, start_login
from reel.errors import Conflict, NotFound, StorageUnavailable
from reel.storage.factory import open_operator_store
from reel.storage.memory_operators import MemoryOperatorStore
from reel.storage.operator_store import ApiToken, LoginSession, Operator, OperatorStore
from reel.storage.postgres_db import PostgresDatabase
from reel.storage.sql_operators import SqlOperatorStore
from reel.storage.sqlite_db import SqliteDatabase

T0 = 1_764_240_000_000


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OperatorStore]:
    s: OperatorStore
    if request.param == "memory":
        s = MemoryOperatorStore()
    elif request.param == "sqlite":
        s = open_operator_store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    else:
        s = open_operator_store(request.getfixturevalue("pg_url"))
    yield s
    s.close()


def operator(n: int = 1, *, role: str = "admin", app_ids: tuple[str, ...] | None = None) -> Operator:
    return Operator(
        id=f"opr_{n}",
        name=f"op{n}",
        role="admin" if role == "admin" else "viewer",
        app_ids=app_ids,
        created_at=T0 + n,
    )


def test_an_operator_is_found_by_id_and_by_name(store: OperatorStore) -> None:
    op = operator(1, role="viewer", app_ids=("app_a", "app_b"))
    store.create_operator(op, "hash-1")
    assert store.operator("opr_1") == op
    assert store.operator_by_name("op1") == op
    assert store.operator("opr_x") is None and store.operator_by_name("nobody") is None
    assert store.password_hash("opr_1") == "hash-1"


def test_app_ids_none_means_every_app_and_survives_storage(store: OperatorStore) -> None:
    store.create_operator(operator(1), None)
    store.create_operator(operator(2, app_ids=()), None)
    every, none = store.operator("opr_1"), store.operator("opr_2")
    assert every is not None and every.app_ids is None and every.can_see("app_z")
    assert none is not None and none.app_ids == () and not none.can_see("app_z")


def test_names_and_ids_are_unique(store: OperatorStore) -> None:
    store.create_operator(operator(1), None)
    with pytest.raises(Conflict):
        store.create_operator(Operator("opr_2", "op1", "viewer", None, T0), None)
    with pytest.raises(Conflict):
        store.create_operator(Operator("opr_1", "other", "viewer", None, T0), None)
    assert [o.id for o in store.operators()] == ["opr_1"]


def test_operators_are_listed_oldest_first(store: OperatorStore) -> None:
    for n in (3, 1, 2):
        store.create_operator(operator(n), None)
    assert [o.id for o in store.operators()] == ["opr_1", "opr_2", "opr_3"]


def test_password_and_disabled_flag_can_change(store: OperatorStore) -> None:
    store.create_operator(operator(1), None)
    assert store.password_hash("opr_1") is None
    store.set_password_hash("opr_1", "hash-2")
    assert store.password_hash("opr_1") == "hash-2"
    store.set_disabled("opr_1", True)
    found = store.operator("opr_1")
    assert found is not None and found.disabled
    with pytest.raises(NotFound):
        store.set_disabled("opr_x", True)
    with pytest.raises(NotFound):
        store.set_password_hash("opr_x", "h")


def test_tokens_are_found_by_hash_touched_and_revoked(store: OperatorStore) -> None:
    store.create_operator(operator(1), None)
    token = ApiToken("tok_1", "opr_1", "ci", T0, expires_at=T0 + 1000)
    store.create_token(token, "digest-1")
    assert store.token_by_hash("digest-1") == token
    assert store.token_by_hash("digest-2") is None
    store.touch_token("tok_1", T0 + 5)
    touched = store.token_by_hash("digest-1")
    assert touched is not None and touched.last_used_at == T0 + 5 and touched.expires_at == T0 + 1000
    assert [t.id for t in store.tokens("opr_1")] == ["tok_1"] == [t.id for t in store.tokens()]
    assert store.tokens("opr_x") == []
    assert store.revoke_token("tok_1") is True
    assert store.revoke_token("tok_1") is False
    assert store.token_by_hash("digest-1") is None


def test_a_token_needs_a_known_operator_and_a_new_digest(store: OperatorStore) -> None:
    with pytest.raises(NotFound):
        store.create_token(ApiToken("tok_1", "opr_x", "ci", T0), "digest-1")
    store.create_operator(operator(1), None)
    store.create_token(ApiToken("tok_1", "opr_1", "ci", T0), "digest-1")
    with pytest.raises(Conflict):
        store.create_token(ApiToken("tok_2", "opr_1", "ci", T0), "digest-1")


def test_login_sessions_are_found_touched_deleted_and_purged(store: OperatorStore) -> None:
    store.create_operator(operator(1), None)
    with pytest.raises(NotFound):
        store.create_login(LoginSession("lgn_0", "opr_x", T0, T0), "s0")
    store.create_login(LoginSession("lgn_1", "opr_1", T0, T0), "s1")
    store.create_login(LoginSession("lgn_2", "opr_1", T0 + 100, T0 + 100), "s2")
    store.create_login(LoginSession("lgn_3", "opr_1", T0 - 100, T0 + 200), "s3")
    assert store.login_by_hash("s1") == LoginSession("lgn_1", "opr_1", T0, T0)
    store.touch_login("lgn_1", T0 + 50)
    touched = store.login_by_hash("s1")
    assert touched is not None and touched.last_seen_at == T0 + 50
    # lgn_1 idle since T0+50, lgn_3 created too early; lgn_2 stays.
    assert store.purge_logins(seen_before=T0 + 60, created_before=T0 - 50) == 2
    assert store.login_by_hash("s1") is None and store.login_by_hash("s3") is None
    store.delete_login("lgn_2")
    store.delete_login("lgn_2")  # deleting twice is not an error
    assert store.login_by_hash("s2") is None


def test_the_factory_follows_the_session_store_url(tmp_path: Path, pg_url: str) -> None:
    memory = open_operator_store("memory://")
    sqlite = open_operator_store(f"sqlite:///{tmp_path / 'reel.sqlite3'}")
    postgres = open_operator_store(pg_url)
    try:
        assert isinstance(memory, MemoryOperatorStore) and isinstance(sqlite, SqlOperatorStore)
        assert isinstance(sqlite.db, SqliteDatabase)
        assert isinstance(postgres, SqlOperatorStore) and isinstance(postgres.db, PostgresDatabase)
    finally:
        sqlite.close()
        postgres.close()
    with pytest.raises(ValueError):
        open_operator_store("mysql://nowhere/reel")


def test_sqlite_shares_the_session_database_and_persists(tmp_path: Path) -> None:
    from reel.storage.factory import sqlite_session_store

    path = tmp_path / "reel.sqlite3"
    sessions = sqlite_session_store(path)
    first = open_operator_store(f"sqlite:///{path}")
    first.create_operator(operator(1), "hash-1")
    first.close()
    again = open_operator_store(f"sqlite:///{path}")
    try:
        assert again.operator_by_name("op1") == operator(1)
        with sessions.db.read() as tx:
            version = tx.value("SELECT MAX(version) AS v FROM reel_schema")
        assert version >= 2
    finally:
        again.close()
        sessions.close()


def test_sqlite_errors_become_storage_unavailable(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "db.sqlite3")
    store = SqlOperatorStore(db)
    try:
        db._writer.execute("PRAGMA query_only=ON")
        with pytest.raises(StorageUnavailable):
            store.create_operator(operator(1), None)
    finally:
        store.close()


def test_no_password_token_or_cookie_secret_is_stored_in_the_clear(tmp_path: Path) -> None:
    path = tmp_path / "reel.sqlite3"
    store = open_operator_store(f"sqlite:///{path}")
    password = "correct-horse-battery-staple"
    op = create_operator(store, "alice", "admin", password, now_ms=T0)
    _token, token_secret = issue_token(store, op, "ci", now_ms=T0)
    cookie_secret = start_login(store, op, now_ms=T0)
    stored_hash = store.password_hash(op.id)
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("reel.sqlite3*"))
    assert stored_hash is not None and stored_hash.startswith("$argon2id$")
    for secret in (password, token_secret, cookie_secret, token_secret.removeprefix("reel_")):
        assert secret.encode() not in raw, secret
