-- Reel on PostgreSQL, version 1: operators, API tokens and login sessions. Only hashes of secrets.
-- Ids, names and digests compare byte by byte (COLLATE "C"), as on SQLite, whatever the database's locale.
CREATE TABLE operators (
    id            text COLLATE "C" PRIMARY KEY,
    name          text COLLATE "C" NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('admin', 'viewer')),
    app_ids       text[],                 -- application ids; NULL = every application
    password_hash text,                   -- argon2 encoded hash; NULL = no password (tokens only)
    disabled      boolean NOT NULL DEFAULT false,
    created_at    bigint NOT NULL         -- ms since the epoch, as every time Reel stores
);

CREATE TABLE api_tokens (
    id           text COLLATE "C" PRIMARY KEY,
    operator_id  text COLLATE "C" NOT NULL REFERENCES operators(id),
    name         text NOT NULL,
    secret_hash  text COLLATE "C" NOT NULL UNIQUE,   -- SHA-256 of the token, hex
    created_at   bigint NOT NULL,
    last_used_at bigint,
    expires_at   bigint
);
CREATE INDEX api_tokens_operator ON api_tokens (operator_id, created_at);

CREATE TABLE login_sessions (
    id           text COLLATE "C" PRIMARY KEY,
    operator_id  text COLLATE "C" NOT NULL REFERENCES operators(id),
    secret_hash  text COLLATE "C" NOT NULL UNIQUE,   -- SHA-256 of the cookie value, hex
    created_at   bigint NOT NULL,
    last_seen_at bigint NOT NULL
);
CREATE INDEX login_sessions_seen ON login_sessions (last_seen_at);
CREATE INDEX login_sessions_created ON login_sessions (created_at);
