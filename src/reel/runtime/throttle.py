"""Failed-login throttling per (operator name, client address) and per client address, in memory (one
process).

Failures are counted per name *and address* together, never per name alone: a name that anyone may
type cannot be locked by anyone (before, ten wrong passwords from anywhere kept `admin` out for a
quarter hour, even with the right password). This is django-axes' "username and IP address in
combination" mode. From the address that failed, the right password waits too: otherwise the guesser
would learn which guess was right. Someone guessing from many addresses gets ten tries per address
and name a quarter hour; passwords are stored with argon2, so each try costs the guesser a login
request. The client's address is the connection's, or the one a trusted proxy forwarded
(`REEL_TRUSTED_PROXIES`); a forwarded header from anyone else is ignored.
"""

from __future__ import annotations

import threading
from collections import deque

WINDOW_MS = 15 * 60 * 1000
# Modest: a person who mistypes a few times is never blocked; guessing gets ten tries a quarter hour per
# name from one address, and one address gets fifty across all names (an office behind one NAT is fine).
MAX_FAILURES_PER_NAME = 10
MAX_FAILURES_PER_ADDRESS = 50
# Beyond this many tracked keys the oldest are forgotten, so a flood of random names cannot exhaust memory.
MAX_KEYS = 10_000

Key = tuple[str, ...]


class LoginThrottle:
    """Counts failed logins in a sliding window; `retry_after_s` says how long a client must wait."""

    def __init__(
        self,
        *,
        per_name: int = MAX_FAILURES_PER_NAME,
        per_address: int = MAX_FAILURES_PER_ADDRESS,
        window_ms: int = WINDOW_MS,
    ) -> None:
        self._limits = {"name": per_name, "addr": per_address}
        self._window_ms = window_ms
        self._failures: dict[Key, deque[int]] = {}
        self._lock = threading.Lock()

    def retry_after_s(self, name: str, address: str, now_ms: int) -> int:
        """Seconds until this name may be tried again from this address; 0 when it may be now."""
        wait_ms = 0
        with self._lock:
            for key in self._keys(name, address):
                times = self._recent(key, now_ms)
                if times is not None and len(times) >= self._limits[key[0]]:
                    wait_ms = max(wait_ms, times[0] + self._window_ms - now_ms)
        return -(-wait_ms // 1000)

    def record_failure(self, name: str, address: str, now_ms: int) -> None:
        """Count one failed login for this name from this address, and for this address."""
        with self._lock:
            if len(self._failures) >= MAX_KEYS:
                self._forget_oldest(now_ms)
            for key in self._keys(name, address):
                times = self._failures.setdefault(key, deque())
                times.append(now_ms)
                while len(times) > self._limits[key[0]]:
                    times.popleft()

    def record_success(self, name: str, address: str) -> None:
        """Forget the failures of a name from an address once its operator has logged in from there."""
        with self._lock:
            self._failures.pop(("name", name.casefold(), address), None)

    @staticmethod
    def _keys(name: str, address: str) -> tuple[Key, Key]:
        return ("name", name.casefold(), address), ("addr", address)

    def _recent(self, key: Key, now_ms: int) -> deque[int] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now_ms - self._window_ms:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def _forget_oldest(self, now_ms: int) -> None:
        for key in list(self._failures):
            self._recent(key, now_ms)
        if len(self._failures) >= MAX_KEYS:
            by_age = sorted(self._failures, key=lambda k: self._failures[k][-1])
            for key in by_age[: len(by_age) // 2]:
                del self._failures[key]
