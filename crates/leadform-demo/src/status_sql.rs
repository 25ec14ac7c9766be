//! Writes a lead status change straight into the tables of migration 0005, exactly as its
//! comments describe: `leads.status`, `closed_reason`, `status_changed_at_ms`,
//! `first_contacted_at_ms` (the first move from `open` to `contacted` or beyond) and a
//! `lead_status_changes` row.
//!
//! STAND-IN: this stands in for `Store::change_lead_status`, which the console branch writes at the
//! same time; replace it with that call when the branches merge.

use sqlx::{PgPool, SqlitePool};

use crate::DemoError;

/// A status change to record.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub lead_id: i64,
    pub to_status: &'static str,
    pub closed_reason: Option<&'static str>,
    pub changed_by: String,
    pub changed_at_ms: i64,
}

/// A direct connection to the store's database, beside the store's own pool.
pub enum DirectDatabase {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

macro_rules! record {
    ($pool:expr, $change:expr) => {{
        let change = $change;
        let failed = |source| DemoError::Sql {
            action: "record a status change",
            source,
        };
        let mut tx = $pool.begin().await.map_err(failed)?;
        let from_status: String = sqlx::query_scalar("SELECT status FROM leads WHERE id = $1")
            .bind(change.lead_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(failed)?;
        let reaches_contacted = matches!(change.to_status, "contacted" | "qualified" | "converted");
        sqlx::query(
            "UPDATE leads SET status = $1, closed_reason = $2, status_changed_at_ms = $3,
                 first_contacted_at_ms = CASE WHEN first_contacted_at_ms IS NULL AND $4
                                              THEN $3 ELSE first_contacted_at_ms END
             WHERE id = $5",
        )
        .bind(change.to_status)
        .bind(change.closed_reason)
        .bind(change.changed_at_ms)
        .bind(reaches_contacted)
        .bind(change.lead_id)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
        sqlx::query(
            "INSERT INTO lead_status_changes
                 (lead_id, changed_by, from_status, to_status, closed_reason, changed_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(change.lead_id)
        .bind(&change.changed_by)
        .bind(&from_status)
        .bind(change.to_status)
        .bind(change.closed_reason)
        .bind(change.changed_at_ms)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
        Ok(())
    }};
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

    pub async fn change_status(&self, change: &StatusChange) -> Result<(), DemoError> {
        match self {
            DirectDatabase::Sqlite(pool) => record!(pool, change),
            DirectDatabase::Postgres(pool) => record!(pool, change),
        }
    }

    pub async fn close(&self) {
        match self {
            DirectDatabase::Sqlite(pool) => pool.close().await,
            DirectDatabase::Postgres(pool) => pool.close().await,
        }
    }
}
