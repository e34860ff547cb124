"""Storage: the session store (SQL: applications, recordings, beacons, sessions) and the replay store (blobs)."""
