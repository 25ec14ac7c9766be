-- Lead status for the console (issue 9): where a salesperson is with a lead, and who moved it when.
-- Spam is not a status: it stays the lead's is_spam flag. Keep in step with the other dialect.

ALTER TABLE leads ADD COLUMN status TEXT NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'contacted', 'qualified', 'converted', 'closed'));
-- Only for status 'closed': not_interested | student_or_researcher | not_our_market | duplicate.
ALTER TABLE leads ADD COLUMN closed_reason TEXT;
ALTER TABLE leads ADD COLUMN status_changed_at_ms INTEGER;
-- The first time the lead left 'open' for 'contacted' or beyond: the speed-to-lead clock stops here.
ALTER TABLE leads ADD COLUMN first_contacted_at_ms INTEGER;

-- Every status change, append-only. changed_by is the user's name, kept as text so the history
-- survives the user's removal.
CREATE TABLE lead_status_changes (
    id            INTEGER PRIMARY KEY,
    lead_id       INTEGER NOT NULL REFERENCES leads (id),
    changed_by    TEXT    NOT NULL,
    from_status   TEXT    NOT NULL,
    to_status     TEXT    NOT NULL,
    closed_reason TEXT,
    changed_at_ms INTEGER    NOT NULL
);
CREATE INDEX lead_status_changes_lead ON lead_status_changes (lead_id, changed_at_ms);
CREATE INDEX leads_status ON leads (status, received_at_ms);
CREATE INDEX leads_campaign ON leads (campaign_id, received_at_ms);
CREATE INDEX leads_lead_source ON leads (lead_source, received_at_ms);
CREATE INDEX leads_form ON leads (form_id, received_at_ms);
