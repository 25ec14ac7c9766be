//! Is the database usable right now? For `GET /readyz`: a load balancer sends visitors only to an
//! instance whose database answers and whose schema is the one this binary expects.

use crate::backend::Backend;
use crate::migrations;
use crate::Store;

/// Why the store is not ready, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotReady {
    #[error("the database does not answer: {0}")]
    Unreachable(String),
    #[error("{applied} of {expected} schema migrations are applied")]
    Migrations { applied: i64, expected: i64 },
}

impl Store {
    /// `Ok` when a query round-trips and every migration embedded in this binary is applied.
    pub async fn readiness(&self) -> Result<(), NotReady> {
        let query = "SELECT COUNT(*) FROM _sqlx_migrations WHERE success";
        let (applied, expected): (Result<i64, sqlx::Error>, usize) = match &self.backend {
            Backend::Sqlite(pool) => (
                sqlx::query_scalar(query).fetch_one(pool).await,
                migrations::SQLITE.iter().count(),
            ),
            Backend::Postgres(pool) => (
                sqlx::query_scalar(query).fetch_one(pool).await,
                migrations::POSTGRES.iter().count(),
            ),
        };
        let applied = applied.map_err(|error| NotReady::Unreachable(error.to_string()))?;
        let expected = i64::try_from(expected).unwrap_or(i64::MAX);
        if applied < expected {
            return Err(NotReady::Migrations { applied, expected });
        }
        Ok(())
    }
}
