-- Reel operator store, version 2: operators, API tokens and login sessions. Only hashes of secrets.
CREATE TABLE operators (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    app_ids       TEXT,                   -- JSON array of application ids; NULL = every application
    password_hash TEXT,                   -- argon2 encoded hash; NULL = no password (tokens only)
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    operator_id  TEXT NOT NULL REFERENCES operators(id),
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,    -- SHA-256 of the token, hex
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at   INTEGER
);
CREATE INDEX api_tokens_operator ON api_tokens (operator_id, created_at);

CREATE TABLE login_sessions (
    id           TEXT PRIMARY KEY,
    operator_id  TEXT NOT NULL REFERENCES operators(id),
    secret_hash  TEXT NOT NULL UNIQUE,    -- SHA-256 of the cookie value, hex
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX login_sessions_seen ON login_sessions (last_seen_at);
