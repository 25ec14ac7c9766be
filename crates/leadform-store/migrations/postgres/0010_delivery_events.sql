-- A delivery is for one event (issue 10 §5): `lead.created` when the lead is stored, `lead.mql`
-- when its person first reaches the MQL threshold. A lead may have one of each for the same
-- destination, so the unique keys gain the event. Keep in step with ../sqlite/.
ALTER TABLE deliveries ADD COLUMN event TEXT NOT NULL DEFAULT 'lead.created'
    CHECK (event IN ('lead.created', 'lead.mql'));
-- For `lead.mql`: the score when the threshold was reached, and when (persons.mql_at_ms).
ALTER TABLE deliveries ADD COLUMN event_score BIGINT;
ALTER TABLE deliveries ADD COLUMN event_at_ms BIGINT;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_lead_id_destination_index_key;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_lead_id_destination_index_event_key
    UNIQUE (lead_id, destination_index, event);
DROP INDEX deliveries_lead_destination_id;
CREATE UNIQUE INDEX deliveries_lead_destination_id ON deliveries (lead_id, destination_id, event);
