-- Deliveries follow their destination's identity (issue 7, item 2), never its position in the
-- form's list. Keep in step with ../postgres/.
--
-- destination_id is `Destination::id()`: the definition's explicit `id`, or one derived from where
-- the destination sends. Rows stored before this have none; Salesforce ids are the old key, so
-- they are backfilled here. Webhook rows get theirs when the store opens (it needs SHA-256 of the
-- URL, and their stored URL is redacted at the same time); other old rows are matched by their
-- key when claimed. destination_index stays only as a record of the position at intake.
ALTER TABLE deliveries ADD COLUMN destination_id TEXT;
-- Two Salesforce destinations of one form with the same org left two rows with one key per lead:
-- those stay without an id (the forwarder marks them dead as ambiguous rather than guess).
UPDATE deliveries SET destination_id = destination_key
    WHERE destination_kind = 'salesforce_web_to_lead' AND destination_key LIKE 'salesforce:%'
      AND NOT EXISTS (SELECT 1 FROM deliveries other
                      WHERE other.lead_id = deliveries.lead_id
                        AND other.destination_key = deliveries.destination_key
                        AND other.id <> deliveries.id);
CREATE UNIQUE INDEX deliveries_lead_destination_id ON deliveries (lead_id, destination_id);
