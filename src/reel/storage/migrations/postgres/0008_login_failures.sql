-- Reel on PostgreSQL, version 8: failed logins shared by every process (the login throttle holds across
-- serve processes behind a load balancer). One row per failure and key; rows older than the window go.
CREATE TABLE login_failures (
    key   text COLLATE "C" NOT NULL,
    at_ms bigint NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (key, at_ms);
CREATE INDEX login_failures_by_time ON login_failures (at_ms);
