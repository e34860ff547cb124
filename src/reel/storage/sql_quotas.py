"""Shared token buckets in SQL (SQLite or PostgreSQL): one row per key, refilled when read."""

from __future__ import annotations

import math

from reel.storage.quota_store import Grant
from reel.storage.sql import SqlDatabase


class SqlQuotas:
    """The quota part of the SQL session store."""

    db: SqlDatabase

    def take_tokens(self, key: str, want: int, rate: float, burst: float, now_ms: int) -> Grant:
        with self.db.write() as tx:
            tx.run(
                "INSERT INTO quota_buckets (key, tokens, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO NOTHING",
                (key, burst, now_ms),
            )
            row = tx.one(
                f"SELECT tokens, updated_at FROM quota_buckets WHERE key = ?{tx.dialect.for_update}", (key,)
            )
            assert row is not None  # noqa: S101 -- inserted above in this transaction
            elapsed = max(0, now_ms - int(row["updated_at"])) / 1000
            tokens = min(burst, float(row["tokens"]) + elapsed * rate)
            granted = min(want, math.floor(tokens))
            tokens -= granted
            tx.run(
                "UPDATE quota_buckets SET tokens = ?, updated_at = ? WHERE key = ?",
                (tokens, max(now_ms, int(row["updated_at"])), key),
            )
        return Grant(granted, tokens)
