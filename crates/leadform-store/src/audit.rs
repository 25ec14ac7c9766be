//! The audit log: who did what to which lead or user, and when. Append-only; shown to admins.

use crate::backend::with_backend;
use crate::clock::rfc3339_from_ms;
use crate::console_error::ConsoleStoreError;
use crate::Store;
use serde::Serialize;

/// What an audit entry records. Stored as [`AuditAction::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Login,
    LoginFailed,
    Logout,
    StatusChanged,
    OwnerAssigned,
    MarkedSpam,
    MarkedNotSpam,
    DeliveryRetried,
    UserAdded,
    UserRemoved,
    PasswordChanged,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Logout => "logout",
            AuditAction::StatusChanged => "status_changed",
            AuditAction::OwnerAssigned => "owner_assigned",
            AuditAction::MarkedSpam => "marked_spam",
            AuditAction::MarkedNotSpam => "marked_not_spam",
            AuditAction::DeliveryRetried => "delivery_retried",
            AuditAction::UserAdded => "user_added",
            AuditAction::UserRemoved => "user_removed",
            AuditAction::PasswordChanged => "password_changed",
        }
    }

    /// Words for people, for the audit page.
    pub fn label(action: &str) -> &str {
        match action {
            "login" => "Logged in",
            "login_failed" => "Failed login",
            "logout" => "Logged out",
            "status_changed" => "Changed status",
            "owner_assigned" => "Assigned owner",
            "marked_spam" => "Marked spam",
            "marked_not_spam" => "Marked not spam",
            "delivery_retried" => "Retried delivery",
            "user_added" => "Added user",
            "user_removed" => "Removed user",
            "password_changed" => "Changed password",
            other => other,
        }
    }
}

/// The actor recorded for changes made with the `leadform-intake user` commands.
pub const COMMAND_LINE_ACTOR: &str = "(command line)";

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at_ms: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// The user's name; empty for a visitor who is not logged in.
    pub actor: String,
    pub action: String,
    pub lead_id: Option<i64>,
    pub detail: String,
}

/// An `audit_log` row, as stored.
#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at_ms: i64,
    actor: String,
    action: String,
    lead_id: Option<i64>,
    detail: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        AuditEntry {
            id: row.id,
            at_ms: row.at_ms,
            at: rfc3339_from_ms(row.at_ms),
            actor: row.actor,
            action: row.action,
            lead_id: row.lead_id,
            detail: row.detail,
        }
    }
}

/// Inserts an audit row inside the caller's transaction `$tx`.
macro_rules! insert_audit {
    ($tx:expr, $fail:expr, $at_ms:expr, $actor:expr, $action:expr, $lead_id:expr, $detail:expr) => {
        sqlx::query(
            "INSERT INTO audit_log (at_ms, actor, action, lead_id, detail)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($at_ms)
        .bind($actor)
        .bind($action.as_str())
        .bind($lead_id)
        .bind($detail)
        .execute(&mut *$tx)
        .await
        .map_err($fail("record the audit entry"))?
    };
}
pub(crate) use insert_audit;

impl Store {
    /// Records one audit entry on its own (for events with no other write, like a login).
    pub async fn record_audit(
        &self,
        at_ms: i64,
        actor: &str,
        action: AuditAction,
        lead_id: Option<i64>,
        detail: &str,
    ) -> Result<(), ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let mut conn = pool.acquire().await.map_err(fail("connect"))?;
            insert_audit!(conn, fail, at_ms, actor, action, lead_id, detail);
            Ok(())
        })
    }

    /// The newest `limit` entries with an id below `before_id` (all when `None`), newest first.
    pub async fn audit_log(
        &self,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let rows: Vec<AuditRow> = sqlx::query_as(
                "SELECT id, at_ms, actor, action, lead_id, detail FROM audit_log
                 WHERE id < $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(before_id.unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(fail("read the audit log"))?;
            Ok(rows.into_iter().map(AuditEntry::from).collect())
        })
    }
}
