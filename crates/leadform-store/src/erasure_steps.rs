//! One erasure step per table, run inside the caller's transaction, for both databases.
//!
//! [`EraseSteps`] is implemented for a SQLite and a PostgreSQL transaction by one macro, so each
//! step's SQL is written once. A table that later holds data about a person (score history, notes)
//! gets its own step here and a call in `erasure::erase_person`.

use crate::error::{failed, StoreError};
use leadform_core::{HiddenValues, LeadSubmission};

/// A lead about to be erased: what its tombstone keeps and what links it to other rows. Read as
/// selected with `LEAD_TO_ERASE_COLUMNS`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct LeadToErase {
    pub id: i64,
    pub form_id: String,
    pub submission_id: String,
    pub lead_source: Option<String>,
    pub campaign_id: Option<String>,
    pub person_id: Option<i64>,
    pub visitor_id: Option<String>,
}

impl LeadToErase {
    /// What `lead_json` holds after erasure: the form, the submission id and the form's own hidden
    /// values (campaign and lead source, which say nothing about the person); no answers.
    pub(crate) fn tombstone_json(&self) -> Result<String, StoreError> {
        let tombstone = LeadSubmission {
            form_id: self.form_id.clone(),
            submission_id: self.submission_id.clone(),
            fields: Default::default(),
            hidden: HiddenValues {
                lead_source: self.lead_source.clone(),
                campaign_id: self.campaign_id.clone(),
            },
            page_url: String::new(),
            page_title: String::new(),
            referrer: String::new(),
            submitted_at: String::new(),
            locale: String::new(),
            attribution: None,
            consent: false,
            visitor_id: None,
            shown_fields: None,
            bot_check: Default::default(),
            form_token: None,
            munchkin_cookie: None,
        };
        serde_json::to_string(&tombstone).map_err(StoreError::EncodeLead)
    }
}

