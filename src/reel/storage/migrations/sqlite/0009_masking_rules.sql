-- Reel session store, version 9: masking rules, one row per version per application (version 0, the
-- built-in defaults, is never stored). A version is never rewritten: sessions name the one applied.
CREATE TABLE masking_rules (
    app_id      TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    document    TEXT NOT NULL,            -- the rules document as JSON (docs/contracts/masking-rules.md)
    operator_id TEXT NOT NULL,            -- who saved it
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (app_id, version)
);
