-- Vendor limits and outage probes shared by every instance on one database (issue 13 items 2
-- and 3). Times are the database's clock, ms since the Unix epoch. Additive: deliveries is not
-- touched. Keep in step with ../postgres/.

-- One row per request that counts against a destination's limit (HubSpot: every request;
-- Salesforce: every lead delivered). A row counts until counts_until_ms: while its request is in
-- flight, pessimistically (the lease plus the window); once answered, the window from the answer.
CREATE TABLE destination_sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    destination_key TEXT NOT NULL,
    counts_until_ms BIGINT NOT NULL,
    -- 1 until the vendor answered: then a full place frees sooner than counts_until_ms says.
    in_flight INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX destination_sends_by_key ON destination_sends (destination_key, counts_until_ms);

-- Salesforce's 500 per 24 h keeps counting what was delivered before this migration.
INSERT INTO destination_sends (destination_key, counts_until_ms, in_flight)
    SELECT destination_key, delivered_at_ms + 86400000, 0 FROM deliveries
    WHERE status = 'delivered' AND destination_key LIKE 'salesforce:%'
      AND delivered_at_ms IS NOT NULL;

-- A destination that is failing: its deliveries wait while one probe at a time is sent, on the
-- probe's own backoff; the first success releases them all. No row: the destination is healthy.
CREATE TABLE destination_outages (
    destination_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    -- When the next probe may go out.
    next_probe_at_ms BIGINT NOT NULL,
    -- The delivery being sent as the probe, and until when its claim holds the probe.
    probe_delivery_id BIGINT,
    probe_until_ms BIGINT,
    last_error TEXT NOT NULL,
    failing_since_ms BIGINT NOT NULL
);
