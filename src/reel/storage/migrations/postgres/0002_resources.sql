-- Reel on PostgreSQL, version 2: captured resources (brief §3.4). The bytes are replay-store blobs under
-- resources/{sha256}, outside the retention classes: shared by every recording that references them.
-- URLs and digests compare byte by byte (COLLATE "C"): listings are in the same order as on SQLite.

-- One row per stored copy (content-addressed). last_used_at: the purge spares copies used recently.
CREATE TABLE resources (
    digest       text COLLATE "C" PRIMARY KEY,   -- SHA-256 of the stored bytes, hex
    content_type text NOT NULL,                  -- what Reel serves it as (never HTML)
    size         bigint NOT NULL,
    created_at   bigint NOT NULL,
    last_used_at bigint NOT NULL
);
CREATE INDEX resources_last_used ON resources (last_used_at);

-- What a stored style sheet references (its imports, fonts and images, transitively), so a recording
-- that reuses the sheet also holds rows for everything the sheet needs.
CREATE TABLE resource_links (
    parent_digest text COLLATE "C" NOT NULL,
    url           text COLLATE "C" NOT NULL,
    child_digest  text COLLATE "C" NOT NULL,
    PRIMARY KEY (parent_digest, url)
);

-- One row per URL a recording references: pending until captured, refused (policy) or failed.
CREATE TABLE recording_resources (
    recording_id  text COLLATE "C" NOT NULL,
    url           text COLLATE "C" NOT NULL,
    app_id        text COLLATE "C" NOT NULL,
    status        text NOT NULL CHECK (status IN ('pending', 'captured', 'refused', 'failed')),
    digest        text COLLATE "C",
    reason        text NOT NULL DEFAULT '',
    discovered_at bigint NOT NULL,
    captured_at   bigint,
    claimed_at    bigint NOT NULL DEFAULT 0,
    attempts      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (recording_id, url)
);
CREATE INDEX recording_resources_pending ON recording_resources (claimed_at, discovered_at, url)
    WHERE status = 'pending';
CREATE INDEX recording_resources_digest ON recording_resources (digest, app_id) WHERE digest IS NOT NULL;
CREATE INDEX recording_resources_recent ON recording_resources (app_id, url, captured_at)
    WHERE status = 'captured';

-- Per application: where resources may be fetched from. No row: the application's page origins.
CREATE TABLE resource_settings (
    app_id        text COLLATE "C" PRIMARY KEY,
    origins       text[] NOT NULL,       -- origins; empty = the application's page origins
    allow_private boolean NOT NULL DEFAULT false,
    updated_at    bigint NOT NULL
);
