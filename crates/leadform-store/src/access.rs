//! Everything stored about one person, for an access request (`export --email`).

use crate::backend::with_backend;
use crate::clock::rfc3339_from_ms;
use crate::deliveries::{delivery_records, DeliveryRow, LIST_SQL};
use crate::erasure::normalise_email;
use crate::error::{failed, StoreError};
use crate::leads::StoredLeadRow;
use crate::model::{DeliveryRecord, StoredLead};
use crate::profiles::parse_profile;
use crate::Store;
use leadform_core::KnownProfile;
use serde::Serialize;
use std::collections::BTreeSet;

/// The person row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRecord {
    pub id: i64,
    pub email: String,
    /// RFC 3339, UTC: when their first lead arrived.
    pub created_at: String,
    pub first_lead_id: Option<i64>,
}

/// One lead with everything the store keeps about its sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonLead {
    #[serde(flatten)]
    pub stored: StoredLead,
    pub client_ip: Option<String>,
    pub visitor_id: Option<String>,
    pub hubspotutk: Option<String>,
    pub user_agent: Option<String>,
    /// Where sales is with the lead: open, contacted, qualified, converted, closed.
    pub status: String,
}

/// A visitor profile (the answers kept to prefill forms), keyed by the visitor cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitorProfileRecord {
    pub visitor_id: String,
    pub profile: KnownProfile,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// What an access request returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonAccessRecord {
    /// The normalised email that was looked up.
    pub email: String,
    /// `None` when only spam leads carry the email (spam is never linked to a person).
    pub person: Option<PersonRecord>,
    /// Oldest first: leads linked to the person or carrying the email, spam included.
    pub leads: Vec<PersonLead>,
    pub profiles: Vec<VisitorProfileRecord>,
    /// The deliveries of those leads to CRMs and webhooks, with their states.
    pub deliveries: Vec<DeliveryRecord>,
}

/// A `persons` row, as stored.
#[derive(sqlx::FromRow)]
struct PersonRow {
    id: i64,
    email: String,
    created_at_ms: i64,
    first_lead_id: Option<i64>,
}

impl From<PersonRow> for PersonRecord {
    fn from(row: PersonRow) -> Self {
        PersonRecord {
            id: row.id,
            email: row.email,
            created_at: rfc3339_from_ms(row.created_at_ms),
            first_lead_id: row.first_lead_id,
        }
    }
}

/// A lead row with what the store keeps about its sender, as stored.
#[derive(sqlx::FromRow)]
struct PersonLeadRow {
    #[sqlx(flatten)]
    stored: StoredLeadRow,
    client_ip: Option<String>,
    visitor_id: Option<String>,
    hubspotutk: Option<String>,
    user_agent: Option<String>,
    status: String,
}

impl TryFrom<PersonLeadRow> for PersonLead {
    type Error = StoreError;

    fn try_from(row: PersonLeadRow) -> Result<Self, StoreError> {
        Ok(PersonLead {
            stored: StoredLead::try_from(row.stored)?,
            client_ip: row.client_ip,
            visitor_id: row.visitor_id,
            hubspotutk: row.hubspotutk,
            user_agent: row.user_agent,
            status: row.status,
        })
    }
}

/// A `visitor_profiles` row's values, as stored.
#[derive(sqlx::FromRow)]
struct VisitorProfileRow {
    known_json: String,
    updated_at_ms: i64,
}

impl Store {
    /// Everything stored about the person with this email (case and surrounding spaces ignored).
    /// `None` when nothing is: no person and no lead with that email.
    pub async fn person_access_record(
        &self,
        email: &str,
    ) -> Result<Option<PersonAccessRecord>, StoreError> {
        let email = normalise_email(email);
        let (person, leads, profiles) = with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let person: Option<PersonRecord> = sqlx::query_as::<_, PersonRow>(
                "SELECT id, email, created_at_ms, first_lead_id FROM persons
                 WHERE email = $1 AND erased_at_ms IS NULL",
            )
            .bind(&email)
            .fetch_optional(pool)
            .await
            .map_err(fail("find the person"))?
            .map(PersonRecord::from);
            let rows: Vec<PersonLeadRow> = sqlx::query_as(
                "SELECT id, submission_id, form_id, intent, email, person_id, first_for_person,
                        is_spam, received_at_ms, lead_json, raw_payload, erased_at_ms,
                        client_ip, visitor_id, hubspotutk, user_agent, status
                 FROM leads WHERE email = $1 OR person_id = $2
                 ORDER BY received_at_ms, id",
            )
            .bind(&email)
            .bind(person.as_ref().map(|p| p.id))
            .fetch_all(pool)
            .await
            .map_err(fail("find the person's leads"))?;
            let leads = rows
                .into_iter()
                .map(PersonLead::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            let visitors: BTreeSet<&str> = leads
                .iter()
                .filter_map(|l| l.visitor_id.as_deref())
                .collect();
            let mut profiles = Vec::new();
            for visitor_id in visitors {
                let row: Option<VisitorProfileRow> = sqlx::query_as(
                    "SELECT known_json, updated_at_ms FROM visitor_profiles WHERE visitor_id = $1",
                )
                .bind(visitor_id)
                .fetch_optional(pool)
                .await
                .map_err(fail("read a visitor profile"))?;
                if let Some(row) = row {
                    profiles.push(VisitorProfileRecord {
                        visitor_id: visitor_id.to_owned(),
                        profile: parse_profile(visitor_id, &row.known_json)?,
                        updated_at: rfc3339_from_ms(row.updated_at_ms),
                    });
                }
            }
            (person, leads, profiles)
        });
        if person.is_none() && leads.is_empty() {
            return Ok(None);
        }
        let deliveries = with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let rows: Vec<DeliveryRow> = sqlx::query_as(&format!(
                "{LIST_SQL} WHERE l.email = $1 OR l.person_id = $2 ORDER BY d.id"
            ))
            .bind(&email)
            .bind(person.as_ref().map(|p| p.id))
            .fetch_all(pool)
            .await
            .map_err(fail("list the person's deliveries"))?;
            delivery_records(rows)?
        });
        Ok(Some(PersonAccessRecord {
            email,
            person,
            leads,
            profiles,
            deliveries,
        }))
    }
}
