"""Contract: every rule store backend keeps versions the same way (version 0 by default, then 1, 2, ...)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.domain.rules import DEFAULT_RULES, parse_rules
from reel.errors import StorageUnavailable
from reel.storage.factory import open_rule_store
from reel.storage.memory_rules import MemoryRuleStore
from reel.storage.postgres_db import PostgresDatabase
from reel.storage.rule_store import RuleStore
from reel.storage.sql_rules import SqlRuleStore
from reel.storage.sqlite_db import SqliteDatabase

T0 = 1_764_240_000_000
STRICT = {"preset": "mask_all", "rules": [{"type": "block", "selector": "#pay"}]}
LOOSE = {
    "preset": "allow_list",
    "consent": {"required": False, "honor_gpc": True},
    "capture": {"console": ["log", "error"], "network": False, "slow_ms": 1500},
    "rules": [
        {"type": "unmask", "selector": "nav, .product-title"},
        {"type": "attribute", "names": ["data-user", "x-*"]},
        {"type": "url", "params": ["token"], "path_segments": "^[0-9a-f]{24,}$"},
        {"type": "detector", "names": ["email"]},
    ],
}


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RuleStore]:
    s: RuleStore
    if request.param == "memory":
        s = MemoryRuleStore()
    elif request.param == "sqlite":
        s = open_rule_store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    else:
        s = open_rule_store(request.getfixturevalue("pg_url"))
    yield s
    s.close()


def test_an_application_without_rules_has_version_0_the_defaults(store: RuleStore) -> None:
    current = store.current("app_a")
    assert current.version == 0 and current.rules == DEFAULT_RULES
    assert current.operator_id is None and current.created_at is None
    assert store.history("app_a") == []


def test_each_save_is_the_next_version_and_becomes_current(store: RuleStore) -> None:
    first = store.save("app_a", parse_rules(STRICT, version=7), "opr_1", T0)
    second = store.save("app_a", parse_rules(LOOSE), "opr_2", T0 + 1)
    assert (first.version, second.version) == (1, 2)  # the version passed in is not the stored one
    current = store.current("app_a")
    assert current == second
    assert current.rules == parse_rules(LOOSE, version=2)
    assert (current.operator_id, current.created_at) == ("opr_2", T0 + 1)


def test_versions_are_per_application(store: RuleStore) -> None:
    store.save("app_a", parse_rules(STRICT), "opr_1", T0)
    store.save("app_a", parse_rules(STRICT), "opr_1", T0 + 1)
    other = store.save("app_b", parse_rules(LOOSE), "opr_1", T0 + 2)
    assert other.version == 1
    assert store.current("app_a").version == 2
    assert store.current("app_c").version == 0


def test_history_is_newest_first_with_who_and_when(store: RuleStore) -> None:
    for n in range(3):
        store.save("app_a", parse_rules(STRICT if n % 2 else LOOSE), f"opr_{n}", T0 + n)
    history = store.history("app_a")
    assert [(r.version, r.operator_id, r.created_at) for r in history] == [
        (3, "opr_2", T0 + 2),
        (2, "opr_1", T0 + 1),
        (1, "opr_0", T0),
    ]
    assert history[1].rules == parse_rules(STRICT, version=2)


def test_one_version_is_read_back_as_saved_and_unknown_ones_are_none(store: RuleStore) -> None:
    store.save("app_a", parse_rules(STRICT), "opr_1", T0)
    store.save("app_a", parse_rules(LOOSE), "opr_2", T0 + 1)
    store.save("app_b", parse_rules(STRICT), "opr_3", T0 + 2)
    first = store.version("app_a", 1)
    assert first is not None
    assert (first.version, first.operator_id, first.created_at) == (1, "opr_1", T0)
    assert first.rules == parse_rules(STRICT, version=1) and first.restored_from is None
    default = store.version("app_c", 0)  # the defaults, for any application, saved rules or not
    assert default is not None and default.rules == DEFAULT_RULES and default.operator_id is None
    assert store.version("app_a", 0) == dataclasses.replace(default, app_id="app_a")
    assert store.version("app_a", 3) is None  # app_b's first save is not app_a's third
    assert store.version("app_c", 1) is None


def test_a_restore_is_a_new_version_naming_the_one_it_copies(store: RuleStore) -> None:
    store.save("app_a", parse_rules(STRICT), "opr_1", T0)
    store.save("app_a", parse_rules(LOOSE), "opr_2", T0 + 1)
    old = store.version("app_a", 1)
    assert old is not None
    restored = store.save("app_a", old.rules, "opr_3", T0 + 2, restored_from=1)
    assert (restored.version, restored.restored_from, restored.operator_id) == (3, 1, "opr_3")
    assert restored.rules == parse_rules(STRICT, version=3)  # the old rules, as the newest version
    assert store.current("app_a") == restored
    assert [(r.version, r.restored_from) for r in store.history("app_a")] == [(3, 1), (2, None), (1, None)]
    assert store.version("app_a", 3) == restored
    back_to_defaults = store.save("app_a", DEFAULT_RULES, "opr_3", T0 + 3, restored_from=0)
    assert (back_to_defaults.version, back_to_defaults.restored_from) == (4, 0)


def test_concurrent_saves_get_distinct_versions(store: RuleStore) -> None:
    rules = parse_rules(STRICT)
    threads = [
        threading.Thread(target=lambda n=n: store.save("app_a", rules, f"opr_{n}", T0 + n)) for n in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.version for r in store.history("app_a")) == list(range(1, 9))


def test_the_factory_follows_the_session_store_url(tmp_path: Path, pg_url: str) -> None:
    memory = open_rule_store("memory://")
    sqlite = open_rule_store(f"sqlite:///{tmp_path / 'reel.sqlite3'}")
    postgres = open_rule_store(pg_url)
    try:
        assert isinstance(memory, MemoryRuleStore) and isinstance(sqlite, SqlRuleStore)
        assert isinstance(sqlite.db, SqliteDatabase)
        assert isinstance(postgres, SqlRuleStore) and isinstance(postgres.db, PostgresDatabase)
    finally:
        sqlite.close()
        postgres.close()
    with pytest.raises(ValueError):
        open_rule_store("mysql://nowhere/reel")


def test_sqlite_shares_the_session_database_and_persists(tmp_path: Path) -> None:
    from reel.storage.factory import sqlite_session_store

    path = tmp_path / "reel.sqlite3"
    sessions = sqlite_session_store(path)
    first = open_rule_store(f"sqlite:///{path}")
    first.save("app_a", parse_rules(LOOSE), "opr_1", T0)
    first.close()
    again = open_rule_store(f"sqlite:///{path}")
    try:
        assert again.current("app_a").rules == parse_rules(LOOSE, version=1)
    finally:
        again.close()
        sessions.close()


def test_sqlite_errors_become_storage_unavailable(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "db.sqlite3")
    store = SqlRuleStore(db)
    try:
        db._writer.execute("PRAGMA query_only=ON")
        with pytest.raises(StorageUnavailable):
            store.save("app_a", parse_rules(STRICT), "opr_1", T0)
    finally:
        store.close()


def test_a_stored_document_that_no_longer_parses_is_refused_not_weakened(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "db.sqlite3")
    store = SqlRuleStore(db)
    try:
        db._writer.execute(
            "INSERT INTO masking_rules (app_id, version, document, operator_id, created_at)"
            " VALUES ('app_a', 1, '{\"preset\": \"nonsense\"}', 'opr_1', 0)"
        )
        with pytest.raises(StorageUnavailable):
            store.current("app_a")
    finally:
        store.close()
