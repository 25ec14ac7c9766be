//! Spent form tokens: a token carries one submission (and its retries), never a second one.

use crate::backend::with_backend;
use crate::error::{failed, StoreError};
use crate::Store;

/// Who a form token was first used by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormTokenUse {
    /// This submission id, now or in an earlier attempt (a retry).
    ThisSubmission,
    /// A different submission id: the token is being replayed.
    AnotherSubmission,
}

impl Store {
    /// Records that the token `token_id` carries `submission_id`, unless it already carries one,
    /// and says whose it is. First writer wins, also with concurrent callers on PostgreSQL.
    pub async fn use_form_token(
        &self,
        token_id: &str,
        submission_id: &str,
        now_ms: i64,
    ) -> Result<FormTokenUse, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            sqlx::query(
                "INSERT INTO used_form_tokens (token_id, submission_id, used_at_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (token_id) DO NOTHING",
            )
            .bind(token_id)
            .bind(submission_id)
            .bind(now_ms)
            .execute(pool)
            .await
            .map_err(fail("record the form token"))?;
            let owner: String = sqlx::query_scalar(
                "SELECT submission_id FROM used_form_tokens WHERE token_id = $1",
            )
            .bind(token_id)
            .fetch_one(pool)
            .await
            .map_err(fail("read the form token"))?;
            Ok(if owner == submission_id {
                FormTokenUse::ThisSubmission
            } else {
                FormTokenUse::AnotherSubmission
            })
        })
    }

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
