//! Working a lead from the console: its status (with an append-only history), its owner, and its
//! spam flag. Each change and its audit entry commit in one transaction.

use crate::audit::{insert_audit, AuditAction};
use crate::backend::{with_backend, BeginWrite};
use crate::console_error::ConsoleStoreError;
use crate::model::NewDelivery;
use crate::Store;
use serde::Serialize;

/// Where a salesperson is with a lead. Spam is not a status: it is the lead's flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    Open,
    Contacted,
    Qualified,
    Converted,
    Closed,
}

impl LeadStatus {
    pub const ALL: [LeadStatus; 5] = [
        LeadStatus::Open,
        LeadStatus::Contacted,
        LeadStatus::Qualified,
        LeadStatus::Converted,
        LeadStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::Open => "open",
            LeadStatus::Contacted => "contacted",
            LeadStatus::Qualified => "qualified",
            LeadStatus::Converted => "converted",
            LeadStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LeadStatus::Open => "Open (new)",
            LeadStatus::Contacted => "Contacted",
            LeadStatus::Qualified => "Qualified",
            LeadStatus::Converted => "Converted",
            LeadStatus::Closed => "Closed",
        }
    }

    pub fn parse(text: &str) -> Option<LeadStatus> {
        LeadStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Contacted, qualified and converted all mean someone reached the person: the speed-to-lead
    /// clock stops the first time a lead gets there. Closing a lead unanswered does not stop it.
    pub fn means_contacted(self) -> bool {
        matches!(
            self,
            LeadStatus::Contacted | LeadStatus::Qualified | LeadStatus::Converted
        )
    }
}

/// Why a lead was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosedReason {
    NotInterested,
    StudentOrResearcher,
    NotOurMarket,
    Duplicate,
}

impl ClosedReason {
    pub const ALL: [ClosedReason; 4] = [
        ClosedReason::NotInterested,
        ClosedReason::StudentOrResearcher,
        ClosedReason::NotOurMarket,
        ClosedReason::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClosedReason::NotInterested => "not_interested",
            ClosedReason::StudentOrResearcher => "student_or_researcher",
            ClosedReason::NotOurMarket => "not_our_market",
            ClosedReason::Duplicate => "duplicate",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClosedReason::NotInterested => "Not interested",
            ClosedReason::StudentOrResearcher => "Student or researcher",
            ClosedReason::NotOurMarket => "Not our market",
            ClosedReason::Duplicate => "Duplicate",
        }
    }

    pub fn parse(text: &str) -> Option<ClosedReason> {
        ClosedReason::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// What `change_lead_status` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChangeOutcome {
    Changed {
        from: LeadStatus,
    },
    /// The lead already had that status and reason; nothing was recorded.
    Unchanged,
}

/// Reads the lead's current status under a write lock, or answers UnknownLead.
macro_rules! current_status {
    ($tx:expr, $fail:expr, $lead_id:expr) => {{
        let row: Option<(String,)> = sqlx::query_as("SELECT status FROM leads WHERE id = $1")
            .bind($lead_id)
            .fetch_optional(&mut *$tx)
            .await
            .map_err($fail("read the lead's status"))?;
        let Some((status,)) = row else {
            return Err(ConsoleStoreError::UnknownLead($lead_id));
        };
        LeadStatus::parse(&status).unwrap_or(LeadStatus::Open)
    }};
}

