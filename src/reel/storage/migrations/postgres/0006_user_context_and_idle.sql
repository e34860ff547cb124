-- Reel on PostgreSQL, version 6 (SQLite's version 12): the user's context (browser, OS, device class,
-- viewport, language, time zone, referrer, identify traits), kept with each session; and the idle
-- periods processing found (stretches without user interaction), which the player skips.
ALTER TABLE sessions ADD COLUMN browser text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN os text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN device text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN viewport_width integer NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN viewport_height integer NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN language text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN timezone text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN referrer text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN traits text NOT NULL DEFAULT '{}';

CREATE TABLE idle_periods (
    recording_id text COLLATE "C" NOT NULL,
    start_ts     bigint NOT NULL,
    end_ts       bigint NOT NULL,
    session_id   text COLLATE "C" NOT NULL,
    PRIMARY KEY (recording_id, start_ts)
);
CREATE INDEX idle_periods_session ON idle_periods (session_id, start_ts);
