//! The outbox in numbers, for `GET /metrics`: deliveries by state and destination, and how long
//! the oldest unfinished one has waited. Read from the database, so every instance reports the
//! same shared outbox.

use crate::backend::with_backend;
use crate::delivery_status::DeliveryStatus;
use crate::error::{failed, StoreError};
use crate::Store;

/// How many deliveries to one destination are in one state.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxCount {
    #[sqlx(try_from = "String")]
    pub status: DeliveryStatus,
    pub destination_key: String,
    pub deliveries: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxSummary {
    pub counts: Vec<OutboxCount>,
    /// When the oldest delivery still pending or in flight was queued (ms since the epoch).
    pub oldest_unfinished_created_at_ms: Option<i64>,
}

const COUNTS_SQL: &str = "SELECT status, destination_key, COUNT(*) AS deliveries
    FROM deliveries GROUP BY status, destination_key ORDER BY destination_key, status";
const OLDEST_SQL: &str =
    "SELECT MIN(created_at_ms) FROM deliveries WHERE status IN ('pending', 'in_flight')";

impl Store {
    pub async fn outbox_summary(&self) -> Result<OutboxSummary, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let counts: Vec<OutboxCount> = sqlx::query_as(COUNTS_SQL)
                .fetch_all(pool)
                .await
                .map_err(failed(dialect.name(), "count deliveries by state"))?;
            let oldest: Option<i64> = sqlx::query_scalar(OLDEST_SQL)
                .fetch_one(pool)
                .await
                .map_err(failed(dialect.name(), "find the oldest pending delivery"))?;
            Ok(OutboxSummary {
                counts,
                oldest_unfinished_created_at_ms: oldest,
            })
        })
    }
}
