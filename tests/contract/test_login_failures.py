"""Contract: the login failure log behaves the same in memory, on SQLite and on PostgreSQL, and a
throttle shared through the database holds across processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.config import Settings
from reel.runtime.context import close_context, open_context
from reel.runtime.throttle import MAX_FAILURES_PER_NAME, LoginThrottle
from reel.storage.login_failures import Failures, LoginFailureLog
from reel.storage.memory_login_failures import MemoryLoginFailures
from services import SESSION_BACKENDS, open_session_backend

WINDOW = 1_000


@pytest.fixture(params=["in-process", *SESSION_BACKENDS])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LoginFailureLog]:
    if request.param == "in-process":
        yield MemoryLoginFailures()
        return
    store = open_session_backend(request, tmp_path)
    yield store
    store.close()


def test_failures_are_counted_per_key_inside_the_window(log: LoginFailureLog) -> None:
    log.add_login_failure(["k1", "a1"], 100, -1)
    log.add_login_failure(["k1", "a1"], 300, -1)
    log.add_login_failure(["k2", "a1"], 400, -1)
    assert log.login_failures(["k1", "k2", "a1", "nobody"], 0) == {
        "k1": Failures(2, 100),
        "k2": Failures(1, 400),
        "a1": Failures(3, 100),
    }
    assert log.login_failures(["k1", "a1"], 100) == {"k1": Failures(1, 300), "a1": Failures(2, 300)}
    assert log.login_failures([], 0) == {}


def test_forgetting_a_key_leaves_the_others(log: LoginFailureLog) -> None:
    log.add_login_failure(["k1", "a1"], 100, -1)
    log.forget_login_failures("k1")
    assert log.login_failures(["k1", "a1"], 0) == {"a1": Failures(1, 100)}


def test_old_failures_are_forgotten_as_new_ones_arrive(log: LoginFailureLog) -> None:
    log.add_login_failure(["k1"], 100, -1)
    log.add_login_failure(["k2"], 5_000, 5_000 - WINDOW)
    assert log.login_failures(["k1", "k2"], -1) == {"k2": Failures(1, 5_000)}


def test_the_throttle_counts_per_name_and_address_and_forgets_old_failures(log: LoginFailureLog) -> None:
    throttle = LoginThrottle(log, per_name=2, per_address=10, window_ms=WINDOW)
    throttle.record_failure("Alice", "1.2.3.4", 0)
    throttle.record_failure("alice", "1.2.3.4", 500)
    assert throttle.retry_after_s("ALICE", "1.2.3.4", 600) == 1
    assert throttle.retry_after_s("alice", "5.6.7.8", 600) == 0  # another address is not blocked
    assert throttle.retry_after_s("alice", "1.2.3.4", 1001) == 0
    throttle.record_failure("bob", "1.2.3.4", 0)
    throttle.record_failure("bob", "1.2.3.4", 1)
    throttle.record_success("bob", "1.2.3.4")
    assert throttle.retry_after_s("bob", "1.2.3.4", 2) == 0
    throttle.record_failure("nul\0name", "1.2.3.4", 3)  # any typed name can be counted
    assert throttle.retry_after_s("nul\0name", "1.2.3.4", 4) == 0


@pytest.fixture(params=SESSION_BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LoginFailureLog]:
    store = open_session_backend(request, tmp_path)
    yield store
    store.close()


def test_serve_processes_sharing_a_database_share_one_throttle(database: LoginFailureLog) -> None:
    # Two serve processes behind one load balancer, each with its own throttle on the same database: a
    # guesser alternating between them gets the limit once, not once per process.
    throttles = [LoginThrottle(database, per_name=4, per_address=100, window_ms=60_000) for _ in range(2)]
    for n in range(4):
        throttles[n % 2].record_failure("admin", "9.9.9.9", 1_000 + n)
    assert all(t.retry_after_s("admin", "9.9.9.9", 2_000) == 59 for t in throttles)


def test_contexts_on_one_postgresql_share_failed_logins(pg_url: str, tmp_path: Path) -> None:
    """What `reel serve` opens on PostgreSQL throttles through the database; on SQLite, in its memory."""
    settings = Settings(data_dir=tmp_path, database_url=pg_url, blob_url="memory://")
    first, second = open_context(settings), open_context(settings)
    embedded = open_context(Settings(data_dir=tmp_path / "embedded"))
    try:
        for n in range(MAX_FAILURES_PER_NAME):
            first.login_throttle.record_failure("admin", "9.9.9.9", 1_000 + n)
        assert second.login_throttle.retry_after_s("admin", "9.9.9.9", 2_000) > 0
        embedded.login_throttle.record_failure("admin", "9.9.9.9", 1_000)
        assert embedded.sessions.login_failures(["addr\x1f9.9.9.9"], 0) == {}
    finally:
        for ctx in (first, second, embedded):
            close_context(ctx)
