-- Reel session store, version 5: each recording's client clock offset (ms added to its event times so
-- they are on the server's clock; 0 for a clock within tolerance). See reel/ingest/clock_skew.py.
ALTER TABLE recordings ADD COLUMN clock_offset_ms INTEGER NOT NULL DEFAULT 0;
