"""Beacon rate limits per application: a token bucket behind a one-method seam.

The in-process `TokenBucketLimiter` limits what one Reel process accepts. Several processes behind a
load balancer each hold their own buckets, so an application may get up to N times its quota; a shared
limiter (a Redis GCRA script, or a PostgreSQL row per key) implements the same `RateLimiter.acquire`
and replaces it without touching ingest.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from reel.config import Limits


class RateLimiter(Protocol):
    """Decides whether one more beacon under `key` may be accepted now."""

    def acquire(self, key: str) -> float:
        """Take one token for `key`: 0.0 if allowed, otherwise the seconds until one is available."""
        ...


class UnlimitedLimiter:
    """Lets everything through (a rate of 0 in the settings)."""

    def acquire(self, key: str) -> float:
        return 0.0


class TokenBucketLimiter:
    """Per-key token buckets in this process: `rate` tokens a second, at most `burst` held.

    Buckets of keys unseen for long are forgotten beyond `max_keys` (least recently used first); a
    forgotten bucket comes back full, which only ever errs on the side of accepting.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = float(burst)
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + max(0.0, now - at) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            return wait


def limiter_for(limits: Limits) -> RateLimiter:
    """The in-process limiter for the settings' rate and burst (a rate of 0: no limit)."""
    if limits.beacons_per_second <= 0:
        return UnlimitedLimiter()
    return TokenBucketLimiter(limits.beacons_per_second, limits.beacon_burst)


def retry_after_seconds(wait: float) -> int:
    """Retry-After is whole seconds: round up, and never tell a client to retry at once."""
    return max(1, math.ceil(wait))
