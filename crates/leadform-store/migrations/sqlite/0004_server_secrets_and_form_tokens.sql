-- Signing secrets shared by every handler instance on this database (issue 7), and the form tokens
-- already spent. Keep in step with the other dialect.

-- One random secret per purpose (e.g. 'signing'). The first instance to start writes it; every other
-- instance reads the same row (INSERT ... ON CONFLICT DO NOTHING, then SELECT).
CREATE TABLE server_secrets (
    purpose       TEXT    PRIMARY KEY,
    secret_hex    TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
);

-- A form token may carry one submission only: a second submission id with the same token is spam.
-- token_id is the token's random nonce; rows older than the token lifetime can be deleted.
CREATE TABLE used_form_tokens (
    token_id      TEXT    PRIMARY KEY,
    submission_id TEXT    NOT NULL,
    used_at_ms    INTEGER NOT NULL
);
CREATE INDEX used_form_tokens_used_at ON used_form_tokens (used_at_ms);
