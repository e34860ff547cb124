-- Reel session store, version 16: the recordings the worker has to look at. `due` counts what gave a
-- recording work: each group of beacons stored for it, each processing round that opened a segment.
-- Processing negates it when it finds the recording with nothing left to do (every beacon processed,
-- every segment compacted, no late beacon buffered), only if the count is still the one read with that
-- finding; the next count makes it positive again, one past what it was. As the count's size never goes
-- back, a finding out of date is never written. The worker's list walks only recordings with `due > 0`
-- (this partial index) instead of every recording kept: at 300,000 recordings that whole-table pass cost
-- ~175 ms a second. Every recording starts due: the worker settles the ones without work on its first
-- passes.
ALTER TABLE recordings ADD COLUMN due INTEGER NOT NULL DEFAULT 1;
CREATE INDEX recordings_due ON recordings (last_received_at, id) WHERE due > 0;
