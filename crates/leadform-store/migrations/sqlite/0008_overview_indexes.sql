-- The console's overview (issue 9) reads every lead of a date range for a handful of columns. With
-- this covering index, both backends answer from the index alone instead of visiting each row
-- (which carries the whole lead JSON twice). Keep in step with the other dialect.
CREATE INDEX leads_overview ON leads (
    received_at_ms, is_spam, intent, form_id, campaign_id, lead_source, status,
    first_contacted_at_ms, id);
