"""Contract: beacon quotas shared through the session store hold across processes, on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.runtime.ratelimit import SharedTokenBucketLimiter
from reel.storage.session_store import SessionStore
from services import SESSION_BACKENDS, open_session_backend

T0 = 1_764_240_000_000


@pytest.fixture(params=SESSION_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionStore]:
    s = open_session_backend(request, tmp_path)
    yield s
    s.close()


def test_a_bucket_starts_full_refills_at_its_rate_and_never_over_its_size(store: SessionStore) -> None:
    first = store.take_tokens("app_1", 30, rate=10, burst=20, now_ms=T0)
    assert (first.granted, first.left) == (20, 0)
    assert store.take_tokens("app_1", 5, rate=10, burst=20, now_ms=T0).granted == 0
    assert store.take_tokens("app_1", 5, rate=10, burst=20, now_ms=T0 + 300).granted == 3  # 0.3 s at 10/s
    assert store.take_tokens("app_1", 50, rate=10, burst=20, now_ms=T0 + 60_000).granted == 20
    assert store.take_tokens("app_2", 1, rate=10, burst=20, now_ms=T0).granted == 1  # its own bucket


def test_two_processes_share_one_quota(store: SessionStore) -> None:
    now = [T0]
    # Two servers behind one load balancer, each with its own limiter on the same database.
    limiters = [SharedTokenBucketLimiter(store, 50, 100, clock_ms=lambda: now[0]) for _ in range(2)]
    accepted = sum(1 for n in range(400) if limiters[n % 2].acquire("app_1") == 0.0)
    assert accepted == 100  # the burst once, not once per process
    waits = [limiter.acquire("app_1") for limiter in limiters]
    assert all(0 < w <= 1 / 50 for w in waits)  # Retry-After reflects the shared rate
    now[0] += 2_000  # two seconds later: 100 more tokens between them (the rate, capped by the burst)
    assert sum(1 for n in range(400) if limiters[n % 2].acquire("app_1") == 0.0) == 100
