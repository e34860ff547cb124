"""Failed logins in this process's memory: the log of one `reel serve` on the embedded store."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence

from reel.storage.login_failures import Failures

# Beyond this many tracked keys the oldest are forgotten, so a flood of random names cannot exhaust memory.
MAX_KEYS = 10_000
# Failures kept per key: the throttle never needs to count past its largest limit.
MAX_PER_KEY = 1_000


class MemoryLoginFailures:
    """Failure times per key in a dict of deques, bounded in keys and in failures per key."""

    def __init__(self, *, max_keys: int = MAX_KEYS) -> None:
        self._max_keys = max_keys
        self._times: dict[str, deque[int]] = {}
        self._lock = threading.Lock()

    def add_login_failure(self, keys: Sequence[str], at_ms: int, forget_before_ms: int) -> None:
        with self._lock:
            # A walk over at most MAX_KEYS deques per failure, cheap beside the password hash it follows.
            self._forget_before(forget_before_ms)
            if len(self._times) >= self._max_keys:
                self._forget_oldest()
            for key in keys:
                self._times.setdefault(key, deque(maxlen=MAX_PER_KEY)).append(at_ms)

    def login_failures(self, keys: Sequence[str], since_ms: int) -> dict[str, Failures]:
        found: dict[str, Failures] = {}
        with self._lock:
            for key in keys:
                times = self._times.get(key)
                if times is None:
                    continue
                while times and times[0] <= since_ms:
                    times.popleft()
                if times:
                    found[key] = Failures(len(times), times[0])
                else:
                    del self._times[key]
        return found

    def forget_login_failures(self, key: str) -> None:
        with self._lock:
            self._times.pop(key, None)

    def _forget_before(self, before_ms: int) -> None:
        for key in [k for k, times in self._times.items() if times[-1] <= before_ms]:
            del self._times[key]
        for times in self._times.values():
            while times[0] <= before_ms:
                times.popleft()

    def _forget_oldest(self) -> None:
        by_age = sorted(self._times, key=lambda k: self._times[k][-1])
        for key in by_age[: len(by_age) // 2]:
            del self._times[key]
