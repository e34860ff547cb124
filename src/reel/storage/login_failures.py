"""Failed logins kept where every Reel process sees them: the login failure log interface."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Failures:
    """The failed logins of one key inside a window: how many, and when the oldest of them was."""

    count: int
    oldest_ms: int


class LoginFailureLog(Protocol):
    """Failed-login times per key (a name from an address, or an address); the throttle's rules are the
    caller's (reel.runtime.throttle)."""

    def add_login_failure(self, keys: Sequence[str], at_ms: int, forget_before_ms: int) -> None:
        """Count one failure at `at_ms` under each key; failures older than `forget_before_ms` may go."""
        ...

    def login_failures(self, keys: Sequence[str], since_ms: int) -> dict[str, Failures]:
        """The failures after `since_ms` of each key that has any."""
        ...

    def forget_login_failures(self, key: str) -> None:
        """Forget every failure of `key` (its operator logged in)."""
        ...
