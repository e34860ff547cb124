-- Reel session store, version 1: applications, recordings, sessions and beacons.
CREATE TABLE applications (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    app_key        TEXT NOT NULL UNIQUE,
    origins        TEXT NOT NULL,          -- JSON array of allowed origins
    enabled        INTEGER NOT NULL DEFAULT 1,
    retention_days INTEGER NOT NULL DEFAULT 30,
    created_at     INTEGER NOT NULL
);

CREATE TABLE recordings (
    id         TEXT PRIMARY KEY,
    app_id     TEXT NOT NULL REFERENCES applications(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    app_id            TEXT NOT NULL REFERENCES applications(id),
    recording_id      TEXT NOT NULL REFERENCES recordings(id),
    client_session_id TEXT NOT NULL,
    part              INTEGER NOT NULL,
    start_ts          INTEGER NOT NULL,
    end_ts            INTEGER NOT NULL,
    first_url         TEXT NOT NULL,
    last_url          TEXT NOT NULL,
    pages             INTEGER NOT NULL,
    beacons           INTEGER NOT NULL,
    events            INTEGER NOT NULL,
    min_seq           INTEGER NOT NULL,
    max_seq           INTEGER NOT NULL,
    has_full_snapshot INTEGER NOT NULL,
    has_meta          INTEGER NOT NULL,
    closed            INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (app_id, recording_id, client_session_id, part)
);
CREATE INDEX sessions_app_created ON sessions (app_id, created_at DESC);
CREATE INDEX sessions_created ON sessions (created_at DESC);

CREATE TABLE beacons (
    recording_id TEXT NOT NULL REFERENCES recordings(id),
    seq          INTEGER NOT NULL,
    app_id       TEXT NOT NULL,
    session_id   TEXT NOT NULL REFERENCES sessions(id),
    blob_key     TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    first_ts     INTEGER NOT NULL,
    last_ts      INTEGER NOT NULL,
    events       INTEGER NOT NULL,
    stored_bytes INTEGER NOT NULL,
    final        INTEGER NOT NULL,
    PRIMARY KEY (recording_id, seq)
);
CREATE INDEX beacons_session ON beacons (session_id, seq);
