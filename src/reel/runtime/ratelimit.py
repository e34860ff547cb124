"""Beacon rate limits per application: a token bucket behind a one-method seam.

The in-process `TokenBucketLimiter` limits what one Reel process accepts (the embedded default, one
process). Several processes behind a load balancer share one bucket per application in the database
(`SharedTokenBucketLimiter`): each takes tokens from it in small batches, so the quota holds across
processes at the cost of one short transaction per batch, not per beacon.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from reel.config import Limits
from reel.storage.quota_store import QuotaStore


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


class SharedTokenBucketLimiter:
    """One token bucket per key in the database, shared by every process; tokens are taken in batches of
    `batch_s` seconds of the rate and spent here. A batch unspent for a second is dropped (never given
    back): a process that stops receiving a key's beacons withholds at most one batch, briefly."""

    def __init__(
        self,
        store: QuotaStore,
        rate: float,
        burst: int,
        *,
        batch_s: float = 0.1,
        clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.store = store
        self.rate = rate
        self.burst = float(burst)
        self.batch = max(1, min(burst, int(rate * batch_s)))
        self._clock_ms = clock_ms
        self._held: dict[str, tuple[int, int]] = {}  # key -> (tokens held here, until ms)
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        with self._lock:
            now = self._clock_ms()
            tokens, until = self._held.get(key, (0, 0))
            if tokens > 0 and now < until:
                self._held[key] = (tokens - 1, until)
                return 0.0
            grant = self.store.take_tokens(key, self.batch, self.rate, self.burst, now)
            if grant.granted == 0:
                self._held.pop(key, None)
                return max(1.0 - grant.left, 0.0) / self.rate
            self._held[key] = (grant.granted - 1, now + 1000)
            return 0.0


def limiter_for(limits: Limits, shared: QuotaStore | None = None) -> RateLimiter:
    """The limiter for the settings' rate and burst (a rate of 0: no limit): in this process, or in
    `shared`'s database when several processes serve the same applications."""
    if limits.beacons_per_second <= 0:
        return UnlimitedLimiter()
    if shared is not None:
        return SharedTokenBucketLimiter(shared, limits.beacons_per_second, limits.beacon_burst)
    return TokenBucketLimiter(limits.beacons_per_second, limits.beacon_burst)


def retry_after_seconds(wait: float) -> int:
    """Retry-After is whole seconds: round up, and never tell a client to retry at once."""
    return max(1, math.ceil(wait))
