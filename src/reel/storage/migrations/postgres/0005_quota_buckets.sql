-- Reel on PostgreSQL, version 5: beacon quotas shared by every process (docs/scale.md). Each key (an
-- application) has one token bucket; processes take tokens from it in small batches.
CREATE TABLE quota_buckets (
    key        text COLLATE "C" PRIMARY KEY,
    tokens     double precision NOT NULL,
    updated_at bigint NOT NULL
);
