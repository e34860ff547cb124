-- Reel on PostgreSQL, version 4: the session store — applications, recordings, sessions, the beacon
-- buffer and its segments, actions, checkpoints, processing with its leases, retention. The same tables
-- as SQLite's migrations 1–10 (one SQL serves both: reel/storage/sql.py). Times are ms since the epoch;
-- flags are 0/1 integers as on SQLite; ids compare byte by byte (COLLATE "C"), as on SQLite.

CREATE TABLE applications (
    id             text COLLATE "C" PRIMARY KEY,
    name           text NOT NULL,
    app_key        text COLLATE "C" NOT NULL UNIQUE,
    origins        text NOT NULL,          -- JSON array of allowed origins
    enabled        integer NOT NULL DEFAULT 1,
    retention_days integer NOT NULL DEFAULT 30,
    created_at     bigint NOT NULL,
    mobile         integer NOT NULL DEFAULT 0
);

CREATE TABLE recordings (
    id               text COLLATE "C" PRIMARY KEY,
    app_id           text COLLATE "C" NOT NULL REFERENCES applications(id),
    created_at       bigint NOT NULL,
    max_seq          bigint NOT NULL DEFAULT -1,
    clock_offset_ms  bigint NOT NULL DEFAULT 0,
    last_received_at bigint NOT NULL DEFAULT 0
);
CREATE INDEX recordings_app_received ON recordings (app_id, last_received_at);

CREATE TABLE sessions (
    id                text COLLATE "C" PRIMARY KEY,
    app_id            text COLLATE "C" NOT NULL REFERENCES applications(id),
    recording_id      text COLLATE "C" NOT NULL REFERENCES recordings(id),
    client_session_id text COLLATE "C" NOT NULL,
    part              integer NOT NULL,
    start_ts          bigint NOT NULL,
    end_ts            bigint NOT NULL,
    first_url         text NOT NULL,
    last_url          text NOT NULL,
    pages             integer NOT NULL,
    beacons           integer NOT NULL,
    events            bigint NOT NULL,
    min_seq           bigint NOT NULL,
    max_seq           bigint NOT NULL,
    has_full_snapshot integer NOT NULL,
    has_meta          integer NOT NULL,
    closed            integer NOT NULL,
    created_at        bigint NOT NULL,
    updated_at        bigint NOT NULL,
    user_id           text COLLATE "C" NOT NULL DEFAULT '',
    actions           integer NOT NULL DEFAULT 0,
    errors            integer NOT NULL DEFAULT 0,
    rage_clicks       integer NOT NULL DEFAULT 0,
    dead_clicks       integer NOT NULL DEFAULT 0,
    platform          text NOT NULL DEFAULT 'web',
    close_reason      text NOT NULL DEFAULT '',
    rules_version     integer NOT NULL DEFAULT 0,
    UNIQUE (app_id, recording_id, client_session_id, part)
);
CREATE INDEX sessions_app_created ON sessions (app_id, created_at DESC);
CREATE INDEX sessions_created ON sessions (created_at DESC);
CREATE INDEX sessions_user ON sessions (user_id) WHERE user_id != '';
CREATE INDEX sessions_start ON sessions (start_ts DESC);
CREATE INDEX sessions_open ON sessions (updated_at) WHERE closed = 0;
CREATE INDEX sessions_recording ON sessions (recording_id, client_session_id, part);

CREATE TABLE beacons (
    recording_id text COLLATE "C" NOT NULL REFERENCES recordings(id),
    seq          bigint NOT NULL,
    app_id       text COLLATE "C" NOT NULL,
    session_id   text COLLATE "C" NOT NULL REFERENCES sessions(id),
    blob_key     text COLLATE "C" NOT NULL,
    received_at  bigint NOT NULL,
    first_ts     bigint NOT NULL,
    last_ts      bigint NOT NULL,
    events       integer NOT NULL,
    stored_bytes bigint NOT NULL,
    final        integer NOT NULL,
    PRIMARY KEY (recording_id, seq)
);
CREATE INDEX beacons_session ON beacons (session_id, seq);

