//! Spent form tokens: a token carries one submission (and its retries), never a second one. A
//! lead spends its token in its own transaction (`lead_steps::spend_token_then_store_lead`).

use crate::backend::with_backend;
use crate::error::{failed, StoreError};
use crate::Store;

/// Who a form token was first used by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormTokenUse {
    /// This submission id, now or in an earlier attempt (a retry).
    ThisSubmission,
    /// A different submission id: the token is being replayed.
    AnotherSubmission,
}

impl Store {
    /// Forgets tokens used before `before_ms`: older tokens have expired, so no replay can match
    /// them any more. Returns how many rows went.
    pub async fn forget_form_tokens_used_before(&self, before_ms: i64) -> Result<u64, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let done = sqlx::query("DELETE FROM used_form_tokens WHERE used_at_ms < $1")
                .bind(before_ms)
                .execute(pool)
                .await
                .map_err(failed(dialect.name(), "forget expired form tokens"))?;
            Ok(done.rows_affected())
        })
    }
}

/// Recording a token's use on an open transaction (alone, or in a group commit).
pub(crate) trait FormTokenSteps {
    async fn record_form_token(
        &mut self,
        token_id: &str,
        submission_id: &str,
        now_ms: i64,
    ) -> Result<FormTokenUse, StoreError>;
}

macro_rules! impl_form_token_steps {
    ($db:ty, $backend:literal) => {
        impl FormTokenSteps for sqlx::Transaction<'_, $db> {
            async fn record_form_token(
                &mut self,
                token_id: &str,
                submission_id: &str,
                now_ms: i64,
            ) -> Result<FormTokenUse, StoreError> {
                sqlx::query(
                    "INSERT INTO used_form_tokens (token_id, submission_id, used_at_ms)
                     VALUES ($1, $2, $3)
                     ON CONFLICT (token_id) DO NOTHING",
                )
                .bind(token_id)
                .bind(submission_id)
                .bind(now_ms)
                .execute(&mut **self)
                .await
                .map_err(failed($backend, "record the form token"))?;
                let owner: String = sqlx::query_scalar(
                    "SELECT submission_id FROM used_form_tokens WHERE token_id = $1",
                )
                .bind(token_id)
                .fetch_one(&mut **self)
                .await
                .map_err(failed($backend, "read the form token"))?;
                Ok(if owner == submission_id {
                    FormTokenUse::ThisSubmission
                } else {
                    FormTokenUse::AnotherSubmission
                })
            }
        }
    };
}

impl_form_token_steps!(sqlx::Sqlite, "sqlite");
impl_form_token_steps!(sqlx::Postgres, "postgres");
