//! Storing a lead in one transaction (lead, person link, profile merge, deliveries) and exporting them.

use crate::backend::{with_backend, BeginWrite};
use crate::clock::rfc3339_from_ms;
use crate::error::{failed, StoreError};
use crate::model::{InsertOutcome, NewLead, StoredLead};
use crate::profiles::merge_profile_in_tx;
use crate::scores::{lead_score_events, score_events_in_tx};
use crate::Store;
use leadform_core::{AttributionTouch, LeadSubmission};
use leadform_scoring::ScoringRules;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// SHA-256 of what the visitor submitted (form, field values, hidden values, consent), hex.
///
/// It tells a retry from a different submission that reuses its id. The raw body is the wrong
/// thing to hash: a retry after a lost answer is rebuilt with a new `submitted_at` and `fill_ms`,
/// and it must still get the first answer rather than a conflict.
pub(crate) fn content_hash(lead: &LeadSubmission) -> String {
    let content = serde_json::json!({
        "form_id": lead.form_id,
        "fields": lead.fields,
        "hidden": lead.hidden,
        "consent": lead.consent,
    });
    hex::encode(Sha256::digest(content.to_string().as_bytes()))
}

/// The three UTM values of a touch that get their own columns.
fn utm_columns(touch: Option<&AttributionTouch>) -> [Option<String>; 3] {
    match touch {
        Some(touch) => [
            touch.utm_source.clone(),
            touch.utm_medium.clone(),
            touch.utm_campaign.clone(),
        ],
        None => [None, None, None],
    }
}

const INSERT_LEAD_SQL: &str = "INSERT INTO leads (
        submission_id, form_id, intent, email, is_spam, lead_source, campaign_id,
        first_touch_utm_source, first_touch_utm_medium, first_touch_utm_campaign,
        last_touch_utm_source, last_touch_utm_medium, last_touch_utm_campaign,
        visitor_id, client_ip, hubspotutk, received_at_ms, payload_hash, lead_json, raw_payload)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
    ON CONFLICT (submission_id) DO NOTHING
    RETURNING id";

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
            intent: row.try_get("intent").map_err(&read)?,
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
        let lead_json = serde_json::to_string(&new.lead).map_err(StoreError::EncodeLead)?;
        let hash = content_hash(&new.lead);
        let email = new
            .email
            .as_deref()
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty());
        let attribution = new.lead.attribution.as_ref();
        let [first_source, first_medium, first_campaign] =
            utm_columns(attribution.and_then(|a| a.first_touch.as_ref()));
        let [last_source, last_medium, last_campaign] =
            utm_columns(attribution.and_then(|a| a.last_touch.as_ref()));

        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin the lead transaction"))?;
            let inserted: Option<i64> = sqlx::query_scalar(INSERT_LEAD_SQL)
                .bind(&new.lead.submission_id)
                .bind(&new.lead.form_id)
                .bind(new.intent.as_str())
                .bind(&email)
                .bind(new.is_spam)
                .bind(&new.lead.hidden.lead_source)
                .bind(&new.lead.hidden.campaign_id)
                .bind(&first_source)
                .bind(&first_medium)
                .bind(&first_campaign)
                .bind(&last_source)
                .bind(&last_medium)
                .bind(&last_campaign)
                .bind(&new.visitor_id)
                .bind(&new.client_ip)
                .bind(&new.hubspotutk)
                .bind(new.received_at_ms)
                .bind(&hash)
                .bind(&lead_json)
                .bind(&new.raw_payload)
                .fetch_optional(&mut *tx)
                .await
                .map_err(fail("insert the lead"))?;

            let Some(lead_id) = inserted else {
                // Stored before (or by a concurrent insert that committed first): answer with it.
                let existing =
                    sqlx::query("SELECT id, payload_hash FROM leads WHERE submission_id = $1")
                        .bind(&new.lead.submission_id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(fail("read the already stored lead"))?;
                let lead_id: i64 = existing
                    .try_get("id")
                    .map_err(fail("read the already stored lead"))?;
                let stored_hash: String = existing
                    .try_get("payload_hash")
                    .map_err(fail("read the already stored lead"))?;
                tx.rollback()
                    .await
                    .map_err(fail("end the lead transaction"))?;
                return Ok(InsertOutcome::AlreadyStored {
                    lead_id,
                    same_payload: stored_hash == hash,
                });
            };

            let mut person_id = None;
            let mut first_for_person = false;
            if let (Some(email), false) = (&email, new.is_spam) {
                let created: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO persons (email, first_lead_id, created_at_ms) VALUES ($1, $2, $3)
                     ON CONFLICT (email) DO NOTHING RETURNING id",
                )
                .bind(email)
                .bind(lead_id)
                .bind(new.received_at_ms)
                .fetch_optional(&mut *tx)
                .await
                .map_err(fail("create the person"))?;
                let id = match created {
                    Some(id) => {
                        first_for_person = true;
                        id
                    }
                    None => sqlx::query_scalar("SELECT id FROM persons WHERE email = $1")
                        .bind(email)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(fail("find the person"))?,
                };
                sqlx::query("UPDATE leads SET person_id = $1, first_for_person = $2 WHERE id = $3")
                    .bind(id)
                    .bind(first_for_person)
                    .bind(lead_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(fail("link the lead to its person"))?;
                person_id = Some(id);
            }

            if let (Some(previous), Some(visitor_id), false) =
                (&new.previous_visitor_id, &new.visitor_id, new.is_spam)
            {
                // The visitor id rotates on each submission; what we know follows the visitor.
                sqlx::query("UPDATE visitor_profiles SET visitor_id = $1 WHERE visitor_id = $2")
                    .bind(visitor_id)
                    .bind(previous)
                    .execute(&mut *tx)
                    .await
                    .map_err(fail("move the visitor profile to the rotated id"))?;
            }
            if let (Some(visitor_id), Some(answers), false) =
                (&new.visitor_id, &new.profile_answers, new.is_spam)
            {
                merge_profile_in_tx!(tx, dialect, visitor_id, answers, new.received_at_ms);
            }

            if !new.is_spam {
                for delivery in &new.deliveries {
                    let destination_index =
                        i64::try_from(delivery.destination_index).unwrap_or(i64::MAX);
                    sqlx::query(
                        "INSERT INTO deliveries (lead_id, destination_index, destination_kind,
                             destination_key, status, attempts, next_attempt_at_ms, created_at_ms,
                             destination_id)
                         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $6)",
                    )
                    .bind(lead_id)
                    .bind(destination_index)
                    .bind(&delivery.destination_kind)
                    .bind(&delivery.destination_key)
                    .bind(new.received_at_ms)
                    .bind(&delivery.destination_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(fail("queue the lead's deliveries"))?;
                }
            }

            // After the lead's own deliveries, so a `lead.mql` this lead triggers queues behind them.
            if let (Some(rules), Some(person_id)) = (scoring, person_id) {
                let events = lead_score_events(
                    &mut tx,
                    person_id,
                    lead_id,
                    &new.lead,
                    new.intent.as_str(),
                    email.as_deref(),
                    new.received_at_ms,
                )
                .await?;
                score_events_in_tx(
                    &mut tx,
                    rules,
                    &self.mql_routes,
                    person_id,
                    &events,
                    new.received_at_ms,
                )
                .await?;
            }

            tx.commit().await.map_err(fail("commit the lead"))?;
            Ok(InsertOutcome::Inserted {
                lead_id,
                person_id,
                first_for_person,
            })
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