CREATE TABLE beacon_buffer (
    recording_id text COLLATE "C" NOT NULL,
    seq          bigint NOT NULL,
    payload      bytea NOT NULL,
    PRIMARY KEY (recording_id, seq)
);

CREATE TABLE segments (
    recording_id text COLLATE "C" NOT NULL,
    idx          integer NOT NULL,
    start_ts     bigint NOT NULL,
    end_ts       bigint,
    from_seq     bigint NOT NULL,
    from_index   integer NOT NULL,
    to_seq       bigint,
    to_index     integer,
    keyframe_key text COLLATE "C" NOT NULL,
    blob_key     text COLLATE "C" NOT NULL DEFAULT '',
    events       integer NOT NULL DEFAULT 0,
    raw_bytes    bigint NOT NULL DEFAULT 0,
    stored_bytes bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (recording_id, idx)
);
CREATE INDEX segments_uncompacted ON segments (recording_id) WHERE blob_key = '';

CREATE TABLE actions (
    recording_id text COLLATE "C" NOT NULL,
    session_id   text COLLATE "C" NOT NULL,
    app_id       text COLLATE "C" NOT NULL,
    ts           bigint NOT NULL,
    kind         text NOT NULL,
    url          text NOT NULL,
    target       text NOT NULL,
    label        text NOT NULL,
    data         text NOT NULL,
    -- Re-processing a recording finds the same actions again; this key stores each once.
    UNIQUE (recording_id, ts, kind, target, label)
);
CREATE INDEX actions_session ON actions (session_id, ts);
CREATE INDEX actions_url ON actions (app_id, url) WHERE kind IN ('load', 'navigation');

CREATE TABLE checkpoints (
    recording_id text COLLATE "C" NOT NULL,
    ts           bigint NOT NULL,
    blob_key     text COLLATE "C" NOT NULL,
    stored_bytes bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (recording_id, ts)
);

CREATE TABLE processing (
    recording_id      text COLLATE "C" PRIMARY KEY,
    processed_seq     bigint NOT NULL,
    state_key         text COLLATE "C" NOT NULL,
    updated_at        bigint NOT NULL,
    state             text NOT NULL DEFAULT '',
    lease_owner       text COLLATE "C" NOT NULL DEFAULT '',
    lease_until       bigint NOT NULL DEFAULT 0,
    compact_below_seq bigint NOT NULL DEFAULT 0
);

CREATE TABLE tombstones (
    session_id     text COLLATE "C" PRIMARY KEY,
    app_id         text COLLATE "C" NOT NULL,
    recorded_at    bigint NOT NULL,
    deleted_at     bigint NOT NULL,
    cause          text NOT NULL CHECK (cause IN ('retention', 'request')),
    retention_days integer NOT NULL
);
CREATE INDEX tombstones_app ON tombstones (app_id, deleted_at);

CREATE TABLE deleted_recordings (
    recording_id text COLLATE "C" PRIMARY KEY,
    app_id       text COLLATE "C" NOT NULL,
    deleted_at   bigint NOT NULL,
    cause        text NOT NULL CHECK (cause IN ('retention', 'request')),
    prefixes     text NOT NULL,            -- JSON array of blob key prefixes
    generation   integer NOT NULL DEFAULT 0,
    pending      integer NOT NULL DEFAULT 1
);
CREATE INDEX deleted_recordings_pending ON deleted_recordings (deleted_at) WHERE pending = 1;

CREATE TABLE audit_log (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       bigint NOT NULL,
    actor    text NOT NULL,
    actor_id text COLLATE "C" NOT NULL,
    action   text NOT NULL,
    app_id   text COLLATE "C",             -- NULL: every application the actor may see
    target   text NOT NULL,
    count    integer NOT NULL,
    detail   text NOT NULL
);
CREATE INDEX audit_log_app ON audit_log (app_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
