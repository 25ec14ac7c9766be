//! The operator's view of the outbox: `outbox list` and `outbox retry ID|--dead`.

use crate::backend::with_backend;
use crate::clock::{now_ms, rfc3339_from_ms};
use crate::delivery_status::read_delivery_status;
use crate::error::{failed, StoreError};
use crate::model::{DeliveryFilter, DeliveryRecord};
use crate::Store;

pub(crate) const LIST_SQL: &str =
    "SELECT d.id, d.lead_id, l.submission_id, l.form_id, d.destination_kind,
        d.destination_id, d.destination_key, d.status, d.attempts, d.next_attempt_at_ms, d.last_error,
        d.delivered_at_ms, d.delivered_detail, d.event
    FROM deliveries d JOIN leads l ON l.id = d.lead_id";

/// A row with the `LIST_SQL` columns, as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct DeliveryRow {
    id: i64,
    lead_id: i64,
    submission_id: String,
    form_id: String,
    destination_kind: String,
    destination_id: Option<String>,
    destination_key: String,
    status: String,
    attempts: i64,
    next_attempt_at_ms: Option<i64>,
    last_error: Option<String>,
    delivered_at_ms: Option<i64>,
    delivered_detail: Option<String>,
    event: String,
}

impl TryFrom<DeliveryRow> for DeliveryRecord {
    type Error = StoreError;

    fn try_from(row: DeliveryRow) -> Result<Self, StoreError> {
        Ok(DeliveryRecord {
            status: read_delivery_status(row.id, &row.status)?,
            id: row.id,
            lead_id: row.lead_id,
            submission_id: row.submission_id,
            form_id: row.form_id,
            destination_kind: row.destination_kind,
            destination_id: row.destination_id,
            destination_key: row.destination_key,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            next_attempt_at: row.next_attempt_at_ms.map(rfc3339_from_ms),
            last_error: row.last_error,
            delivered_at: row.delivered_at_ms.map(rfc3339_from_ms),
            delivered_detail: row.delivered_detail,
            event: row.event,
        })
    }
}

/// The records of `rows`; a status no release writes is a corrupt row naming its delivery.
pub(crate) fn delivery_records(rows: Vec<DeliveryRow>) -> Result<Vec<DeliveryRecord>, StoreError> {
    rows.into_iter().map(DeliveryRecord::try_from).collect()
}

/// Back to `pending`, due now. The attempt count starts over, so a replayed delivery gets the
/// forwarder's full retry schedule again instead of dying after one more failure.
const RETRY_SQL_PREFIX: &str = "UPDATE deliveries SET status = 'pending', attempts = 0,
        next_attempt_at_ms = $1, lease_until_ms = NULL, claim_token = NULL";

/// A delivery cancelled by erasure is never replayed: its lead has nothing left to send.
const NOT_ERASED: &str = "AND lead_id NOT IN (SELECT id FROM leads WHERE erased_at_ms IS NOT NULL)";

impl Store {
    /// Deliveries, oldest first, optionally only those with one status.
    pub async fn list_deliveries(
        &self,
        filter: DeliveryFilter,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let status = match filter {
            DeliveryFilter::All => None,
            DeliveryFilter::Status(status) => Some(status.as_str()),
        };
        with_backend!(&self.backend, |pool, dialect| {
            let rows: Vec<DeliveryRow> = match status {
                None => {
                    sqlx::query_as(&format!("{LIST_SQL} ORDER BY d.id"))
                        .fetch_all(pool)
                        .await
                }
                Some(status) => {
                    sqlx::query_as(&format!("{LIST_SQL} WHERE d.status = $1 ORDER BY d.id"))
                        .bind(status)
                        .fetch_all(pool)
                        .await
                }
            }
            .map_err(failed(dialect.name(), "list deliveries"))?;
            delivery_records(rows)
        })
    }

    /// Makes a `dead` or `pending` delivery due now. `false` when no such delivery is in either
    /// state (unknown id, in flight, or already delivered — a delivered lead is never sent twice).
    pub async fn retry_delivery(&self, id: i64) -> Result<bool, StoreError> {
        let updated = with_backend!(&self.backend, |pool, dialect| {
            sqlx::query(&format!(
                "{RETRY_SQL_PREFIX} WHERE id = $2 AND status IN ('dead', 'pending') {NOT_ERASED}"
            ))
            .bind(now_ms())
            .bind(id)
            .execute(pool)
            .await
            .map_err(failed(dialect.name(), "retry the delivery"))?
            .rows_affected()
        });
        Ok(updated > 0)
    }

    /// Makes every `dead` delivery due now; returns how many.
    pub async fn retry_dead(&self) -> Result<u64, StoreError> {
        Ok(with_backend!(&self.backend, |pool, dialect| {
            sqlx::query(&format!(
                "{RETRY_SQL_PREFIX} WHERE status = 'dead' {NOT_ERASED}"
            ))
            .bind(now_ms())
            .execute(pool)
            .await
            .map_err(failed(dialect.name(), "retry the dead deliveries"))?
            .rows_affected()
        }))
    }
}
