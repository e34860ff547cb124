-- Reel session store, version 15: sessions found by recording, as on PostgreSQL. The group commit reads
-- the sessions its beacons fold into by (recording, recorder session), and dropping an emptied
-- recording looks for its sessions by recording: without this index both read the whole sessions
-- table, the first once per group of beacons.
CREATE INDEX sessions_recording ON sessions (recording_id, client_session_id, part);
