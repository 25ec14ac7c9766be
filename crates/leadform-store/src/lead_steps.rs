//! Storing one lead as named steps on an open transaction, written once for both databases.
//!
//! [`LeadSteps`] is implemented for SQLite's and PostgreSQL's transaction by one macro (like
//! `ScoreTx` and `EraseSteps`), so [`store_lead`] reads: insert lead → link person → move and merge
//! the visitor's profile → queue deliveries → score events. The caller begins and commits.

use crate::form_tokens::{FormTokenSteps, FormTokenUse};
use crate::model::{InsertOutcome, NewDelivery, NewLead};
use crate::mql_routes::MqlRoutes;
use crate::score_tx::ScoreTx;
use crate::scores::{lead_score_events, score_events_in_tx};
use crate::StoreError;
use leadform_core::{AttributionTouch, KnownProfile, LeadSubmission};
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

/// A lead with the values its row needs, computed before any transaction begins.
pub(crate) struct LeadRow<'a> {
    pub new: &'a NewLead,
    pub lead_json: String,
    pub hash: String,
    /// Trimmed and lowercased; `None` when empty.
    pub email: Option<String>,
    pub first_touch: [Option<String>; 3],
    pub last_touch: [Option<String>; 3],
}

/// The email that links a lead to its person: trimmed and lowercased; `None` when empty.
pub(crate) fn person_email(new: &NewLead) -> Option<String> {
    new.email
        .as_deref()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
}

impl<'a> LeadRow<'a> {
    pub(crate) fn new(new: &'a NewLead) -> Result<Self, StoreError> {
        let attribution = new.lead.attribution.as_ref();
        Ok(LeadRow {
            new,
            lead_json: serde_json::to_string(&new.lead).map_err(StoreError::EncodeLead)?,
            hash: content_hash(&new.lead),
            email: person_email(new),
            first_touch: utm_columns(attribution.and_then(|a| a.first_touch.as_ref())),
            last_touch: utm_columns(attribution.and_then(|a| a.last_touch.as_ref())),
        })
    }
}

/// The person a lead was linked to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PersonLink {
    pub person_id: i64,
    /// This lead created the person.
    pub first_for_person: bool,
}

