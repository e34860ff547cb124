"""Storage: the session store (SQL: apps, recordings, beacons, sessions) and the replay store (blobs)."""
