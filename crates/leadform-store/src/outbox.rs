//! The forwarder's side of the delivery outbox: claiming due deliveries under a lease, renewing it,
//! and recording each outcome only while the claim still holds; all of it as `OutboxStore` for
//! `Store`, the forwarder's contract (leadform-delivery).

use crate::backend::{with_backend, BeginWrite, Dialect};
use crate::error::{failed, StoreError};
use crate::intent_column::read_intent;
use crate::lead_json_column::read_lead_json;
use crate::Store;
use leadform_core::definition::LeadEvent;
use leadform_delivery::{
    DeliveryEvent, MqlHandOff, OutageGate, OutboxError, OutboxStore, PendingDelivery, RetryPolicy,
    SendSlot,
};

/// Reads a delivery's stored event back; a `lead.mql` row carries its person, score and time.
fn delivery_event(
    delivery_id: i64,
    event: String,
    person_id: Option<i64>,
    person_email: Option<String>,
    score: Option<i64>,
    mql_at_ms: Option<i64>,
) -> Result<DeliveryEvent, StoreError> {
    let corrupt = |detail: String| StoreError::CorruptRow {
        what: format!("event of delivery {delivery_id}"),
        detail,
    };
    match LeadEvent::parse(&event) {
        Some(LeadEvent::Created) => Ok(DeliveryEvent::Created),
        Some(LeadEvent::Mql) => match (person_id, person_email, score, mql_at_ms) {
            (Some(person_id), Some(email), Some(score), Some(mql_at_ms)) => {
                Ok(DeliveryEvent::Mql(MqlHandOff {
                    person_id,
                    email,
                    score,
                    mql_at_ms,
                }))
            }
            _ => Err(corrupt(
                "a lead.mql delivery without its person, score or time".into(),
            )),
        },
        None => Err(corrupt(format!(
            "{event:?} is not lead.created or lead.mql"
        ))),
    }
}

/// The claimed deliveries with their leads, in claim order. Binds: $1 claim_token.
const SELECT_CLAIMED_SQL: &str = "SELECT d.id, d.claim_token, d.lead_id, l.form_id, d.destination_id,
        d.destination_key, d.attempts, l.lead_json, l.intent, l.received_at_ms, l.client_ip, l.hubspotutk,
        l.user_agent, d.event, d.event_score, d.event_at_ms, l.person_id, p.email AS person_email
    FROM deliveries d JOIN leads l ON l.id = d.lead_id LEFT JOIN persons p ON p.id = l.person_id
    WHERE d.claim_token = $1
    ORDER BY d.next_attempt_at_ms, d.id";

/// A row with the [`SELECT_CLAIMED_SQL`] columns, as stored.
#[derive(sqlx::FromRow)]
struct ClaimedDeliveryRow {
    id: i64,
    claim_token: String,
    lead_id: i64,
    form_id: String,
    destination_id: Option<String>,
    destination_key: String,
    attempts: i64,
    lead_json: String,
    intent: String,
    received_at_ms: i64,
    client_ip: Option<String>,
    hubspotutk: Option<String>,
    user_agent: Option<String>,
    event: String,
    event_score: Option<i64>,
    event_at_ms: Option<i64>,
    person_id: Option<i64>,
    person_email: Option<String>,
}

impl TryFrom<ClaimedDeliveryRow> for PendingDelivery {
    type Error = StoreError;

    fn try_from(row: ClaimedDeliveryRow) -> Result<Self, StoreError> {
        let lead = read_lead_json(row.lead_id, &row.lead_json)?;
        let event = delivery_event(
            row.id,
            row.event,
            row.person_id,
            row.person_email,
            row.event_score,
            row.event_at_ms,
        )?;
        Ok(PendingDelivery {
            intent: read_intent(row.lead_id, &row.intent)?,
            id: row.id,
            claim_token: row.claim_token,
            lead_id: row.lead_id,
            form_id: row.form_id,
            destination_id: row.destination_id,
            destination_key: row.destination_key,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            lead,
            received_at_ms: row.received_at_ms,
            client_ip: row.client_ip,
            hubspotutk: row.hubspotutk,
            user_agent: row.user_agent,
            event,
        })
    }
}