/// Steps on an open write transaction.
pub(crate) trait LeadSteps {
    /// Inserts the lead row; `None` when its submission id is stored already.
    async fn insert_lead(&mut self, row: &LeadRow<'_>) -> Result<Option<i64>, StoreError>;
    /// The stored lead with this submission id: `(id, payload hash)`.
    async fn stored_lead(&mut self, submission_id: &str) -> Result<(i64, String), StoreError>;
    /// Finds or creates the person with this email and links the lead to them.
    async fn link_person(
        &mut self,
        lead_id: i64,
        email: &str,
        at_ms: i64,
    ) -> Result<PersonLink, StoreError>;
    /// The visitor id rotates on each submission: the profile moves to the new id.
    async fn move_profile(&mut self, previous: &str, visitor_id: &str) -> Result<(), StoreError>;
    /// Merges `answers` into the visitor's stored profile.
    async fn merge_profile(
        &mut self,
        visitor_id: &str,
        answers: &KnownProfile,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// One pending `lead.created` delivery per destination, due at once.
    async fn queue_deliveries(
        &mut self,
        lead_id: i64,
        deliveries: &[NewDelivery],
        now_ms: i64,
    ) -> Result<(), StoreError>;
}

/// Records the use of the lead's form token, then stores the lead ([`store_lead`]), in the caller's
/// transaction: the lead and its token's use are committed together or not at all. A token that
/// another submission spent first stores the lead as spam (a replay).
pub(crate) async fn spend_token_then_store_lead<T: LeadSteps + ScoreTx + FormTokenSteps>(
    tx: &mut T,
    new: &NewLead,
    scoring: Option<&ScoringRules>,
    routes: &MqlRoutes,
) -> Result<InsertOutcome, StoreError> {
    let replayed = match &new.form_token {
        Some(token) => {
            let used = tx
                .record_form_token(token, &new.lead.submission_id, new.received_at_ms)
                .await?;
            used == FormTokenUse::AnotherSubmission
        }
        None => false,
    };
    let as_spam;
    let new = if replayed {
        as_spam = new.clone().into_spam();
        &as_spam
    } else {
        new
    };
    let row = LeadRow::new(new)?;
    let outcome = store_lead(tx, &row, scoring, routes).await?;
    Ok(outcome.with_replayed_form_token(replayed))
}

/// Stores a lead with its person link, profile merge, delivery rows and (with `scoring`) its score
/// events, inside the caller's transaction. A submission id stored before writes nothing and
/// returns the existing lead: the caller may then roll back.
pub(crate) async fn store_lead<T: LeadSteps + ScoreTx>(
    tx: &mut T,
    row: &LeadRow<'_>,
    scoring: Option<&ScoringRules>,
    routes: &MqlRoutes,
) -> Result<InsertOutcome, StoreError> {
    let new = row.new;
    let Some(lead_id) = tx.insert_lead(row).await? else {
        // Stored before (or by a concurrent insert that committed first): answer with it.
        let (lead_id, stored_hash) = tx.stored_lead(&new.lead.submission_id).await?;
        return Ok(InsertOutcome::AlreadyStored {
            lead_id,
            same_payload: stored_hash == row.hash,
        });
    };
    // Spam is stored for the record only: no person, no profile, no deliveries, no score.
    if new.is_spam {
        return Ok(InsertOutcome::Inserted {
            lead_id,
            person_id: None,
            first_for_person: false,
            replayed_form_token: false,
        });
    }
    let person = match &row.email {
        Some(email) => Some(tx.link_person(lead_id, email, new.received_at_ms).await?),
        None => None,
    };
    if let (Some(previous), Some(visitor_id)) = (&new.previous_visitor_id, &new.visitor_id) {
        tx.move_profile(previous, visitor_id).await?;
    }
    if let (Some(visitor_id), Some(answers)) = (&new.visitor_id, &new.profile_answers) {
        tx.merge_profile(visitor_id, answers, new.received_at_ms)
            .await?;
    }
    tx.queue_deliveries(lead_id, &new.deliveries, new.received_at_ms)
        .await?;
    // After the lead's own deliveries, so a `lead.mql` this lead triggers queues behind them.
    if let (Some(rules), Some(person)) = (scoring, person) {
        score_lead(tx, rules, routes, lead_id, row, person.person_id).await?;
    }
    Ok(InsertOutcome::Inserted {
        lead_id,
        person_id: person.map(|p| p.person_id),
        first_for_person: person.is_some_and(|p| p.first_for_person),
        replayed_form_token: false,
    })
}

/// The lead's score events and log rows for its person.
async fn score_lead<T: ScoreTx>(
    tx: &mut T,
    rules: &ScoringRules,
    routes: &MqlRoutes,
    lead_id: i64,
    row: &LeadRow<'_>,
    person_id: i64,
) -> Result<(), StoreError> {
    let new = row.new;
    let events = lead_score_events(
        tx,
        person_id,
        lead_id,
        &new.lead,
        new.intent.as_str(),
        row.email.as_deref(),
        new.received_at_ms,
    )
    .await?;
    score_events_in_tx(tx, rules, routes, person_id, &events, new.received_at_ms).await?;
    Ok(())
}

const INSERT_LEAD_SQL: &str = "INSERT INTO leads (
        submission_id, form_id, intent, email, is_spam, lead_source, campaign_id,
        first_touch_utm_source, first_touch_utm_medium, first_touch_utm_campaign,
        last_touch_utm_source, last_touch_utm_medium, last_touch_utm_campaign,
        visitor_id, client_ip, hubspotutk, received_at_ms, payload_hash, lead_json, raw_payload,
        user_agent)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
        $21)
    ON CONFLICT (submission_id) DO NOTHING
    RETURNING id";

