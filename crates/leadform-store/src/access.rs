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
use sqlx::Row;
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
            let person = sqlx::query(
                "SELECT id, email, created_at_ms, first_lead_id FROM persons
                 WHERE email = $1 AND erased_at_ms IS NULL",
            )
            .bind(&email)
            .fetch_optional(pool)
            .await
            .map_err(fail("find the person"))?
            .map(|row| -> Result<PersonRecord, StoreError> {
                let read = fail("read the person");
                Ok(PersonRecord {
                    id: row.try_get("id").map_err(&read)?,
                    email: row.try_get("email").map_err(&read)?,
                    created_at: rfc3339_from_ms(row.try_get("created_at_ms").map_err(&read)?),
                    first_lead_id: row.try_get("first_lead_id").map_err(&read)?,
                })
            })
            .transpose()?;
            let rows = sqlx::query(
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
                .iter()
                .map(|row| -> Result<PersonLead, StoreError> {
                    let read = fail("read the person's lead");
                    let stored = StoredLead::try_from(
                        <StoredLeadRow as sqlx::FromRow<_>>::from_row(row).map_err(&read)?,
                    )?;
                    Ok(PersonLead {
                        stored,
                        client_ip: row.try_get("client_ip").map_err(&read)?,
                        visitor_id: row.try_get("visitor_id").map_err(&read)?,
                        hubspotutk: row.try_get("hubspotutk").map_err(&read)?,
                        user_agent: row.try_get("user_agent").map_err(&read)?,
                        status: row.try_get("status").map_err(&read)?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let visitors: BTreeSet<&str> = leads
                .iter()
                .filter_map(|l| l.visitor_id.as_deref())
                .collect();
            let mut profiles = Vec::new();
            for visitor_id in visitors {
                let row = sqlx::query(
                    "SELECT known_json, updated_at_ms FROM visitor_profiles WHERE visitor_id = $1",
                )
                .bind(visitor_id)
                .fetch_optional(pool)
                .await
                .map_err(fail("read a visitor profile"))?;
                if let Some(row) = row {
                    let read = fail("read a visitor profile");
                    let json: String = row.try_get("known_json").map_err(&read)?;
                    profiles.push(VisitorProfileRecord {
                        visitor_id: visitor_id.to_owned(),
                        profile: parse_profile(visitor_id, &json)?,
                        updated_at: rfc3339_from_ms(row.try_get("updated_at_ms").map_err(&read)?),
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