/// `$5` is 1 when the try counts as an attempt, 0 when only a rate limit made it wait.
const SCHEDULE_RETRY_SQL: &str =
    "UPDATE deliveries SET status = 'pending', attempts = attempts + $5,
        last_error = $3, next_attempt_at_ms = $4, lease_until_ms = NULL, claim_token = NULL
    WHERE id = $1 AND status = 'in_flight' AND claim_token = $2";

/// Like a rate-limit wait, but due now if the destination's outage has already ended: a probe's
/// success releases only the rows already waiting, and this one may be recorded just after it.
fn wait_for_probe_sql(dialect: Dialect) -> String {
    format!(
        "UPDATE deliveries SET status = 'pending', last_error = $3, lease_until_ms = NULL,
            claim_token = NULL,
            next_attempt_at_ms = CASE WHEN EXISTS (SELECT 1 FROM destination_outages o
                WHERE o.destination_key = deliveries.destination_key) THEN $4 ELSE {} END
        WHERE id = $1 AND status = 'in_flight' AND claim_token = $2",
        dialect.now_ms_sql()
    )
}

const MARK_DEAD_SQL: &str = "UPDATE deliveries SET status = 'dead', attempts = attempts + 1,
        last_error = $3, next_attempt_at_ms = NULL, lease_until_ms = NULL, claim_token = NULL
    WHERE id = $1 AND status = 'in_flight' AND claim_token = $2";

impl Dialect {
    /// Extends a claim's lease. Binds: $1 id, $2 claim_token, $3 lease_ms.
    fn renew_lease_sql(self) -> &'static str {
        match self {
            Dialect::Sqlite => {
                "UPDATE deliveries
                 SET lease_until_ms = CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER) + $3
                 WHERE id = $1 AND status = 'in_flight' AND claim_token = $2"
            }
            Dialect::Postgres => {
                "UPDATE deliveries
                 SET lease_until_ms = CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) + $3
                 WHERE id = $1 AND status = 'in_flight' AND claim_token = $2"
            }
        }
    }

    /// in_flight(claim_token) → delivered, stamped by the database's clock.
    /// Binds: $1 id, $2 claim_token, $3 detail.
    fn mark_delivered_sql(self) -> &'static str {
        match self {
            Dialect::Sqlite => {
                "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1,
                    delivered_detail = $3,
                    delivered_at_ms = CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER),
                    next_attempt_at_ms = NULL, lease_until_ms = NULL, claim_token = NULL
                 WHERE id = $1 AND status = 'in_flight' AND claim_token = $2"
            }
            Dialect::Postgres => {
                "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1,
                    delivered_detail = $3,
                    delivered_at_ms = CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT),
                    next_attempt_at_ms = NULL, lease_until_ms = NULL, claim_token = NULL
                 WHERE id = $1 AND status = 'in_flight' AND claim_token = $2"
            }
        }
    }
}

/// How a claimed delivery ends (or pauses).
pub(crate) enum Outcome<'a> {
    Delivered {
        detail: &'a str,
    },
    Retry {
        next_attempt_at_ms: i64,
        last_error: &'a str,
        counts_as_attempt: bool,
    },
    Dead {
        reason: &'a str,
    },
    /// Waiting for a failing destination's probe (not an attempt): due at `next_attempt_at_ms`
    /// while the outage lasts, at once if it has ended.
    WaitForProbe {
        next_attempt_at_ms: i64,
        last_error: &'a str,
    },
}

impl Store {
    /// Extends the lease of a claimed delivery to `lease_ms` from now by the database's clock.
    /// False when the claim is no longer this one's (it expired and another claim took the row,
    /// or its outcome is already recorded): then the holder must not send.
    pub(crate) async fn renew_claim(
        &self,
        id: i64,
        claim_token: &str,
        lease_ms: i64,
    ) -> Result<bool, StoreError> {
        let updated = with_backend!(&self.backend, |pool, dialect| {
            sqlx::query(dialect.renew_lease_sql())
                .bind(id)
                .bind(claim_token)
                .bind(lease_ms)
                .execute(pool)
                .await
                .map_err(failed(dialect.name(), "renew a delivery's lease"))?
                .rows_affected()
        });
        Ok(updated == 1)
    }

