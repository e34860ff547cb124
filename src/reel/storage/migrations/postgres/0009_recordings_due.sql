-- Reel on PostgreSQL, version 9: the recordings the worker has to look at. `due` counts the groups of
-- beacons stored for a recording since processing last found it settled (nothing left to process or
-- compact); a worker sets it back to 0 then, unless another group came meanwhile (its update names the
-- count it read). The workers' list walks only the due recordings (this partial index) instead of every
-- recording kept. Every recording starts due: the workers settle the ones without work on their first
-- passes.
ALTER TABLE recordings ADD COLUMN due bigint NOT NULL DEFAULT 1;
CREATE INDEX recordings_due ON recordings (last_received_at, id) WHERE due > 0;
