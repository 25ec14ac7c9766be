//! The operator's view of the outbox: `outbox list` and `outbox retry ID|--dead`.

use crate::backend::with_backend;
use crate::clock::{now_ms, rfc3339_from_ms};
use crate::error::{failed, StoreError};
use crate::model::{DeliveryFilter, DeliveryRecord};
use crate::Store;
use sqlx::Row;

pub(crate) const LIST_SQL: &str =
    "SELECT d.id, d.lead_id, l.submission_id, l.form_id, d.destination_kind,
        d.destination_id, d.destination_key, d.status, d.attempts, d.next_attempt_at_ms, d.last_error,
        d.delivered_at_ms, d.delivered_detail, d.event
    FROM deliveries d JOIN leads l ON l.id = d.lead_id";

/// Reads a [`DeliveryRecord`] from a row with the `LIST_SQL` columns (a macro: the row type differs
/// per backend).
macro_rules! delivery_from_row {
    ($row:expr, $fail:expr) => {{
        let row = $row;
        let read = $fail("read a delivery");
        let attempts: i64 = row.try_get("attempts").map_err(&read)?;
        let next_attempt_at_ms: Option<i64> = row.try_get("next_attempt_at_ms").map_err(&read)?;
        let delivered_at_ms: Option<i64> = row.try_get("delivered_at_ms").map_err(&read)?;
        let id: i64 = row.try_get("id").map_err(&read)?;
        Ok(DeliveryRecord {
            id,
            lead_id: row.try_get("lead_id").map_err(&read)?,
            submission_id: row.try_get("submission_id").map_err(&read)?,
            form_id: row.try_get("form_id").map_err(&read)?,
            destination_kind: row.try_get("destination_kind").map_err(&read)?,
            destination_id: row.try_get("destination_id").map_err(&read)?,
            destination_key: row.try_get("destination_key").map_err(&read)?,
            status: $crate::delivery_status::read_delivery_status(
                id,
                row.try_get("status").map_err(&read)?,
            )?,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            next_attempt_at: next_attempt_at_ms.map(rfc3339_from_ms),
            last_error: row.try_get("last_error").map_err(&read)?,
            delivered_at: delivered_at_ms.map(rfc3339_from_ms),
            delivered_detail: row.try_get("delivered_detail").map_err(&read)?,
            event: row.try_get("event").map_err(&read)?,
        })
    }};
}
pub(crate) use delivery_from_row;

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
            let fail = |action| failed(dialect.name(), action);
            let rows = match &status {
                None => {
                    sqlx::query(&format!("{LIST_SQL} ORDER BY d.id"))
                        .fetch_all(pool)
                        .await
                }
                Some(status) => {
                    sqlx::query(&format!("{LIST_SQL} WHERE d.status = $1 ORDER BY d.id"))
                        .bind(status)
                        .fetch_all(pool)
                        .await
                }
            }
            .map_err(fail("list deliveries"))?;
            rows.iter()
                .map(|row| -> Result<DeliveryRecord, StoreError> { delivery_from_row!(row, fail) })
                .collect()
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
