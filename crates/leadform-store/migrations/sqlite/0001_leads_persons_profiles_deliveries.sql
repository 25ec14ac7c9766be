-- Leadform schema, SQLite dialect. Keep in step with ../postgres/ (same tables, columns and indexes).
-- Applied migrations are checksummed: never edit this file once released; add 0002_... instead.

CREATE TABLE persons (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    first_lead_id INTEGER,
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE leads (
    id                     INTEGER PRIMARY KEY,
    submission_id          TEXT    NOT NULL UNIQUE,
    form_id                TEXT    NOT NULL,
    intent                 TEXT    NOT NULL,
    email                  TEXT,
    person_id              INTEGER REFERENCES persons (id),
    first_for_person       INTEGER NOT NULL DEFAULT 0,
    is_spam                INTEGER NOT NULL DEFAULT 0,
    lead_source            TEXT,
    campaign_id            TEXT,
    first_touch_utm_source   TEXT,
    first_touch_utm_medium   TEXT,
    first_touch_utm_campaign TEXT,
    last_touch_utm_source    TEXT,
    last_touch_utm_medium    TEXT,
    last_touch_utm_campaign  TEXT,
    visitor_id             TEXT,
    client_ip              TEXT,
    hubspotutk             TEXT,
    received_at_ms         INTEGER NOT NULL,
    payload_hash           TEXT    NOT NULL,
    lead_json              TEXT    NOT NULL,
    raw_payload            TEXT    NOT NULL
);
CREATE INDEX leads_received_at ON leads (received_at_ms, id);
CREATE INDEX leads_person ON leads (person_id);
CREATE INDEX leads_email ON leads (email);

CREATE TABLE visitor_profiles (
    visitor_id    TEXT    PRIMARY KEY,
    known_json    TEXT    NOT NULL,
    updated_at_ms INTEGER NOT NULL
);

CREATE TABLE deliveries (
    id                 INTEGER PRIMARY KEY,
    lead_id            INTEGER NOT NULL REFERENCES leads (id),
    destination_index  INTEGER NOT NULL,
    destination_kind   TEXT    NOT NULL,
    destination_key    TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('pending', 'in_flight', 'delivered', 'dead')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER,
    lease_until_ms     INTEGER,
    claim_token        TEXT,
    last_error         TEXT,
    delivered_detail   TEXT,
    delivered_at_ms    INTEGER,
    created_at_ms      INTEGER NOT NULL,
    UNIQUE (lead_id, destination_index)
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at_ms);
CREATE INDEX deliveries_delivered ON deliveries (destination_key, delivered_at_ms);
CREATE INDEX deliveries_claim ON deliveries (claim_token);
