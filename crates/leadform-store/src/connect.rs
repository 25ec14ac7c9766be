//! Opening a store: picking the backend from `--db`, connecting, and running the embedded migrations.

use crate::backend::Backend;
use crate::error::StoreError;
use crate::migrations;
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
/// How long a caller waits for a free pooled connection under load before it gets an error (the
/// handler answers 503, nothing saved). The widget aborts its request after 20 s
/// (`src/services/http.rs`): the wait plus SQLite's busy timeout must end before that, or the
/// visitor sees a network error instead of "try again", and a lead may be stored after it gave up.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

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
    migrations::SQLITE
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
    migrations::POSTGRES
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

    /// The widget's own request timeout (`src/services/http.rs`).
    const WIDGET_REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

    /// Holds every connection of `pool`, then asks for one more: the wait must end in an error
    /// before the widget gives up.
    async fn one_more_than_the_pool_holds<DB: sqlx::Database>(pool: &sqlx::Pool<DB>, size: u32) {
        let mut held = Vec::new();
        for _ in 0..size {
            held.push(pool.acquire().await.expect("a pooled connection"));
        }
        let waited = tokio::time::timeout(WIDGET_REQUEST_TIMEOUT, pool.acquire())
            .await
            .expect("the pool gives up before the widget does");
        assert!(
            matches!(waited, Err(sqlx::Error::PoolTimedOut)),
            "{:?}",
            waited.map(|_| ())
        );
    }

    #[tokio::test]
    async fn a_full_pool_gives_up_before_the_widget_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("leads.db");
        let (backend, _) = open_sqlite(path.to_str().unwrap()).await.unwrap();
        let Backend::Sqlite(pool) = backend else {
            panic!("a SQLite path opens SQLite")
        };
        one_more_than_the_pool_holds(&pool, SQLITE_MAX_CONNECTIONS).await;
        pool.close().await;

        let Some(admin_url) = leadform_testdb::postgres_admin_url() else {
            eprintln!("LEADFORM_TEST_POSTGRES_URL is not set: skipping the PostgreSQL variant");
            return;
        };
        let database = leadform_testdb::ScratchDatabase::create(&admin_url).await;
        let (backend, _) = open_postgres(&database.url).await.unwrap();
        let Backend::Postgres(pool) = backend else {
            panic!("a postgres:// URL opens PostgreSQL")
        };
        one_more_than_the_pool_holds(&pool, POSTGRES_MAX_CONNECTIONS).await;
        pool.close().await;
        database.drop_database().await;
    }

    #[test]
    fn only_postgres_urls_select_postgres() {
        assert!(is_postgres_url("postgres://localhost/x"));
        assert!(is_postgres_url("postgresql://localhost/x"));
        assert!(!is_postgres_url("./leadform.db"));
        assert!(!is_postgres_url("postgres.db"));
    }
}
