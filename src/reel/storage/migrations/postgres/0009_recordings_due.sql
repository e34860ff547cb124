-- Reel on PostgreSQL, version 9: the recordings the workers have to look at. `due` counts the groups of
-- beacons stored for a recording, and only ever grows; `settled` is the count at which a worker last
-- found the recording with nothing left to do (every beacon processed, every segment compacted, no late
-- beacon buffered), written only if the count was still the one read with that finding. As `due` never
-- goes back, no later group can make the count look unchanged to a worker whose finding is out of date,
-- whatever other workers settled meanwhile. The workers' list walks only recordings with `due > settled`
-- (this partial index) instead of every recording kept. Every recording starts due: the workers settle
-- the ones without work on their first passes.
ALTER TABLE recordings ADD COLUMN due bigint NOT NULL DEFAULT 1;
ALTER TABLE recordings ADD COLUMN settled bigint NOT NULL DEFAULT 0;
CREATE INDEX recordings_due ON recordings (last_received_at, id) WHERE due > settled;
