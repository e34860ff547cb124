"""Token buckets per application: a burst, then the sustained rate; one key never slows another."""

from __future__ import annotations

import pytest

from reel.config import Limits
from reel.runtime.ratelimit import (
    TokenBucketLimiter,
    UnlimitedLimiter,
    limiter_for,
    retry_after_seconds,
)


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_the_next_one_waits_for_a_token() -> None:
    clock = ManualClock()
    limiter = TokenBucketLimiter(10, 5, clock=clock)
    assert [limiter.acquire("a") for _ in range(5)] == [0.0] * 5
    assert limiter.acquire("a") == pytest.approx(0.1)


def test_tokens_come_back_at_the_rate_and_never_beyond_the_burst() -> None:
    clock = ManualClock()
    limiter = TokenBucketLimiter(10, 5, clock=clock)
    for _ in range(5):
        limiter.acquire("a")
    clock.now += 0.35  # 3.5 tokens
    assert [limiter.acquire("a") == 0.0 for _ in range(4)] == [True, True, True, False]
    clock.now += 3600  # an hour idle refills to the burst, not to 36,000
    assert sum(limiter.acquire("a") == 0.0 for _ in range(10)) == 5


def test_one_key_exhausted_leaves_the_others_alone() -> None:
    limiter = TokenBucketLimiter(1, 2, clock=ManualClock())
    assert [limiter.acquire("noisy") == 0.0 for _ in range(3)] == [True, True, False]
    assert limiter.acquire("quiet") == 0.0


def test_forgotten_keys_come_back_full() -> None:
    limiter = TokenBucketLimiter(1, 1, clock=ManualClock(), max_keys=2)
    assert limiter.acquire("a") == 0.0 and limiter.acquire("a") > 0
    limiter.acquire("b")
    limiter.acquire("c")  # "a" is the least recently used: forgotten
    assert limiter.acquire("a") == 0.0


def test_a_rate_of_zero_turns_the_limit_off() -> None:
    limiter = limiter_for(Limits(beacons_per_second=0))
    assert isinstance(limiter, UnlimitedLimiter)
    assert all(limiter.acquire("a") == 0.0 for _ in range(10_000))


def test_retry_after_is_whole_seconds_and_at_least_one() -> None:
    assert [retry_after_seconds(w) for w in (0.001, 1.0, 1.2, 7.9)] == [1, 1, 2, 8]


def test_the_quota_and_the_drain_come_from_the_environment() -> None:
    from reel.config import settings_from_env

    env = {"REEL_BEACONS_PER_SECOND": "5.5", "REEL_BEACON_BURST": "12", "REEL_DRAIN_SECONDS": "0"}
    settings = settings_from_env(env)
    assert (settings.limits.beacons_per_second, settings.limits.beacon_burst) == (5.5, 12)
    assert settings.drain_seconds == 0
    defaults = settings_from_env({})
    assert (defaults.limits.beacons_per_second, defaults.limits.beacon_burst, defaults.drain_seconds) == (
        200.0,
        1000,
        5.0,
    )
