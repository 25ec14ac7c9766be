//! The set statements of a group commit's batch ([`crate::lead_batch`]), written once for both
//! databases: each takes every row of the batch at once.

use crate::model::NewDelivery;
use crate::StoreError;
use leadform_core::KnownProfile;
use leadform_scoring::LogRow;
use sqlx::{QueryBuilder, Row};
use std::collections::{HashMap, HashSet};

/// A form token's use, as the committer queued it.
pub(crate) struct TokenUse<'a> {
    pub token_id: &'a str,
    pub submission_id: &'a str,
    pub now_ms: i64,
}

/// The set statements, on an open write transaction.
pub(crate) trait LeadBatchSteps {
    /// Inserts each token's use unless the token has one; `token id → owning submission id`.
    async fn insert_form_tokens(
        &mut self,
        tokens: &[TokenUse<'_>],
    ) -> Result<HashMap<String, String>, StoreError>;
    /// Creates persons `(email, at, submission id)` that do not exist, except for a submission id
    /// stored already (a retry gets no person, as lead by lead): `email → id` of those created.
    /// Their first lead is set by [`LeadBatchSteps::set_first_leads`] once it has an id.
    async fn create_persons(
        &mut self,
        persons: &[(&str, i64, &str)],
    ) -> Result<HashMap<String, i64>, StoreError>;
    /// The persons with these emails, locked in id order on PostgreSQL before any lead takes a
    /// key-share lock on them (which a later `FOR UPDATE` of another batch would deadlock with).
    async fn find_persons(&mut self, emails: &[&str]) -> Result<HashMap<String, i64>, StoreError>;
    /// Sets `(person id, lead id)`: the lead that created the person.
    async fn set_first_leads(&mut self, first_leads: &[(i64, i64)]) -> Result<(), StoreError>;
    /// Deletes persons this transaction created for no lead. Rare: only when another transaction
    /// stored the same submission id after [`LeadBatchSteps::create_persons`] looked.
    async fn forget_persons(&mut self, person_ids: &[i64]) -> Result<(), StoreError>;
    /// Moves each `(previous visitor id, new visitor id)` profile to its rotated id.
    async fn move_profiles(&mut self, moves: &[(&str, &str)]) -> Result<(), StoreError>;
    /// Merges each `(visitor id, answers, now)` into the visitor's stored profile, creating it
    /// when there is none: one read (locking the rows on PostgreSQL) and one upsert.
    async fn merge_profiles(
        &mut self,
        merges: &[(&str, &KnownProfile, i64)],
    ) -> Result<(), StoreError>;
    /// One pending `lead.created` delivery per `(lead id, now, destination)`, due at once.
    async fn queue_all_deliveries(
        &mut self,
        deliveries: &[(i64, i64, &NewDelivery)],
    ) -> Result<(), StoreError>;
    async fn load_logs(
        &mut self,
        run_id: i64,
        person_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<LogRow>>, StoreError>;
    /// `(person, form)` pairs these persons submitted in leads other than `lead_ids`.
    async fn forms_submitted_before(
        &mut self,
        person_ids: &[i64],
        lead_ids: &[i64],
    ) -> Result<HashSet<(i64, String)>, StoreError>;
    async fn mql_times(
        &mut self,
        person_ids: &[i64],
    ) -> Result<HashMap<i64, Option<i64>>, StoreError>;
}

// Every statement here is built for its batch's size, so its text differs from batch to batch:
// they are not kept prepared (`persistent(false)`), or they would push the connection's
// statement cache out and cost a close per eviction.

/// Appends `(v1, v2, …)` binds for an `IN` list.
macro_rules! push_in_list {
    ($builder:expr, $values:expr) => {{
        $builder.push("(");
        let mut list = $builder.separated(", ");
        for value in $values {
            list.push_bind(value);
        }
        list.push_unseparated(")");
    }};
}

macro_rules! impl_lead_batch_steps {
    ($db:ty, $backend:literal, $for_update:literal) => {
        impl LeadBatchSteps for sqlx::Transaction<'_, $db> {
            async fn insert_form_tokens(
                &mut self,
                tokens: &[TokenUse<'_>],
            ) -> Result<HashMap<String, String>, StoreError> {
                let fail = crate::error::failed($backend, "record the form tokens");
                let mut insert = QueryBuilder::<$db>::new(
                    "INSERT INTO used_form_tokens (token_id, submission_id, used_at_ms) ",
                );
                insert.push_values(tokens, |mut values, token| {
                    values
                        .push_bind(token.token_id)
                        .push_bind(token.submission_id)
                        .push_bind(token.now_ms);
                });
                insert.push(" ON CONFLICT (token_id) DO NOTHING RETURNING token_id, submission_id");
                let rows = insert.build().persistent(false).fetch_all(&mut **self).await.map_err(&fail)?;
                let mut owners: HashMap<String, String> = HashMap::with_capacity(tokens.len());
                for row in &rows {
                    owners.insert(row.try_get(0).map_err(&fail)?, row.try_get(1).map_err(&fail)?);
                }
                // Tokens spent before this batch (rare: a retry or a replay): whose they are.
                let spent_before: Vec<&str> = tokens
                    .iter()
                    .map(|token| token.token_id)
                    .filter(|token_id| !owners.contains_key(*token_id))
                    .collect();
                if !spent_before.is_empty() {
                    let mut read = QueryBuilder::<$db>::new(
                        "SELECT token_id, submission_id FROM used_form_tokens WHERE token_id IN ",
                    );
                    push_in_list!(read, spent_before.iter().copied());
                    let rows = read.build().persistent(false).fetch_all(&mut **self).await.map_err(&fail)?;
                    for row in &rows {
                        owners.insert(row.try_get(0).map_err(&fail)?, row.try_get(1).map_err(&fail)?);
                    }
                }
                Ok(owners)
            }

            async fn create_persons(
                &mut self,
                persons: &[(&str, i64, &str)],
            ) -> Result<HashMap<String, i64>, StoreError> {
                let fail = crate::error::failed($backend, "create the person");
                // The check for a stored submission is part of the insert: no extra round trip.
                // Both databases name a `VALUES` list's columns column1, column2, …
                let mut insert = QueryBuilder::<$db>::new(
                    "INSERT INTO persons (email, created_at_ms) SELECT column1, column2 FROM (",
                );
                insert.push_values(persons, |mut values, &(email, at_ms, submission_id)| {
                    values.push_bind(email).push_bind(at_ms).push_bind(submission_id);
                });
                // The WHERE also keeps SQLite from reading `ON CONFLICT` as a join's `ON`.
                insert.push(
                    ") AS wanted WHERE NOT EXISTS
                         (SELECT 1 FROM leads WHERE leads.submission_id = wanted.column3)
                     ON CONFLICT (email) DO NOTHING RETURNING email, id",
                );
                let created = insert.build().persistent(false).fetch_all(&mut **self).await.map_err(&fail)?;
                created
                    .iter()
                    .map(|row| Ok((row.try_get(0).map_err(&fail)?, row.try_get(1).map_err(&fail)?)))
                    .collect()
            }

            async fn find_persons(
                &mut self,
                emails: &[&str],
            ) -> Result<HashMap<String, i64>, StoreError> {
                let fail = crate::error::failed($backend, "find the person");
                let mut read =
                    QueryBuilder::<$db>::new("SELECT email, id FROM persons WHERE email IN ");
                push_in_list!(read, emails.iter().copied());
                read.push(" ORDER BY id").push($for_update);
                let found = read.build().persistent(false).fetch_all(&mut **self).await.map_err(&fail)?;
                found
                    .iter()
                    .map(|row| Ok((row.try_get(0).map_err(&fail)?, row.try_get(1).map_err(&fail)?)))
                    .collect()
            }

            async fn set_first_leads(&mut self, first_leads: &[(i64, i64)]) -> Result<(), StoreError> {
                // `CASE id WHEN …` and an id list: one statement that both databases run through
                // the primary key.
                let mut update =
                    QueryBuilder::<$db>::new("UPDATE persons SET first_lead_id = CASE id");
                for &(person_id, lead_id) in first_leads {
                    update.push(" WHEN ").push_bind(person_id).push(" THEN ").push_bind(lead_id);
                }
                update.push(" END WHERE id IN ");
                push_in_list!(update, first_leads.iter().map(|&(person_id, _)| person_id));
                update
                    .build().persistent(false)
                    .execute(&mut **self)
                    .await
                    .map_err(crate::error::failed($backend, "link the person to its first lead"))?;
                Ok(())
            }

            async fn forget_persons(&mut self, person_ids: &[i64]) -> Result<(), StoreError> {
                let mut delete = QueryBuilder::<$db>::new("DELETE FROM persons WHERE id IN ");
                push_in_list!(delete, person_ids.iter().copied());
                delete
                    .build().persistent(false)
                    .execute(&mut **self)
                    .await
                    .map_err(crate::error::failed($backend, "forget a person with no new lead"))?;
                Ok(())
            }

            async fn move_profiles(&mut self, moves: &[(&str, &str)]) -> Result<(), StoreError> {
                let mut update =
                    QueryBuilder::<$db>::new("WITH moves (previous, visitor_id) AS (");
                update.push_values(moves, |mut values, &(previous, visitor_id)| {
                    values.push_bind(previous).push_bind(visitor_id);
                });
                update.push(
                    ") UPDATE visitor_profiles
                     SET visitor_id = (SELECT m.visitor_id FROM moves m
                                       WHERE m.previous = visitor_profiles.visitor_id)
                     WHERE visitor_id IN (SELECT previous FROM moves)",
                );
                update
                    .build().persistent(false)
                    .execute(&mut **self)
                    .await
                    .map_err(crate::error::failed(
                        $backend,
                        "move the visitor profile to the rotated id",
                    ))?;
                Ok(())
            }

            async fn merge_profiles(
                &mut self,
                merges: &[(&str, &KnownProfile, i64)],
            ) -> Result<(), StoreError> {
                let read = crate::error::failed($backend, "read the visitor profile");
                let mut query = QueryBuilder::<$db>::new(
                    "SELECT visitor_id, known_json FROM visitor_profiles WHERE visitor_id IN ",
                );
                push_in_list!(query, merges.iter().map(|&(visitor_id, ..)| visitor_id));
                query.push($for_update);
                let rows = query.build().persistent(false).fetch_all(&mut **self).await.map_err(&read)?;
                let mut stored: HashMap<String, String> = HashMap::with_capacity(rows.len());
                for row in &rows {
                    stored.insert(row.try_get(0).map_err(&read)?, row.try_get(1).map_err(&read)?);
                }
                let merged: Vec<(&str, String, i64)> = merges
                    .iter()
                    .map(|&(visitor_id, answers, now_ms)| {
                        let stored_json = stored.get(visitor_id).map(String::as_str);
                        let json =
                            crate::profiles::merged_profile_json(visitor_id, stored_json, answers)?;
                        Ok((visitor_id, json, now_ms))
                    })
                    .collect::<Result<_, StoreError>>()?;
                // A visitor id without a row is one this batch just rotated to: no other
                // transaction knows it, so the upsert cannot overwrite another's merge.
                let mut upsert = QueryBuilder::<$db>::new(
                    "INSERT INTO visitor_profiles (visitor_id, known_json, updated_at_ms) ",
                );
                upsert.push_values(&merged, |mut values, (visitor_id, json, now_ms)| {
                    values.push_bind(*visitor_id).push_bind(json).push_bind(*now_ms);
                });
                upsert.push(
                    " ON CONFLICT (visitor_id) DO UPDATE
                     SET known_json = excluded.known_json, updated_at_ms = excluded.updated_at_ms",
                );
                upsert
                    .build().persistent(false)
                    .execute(&mut **self)
                    .await
                    .map_err(crate::error::failed($backend, "update the visitor profile"))?;
                Ok(())
            }

            async fn queue_all_deliveries(
                &mut self,
                deliveries: &[(i64, i64, &NewDelivery)],
            ) -> Result<(), StoreError> {
                let mut insert = QueryBuilder::<$db>::new(
                    "INSERT INTO deliveries (lead_id, destination_index, destination_kind,
                         destination_key, status, attempts, next_attempt_at_ms, created_at_ms,
                         destination_id) ",
                );
                insert.push_values(deliveries, |mut values, &(lead_id, now_ms, delivery)| {
                    let destination_index =
                        i64::try_from(delivery.destination_index).unwrap_or(i64::MAX);
                    values
                        .push_bind(lead_id)
                        .push_bind(destination_index)
                        .push_bind(&delivery.destination_kind)
                        .push_bind(&delivery.destination_key)
                        .push_bind("pending")
                        .push_bind(0_i64)
                        .push_bind(now_ms)
                        .push_bind(now_ms)
                        .push_bind(&delivery.destination_id);
                });
                insert
                    .build().persistent(false)
                    .execute(&mut **self)
                    .await
                    .map_err(crate::error::failed($backend, "queue the lead's deliveries"))?;
                Ok(())
            }

            async fn load_logs(
                &mut self,
                run_id: i64,
                person_ids: &[i64],
            ) -> Result<HashMap<i64, Vec<LogRow>>, StoreError> {
                let read = crate::error::failed($backend, "read the score log");
                let mut query = QueryBuilder::<$db>::new(
                    "SELECT person_id, at_ms, delta, rule, event_id, decay_week_ms FROM score_log
                     WHERE run_id = ",
                );
                query.push_bind(run_id).push(" AND person_id IN ");
                push_in_list!(query, person_ids.iter().copied());
                query.push(" ORDER BY person_id, at_ms, id");
                let rows = query.build().persistent(false).fetch_all(&mut **self).await.map_err(&read)?;
                let mut logs: HashMap<i64, Vec<LogRow>> = HashMap::new();
                for row in &rows {
                    logs.entry(row.try_get("person_id").map_err(&read)?)
                        .or_default()
                        .push(LogRow {
                            at_ms: row.try_get("at_ms").map_err(&read)?,
                            delta: row.try_get("delta").map_err(&read)?,
                            rule: row.try_get("rule").map_err(&read)?,
                            event_id: row.try_get("event_id").map_err(&read)?,
                            decay_week_ms: row.try_get("decay_week_ms").map_err(&read)?,
                        });
                }
                Ok(logs)
            }

            async fn forms_submitted_before(
                &mut self,
                person_ids: &[i64],
                lead_ids: &[i64],
            ) -> Result<HashSet<(i64, String)>, StoreError> {
                let read = crate::error::failed($backend, "look for an earlier submission");
                let mut query = QueryBuilder::<$db>::new(
                    "SELECT DISTINCT person_id, form_id FROM leads WHERE person_id IN ",
                );
                push_in_list!(query, person_ids.iter().copied());
                query.push(" AND id NOT IN ");
                push_in_list!(query, lead_ids.iter().copied());
                let rows = query.build().persistent(false).fetch_all(&mut **self).await.map_err(&read)?;
                rows.iter()
                    .map(|row| Ok((row.try_get(0).map_err(&read)?, row.try_get(1).map_err(&read)?)))
                    .collect()
            }

            async fn mql_times(
                &mut self,
                person_ids: &[i64],
            ) -> Result<HashMap<i64, Option<i64>>, StoreError> {
                let read = crate::error::failed($backend, "read the person's MQL time");
                let mut query =
                    QueryBuilder::<$db>::new("SELECT id, mql_at_ms FROM persons WHERE id IN ");
                push_in_list!(query, person_ids.iter().copied());
                let rows = query.build().persistent(false).fetch_all(&mut **self).await.map_err(&read)?;
                rows.iter()
                    .map(|row| Ok((row.try_get(0).map_err(&read)?, row.try_get(1).map_err(&read)?)))
                    .collect()
            }
        }
    };
}

impl_lead_batch_steps!(sqlx::Sqlite, "sqlite", "");
impl_lead_batch_steps!(sqlx::Postgres, "postgres", " FOR UPDATE");
