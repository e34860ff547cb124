-- Reel session store, version 13: a rules version may be a restore of an earlier one; it names that
-- version (NULL for a version written as new), so the history tells a restore from an edit.
ALTER TABLE masking_rules ADD COLUMN restored_from INTEGER CHECK (restored_from IS NULL OR restored_from >= 0);
