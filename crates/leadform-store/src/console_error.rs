//! What the console's store calls (users, sessions, lead work) can refuse, each with its reason.

use crate::error::StoreError;
use crate::passwords::WeakPassword;

#[derive(Debug, thiserror::Error)]
pub enum ConsoleStoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a user named {0:?} already exists")]
    DuplicateUser(String),
    #[error("there is no user named {0:?}")]
    UnknownUser(String),
    #[error("{0:?} is not a usable user name: use 1 to 64 letters, digits, '.', '_', '-' or '@'")]
    InvalidUserName(String),
    #[error("weak password: {0}")]
    WeakPassword(#[from] WeakPassword),
    #[error("cannot hash the password: {0}")]
    Hashing(String),
    #[error("there is no lead {0}")]
    UnknownLead(i64),
    #[error("there is no user with id {0} to own the lead")]
    UnknownOwner(i64),
    #[error("closing a lead needs a reason: not interested, student or researcher, not our market, or duplicate")]
    ReasonRequired,
    #[error("a reason is only given when the lead is closed")]
    ReasonOnlyWhenClosed,
    #[error("delivery {0} is neither dead nor pending, so it cannot be retried")]
    NotRetryable(i64),
}

impl ConsoleStoreError {
    pub(crate) fn query(
        backend: &'static str,
        action: &'static str,
    ) -> impl Fn(sqlx::Error) -> Self {
        move |source| {
            ConsoleStoreError::Store(StoreError::Query {
                backend,
                action,
                source,
            })
        }
    }
}
