-- Erasure (issue 7, privacy): `forget --email` and per-form retention erase a lead's values and
-- a person's email but keep the row as a tombstone that says when it was erased. NULL = not erased.
-- Keep in step with the other dialect.

ALTER TABLE leads ADD COLUMN erased_at_ms INTEGER;
ALTER TABLE persons ADD COLUMN erased_at_ms INTEGER;
