-- The console's overview counts leads per week with
-- `GROUP BY (received_at_ms - 345600000) / 604800000, …` (weeks from the first Monday after the
-- epoch). Without statistics on that expression the planner guesses one group per lead, sorts
-- 100,000 rows on disk and aggregates them (about 450 ms); with them it knows there are a few
-- hundred groups and hashes them (about 90 ms). The expression must stay exactly as
-- `leadform_store::reports::volume` writes it. SQLite has no such statistics (its 0013 is empty).
CREATE STATISTICS leads_overview_week ON ((received_at_ms - 345600000) / 604800000) FROM leads;
ANALYZE leads;
