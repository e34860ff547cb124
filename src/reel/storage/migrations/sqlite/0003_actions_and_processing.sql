-- Reel session store, version 3: actions, session counters for search, split checkpoints, processing.
ALTER TABLE sessions ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN actions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN rage_clicks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN dead_clicks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN platform TEXT NOT NULL DEFAULT 'web';
ALTER TABLE sessions ADD COLUMN close_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_user ON sessions (user_id) WHERE user_id != '';
CREATE INDEX sessions_start ON sessions (start_ts DESC);
CREATE INDEX sessions_open ON sessions (updated_at) WHERE closed = 0;

CREATE TABLE actions (
    recording_id TEXT NOT NULL,
    session_id   TEXT NOT NULL,
    app_id       TEXT NOT NULL,
    ts           INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    url          TEXT NOT NULL,
    target       TEXT NOT NULL,
    label        TEXT NOT NULL,
    data         TEXT NOT NULL,
    -- Re-processing a recording finds the same actions again; this key stores each once.
    UNIQUE (recording_id, ts, kind, target, label)
);
CREATE INDEX actions_session ON actions (session_id, ts);
CREATE INDEX actions_url ON actions (app_id, url) WHERE kind IN ('load', 'navigation');

CREATE TABLE checkpoints (
    recording_id TEXT NOT NULL,
    ts           INTEGER NOT NULL,
    blob_key     TEXT NOT NULL,
    PRIMARY KEY (recording_id, ts)
);

CREATE TABLE processing (
    recording_id  TEXT PRIMARY KEY,
    processed_seq INTEGER NOT NULL,
    state_key     TEXT NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- The highest seq stored per recording, so finding work for processing needs no scan of beacons.
ALTER TABLE recordings ADD COLUMN max_seq INTEGER NOT NULL DEFAULT -1;
UPDATE recordings SET max_seq = COALESCE((SELECT MAX(seq) FROM beacons WHERE beacons.recording_id = recordings.id), -1);
