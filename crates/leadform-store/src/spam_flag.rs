//! The lead's spam flag: the one step "mark spam" and "not spam" both take inside their
//! transaction (`Store::mark_lead_spam`, `Store::mark_lead_not_spam` in `lead_work`).

use crate::console_error::ConsoleStoreError;

/// A transaction that can write a lead's spam flag, on either backend.
pub(crate) trait SpamFlagTx {
    /// `UPDATE leads SET is_spam`; the number of rows changed (0: there is no such lead).
    async fn update_spam_flag(
        &mut self,
        lead_id: i64,
        is_spam: bool,
    ) -> Result<u64, ConsoleStoreError>;
}

macro_rules! spam_flag_tx_for {
    ($db:ty, $backend:literal) => {
        impl SpamFlagTx for sqlx::Transaction<'_, $db> {
            async fn update_spam_flag(
                &mut self,
                lead_id: i64,
                is_spam: bool,
            ) -> Result<u64, ConsoleStoreError> {
                let action = if is_spam {
                    "flag the lead as spam"
                } else {
                    "clear the spam flag"
                };
                Ok(sqlx::query("UPDATE leads SET is_spam = $1 WHERE id = $2")
                    .bind(is_spam)
                    .bind(lead_id)
                    .execute(&mut **self)
                    .await
                    .map_err(ConsoleStoreError::query($backend, action))?
                    .rows_affected())
            }
        }
    };
}

spam_flag_tx_for!(sqlx::Sqlite, "sqlite");
spam_flag_tx_for!(sqlx::Postgres, "postgres");

/// Sets lead `lead_id`'s spam flag in `tx`. An unknown lead is an error, so the caller's
/// transaction goes no further (no deliveries cancelled or queued, no audit entry).
pub(crate) async fn set_spam_flag(
    tx: &mut impl SpamFlagTx,
    lead_id: i64,
    is_spam: bool,
) -> Result<(), ConsoleStoreError> {
    match tx.update_spam_flag(lead_id, is_spam).await? {
        0 => Err(ConsoleStoreError::UnknownLead(lead_id)),
        _ => Ok(()),
    }
}
