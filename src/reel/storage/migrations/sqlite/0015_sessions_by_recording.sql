-- Reel session store, version 15: sessions found by recording, as on PostgreSQL. The group commit reads
-- the sessions its beacons fold into by (recording, recorder session), and closing a recording's other
-- sessions or dropping an emptied recording looks them up by recording: without this index each of
-- those read the whole sessions table, once per group of beacons.
CREATE INDEX sessions_recording ON sessions (recording_id, client_session_id, part);
