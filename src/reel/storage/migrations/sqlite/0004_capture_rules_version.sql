-- Reel session store, version 4: which masking rules version the recorder applied at capture.
ALTER TABLE sessions ADD COLUMN rules_version INTEGER NOT NULL DEFAULT 0;