    /// Claims up to `limit` due deliveries for `lease_ms`; see `OutboxStore::claim_due`.
    pub(crate) async fn claim_due_deliveries(
        &self,
        now_ms: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<PendingDelivery>, StoreError> {
        // One fresh token per claim: every row taken by this call carries it, and a later claim of
        // the same row (after this lease expires) replaces it.
        let claim_token = uuid::Uuid::new_v4().to_string();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let lease_until_ms = now_ms.saturating_add(lease_ms);
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin claiming deliveries"))?;
            let claimed: Vec<i64> = sqlx::query_scalar(dialect.claim_due_sql())
                .bind(lease_until_ms)
                .bind(&claim_token)
                .bind(now_ms)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await
                .map_err(fail("claim due deliveries"))?;
            if claimed.is_empty() {
                tx.rollback()
                    .await
                    .map_err(fail("end claiming deliveries"))?;
                return Ok(Vec::new());
            }
            let rows: Vec<ClaimedDeliveryRow> = sqlx::query_as(SELECT_CLAIMED_SQL)
                .bind(&claim_token)
                .fetch_all(&mut *tx)
                .await
                .map_err(fail("read the claimed deliveries"))?;
            tx.commit().await.map_err(fail("commit the claim"))?;
            rows.into_iter().map(PendingDelivery::try_from).collect()
        })
    }

    /// Records how a claimed delivery ended, only if it is still `in_flight` under `claim_token`:
    /// a worker whose lease expired (and whose delivery was claimed again) cannot record anything.
    pub(crate) async fn finish_claim(
        &self,
        id: i64,
        claim_token: &str,
        outcome: Outcome<'_>,
    ) -> Result<(), StoreError> {
        // Every statement binds $1 id and $2 claim_token first, then its own values.
        let updated = with_backend!(&self.backend, |pool, dialect| {
            let wait_sql = wait_for_probe_sql(dialect);
            let statement = match outcome {
                // Stamped by the database's clock: the Salesforce limit counts these times, and
                // every instance must count them alike.
                Outcome::Delivered { detail } => sqlx::query(dialect.mark_delivered_sql())
                    .bind(id)
                    .bind(claim_token)
                    .bind(detail),
                Outcome::Retry {
                    next_attempt_at_ms,
                    last_error,
                    counts_as_attempt,
                } => sqlx::query(SCHEDULE_RETRY_SQL)
                    .bind(id)
                    .bind(claim_token)
                    .bind(last_error)
                    .bind(next_attempt_at_ms)
                    .bind(i64::from(counts_as_attempt)),
                Outcome::Dead { reason } => sqlx::query(MARK_DEAD_SQL)
                    .bind(id)
                    .bind(claim_token)
                    .bind(reason),
                Outcome::WaitForProbe {
                    next_attempt_at_ms,
                    last_error,
                } => sqlx::query(&wait_sql)
                    .bind(id)
                    .bind(claim_token)
                    .bind(last_error)
                    .bind(next_attempt_at_ms),
            };
            statement
                .execute(pool)
                .await
                .map_err(failed(dialect.name(), "record a delivery outcome"))?
                .rows_affected()
        });
        if updated == 1 {
            Ok(())
        } else {
            Err(StoreError::NotClaimed { id })
        }
    }

    /// Deliveries to `destination_key` marked delivered at or after `since_ms`.
    pub(crate) async fn count_delivered_since(
        &self,
        destination_key: &str,
        since_ms: i64,
    ) -> Result<u64, StoreError> {
        let count: i64 = with_backend!(&self.backend, |pool, dialect| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM deliveries
                 WHERE destination_key = $1 AND status = 'delivered' AND delivered_at_ms >= $2",
            )
            .bind(destination_key)
            .bind(since_ms)
            .fetch_one(pool)
            .await
            .map_err(failed(dialect.name(), "count delivered deliveries"))?
        });
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

