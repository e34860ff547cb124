-- Reel session store, version 12: the user's context (browser, OS, device class, viewport, language,
-- time zone, referrer, identify traits), kept with each session; and the idle periods processing found
-- (stretches without user interaction), which the player skips.
ALTER TABLE sessions ADD COLUMN browser TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN os TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN viewport_width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN viewport_height INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN timezone TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN referrer TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN traits TEXT NOT NULL DEFAULT '{}';

CREATE TABLE idle_periods (
    recording_id TEXT NOT NULL,
    start_ts     INTEGER NOT NULL,
    end_ts       INTEGER NOT NULL,
    session_id   TEXT NOT NULL,
    PRIMARY KEY (recording_id, start_ts)
);
CREATE INDEX idle_periods_session ON idle_periods (session_id, start_ts);
