-- Reel session store, version 14: failed logins where every process sees them (the login throttle of
-- several processes on one database). One row per failure and key; rows older than the window go.
CREATE TABLE login_failures (
    key   TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (key, at_ms);
CREATE INDEX login_failures_by_time ON login_failures (at_ms);
