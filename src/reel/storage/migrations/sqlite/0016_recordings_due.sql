-- Reel session store, version 16: the recordings the worker has to look at. `due` counts the groups of
-- beacons stored for a recording since processing last found it settled (nothing left to process or
-- compact); the worker sets it back to 0 then, unless another group came meanwhile. The worker's list
-- walks only the due recordings (this partial index) instead of every recording kept: at 300,000
-- recordings that whole-table pass cost ~175 ms a second. Every recording starts due: the worker
-- settles the ones without work on its first passes.
ALTER TABLE recordings ADD COLUMN due INTEGER NOT NULL DEFAULT 1;
CREATE INDEX recordings_due ON recordings (last_received_at, id) WHERE due > 0;
