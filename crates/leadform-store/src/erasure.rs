//! Erasing people and leads: `forget --email` (a person asks to be erased) and per-form retention
//! (leads older than the form allows). Both use the same per-lead path, so a lead erased either way
//! looks the same: a tombstone row that keeps its id, form, submission id, times, spam flag,
//! campaign and lead source, status, and `erased_at`, and nothing that says who sent it.

use crate::backend::{with_backend, BeginWrite};
use crate::clock::rfc3339_from_ms;
use crate::erasure_steps::{EraseSteps, LeadToErase};
use crate::error::{failed, StoreError};
use crate::score_tx::{erase_person_scores, ScoreTx};
use crate::Store;
use serde::Serialize;
use std::collections::BTreeSet;

/// What an erasure changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ErasureReport {
    /// Leads whose values were erased.
    pub leads: u64,
    /// Person rows whose email was erased.
    pub persons: u64,
    /// Visitor profiles (prefill data) deleted.
    pub profiles: u64,
    /// Undelivered deliveries cancelled.
    pub deliveries_cancelled: u64,
}

impl ErasureReport {
    fn add(&mut self, other: ErasureReport) {
        self.leads += other.leads;
        self.persons += other.persons;
        self.profiles += other.profiles;
        self.deliveries_cancelled += other.deliveries_cancelled;
    }
}

/// Retention erases in batches of this many leads, one transaction each, so a first run over a
/// large backlog does not hold the database's write lock for long.
const RETENTION_BATCH: i64 = 200;

/// Why a delivery was cancelled, as `outbox list` shows it.
fn cancel_reason(now_ms: i64) -> String {
    format!(
        "cancelled: the lead was erased at {}",
        rfc3339_from_ms(now_ms)
    )
}

/// The same normalisation `insert_lead` applies before linking a lead to a person.
pub(crate) fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Erases one lead's values and cancels its undelivered deliveries. Visitor profiles and the
/// person are the caller's to decide, since they may be shared with other leads.
pub(crate) async fn erase_lead(
    tx: &mut impl EraseSteps,
    lead: &LeadToErase,
    now_ms: i64,
) -> Result<ErasureReport, StoreError> {
    if !tx.erase_lead_values(lead, now_ms).await? {
        // Another erasure (a second handler instance, say) committed it first.
        return Ok(ErasureReport::default());
    }
    let deliveries_cancelled = tx
        .cancel_deliveries(lead.id, &cancel_reason(now_ms))
        .await?;
    Ok(ErasureReport {
        leads: 1,
        deliveries_cancelled,
        ..Default::default()
    })
}

/// Erases a person found by normalised email: every lead that carries the email or is linked to
/// them (spam included), every visitor profile those leads used, and the person row. One step per
/// table; a new table about people adds its step here.
pub(crate) async fn erase_person(
    tx: &mut (impl EraseSteps + ScoreTx),
    email: &str,
    now_ms: i64,
) -> Result<ErasureReport, StoreError> {
    let person_id = tx.person_with_email(email).await?;
    let leads = tx.leads_of_person(email, person_id).await?;
    let mut report = ErasureReport::default();
    let visitors: BTreeSet<String> = leads.iter().filter_map(|l| l.visitor_id.clone()).collect();
    for lead in &leads {
        report.add(erase_lead(tx, lead, now_ms).await?);
    }
    // The profiles go even if someone else's lead used the same browser: they hold this person's
    // answers for prefill.
    for visitor_id in &visitors {
        report.profiles += tx.delete_visitor_profile(visitor_id).await?;
    }
    if let Some(person_id) = person_id {
        // The score history goes too, so `rescore` cannot bring the person back.
        erase_person_scores(tx, person_id).await?;
        report.persons += u64::from(tx.erase_person_row(person_id, now_ms).await?);
    }
    Ok(report)
}

/// Erases leads (retention): each lead's values and deliveries; a visitor profile once no lead
/// that is kept still uses it; a person once none of their leads is kept.
pub(crate) async fn erase_leads(
    tx: &mut (impl EraseSteps + ScoreTx),
    leads: &[LeadToErase],
    now_ms: i64,
) -> Result<ErasureReport, StoreError> {
    let mut report = ErasureReport::default();
    for lead in leads {
        report.add(erase_lead(tx, lead, now_ms).await?);
    }
    let visitors: BTreeSet<&str> = leads
        .iter()
        .filter_map(|l| l.visitor_id.as_deref())
        .collect();
    for visitor_id in visitors {
        if !tx.visitor_has_live_leads(visitor_id).await? {
            report.profiles += tx.delete_visitor_profile(visitor_id).await?;
        }
    }
    let persons: BTreeSet<i64> = leads.iter().filter_map(|l| l.person_id).collect();
    for person_id in persons {
        if !tx.person_has_live_leads(person_id).await? {
            erase_person_scores(tx, person_id).await?;
            report.persons += u64::from(tx.erase_person_row(person_id, now_ms).await?);
        }
    }
    Ok(report)
}

impl Store {
    /// Erases everything about the person with this email (case and surrounding spaces ignored),
    /// in one transaction. `None` when no person or lead has that email (or it was erased before).
    pub async fn forget_person(
        &self,
        email: &str,
        now_ms: i64,
    ) -> Result<Option<ErasureReport>, StoreError> {
        let email = normalise_email(email);
        let report = with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin the erasure"))?;
            let report = erase_person(&mut tx, &email, now_ms).await?;
            tx.commit().await.map_err(fail("commit the erasure"))?;
            report
        });
        Ok((report != ErasureReport::default()).then_some(report))
    }

    /// Erases the leads of `form_id` received before `cutoff_ms` (retention), in batches of one
    /// transaction each. Safe to run on several instances at once: a lead is erased once.
    pub async fn erase_leads_received_before(
        &self,
        form_id: &str,
        cutoff_ms: i64,
        now_ms: i64,
    ) -> Result<ErasureReport, StoreError> {
        let mut total = ErasureReport::default();
        loop {
            let (found, report) = with_backend!(&self.backend, |pool, dialect| {
                let fail = |action| failed(dialect.name(), action);
                let mut tx = pool
                    .begin_write()
                    .await
                    .map_err(fail("begin the retention erasure"))?;
                let leads = tx
                    .leads_received_before(form_id, cutoff_ms, RETENTION_BATCH)
                    .await?;
                let report = erase_leads(&mut tx, &leads, now_ms).await?;
                tx.commit()
                    .await
                    .map_err(fail("commit the retention erasure"))?;
                (leads.len(), report)
            });
            total.add(report);
            if i64::try_from(found).unwrap_or(i64::MAX) < RETENTION_BATCH {
                return Ok(total);
            }
        }
    }
}
