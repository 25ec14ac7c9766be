//! Opening a store: picking the backend from `--db`, connecting, and running the embedded migrations.

use crate::backend::Backend;
use crate::error::StoreError;
// One redaction for every place that prints a connection string (store errors, xtask).
use leadform_core::redact::redact_password;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, PgConnection};
use std::str::FromStr;
use std::time::Duration;

/// How long a writer waits for SQLite's write lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// SQLite serialises writers, so a few connections are enough (readers run alongside in WAL mode).
const SQLITE_MAX_CONNECTIONS: u32 = 4;
const POSTGRES_MAX_CONNECTIONS: u32 = 10;
/// How long a caller waits for a free pooled connection under load before it gets an error.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(60);

/// `true` when `--db` names a PostgreSQL server rather than a SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

pub(crate) async fn open_sqlite(path: &str) -> Result<(Backend, String), StoreError> {
    let open_error = |source| StoreError::OpenSqlite {
        path: path.to_string(),
        source,
    };
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: the commit is on disk before the handler answers 201, even across a power cut.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .foreign_keys(true)
        .disable_statement_logging();
    let pool = SqlitePoolOptions::new()
        .max_connections(SQLITE_MAX_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(open_error)?;
    sqlx::migrate!("./migrations/sqlite")
        .run(&pool)
        .await
        .map_err(|source| StoreError::Migrate {
            backend: "sqlite",
            source,
        })?;
    Ok((
        Backend::Sqlite(pool),
        "SQLite WAL, synchronous=FULL".to_string(),
    ))
}

pub(crate) async fn open_postgres(url: &str) -> Result<(Backend, String), StoreError> {
    let connect_error = |source| StoreError::ConnectPostgres {
        url: redact_password(url),
        source,
    };
    let options = PgConnectOptions::from_str(url)
        .map_err(connect_error)?
        .disable_statement_logging();
    // One direct connection first: the pool retries a refused connection until its acquire timeout,
    // but an operator with a wrong --db deserves the error at once.
    PgConnection::connect_with(&options)
        .await
        .map_err(connect_error)?
        .close()
        .await
        .map_err(connect_error)?;
    let pool = PgPoolOptions::new()
        .max_connections(POSTGRES_MAX_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(connect_error)?;
    sqlx::migrate!("./migrations/postgres")
        .run(&pool)
        .await
        .map_err(|source| StoreError::Migrate {
            backend: "postgres",
            source,
        })?;
    let synchronous_commit: String = sqlx::query_scalar("SHOW synchronous_commit")
        .fetch_one(&pool)
        .await
        .map_err(connect_error)?;
    Ok((
        Backend::Postgres(pool),
        format!("PostgreSQL, synchronous_commit={synchronous_commit}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_postgres_urls_select_postgres() {
        assert!(is_postgres_url("postgres://localhost/x"));
        assert!(is_postgres_url("postgresql://localhost/x"));
        assert!(!is_postgres_url("./leadform.db"));
        assert!(!is_postgres_url("postgres.db"));
    }
}
