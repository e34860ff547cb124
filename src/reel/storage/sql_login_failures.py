"""Failed logins in SQL (SQLite or PostgreSQL): one row per failure and key, pruned past the window."""

from __future__ import annotations

from collections.abc import Sequence

from reel.storage.login_failures import Failures
from reel.storage.sql import SqlDatabase, placeholders


class SqlLoginFailures:
    """The login failure part of the SQL session store."""

    db: SqlDatabase

    def add_login_failure(self, keys: Sequence[str], at_ms: int, forget_before_ms: int) -> None:
        with self.db.write() as tx:
            # Pruning here keeps the table to one window of failures, however many names are tried.
            tx.run("DELETE FROM login_failures WHERE at_ms <= ?", (forget_before_ms,))
            tx.many("INSERT INTO login_failures (key, at_ms) VALUES (?, ?)", [(key, at_ms) for key in keys])

    def login_failures(self, keys: Sequence[str], since_ms: int) -> dict[str, Failures]:
        if not keys:
            return {}
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT key, COUNT(*) AS n, MIN(at_ms) AS oldest FROM login_failures "
                f"WHERE key IN ({placeholders(len(keys))}) AND at_ms > ? GROUP BY key",
                (*keys, since_ms),
            )
        return {str(r["key"]): Failures(int(r["n"]), int(r["oldest"])) for r in rows}

    def forget_login_failures(self, key: str) -> None:
        with self.db.write() as tx:
            tx.run("DELETE FROM login_failures WHERE key = ?", (key,))
