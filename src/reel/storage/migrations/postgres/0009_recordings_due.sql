-- Reel on PostgreSQL, version 9: the recordings the workers have to look at. `due` counts what gave a
-- recording work: each group of beacons stored for it, each processing round that opened a segment. A
-- worker negates it when it finds the recording with nothing left to do (every beacon processed, every
-- segment compacted, no late beacon buffered), only if the count is still the one read with that
-- finding; the next count makes it positive again, one past what it was. As the count's size never goes
-- back, a finding out of date is never written, whatever other workers settled meanwhile. The workers'
-- list walks only recordings with `due > 0` (this partial index; one column, so the planner's
-- statistics see how few they are) instead of every recording kept. Every recording starts due: the
-- workers settle the ones without work on their first passes.
ALTER TABLE recordings ADD COLUMN due bigint NOT NULL DEFAULT 1;
CREATE INDEX recordings_due ON recordings (last_received_at, id) WHERE due > 0;