macro_rules! impl_lead_steps {
    ($db:ty, $backend:literal, $select_profile_for_update:literal) => {
        impl LeadSteps for sqlx::Transaction<'_, $db> {
            async fn insert_lead(&mut self, row: &LeadRow<'_>) -> Result<Option<i64>, StoreError> {
                let new = row.new;
                let [first_source, first_medium, first_campaign] = &row.first_touch;
                let [last_source, last_medium, last_campaign] = &row.last_touch;
                sqlx::query_scalar(INSERT_LEAD_SQL)
                    .bind(&new.lead.submission_id)
                    .bind(&new.lead.form_id)
                    .bind(new.intent.as_str())
                    .bind(&row.email)
                    .bind(new.is_spam)
                    .bind(&new.lead.hidden.lead_source)
                    .bind(&new.lead.hidden.campaign_id)
                    .bind(first_source)
                    .bind(first_medium)
                    .bind(first_campaign)
                    .bind(last_source)
                    .bind(last_medium)
                    .bind(last_campaign)
                    .bind(&new.visitor_id)
                    .bind(&new.client_ip)
                    .bind(&new.hubspotutk)
                    .bind(new.received_at_ms)
                    .bind(&row.hash)
                    .bind(&row.lead_json)
                    .bind(&new.raw_payload)
                    .bind(&new.user_agent)
                    .fetch_optional(&mut **self)
                    .await
                    .map_err(crate::error::failed($backend, "insert the lead"))
            }

            async fn stored_lead(
                &mut self,
                submission_id: &str,
            ) -> Result<(i64, String), StoreError> {
                let read = crate::error::failed($backend, "read the already stored lead");
                let existing =
                    sqlx::query("SELECT id, payload_hash FROM leads WHERE submission_id = $1")
                        .bind(submission_id)
                        .fetch_one(&mut **self)
                        .await
                        .map_err(&read)?;
                Ok((
                    existing.try_get("id").map_err(&read)?,
                    existing.try_get("payload_hash").map_err(&read)?,
                ))
            }

            async fn link_person(
                &mut self,
                lead_id: i64,
                email: &str,
                at_ms: i64,
            ) -> Result<PersonLink, StoreError> {
                let created: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO persons (email, first_lead_id, created_at_ms) VALUES ($1, $2, $3)
                     ON CONFLICT (email) DO NOTHING RETURNING id",
                )
                .bind(email)
                .bind(lead_id)
                .bind(at_ms)
                .fetch_optional(&mut **self)
                .await
                .map_err(crate::error::failed($backend, "create the person"))?;
                let link = match created {
                    Some(person_id) => PersonLink {
                        person_id,
                        first_for_person: true,
                    },
                    None => PersonLink {
                        person_id: sqlx::query_scalar("SELECT id FROM persons WHERE email = $1")
                            .bind(email)
                            .fetch_one(&mut **self)
                            .await
                            .map_err(crate::error::failed($backend, "find the person"))?,
                        first_for_person: false,
                    },
                };
                sqlx::query("UPDATE leads SET person_id = $1, first_for_person = $2 WHERE id = $3")
                    .bind(link.person_id)
                    .bind(link.first_for_person)
                    .bind(lead_id)
                    .execute(&mut **self)
                    .await
                    .map_err(crate::error::failed(
                        $backend,
                        "link the lead to its person",
                    ))?;
                Ok(link)
            }

            async fn move_profile(
                &mut self,
                previous: &str,
                visitor_id: &str,
            ) -> Result<(), StoreError> {
                sqlx::query("UPDATE visitor_profiles SET visitor_id = $1 WHERE visitor_id = $2")
                    .bind(visitor_id)
                    .bind(previous)
                    .execute(&mut **self)
                    .await
                    .map_err(crate::error::failed(
                        $backend,
                        "move the visitor profile to the rotated id",
                    ))?;
                Ok(())
            }

            async fn merge_profile(
                &mut self,
                visitor_id: &str,
                answers: &KnownProfile,
                now_ms: i64,
            ) -> Result<(), StoreError> {
                // Make sure the row exists so that the read below can lock it.
                sqlx::query(
                    "INSERT INTO visitor_profiles (visitor_id, known_json, updated_at_ms)
                     VALUES ($1, '{}', $2)
                     ON CONFLICT (visitor_id) DO NOTHING",
                )
                .bind(visitor_id)
                .bind(now_ms)
                .execute(&mut **self)
                .await
                .map_err(crate::error::failed($backend, "create the visitor profile"))?;
                let stored_json: String = sqlx::query_scalar($select_profile_for_update)
                    .bind(visitor_id)
                    .fetch_one(&mut **self)
                    .await
                    .map_err(crate::error::failed($backend, "read the visitor profile"))?;
                let merged_json =
                    crate::profiles::merged_profile_json(visitor_id, Some(&stored_json), answers)?;
                sqlx::query(
                    "UPDATE visitor_profiles SET known_json = $1, updated_at_ms = $2
                     WHERE visitor_id = $3",
                )
                .bind(&merged_json)
                .bind(now_ms)
                .bind(visitor_id)
                .execute(&mut **self)
                .await
                .map_err(crate::error::failed($backend, "update the visitor profile"))?;
                Ok(())
            }

            async fn queue_deliveries(
                &mut self,
                lead_id: i64,
                deliveries: &[NewDelivery],
                now_ms: i64,
            ) -> Result<(), StoreError> {
                for delivery in deliveries {
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
                    .bind(now_ms)
                    .bind(&delivery.destination_id)
                    .execute(&mut **self)
                    .await
                    .map_err(crate::error::failed(
                        $backend,
                        "queue the lead's deliveries",
                    ))?;
                }
                Ok(())
            }
        }
    };
}

// PostgreSQL locks the profile row so two concurrent merges cannot lose each other's answers;
// SQLite's write transactions are already exclusive.
impl_lead_steps!(
    sqlx::Sqlite,
    "sqlite",
    "SELECT known_json FROM visitor_profiles WHERE visitor_id = $1"
);
impl_lead_steps!(
    sqlx::Postgres,
    "postgres",
    "SELECT known_json FROM visitor_profiles WHERE visitor_id = $1 FOR UPDATE"
);
