//! The forwarder's side of the delivery outbox: claiming due deliveries under a lease, and recording
//! each outcome only while the claim still holds.

use crate::backend::{with_backend, BeginWrite, Dialect};
use crate::error::{failed, StoreError};
use crate::Store;
use leadform_core::definition::LeadEvent;
use leadform_core::{Intent, LeadSubmission};
use leadform_delivery::{DeliveryEvent, MqlHandOff, PendingDelivery};
use sqlx::Row;

/// Reads the stored intent back.
fn parse_intent(lead_id: i64, stored: &str) -> Result<Intent, StoreError> {
    match stored {
        "contact_request" => Ok(Intent::ContactRequest),
        "content_download" => Ok(Intent::ContentDownload),
        other => Err(StoreError::CorruptRow {
            what: format!("intent of lead {lead_id}"),
            detail: format!("{other:?} is not contact_request or content_download"),
        }),
    }
}

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
            let rows = sqlx::query(SELECT_CLAIMED_SQL)
                .bind(&claim_token)
                .fetch_all(&mut *tx)
                .await
                .map_err(fail("read the claimed deliveries"))?;
            tx.commit().await.map_err(fail("commit the claim"))?;
            rows.iter()
                .map(|row| -> Result<PendingDelivery, StoreError> {
                    let read = fail("read a claimed delivery");
                    let lead_id: i64 = row.try_get("lead_id").map_err(&read)?;
                    let lead_json: String = row.try_get("lead_json").map_err(&read)?;
                    let lead: LeadSubmission =
                        serde_json::from_str(&lead_json).map_err(|e| StoreError::CorruptRow {
                            what: format!("lead {lead_id}"),
                            detail: e.to_string(),
                        })?;
                    let intent: String = row.try_get("intent").map_err(&read)?;
                    let attempts: i64 = row.try_get("attempts").map_err(&read)?;
                    let event = delivery_event(
                        row.try_get("id").map_err(&read)?,
                        row.try_get("event").map_err(&read)?,
                        row.try_get("person_id").map_err(&read)?,
                        row.try_get("person_email").map_err(&read)?,
                        row.try_get("event_score").map_err(&read)?,
                        row.try_get("event_at_ms").map_err(&read)?,
                    )?;
                    Ok(PendingDelivery {
                        id: row.try_get("id").map_err(&read)?,
                        claim_token: row.try_get("claim_token").map_err(&read)?,
                        lead_id,
                        form_id: row.try_get("form_id").map_err(&read)?,
                        destination_id: row.try_get("destination_id").map_err(&read)?,
                        destination_key: row.try_get("destination_key").map_err(&read)?,
                        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                        lead,
                        intent: parse_intent(lead_id, &intent)?,
                        received_at_ms: row.try_get("received_at_ms").map_err(&read)?,
                        client_ip: row.try_get("client_ip").map_err(&read)?,
                        hubspotutk: row.try_get("hubspotutk").map_err(&read)?,
                        user_agent: row.try_get("user_agent").map_err(&read)?,
                        event,
                    })
                })
                .collect()
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
