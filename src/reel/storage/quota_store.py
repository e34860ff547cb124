"""Token buckets shared by every Reel process on one database: the quota store interface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Grant:
    """Tokens taken from a shared bucket, and what was left in it."""

    granted: int
    left: float


class QuotaStore(Protocol):
    """One token bucket per key, in the session store's database."""

    def take_tokens(self, key: str, want: int, rate: float, burst: float, now_ms: int) -> Grant:
        """In one transaction: refill the bucket of `key` (`rate` tokens a second, at most `burst`; a new
        bucket starts full), then take up to `want` whole tokens from it."""
        ...
