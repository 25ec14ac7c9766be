//! The database's clock and lease renewal: every instance on one PostgreSQL judges leases by the
//! same clock (the server's), however wrong its own is. SQLite has one process anyway; it takes
//! the same path with SQLite's clock.

use crate::backend::{with_backend, Dialect};
use crate::error::{failed, StoreError};
use crate::Store;

impl Dialect {
    /// Milliseconds since the Unix epoch by the database's clock, as an SQL expression. PostgreSQL's
    /// `clock_timestamp()` moves within a transaction (unlike `now()`), so a long claim transaction
    /// still reads the current time.
    /// SQLite's `julianday` is rounded, not truncated: its float can land a hair under the whole
    /// millisecond, which would make a time the handler wrote a moment ago look still in the future.
    pub(crate) fn now_ms_sql(self) -> &'static str {
        match self {
            Dialect::Sqlite => {
                "CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)"
            }
            Dialect::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
        }
    }

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
}

impl Dialect {
    /// in_flight(claim_token) → delivered, stamped by the database's clock.
    /// Binds: $1 id, $2 claim_token, $3 detail.
    pub(crate) fn mark_delivered_sql(self) -> &'static str {
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

impl Store {
    /// Now by the database's clock, ms since the Unix epoch.
    pub async fn database_now_ms(&self) -> Result<i64, StoreError> {
        Ok(with_backend!(&self.backend, |pool, dialect| {
            sqlx::query_scalar::<_, i64>(&format!("SELECT {}", dialect.now_ms_sql()))
                .fetch_one(pool)
                .await
                .map_err(failed(dialect.name(), "read the database clock"))?
        }))
    }

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
}
