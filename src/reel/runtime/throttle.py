"""Failed-login throttling per (operator name, client address) and per client address.

Failures are counted per name *and address* together, never per name alone: a name that anyone may
type cannot be locked by anyone (before, ten wrong passwords from anywhere kept `admin` out for a
quarter hour, even with the right password). This is django-axes' "username and IP address in
combination" mode. From the address that failed, the right password waits too: otherwise the guesser
would learn which guess was right. Someone guessing from many addresses gets ten tries per address
and name a quarter hour; passwords are stored with argon2, so each try costs the guesser a login
request. The client's address is the connection's, or the one a trusted proxy forwarded
(`REEL_TRUSTED_PROXIES`); a forwarded header from anyone else is ignored.

The failures live in a `LoginFailureLog`: this process's memory for one `reel serve`, the database when
several processes share PostgreSQL, so that a guesser spread over serve processes gets no more tries.
"""

from __future__ import annotations

from reel.storage.login_failures import LoginFailureLog
from reel.storage.memory_login_failures import MemoryLoginFailures

WINDOW_MS = 15 * 60 * 1000
# Modest: a person who mistypes a few times is never blocked; guessing gets ten tries a quarter hour per
# name from one address, and one address gets fifty across all names (an office behind one NAT is fine).
MAX_FAILURES_PER_NAME = 10
MAX_FAILURES_PER_ADDRESS = 50


class LoginThrottle:
    """Counts failed logins in a sliding window; `retry_after_s` says how long a client must wait."""

    def __init__(
        self,
        log: LoginFailureLog | None = None,
        *,
        per_name: int = MAX_FAILURES_PER_NAME,
        per_address: int = MAX_FAILURES_PER_ADDRESS,
        window_ms: int = WINDOW_MS,
    ) -> None:
        self._log: LoginFailureLog = log if log is not None else MemoryLoginFailures()
        self._per_name = per_name
        self._per_address = per_address
        self._window_ms = window_ms

    def retry_after_s(self, name: str, address: str, now_ms: int) -> int:
        """Seconds until this name may be tried again from this address; 0 when it may be now."""
        name_key, address_key = _keys(name, address)
        limits = {name_key: self._per_name, address_key: self._per_address}
        found = self._log.login_failures(list(limits), now_ms - self._window_ms)
        wait_ms = 0
        for key, failures in found.items():
            if failures.count >= limits[key]:
                # Failures stop being counted once refused (429 comes first), so the wait ends when the
                # oldest failure in the window leaves it.
                wait_ms = max(wait_ms, failures.oldest_ms + self._window_ms - now_ms)
        return -(-wait_ms // 1000)

    def record_failure(self, name: str, address: str, now_ms: int) -> None:
        """Count one failed login for this name from this address, and for this address."""
        self._log.add_login_failure(_keys(name, address), now_ms, now_ms - self._window_ms)

    def record_success(self, name: str, address: str) -> None:
        """Forget the failures of a name from an address once its operator has logged in from there."""
        self._log.forget_login_failures(_keys(name, address)[0])


def _keys(name: str, address: str) -> tuple[str, str]:
    # An address never holds the separator, so "name, address" pairs cannot run together; not NUL, which
    # PostgreSQL's text refuses (nor in a name: typed names are the guesser's to choose).
    return f"name\x1f{name.casefold().replace(chr(0), chr(0xFFFD))}\x1f{address}", f"addr\x1f{address}"
