//! Storing a lead in its own transaction (the steps are in `lead_steps.rs`) and exporting them.

use crate::backend::{with_backend, BeginWrite};
use crate::clock::rfc3339_from_ms;
use crate::error::{failed, StoreError};
use crate::lead_steps::{store_lead, LeadRow};
use crate::model::{InsertOutcome, NewLead, StoredLead};
use crate::Store;
use leadform_core::LeadSubmission;
use leadform_scoring::ScoringRules;
use sqlx::Row;

/// Reads a [`StoredLead`] from a row with the `export_leads` columns. A macro because the row type
/// differs per backend.
macro_rules! stored_lead_from_row {
    ($row:expr, $fail:expr) => {{
        let row = $row;
        let read = $fail("read an exported lead");
        let id: i64 = row.try_get("id").map_err(&read)?;
        let lead_json: String = row.try_get("lead_json").map_err(&read)?;
        let lead: LeadSubmission =
            serde_json::from_str(&lead_json).map_err(|e| StoreError::CorruptRow {
                what: format!("lead {id}"),
                detail: e.to_string(),
            })?;
        let received_at_ms: i64 = row.try_get("received_at_ms").map_err(&read)?;
        Ok(StoredLead {
            id,
            submission_id: row.try_get("submission_id").map_err(&read)?,
            form_id: row.try_get("form_id").map_err(&read)?,
            intent: $crate::intent_column::read_intent(
                id,
                row.try_get::<&str, _>("intent").map_err(&read)?,
            )?,
            email: row.try_get("email").map_err(&read)?,
            person_id: row.try_get("person_id").map_err(&read)?,
            first_for_person: row.try_get("first_for_person").map_err(&read)?,
            is_spam: row.try_get("is_spam").map_err(&read)?,
            received_at: rfc3339_from_ms(received_at_ms),
            lead,
            raw_payload: row.try_get("raw_payload").map_err(&read)?,
            erased_at: row
                .try_get::<Option<i64>, _>("erased_at_ms")
                .map_err(&read)?
                .map(rfc3339_from_ms),
        })
    }};
}
pub(crate) use stored_lead_from_row;

impl Store {
    /// Stores a lead with its person link, profile merge and delivery rows in one transaction.
    /// A submission id stored before writes nothing and returns the existing lead.
    pub async fn insert_lead(&self, new: NewLead) -> Result<InsertOutcome, StoreError> {
        self.insert_scored_lead(new, None).await
    }

    /// [`Store::insert_lead`], and with `scoring` also the lead's score events and log rows for
    /// its person, in the same transaction (see `scores.rs`).
    pub async fn insert_scored_lead(
        &self,
        new: NewLead,
        scoring: Option<&ScoringRules>,
    ) -> Result<InsertOutcome, StoreError> {
        let row = LeadRow::new(&new)?;
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin the lead transaction"))?;
            let outcome = store_lead(&mut tx, &row, scoring, &self.mql_routes).await?;
            match outcome {
                InsertOutcome::Inserted { .. } => {
                    tx.commit().await.map_err(fail("commit the lead"))?
                }
                // Nothing was written.
                InsertOutcome::AlreadyStored { .. } => tx
                    .rollback()
                    .await
                    .map_err(fail("end the lead transaction"))?,
            }
            Ok(outcome)
        })
    }

    /// Every stored lead, oldest first.
    pub async fn export_leads(&self) -> Result<Vec<StoredLead>, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let rows = sqlx::query(
                "SELECT id, submission_id, form_id, intent, email, person_id, first_for_person, is_spam,
                        received_at_ms, lead_json, raw_payload, erased_at_ms
                 FROM leads ORDER BY received_at_ms, id",
            )
            .fetch_all(pool)
            .await
            .map_err(fail("export the leads"))?;
            rows.iter()
                .map(|row| -> Result<StoredLead, StoreError> { stored_lead_from_row!(row, fail) })
                .collect()
        })
    }
}
