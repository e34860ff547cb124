-- Reel session store, version 7: applications that accept mobile beacons (apps send no Origin).
ALTER TABLE applications ADD COLUMN mobile INTEGER NOT NULL DEFAULT 0;
