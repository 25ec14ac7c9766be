-- Kept in step with postgres/0013, which gives PostgreSQL's planner statistics on the overview's
-- week expression. SQLite has no expression statistics and answers the overview from the
-- `leads_overview` covering index (0008), so there is nothing to do here.
SELECT 1;
