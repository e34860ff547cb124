-- Reel session store, version 6: retention and deletion (tombstones, deleted recordings, audit log),
-- and what replay data each application stores.

-- When the newest beacon of a recording reached the server: retention counts from here (brief §8).
-- A trigger keeps it, so every path that stores a beacon row keeps it right.
ALTER TABLE recordings ADD COLUMN last_received_at INTEGER NOT NULL DEFAULT 0;
UPDATE recordings SET last_received_at = COALESCE(
    (SELECT MAX(received_at) FROM beacons WHERE beacons.recording_id = recordings.id), created_at);
CREATE INDEX recordings_app_received ON recordings (app_id, last_received_at);
CREATE TRIGGER beacons_received AFTER INSERT ON beacons BEGIN
    UPDATE recordings SET last_received_at = MAX(last_received_at, NEW.received_at)
    WHERE id = NEW.recording_id;
END;

-- Checkpoints count towards an application's storage; rows written before this version count as 0.
ALTER TABLE checkpoints ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;

-- What remains of a deleted session. Nothing the user typed or saw: no URL, no user id, no counters.
CREATE TABLE tombstones (
    session_id     TEXT PRIMARY KEY,
    app_id         TEXT NOT NULL,
    recorded_at    INTEGER NOT NULL,
    deleted_at     INTEGER NOT NULL,
    cause          TEXT NOT NULL CHECK (cause IN ('retention', 'request')),
    retention_days INTEGER NOT NULL
);
CREATE INDEX tombstones_app ON tombstones (app_id, deleted_at);

-- Deleted recordings: refuses their late beacons, and while pending = 1 says which blob prefixes the
-- purge still has to empty (the durable intent that makes a purge cut off by a crash resumable).
CREATE TABLE deleted_recordings (
    recording_id TEXT PRIMARY KEY,
    app_id       TEXT NOT NULL,
    deleted_at   INTEGER NOT NULL,
    cause        TEXT NOT NULL CHECK (cause IN ('retention', 'request')),
    prefixes     TEXT NOT NULL,            -- JSON array of blob key prefixes
    generation   INTEGER NOT NULL DEFAULT 0,
    pending      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX deleted_recordings_pending ON deleted_recordings (deleted_at) WHERE pending = 1;

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    action   TEXT NOT NULL,
    app_id   TEXT,                          -- NULL: every application the actor may see
    target   TEXT NOT NULL,
    count    INTEGER NOT NULL,
    detail   TEXT NOT NULL
);
CREATE INDEX audit_log_app ON audit_log (app_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
