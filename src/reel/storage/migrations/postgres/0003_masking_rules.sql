-- Reel on PostgreSQL, version 3: masking rules, one row per version per application (version 0, the
-- built-in defaults, is never stored). A version is never rewritten: sessions name the one applied.
CREATE TABLE masking_rules (
    app_id      text COLLATE "C" NOT NULL,
    version     integer NOT NULL CHECK (version >= 1),
    document    jsonb NOT NULL,           -- the rules document (docs/contracts/masking-rules.md)
    operator_id text NOT NULL,            -- who saved it
    created_at  bigint NOT NULL,
    PRIMARY KEY (app_id, version)
);
