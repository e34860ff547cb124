-- Reel session store, version 10: beacons wait in a durable buffer inside the database (one transaction
-- for a group of beacons), and processing compacts them into segments: one replay-store blob per stretch
-- between two keyframes (docs/contracts/storage.md).

-- A beacon's events (zstd JSON, reel.storage.chunks) until its segment is compacted. Beacons written
-- before version 10 have no row here: their events are the blob named by beacons.blob_key.
CREATE TABLE beacon_buffer (
    recording_id TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    payload      BLOB NOT NULL,
    PRIMARY KEY (recording_id, seq)
);

-- A recording's stream cut at keyframes. A segment starts at a position (beacon seq, index of the event
-- in that beacon's events sorted by time) with a keyframe (the DOM state there, rebuilt by processing)
-- and runs to the next segment's position. end_ts and to_seq are NULL while it is the open, last one;
-- blob_key is '' until it is compacted.
CREATE TABLE segments (
    recording_id TEXT NOT NULL,
    idx          INTEGER NOT NULL,
    start_ts     INTEGER NOT NULL,
    end_ts       INTEGER,
    from_seq     INTEGER NOT NULL,
    from_index   INTEGER NOT NULL,
    to_seq       INTEGER,
    to_index     INTEGER,
    keyframe_key TEXT NOT NULL,
    blob_key     TEXT NOT NULL DEFAULT '',
    events       INTEGER NOT NULL DEFAULT 0,
    raw_bytes    INTEGER NOT NULL DEFAULT 0,
    stored_bytes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (recording_id, idx)
);
CREATE INDEX segments_uncompacted ON segments (recording_id) WHERE blob_key = '';

-- Processing keeps its resumable state here (JSON) instead of a blob per round, and a lease: one worker
-- at a time per recording, until lease_until (ms). lease_owner '' is free.
ALTER TABLE processing ADD COLUMN state TEXT NOT NULL DEFAULT '';
ALTER TABLE processing ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE processing ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE processing ADD COLUMN compact_below_seq INTEGER NOT NULL DEFAULT 0;

-- The last receive time is kept by the store's own code now (PostgreSQL has the same schema, no trigger).
DROP TRIGGER beacons_received;
