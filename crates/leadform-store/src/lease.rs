//! The database's clock: every instance on one PostgreSQL judges leases by the same clock (the
//! server's), however wrong its own is. SQLite has one process anyway; it takes
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
}
