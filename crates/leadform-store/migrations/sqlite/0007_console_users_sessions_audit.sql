-- The marketer's console (issue 9): users, server-side sessions, login throttling, the audit log and
-- lead owners. Everything lives in the database so every handler instance agrees. Keep in step with
-- ../postgres/.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    -- Argon2id, PHC string format (parameters and salt included).
    password_hash TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
);

-- The session id is never stored: only its SHA-256, so a leaked table cannot be replayed as cookies.
-- The CSRF token is per session, so any instance can check it.
CREATE TABLE console_sessions (
    id_sha256              TEXT    PRIMARY KEY,
    user_id                INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token             TEXT    NOT NULL,
    created_at_ms          INTEGER NOT NULL,
    last_seen_at_ms        INTEGER NOT NULL,
    idle_expires_at_ms     INTEGER NOT NULL,
    absolute_expires_at_ms INTEGER NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);

-- Failed logins per name and per client address in a fixed window.
CREATE TABLE login_throttle (
    scope                TEXT    NOT NULL CHECK (scope IN ('name', 'address')),
    subject              TEXT    NOT NULL,
    window_started_at_ms INTEGER NOT NULL,
    failures             INTEGER NOT NULL,
    PRIMARY KEY (scope, subject)
);

-- Append-only. actor is a user name kept as text (it outlives the user), or '' for a visitor who
-- is not logged in (failed logins).
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at_ms   INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    lead_id INTEGER,
    detail  TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at_ms, id);

ALTER TABLE leads ADD COLUMN owner_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX leads_owner ON leads (owner_user_id, received_at_ms);
CREATE INDEX leads_intent ON leads (intent, received_at_ms);
CREATE INDEX leads_spam ON leads (is_spam, received_at_ms);
