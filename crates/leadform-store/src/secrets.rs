//! Server secrets: one random value per purpose, shared by every handler instance on the database.

use crate::backend::with_backend;
use crate::error::{failed, StoreError};
use crate::Store;

impl Store {
    /// The secret stored for `purpose`, storing `candidate` first if there is none yet.
    ///
    /// Several instances may start at once: the first insert wins and every instance then reads
    /// that row, so all of them sign with the same secret.
    pub async fn server_secret(
        &self,
        purpose: &str,
        candidate: &str,
        now_ms: i64,
    ) -> Result<String, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            sqlx::query(
                "INSERT INTO server_secrets (purpose, secret_hex, created_at_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (purpose) DO NOTHING",
            )
            .bind(purpose)
            .bind(candidate)
            .bind(now_ms)
            .execute(pool)
            .await
            .map_err(fail("store the server secret"))?;
            let secret: String =
                sqlx::query_scalar("SELECT secret_hex FROM server_secrets WHERE purpose = $1")
                    .bind(purpose)
                    .fetch_one(pool)
                    .await
                    .map_err(fail("read the server secret"))?;
            Ok(secret)
        })
    }
}
