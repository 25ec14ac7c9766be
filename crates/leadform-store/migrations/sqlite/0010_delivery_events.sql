-- A delivery is for one event (issue 10 §5): `lead.created` when the lead is stored, `lead.mql`
-- when its person first reaches the MQL threshold. A lead may have one of each for the same
-- destination, so the unique keys gain the event. Keep in step with ../postgres/.
--
-- SQLite cannot change a table's UNIQUE constraint in place: the table is rebuilt with every
-- column of 0001 and 0003, the rows copied with their ids, and every index recreated.
CREATE TABLE deliveries_with_events (
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
    destination_id     TEXT,
    event              TEXT    NOT NULL DEFAULT 'lead.created'
                               CHECK (event IN ('lead.created', 'lead.mql')),
    -- For `lead.mql`: the score when the threshold was reached, and when (persons.mql_at_ms).
    event_score        INTEGER,
    event_at_ms        INTEGER,
    UNIQUE (lead_id, destination_index, event)
);
INSERT INTO deliveries_with_events (id, lead_id, destination_index, destination_kind,
        destination_key, status, attempts, next_attempt_at_ms, lease_until_ms, claim_token,
        last_error, delivered_detail, delivered_at_ms, created_at_ms, destination_id, event)
    SELECT id, lead_id, destination_index, destination_kind, destination_key, status, attempts,
        next_attempt_at_ms, lease_until_ms, claim_token, last_error, delivered_detail,
        delivered_at_ms, created_at_ms, destination_id, 'lead.created'
    FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_with_events RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at_ms);
CREATE INDEX deliveries_delivered ON deliveries (destination_key, delivered_at_ms);
CREATE INDEX deliveries_claim ON deliveries (claim_token);
CREATE UNIQUE INDEX deliveries_lead_destination_id ON deliveries (lead_id, destination_id, event);
