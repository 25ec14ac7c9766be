-- Lead scoring (issue 10): the events that score, the append-only score log, weekly snapshots and
-- the moment a person became an MQL. Keep in step with the other dialect.

-- What a person did, kept so that `rescore` can replay it under changed rules.
CREATE TABLE score_events (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    kind      TEXT    NOT NULL,
    at_ms     INTEGER NOT NULL,
    form_id   TEXT,
    intent    TEXT,
    lead_id   INTEGER REFERENCES leads (id),
    -- What tells one event from a repeat of it (e.g. the email touch's capture time).
    detail    TEXT,
    -- The submitted values fit rules read, as a JSON object.
    fields_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX score_events_person ON score_events (person_id, at_ms, id);

-- Each rescore starts a run; the log rows of the newest run are the scores. Run 0 (no row) is
-- live scoring before any rescore. Older runs stay, so the log is never rewritten.
CREATE TABLE score_runs (
    id            INTEGER PRIMARY KEY,
    started_at_ms INTEGER NOT NULL,
    rules_json    TEXT    NOT NULL
);

-- Every change of a score, append-only: the score is the sum of a person's rows.
CREATE TABLE score_log (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL DEFAULT 0,
    person_id     INTEGER NOT NULL REFERENCES persons (id),
    at_ms         INTEGER NOT NULL,
    delta         INTEGER NOT NULL,
    rule          TEXT    NOT NULL,
    event_id      INTEGER REFERENCES score_events (id),
    -- Decay rows only: the quiet week they are for. One per person and week, however many
    -- handlers run the decay pass at once (NULLs never collide, so other rows are unaffected).
    decay_week_ms INTEGER,
    UNIQUE (run_id, person_id, decay_week_ms)
);
CREATE INDEX score_log_person ON score_log (run_id, person_id, at_ms);

-- The score at the end of each complete ISO week (Monday 00:00 UTC), for charts.
CREATE TABLE score_snapshots (
    person_id     INTEGER NOT NULL REFERENCES persons (id),
    week_start_ms INTEGER NOT NULL,
    score         INTEGER NOT NULL,
    fit           INTEGER NOT NULL,
    engagement    INTEGER NOT NULL,
    change        INTEGER NOT NULL,
    PRIMARY KEY (person_id, week_start_ms)
);

-- Set once, when the score first reaches the MQL threshold.
ALTER TABLE persons ADD COLUMN mql_at_ms INTEGER;

-- The scoring rules last loaded by `serve` or used by `rescore`, so `scores` applies the same
-- decay and MQL threshold without the forms folder. One row.
CREATE TABLE score_rules (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    rules_json  TEXT    NOT NULL,
    saved_at_ms INTEGER NOT NULL
);
