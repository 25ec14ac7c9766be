//! A direct connection to the store's database beside the store's own pool, for the overview
//! benchmark's batched inserts ([`crate::bulk`]), which the store's one-lead-at-a-time API would
//! make take minutes. Status changes go through `Store::change_lead_status`.

use sqlx::{PgPool, SqlitePool};

use crate::DemoError;

/// A direct connection to the store's database, beside the store's own pool.
pub enum DirectDatabase {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl DirectDatabase {
    /// `db` as given to `Store::open`: a SQLite path or a `postgres://` URL. Open the store first,
    /// so the file exists and the migrations have run.
    pub async fn connect(db: &str) -> Result<DirectDatabase, DemoError> {
        let failed = |source| DemoError::Sql {
            action: "connect to the database",
            source,
        };
        if leadform_store::is_postgres_url(db) {
            Ok(DirectDatabase::Postgres(
                PgPool::connect(db).await.map_err(failed)?,
            ))
        } else {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(db)
                .busy_timeout(std::time::Duration::from_secs(10));
            Ok(DirectDatabase::Sqlite(
                SqlitePool::connect_with(options).await.map_err(failed)?,
            ))
        }
    }

    pub async fn close(&self) {
        match self {
            DirectDatabase::Sqlite(pool) => pool.close().await,
            DirectDatabase::Postgres(pool) => pool.close().await,
        }
    }
}
