-- Reel session store, version 11: beacon quotas shared by every process on the same database. Each key
-- (an application) has one token bucket; processes take tokens from it in small batches.
CREATE TABLE quota_buckets (
    key        TEXT PRIMARY KEY,
    tokens     REAL NOT NULL,
    updated_at INTEGER NOT NULL
);
