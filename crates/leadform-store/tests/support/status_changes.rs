//! Writes lead status changes straight into the tables of migration 0005, exactly as its comments
//! describe: `leads.status`, `closed_reason`, `status_changed_at_ms`, `first_contacted_at_ms` (the
//! first move from `open` to `contacted` or beyond) and a `lead_status_changes` row.
//!
//! STAND-IN: this stands in for `Store::change_lead_status`, which the console branch writes at the
//! same time; replace these calls with it when the branches merge.

use sqlx::{PgPool, SqlitePool};

/// A status change to record.
pub struct StatusChange<'a> {
    pub lead_id: i64,
    pub to_status: &'a str,
    pub closed_reason: Option<&'a str>,
    pub changed_by: &'a str,
    pub changed_at_ms: i64,
}

/// A direct connection to a test database, beside the store's own pool.
pub enum StatusWriter {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

macro_rules! record {
    ($pool:expr, $change:expr) => {{
        let change = $change;
        let mut tx = $pool.begin().await.expect("begin the status change");
        let from_status: String = sqlx::query_scalar("SELECT status FROM leads WHERE id = $1")
            .bind(change.lead_id)
            .fetch_one(&mut *tx)
            .await
            .expect("read the lead's status");
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
        .expect("update the lead's status");
        sqlx::query(
            "INSERT INTO lead_status_changes
                 (lead_id, changed_by, from_status, to_status, closed_reason, changed_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(change.lead_id)
        .bind(change.changed_by)
        .bind(&from_status)
        .bind(change.to_status)
        .bind(change.closed_reason)
        .bind(change.changed_at_ms)
        .execute(&mut *tx)
        .await
        .expect("record the status change");
        tx.commit().await.expect("commit the status change");
    }};
}

impl StatusWriter {
    /// `db` as given to `Store::open`: a SQLite path or a `postgres://` URL.
    pub async fn connect(db: &str) -> StatusWriter {
        if leadform_store::is_postgres_url(db) {
            StatusWriter::Postgres(PgPool::connect(db).await.expect("connect to PostgreSQL"))
        } else {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(db)
                .busy_timeout(std::time::Duration::from_secs(10));
            StatusWriter::Sqlite(
                SqlitePool::connect_with(options)
                    .await
                    .expect("open the SQLite file"),
            )
        }
    }

    pub async fn change(&self, change: StatusChange<'_>) {
        match self {
            StatusWriter::Sqlite(pool) => record!(pool, change),
            StatusWriter::Postgres(pool) => record!(pool, change),
        }
    }

    pub async fn close(&self) {
        match self {
            StatusWriter::Sqlite(pool) => pool.close().await,
            StatusWriter::Postgres(pool) => pool.close().await,
        }
    }
}
