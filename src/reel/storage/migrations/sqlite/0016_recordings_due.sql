-- Reel session store, version 16: the recordings the worker has to look at. `due` counts the groups of
-- beacons stored for a recording, and only ever grows; `settled` is the count at which processing last
-- found the recording with nothing left to do (every beacon processed, every segment compacted, no late
-- beacon buffered), written only if the count was still the one read with that finding. The worker's
-- list walks only recordings with `due > settled` (this partial index) instead of every recording kept:
-- at 300,000 recordings that whole-table pass cost ~175 ms a second. Every recording starts due: the
-- worker settles the ones without work on its first passes.
ALTER TABLE recordings ADD COLUMN due INTEGER NOT NULL DEFAULT 1;
ALTER TABLE recordings ADD COLUMN settled INTEGER NOT NULL DEFAULT 0;
CREATE INDEX recordings_due ON recordings (last_received_at, id) WHERE due > settled;
