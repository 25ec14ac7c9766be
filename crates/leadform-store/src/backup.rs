//! `leadform-intake backup`: a consistent copy of a live SQLite database.
//!
//! `VACUUM INTO` reads inside one transaction, so the copy is a snapshot of committed data even
//! while the handler keeps writing (WAL lets the writer go on meanwhile). PostgreSQL has its own
//! tool for this, `pg_dump`, and we do not imitate it.

use crate::backend::Backend;
use crate::error::{failed, StoreError};
use crate::Store;
use std::path::Path;

impl Store {
    /// Writes a consistent copy of this SQLite database to `to`, which must not exist yet (a backup
    /// never overwrites anything). Returns the number of leads in the copy.
    pub async fn backup_to(&self, to: &Path) -> Result<u64, StoreError> {
        let pool = match &self.backend {
            Backend::Sqlite(pool) => pool,
            Backend::Postgres(_) => return Err(StoreError::BackupNeedsPgDump),
        };
        if to.exists() {
            return Err(StoreError::BackupTargetExists {
                path: to.display().to_string(),
            });
        }
        let target = to.to_str().ok_or_else(|| StoreError::BackupPathNotUtf8 {
            path: to.display().to_string(),
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(pool)
            .await
            .map_err(failed("sqlite", "write the backup copy"))?;
        let copy = Store::open(target).await?;
        let leads = copy.count_leads().await;
        copy.close().await;
        leads
    }

    async fn count_leads(&self) -> Result<u64, StoreError> {
        let count: i64 = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM leads")
                .fetch_one(pool)
                .await
                .map_err(failed("sqlite", "count the leads in the backup"))?,
            Backend::Postgres(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM leads")
                .fetch_one(pool)
                .await
                .map_err(failed("postgres", "count the leads"))?,
        };
        Ok(u64::try_from(count).unwrap_or(0))
    }
}
