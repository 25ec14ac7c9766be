//! Storing a lead in its own transaction (the steps are in `lead_steps.rs`) and exporting them.

use crate::backend::{with_backend, BeginWrite};
use crate::clock::rfc3339_from_ms;
use crate::error::{failed, StoreError};
use crate::intent_column::read_intent;
use crate::lead_json_column::read_lead_json;
use crate::lead_steps::spend_token_then_store_lead;
use crate::model::{InsertOutcome, NewLead, StoredLead};
use crate::Store;
use leadform_scoring::ScoringRules;

/// A row with the `export_leads` columns, as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct StoredLeadRow {
    id: i64,
    submission_id: String,
    form_id: String,
    intent: String,
    email: Option<String>,
    person_id: Option<i64>,
    first_for_person: bool,
    is_spam: bool,
    received_at_ms: i64,
    lead_json: String,
    raw_payload: String,
    erased_at_ms: Option<i64>,
}

impl TryFrom<StoredLeadRow> for StoredLead {
    type Error = StoreError;

    fn try_from(row: StoredLeadRow) -> Result<Self, StoreError> {
        let lead = read_lead_json(row.id, &row.lead_json)?;
        Ok(StoredLead {
            intent: read_intent(row.id, &row.intent)?,
            id: row.id,
            submission_id: row.submission_id,
            form_id: row.form_id,
            email: row.email,
            person_id: row.person_id,
            first_for_person: row.first_for_person,
            is_spam: row.is_spam,
            received_at: rfc3339_from_ms(row.received_at_ms),
            lead,
            raw_payload: row.raw_payload,
            erased_at: row.erased_at_ms.map(rfc3339_from_ms),
        })
    }
}

impl Store {
    /// Stores a lead with its person link, profile merge and delivery rows in one transaction.
    /// A submission id stored before writes nothing and returns the existing lead.
    pub async fn insert_lead(&self, new: NewLead) -> Result<InsertOutcome, StoreError> {
        self.insert_scored_lead(new, None).await
    }

    /// [`Store::insert_lead`], and with `scoring` also the lead's score events and log rows for
    /// its person, in the same transaction (see `scores.rs`). The lead's form token, if it has
    /// one, is spent in that transaction too.
    pub async fn insert_scored_lead(
        &self,
        new: NewLead,
        scoring: Option<&ScoringRules>,
    ) -> Result<InsertOutcome, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin the lead transaction"))?;
            let outcome =
                spend_token_then_store_lead(&mut tx, &new, scoring, &self.mql_routes).await?;
            match outcome {
                // Nothing was written (a retry that spends no token).
                InsertOutcome::AlreadyStored { .. } if new.form_token.is_none() => tx
                    .rollback()
                    .await
                    .map_err(fail("end the lead transaction"))?,
                _ => tx.commit().await.map_err(fail("commit the lead"))?,
            }
            Ok(outcome)
        })
    }

    /// Every stored lead, oldest first.
    pub async fn export_leads(&self) -> Result<Vec<StoredLead>, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let rows: Vec<StoredLeadRow> = sqlx::query_as(
                "SELECT id, submission_id, form_id, intent, email, person_id, first_for_person, is_spam,
                        received_at_ms, lead_json, raw_payload, erased_at_ms
                 FROM leads ORDER BY received_at_ms, id",
            )
            .fetch_all(pool)
            .await
            .map_err(fail("export the leads"))?;
            rows.into_iter().map(StoredLead::try_from).collect()
        })
    }
}