impl Store {
    /// Moves a lead to `to` (a reason is required for `closed` and refused otherwise), records the
    /// change in its history and the audit log, and sets `first_contacted_at_ms` the first time the
    /// lead reaches contacted or beyond.
    pub async fn change_lead_status(
        &self,
        lead_id: i64,
        to: LeadStatus,
        reason: Option<ClosedReason>,
        changed_by: &str,
        now_ms: i64,
    ) -> Result<StatusChangeOutcome, ConsoleStoreError> {
        match (to, reason) {
            (LeadStatus::Closed, None) => return Err(ConsoleStoreError::ReasonRequired),
            (LeadStatus::Closed, Some(_)) | (_, None) => {}
            (_, Some(_)) => return Err(ConsoleStoreError::ReasonOnlyWhenClosed),
        }
        let reason = reason.map(ClosedReason::as_str);
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin the status change"))?;
            // PostgreSQL: lock the row so two people changing it at once both land in the history
            // in order. SQLite's write transaction is already exclusive.
            if dialect == crate::backend::Dialect::Postgres {
                sqlx::query("SELECT id FROM leads WHERE id = $1 FOR UPDATE")
                    .bind(lead_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(fail("lock the lead"))?;
            }
            let from = current_status!(tx, fail, lead_id);
            let old_reason: Option<String> =
                sqlx::query_scalar("SELECT closed_reason FROM leads WHERE id = $1")
                    .bind(lead_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(fail("read the lead's reason"))?;
            if from == to && old_reason.as_deref() == reason {
                tx.rollback().await.map_err(fail("end the status change"))?;
                return Ok(StatusChangeOutcome::Unchanged);
            }
            let contacted_at = to.means_contacted().then_some(now_ms);
            sqlx::query(
                "UPDATE leads SET status = $1, closed_reason = $2, status_changed_at_ms = $3,
                     first_contacted_at_ms = COALESCE(first_contacted_at_ms, $4)
                 WHERE id = $5",
            )
            .bind(to.as_str())
            .bind(reason)
            .bind(now_ms)
            .bind(contacted_at)
            .bind(lead_id)
            .execute(&mut *tx)
            .await
            .map_err(fail("change the lead's status"))?;
            sqlx::query(
                "INSERT INTO lead_status_changes
                     (lead_id, changed_by, from_status, to_status, closed_reason, changed_at_ms)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(lead_id)
            .bind(changed_by)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(reason)
            .bind(now_ms)
            .execute(&mut *tx)
            .await
            .map_err(fail("record the status change"))?;
            let detail = match reason {
                Some(reason) => format!("{} → {} ({reason})", from.as_str(), to.as_str()),
                None => format!("{} → {}", from.as_str(), to.as_str()),
            };
            insert_audit!(
                tx,
                fail,
                now_ms,
                changed_by,
                AuditAction::StatusChanged,
                Some(lead_id),
                &detail
            );
            tx.commit()
                .await
                .map_err(fail("commit the status change"))?;
            Ok(StatusChangeOutcome::Changed { from })
        })
    }

    /// Assigns the lead to a user (or to nobody with `None`).
    pub async fn assign_lead_owner(
        &self,
        lead_id: i64,
        owner_user_id: Option<i64>,
        changed_by: &str,
        now_ms: i64,
    ) -> Result<(), ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin the assignment"))?;
            let owner_name = match owner_user_id {
                None => "nobody".to_owned(),
                Some(id) => {
                    let name: Option<String> =
                        sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(fail("find the owner"))?;
                    name.ok_or(ConsoleStoreError::UnknownOwner(id))?
                }
            };
            let updated = sqlx::query("UPDATE leads SET owner_user_id = $1 WHERE id = $2")
                .bind(owner_user_id)
                .bind(lead_id)
                .execute(&mut *tx)
                .await
                .map_err(fail("assign the lead"))?
                .rows_affected();
            if updated == 0 {
                return Err(ConsoleStoreError::UnknownLead(lead_id));
            }
            insert_audit!(
                tx,
                fail,
                now_ms,
                changed_by,
                AuditAction::OwnerAssigned,
                Some(lead_id),
                &owner_name
            );
            tx.commit().await.map_err(fail("commit the assignment"))?;
            Ok(())
        })
    }

    /// Flags a lead as spam and cancels (deletes) its pending deliveries; returns how many.
    /// Deliveries already delivered or in flight are left as they are: they happened.
    pub async fn mark_lead_spam(
        &self,
        lead_id: i64,
        changed_by: &str,
        now_ms: i64,
    ) -> Result<u64, ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin marking spam"))?;
            let updated = sqlx::query("UPDATE leads SET is_spam = $1 WHERE id = $2")
                .bind(true)
                .bind(lead_id)
                .execute(&mut *tx)
                .await
                .map_err(fail("flag the lead as spam"))?
                .rows_affected();
            if updated == 0 {
                return Err(ConsoleStoreError::UnknownLead(lead_id));
            }
            let cancelled =
                sqlx::query("DELETE FROM deliveries WHERE lead_id = $1 AND status = 'pending'")
                    .bind(lead_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(fail("cancel the pending deliveries"))?
                    .rows_affected();
            let detail = format!("{cancelled} pending deliveries cancelled");
            insert_audit!(
                tx,
                fail,
                now_ms,
                changed_by,
                AuditAction::MarkedSpam,
                Some(lead_id),
                &detail
            );
            tx.commit().await.map_err(fail("commit the spam mark"))?;
            Ok(cancelled)
        })
    }

    /// Clears a lead's spam flag and queues a delivery, due now, for each of `deliveries` (the
    /// form's destinations) the lead has no row for yet; returns how many were queued. The caller
    /// wakes the forwarder.
    pub async fn mark_lead_not_spam(
        &self,
        lead_id: i64,
        deliveries: &[NewDelivery],
        changed_by: &str,
        now_ms: i64,
    ) -> Result<u64, ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin marking not spam"))?;
            let updated = sqlx::query("UPDATE leads SET is_spam = $1 WHERE id = $2")
                .bind(false)
                .bind(lead_id)
                .execute(&mut *tx)
                .await
                .map_err(fail("clear the spam flag"))?
                .rows_affected();
            if updated == 0 {
                return Err(ConsoleStoreError::UnknownLead(lead_id));
            }
            let mut queued = 0;
            for delivery in deliveries {
                let destination_index =
                    i64::try_from(delivery.destination_index).unwrap_or(i64::MAX);
                queued += sqlx::query(
                    "INSERT INTO deliveries (lead_id, destination_index, destination_kind,
                         destination_key, status, attempts, next_attempt_at_ms, created_at_ms)
                     VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)
                     ON CONFLICT DO NOTHING",
                )
                .bind(lead_id)
                .bind(destination_index)
                .bind(&delivery.destination_kind)
                .bind(&delivery.destination_key)
                .bind(now_ms)
                .execute(&mut *tx)
                .await
                .map_err(fail("queue the lead's deliveries"))?
                .rows_affected();
            }
            let detail = format!("{queued} deliveries queued");
            insert_audit!(
                tx,
                fail,
                now_ms,
                changed_by,
                AuditAction::MarkedNotSpam,
                Some(lead_id),
                &detail
            );
            tx.commit()
                .await
                .map_err(fail("commit the not-spam mark"))?;
            Ok(queued)
        })
    }

    /// An admin's retry of one dead (or waiting) delivery, recorded in the audit log; returns the
    /// delivery's lead.
    pub async fn retry_delivery_as(
        &self,
        delivery_id: i64,
        changed_by: &str,
        now_ms: i64,
    ) -> Result<i64, ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let mut tx = pool.begin_write().await.map_err(fail("begin the retry"))?;
            let lead_id: Option<i64> = sqlx::query_scalar(
                "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at_ms = $1,
                     lease_until_ms = NULL, claim_token = NULL
                 WHERE id = $2 AND status IN ('dead', 'pending') RETURNING lead_id",
            )
            .bind(now_ms)
            .bind(delivery_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(fail("retry the delivery"))?;
            let Some(lead_id) = lead_id else {
                return Err(ConsoleStoreError::NotRetryable(delivery_id));
            };
            let detail = format!("delivery {delivery_id}");
            insert_audit!(
                tx,
                fail,
                now_ms,
                changed_by,
                AuditAction::DeliveryRetried,
                Some(lead_id),
                &detail
            );
            tx.commit().await.map_err(fail("commit the retry"))?;
            Ok(lead_id)
        })
    }
}
