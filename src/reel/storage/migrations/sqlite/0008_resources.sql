-- Reel session store, version 8: captured resources (brief §3.4). The bytes are replay-store blobs under
-- resources/{sha256}, outside the retention classes: shared by every recording that references them.

-- One row per stored copy (content-addressed). last_used_at: the purge spares copies used recently.
CREATE TABLE resources (
    digest       TEXT PRIMARY KEY,        -- SHA-256 of the stored bytes, hex
    content_type TEXT NOT NULL,           -- what Reel serves it as (never HTML)
    size         INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
);

-- What a stored style sheet references (its imports, fonts and images, transitively), so a recording
-- that reuses the sheet also holds rows for everything the sheet needs.
CREATE TABLE resource_links (
    parent_digest TEXT NOT NULL,
    url           TEXT NOT NULL,
    child_digest  TEXT NOT NULL,
    PRIMARY KEY (parent_digest, url)
);

-- One row per URL a recording references: pending until captured, refused (policy) or failed.
CREATE TABLE recording_resources (
    recording_id  TEXT NOT NULL,
    url           TEXT NOT NULL,
    app_id        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'captured', 'refused', 'failed')),
    digest        TEXT,
    reason        TEXT NOT NULL DEFAULT '',
    discovered_at INTEGER NOT NULL,
    captured_at   INTEGER,
    claimed_at    INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (recording_id, url)
);
CREATE INDEX recording_resources_pending ON recording_resources (claimed_at) WHERE status = 'pending';
CREATE INDEX recording_resources_digest ON recording_resources (digest, app_id) WHERE digest IS NOT NULL;
CREATE INDEX recording_resources_recent ON recording_resources (app_id, url, captured_at)
    WHERE status = 'captured';

-- Per application: where resources may be fetched from. No row: the application's page origins.
CREATE TABLE resource_settings (
    app_id        TEXT PRIMARY KEY,
    origins       TEXT NOT NULL,          -- JSON array of origins; [] = the application's page origins
    allow_private INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL
);