/// The steps of an erasure. Every step skips rows already erased, so running an erasure twice (or
/// on two handler instances at once) changes nothing the second time.
pub(crate) trait EraseSteps {
    /// The person with this normalised email who is not erased yet.
    async fn person_with_email(&mut self, email: &str) -> Result<Option<i64>, StoreError>;
    /// Leads not yet erased that carry this email or are linked to this person (spam leads carry
    /// the email without a person link).
    async fn leads_of_person(
        &mut self,
        email: &str,
        person_id: Option<i64>,
    ) -> Result<Vec<LeadToErase>, StoreError>;
    /// Leads of one form received before `cutoff_ms`, not yet erased, oldest first, at most `limit`.
    async fn leads_received_before(
        &mut self,
        form_id: &str,
        cutoff_ms: i64,
        limit: i64,
    ) -> Result<Vec<LeadToErase>, StoreError>;
    /// `leads`: empties the values and marks the tombstone. `false` when another erasure got there
    /// first.
    async fn erase_lead_values(
        &mut self,
        lead: &LeadToErase,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
    /// `deliveries`: undelivered ones are cancelled (dead, with the reason, never claimed or retried
    /// again); delivered ones keep only their status and times. Returns how many were cancelled.
    async fn cancel_deliveries(&mut self, lead_id: i64, reason: &str) -> Result<u64, StoreError>;
    /// `visitor_profiles`: deletes the profile of a visitor id.
    async fn delete_visitor_profile(&mut self, visitor_id: &str) -> Result<u64, StoreError>;
    /// Whether a lead that is not erased still carries this visitor id.
    async fn visitor_has_live_leads(&mut self, visitor_id: &str) -> Result<bool, StoreError>;
    /// Whether a lead that is not erased is still linked to this person.
    async fn person_has_live_leads(&mut self, person_id: i64) -> Result<bool, StoreError>;
    /// `persons`: replaces the email with a placeholder (the column is unique and required) and
    /// marks the tombstone. `false` when already erased.
    async fn erase_person_row(&mut self, person_id: i64, now_ms: i64) -> Result<bool, StoreError>;
}

const LEAD_TO_ERASE_COLUMNS: &str =
    "id, form_id, submission_id, lead_source, campaign_id, person_id, visitor_id";

macro_rules! erase_steps_for {
    ($db:ty, $backend:literal) => {
        impl<'c> EraseSteps for sqlx::Transaction<'c, $db> {
            async fn person_with_email(&mut self, email: &str) -> Result<Option<i64>, StoreError> {
                sqlx::query_scalar("SELECT id FROM persons WHERE email = $1 AND erased_at_ms IS NULL")
                    .bind(email)
                    .fetch_optional(&mut **self)
                    .await
                    .map_err(failed($backend, "find the person"))
            }

            async fn leads_of_person(
                &mut self,
                email: &str,
                person_id: Option<i64>,
            ) -> Result<Vec<LeadToErase>, StoreError> {
                sqlx::query_as(&format!(
                    "SELECT {LEAD_TO_ERASE_COLUMNS} FROM leads
                     WHERE (email = $1 OR person_id = $2) AND erased_at_ms IS NULL
                     ORDER BY received_at_ms, id"
                ))
                .bind(email)
                .bind(person_id)
                .fetch_all(&mut **self)
                .await
                .map_err(failed($backend, "find the person's leads"))
            }

            async fn leads_received_before(
                &mut self,
                form_id: &str,
                cutoff_ms: i64,
                limit: i64,
            ) -> Result<Vec<LeadToErase>, StoreError> {
                sqlx::query_as(&format!(
                    "SELECT {LEAD_TO_ERASE_COLUMNS} FROM leads
                     WHERE form_id = $1 AND received_at_ms < $2 AND erased_at_ms IS NULL
                     ORDER BY received_at_ms, id LIMIT $3"
                ))
                .bind(form_id)
                .bind(cutoff_ms)
                .bind(limit)
                .fetch_all(&mut **self)
                .await
                .map_err(failed($backend, "find leads past their retention"))
            }

            async fn erase_lead_values(
                &mut self,
                lead: &LeadToErase,
                now_ms: i64,
            ) -> Result<bool, StoreError> {
                // payload_hash goes too: it is a hash of the answers, so it could confirm a guess.
                let erased = sqlx::query(
                    "UPDATE leads SET email = NULL, visitor_id = NULL, client_ip = NULL,
                         hubspotutk = NULL, user_agent = NULL,
                         first_touch_utm_source = NULL, first_touch_utm_medium = NULL,
                         first_touch_utm_campaign = NULL, last_touch_utm_source = NULL,
                         last_touch_utm_medium = NULL, last_touch_utm_campaign = NULL,
                         payload_hash = 'erased', lead_json = $2, raw_payload = '',
                         erased_at_ms = $3
                     WHERE id = $1 AND erased_at_ms IS NULL",
                )
                .bind(lead.id)
                .bind(lead.tombstone_json()?)
                .bind(now_ms)
                .execute(&mut **self)
                .await
                .map_err(failed($backend, "erase a lead's values"))?
                .rows_affected();
                Ok(erased == 1)
            }

            async fn cancel_deliveries(
                &mut self,
                lead_id: i64,
                reason: &str,
            ) -> Result<u64, StoreError> {
                // Clearing the claim token also makes a send already under way unable to record
                // itself as delivered.
                let cancelled = sqlx::query(
                    "UPDATE deliveries SET status = 'dead', last_error = $2, delivered_detail = NULL,
                         next_attempt_at_ms = NULL, lease_until_ms = NULL, claim_token = NULL
                     WHERE lead_id = $1 AND status IN ('pending', 'in_flight', 'dead')",
                )
                .bind(lead_id)
                .bind(reason)
                .execute(&mut **self)
                .await
                .map_err(failed($backend, "cancel the lead's deliveries"))?
                .rows_affected();
                // A vendor's answer can quote the lead back; a delivered row keeps only its status.
                sqlx::query(
                    "UPDATE deliveries SET last_error = NULL, delivered_detail = NULL
                     WHERE lead_id = $1 AND status = 'delivered'",
                )
                .bind(lead_id)
                .execute(&mut **self)
                .await
                .map_err(failed($backend, "clear the lead's delivery details"))?;
                Ok(cancelled)
            }

            async fn delete_visitor_profile(&mut self, visitor_id: &str) -> Result<u64, StoreError> {
                Ok(sqlx::query("DELETE FROM visitor_profiles WHERE visitor_id = $1")
                    .bind(visitor_id)
                    .execute(&mut **self)
                    .await
                    .map_err(failed($backend, "delete a visitor profile"))?
                    .rows_affected())
            }

            async fn visitor_has_live_leads(&mut self, visitor_id: &str) -> Result<bool, StoreError> {
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM leads WHERE visitor_id = $1 AND erased_at_ms IS NULL LIMIT 1",
                )
                .bind(visitor_id)
                .fetch_optional(&mut **self)
                .await
                .map_err(failed($backend, "look for the visitor's other leads"))?;
                Ok(found.is_some())
            }

            async fn person_has_live_leads(&mut self, person_id: i64) -> Result<bool, StoreError> {
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM leads WHERE person_id = $1 AND erased_at_ms IS NULL LIMIT 1",
                )
                .bind(person_id)
                .fetch_optional(&mut **self)
                .await
                .map_err(failed($backend, "look for the person's other leads"))?;
                Ok(found.is_some())
            }

            async fn erase_person_row(
                &mut self,
                person_id: i64,
                now_ms: i64,
            ) -> Result<bool, StoreError> {
                let erased = sqlx::query(
                    "UPDATE persons SET email = $2, erased_at_ms = $3
                     WHERE id = $1 AND erased_at_ms IS NULL",
                )
                .bind(person_id)
                .bind(format!("erased:{person_id}"))
                .bind(now_ms)
                .execute(&mut **self)
                .await
                .map_err(failed($backend, "erase the person"))?
                .rows_affected();
                Ok(erased == 1)
            }
        }
    };
}

erase_steps_for!(sqlx::Sqlite, "sqlite");
erase_steps_for!(sqlx::Postgres, "postgres");