/// The forwarder's contract reports its errors as text (leadform-delivery cannot name `StoreError`).
fn outbox_error(error: StoreError) -> OutboxError {
    OutboxError(error.to_string())
}

impl OutboxStore for Store {
    async fn claim_due(
        &self,
        now_ms: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<PendingDelivery>, OutboxError> {
        self.claim_due_deliveries(now_ms, limit, lease_ms)
            .await
            .map_err(outbox_error)
    }

    async fn database_now_ms(&self) -> Result<i64, OutboxError> {
        Store::database_now_ms(self).await.map_err(outbox_error)
    }

    async fn renew_lease(
        &self,
        id: i64,
        claim_token: &str,
        lease_ms: i64,
    ) -> Result<bool, OutboxError> {
        self.renew_claim(id, claim_token, lease_ms)
            .await
            .map_err(outbox_error)
    }

    async fn take_send_slot(
        &self,
        destination_key: &str,
        max: u64,
        window_ms: i64,
        in_flight_ms: i64,
        at_once: Option<u64>,
    ) -> Result<SendSlot, OutboxError> {
        self.take_slot(destination_key, max, window_ms, in_flight_ms, at_once)
            .await
            .map_err(outbox_error)
    }

    async fn finish_send_slot(
        &self,
        slot_id: i64,
        counts: bool,
        window_ms: i64,
    ) -> Result<(), OutboxError> {
        self.finish_slot(slot_id, counts, window_ms)
            .await
            .map_err(outbox_error)
    }

    async fn pass_outage_gate(
        &self,
        destination_key: &str,
        delivery_id: i64,
        probe_lease_ms: i64,
    ) -> Result<OutageGate, OutboxError> {
        Store::pass_outage_gate(self, destination_key, delivery_id, probe_lease_ms)
            .await
            .map_err(outbox_error)
    }

    async fn record_destination_failure(
        &self,
        destination_key: &str,
        delivery_id: i64,
        reason: &str,
        probe: &RetryPolicy,
        retry_after_ms: Option<i64>,
    ) -> Result<(), OutboxError> {
        Store::record_destination_failure(
            self,
            destination_key,
            delivery_id,
            reason,
            probe,
            retry_after_ms,
        )
        .await
        .map_err(outbox_error)
    }

    async fn end_destination_outage(&self, destination_key: &str) -> Result<u64, OutboxError> {
        Store::end_destination_outage(self, destination_key)
            .await
            .map_err(outbox_error)
    }

    async fn mark_delivered(
        &self,
        id: i64,
        claim_token: &str,
        detail: &str,
    ) -> Result<(), OutboxError> {
        self.finish_claim(id, claim_token, Outcome::Delivered { detail })
            .await
            .map_err(outbox_error)
    }

    async fn schedule_retry(
        &self,
        id: i64,
        claim_token: &str,
        next_attempt_at_ms: i64,
        last_error: &str,
        counts_as_attempt: bool,
    ) -> Result<(), OutboxError> {
        let outcome = Outcome::Retry {
            next_attempt_at_ms,
            last_error,
            counts_as_attempt,
        };
        self.finish_claim(id, claim_token, outcome)
            .await
            .map_err(outbox_error)
    }

    async fn wait_for_probe(
        &self,
        id: i64,
        claim_token: &str,
        next_attempt_at_ms: i64,
        last_error: &str,
    ) -> Result<(), OutboxError> {
        let outcome = Outcome::WaitForProbe {
            next_attempt_at_ms,
            last_error,
        };
        self.finish_claim(id, claim_token, outcome)
            .await
            .map_err(outbox_error)
    }

    async fn mark_dead(&self, id: i64, claim_token: &str, reason: &str) -> Result<(), OutboxError> {
        self.finish_claim(id, claim_token, Outcome::Dead { reason })
            .await
            .map_err(outbox_error)
    }

    async fn delivered_count_since(
        &self,
        destination_key: &str,
        since_ms: i64,
    ) -> Result<u64, OutboxError> {
        self.count_delivered_since(destination_key, since_ms)
            .await
            .map_err(outbox_error)
    }
}
