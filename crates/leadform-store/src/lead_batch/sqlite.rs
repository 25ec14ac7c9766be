//! The batch statements on SQLite: each built for its batch's size as a `VALUES` or `IN` list.
//! They run in process, so preparing one is cheap; they are not kept prepared
//! (`persistent(false)`), since their text differs from batch to batch and would only push the
//! connection's statement cache out.

use super::statements::{
    fields_json, grouped_logs, pairs, returned_event_ids, BatchStatements, LeadPerson, TokenUse,
};
use crate::error::failed;
use crate::lead_steps::LeadRow;
use crate::model::NewDelivery;
use crate::score_model::NewScoreEvent;
use crate::StoreError;
use leadform_scoring::LogRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite};
use std::collections::{HashMap, HashSet};

type Tx<'c> = sqlx::Transaction<'c, Sqlite>;

/// Appends `(v1, v2, …)` binds for an `IN` list.
fn push_in_list<'a, T>(builder: &mut QueryBuilder<'a, Sqlite>, values: impl IntoIterator<Item = T>)
where
    T: 'a + sqlx::Encode<'a, Sqlite> + sqlx::Type<Sqlite> + Send,
{
    builder.push("(");
    let mut list = builder.separated(", ");
    for value in values {
        list.push_bind(value);
    }
    list.push_unseparated(")");
}

/// Runs a statement built for this batch and returns its rows.
async fn fetch_rows(
    tx: &mut Tx<'_>,
    mut query: QueryBuilder<'_, Sqlite>,
    fail: &impl Fn(sqlx::Error) -> StoreError,
) -> Result<Vec<SqliteRow>, StoreError> {
    query
        .build()
        .persistent(false)
        .fetch_all(&mut **tx)
        .await
        .map_err(fail)
}

/// Runs a statement built for this batch.
async fn run(
    tx: &mut Tx<'_>,
    mut query: QueryBuilder<'_, Sqlite>,
    fail: impl Fn(sqlx::Error) -> StoreError,
) -> Result<(), StoreError> {
    query
        .build()
        .persistent(false)
        .execute(&mut **tx)
        .await
        .map_err(fail)?;
    Ok(())
}

impl BatchStatements for Tx<'_> {
    async fn insert_form_tokens(
        &mut self,
        tokens: &[TokenUse<'_>],
    ) -> Result<HashMap<String, String>, StoreError> {
        let fail = failed("sqlite", "record the form tokens");
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO used_form_tokens (token_id, submission_id, used_at_ms) ",
        );
        insert.push_values(tokens, |mut values, token| {
            values
                .push_bind(token.token_id)
                .push_bind(token.submission_id)
                .push_bind(token.now_ms);
        });
        insert.push(" ON CONFLICT (token_id) DO NOTHING RETURNING token_id, submission_id");
        pairs(&fetch_rows(self, insert, &fail).await?, &fail)
    }

    async fn form_token_owners(
        &mut self,
        token_ids: &[&str],
    ) -> Result<HashMap<String, String>, StoreError> {
        let fail = failed("sqlite", "read whose the form tokens are");
        let mut read = QueryBuilder::<Sqlite>::new(
            "SELECT token_id, submission_id FROM used_form_tokens WHERE token_id IN ",
        );
        push_in_list(&mut read, token_ids.iter().copied());
        pairs(&fetch_rows(self, read, &fail).await?, &fail)
    }

    async fn create_persons(
        &mut self,
        persons: &[(&str, i64, &str)],
    ) -> Result<HashMap<String, LeadPerson>, StoreError> {
        let fail = failed("sqlite", "create the person");
        // The check for a stored submission is part of the insert: no extra round trip.
        // SQLite names a `VALUES` list's columns column1, column2, …
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO persons (email, created_at_ms) SELECT column1, column2 FROM (",
        );
        insert.push_values(persons, |mut values, &(email, at_ms, submission_id)| {
            values
                .push_bind(email)
                .push_bind(at_ms)
                .push_bind(submission_id);
        });
        // The WHERE also keeps SQLite from reading `ON CONFLICT` as a join's `ON`.
        insert.push(
            ") AS wanted WHERE NOT EXISTS
                 (SELECT 1 FROM leads WHERE leads.submission_id = wanted.column3)
             ON CONFLICT (email) DO NOTHING RETURNING email, id",
        );
        let rows = fetch_rows(self, insert, &fail).await?;
        let created: HashMap<String, i64> = pairs(&rows, &fail)?;
        Ok(created
            .into_iter()
            .map(|(email, id)| {
                let person = LeadPerson {
                    id,
                    created: true,
                    reserved_lead_id: None,
                };
                (email, person)
            })
            .collect())
    }

    async fn find_persons(&mut self, emails: &[&str]) -> Result<HashMap<String, i64>, StoreError> {
        let fail = failed("sqlite", "find the person");
        let mut read = QueryBuilder::<Sqlite>::new("SELECT email, id FROM persons WHERE email IN ");
        push_in_list(&mut read, emails.iter().copied());
        let found = fetch_rows(self, read, &fail).await?;
        pairs(&found, &fail)
    }

    async fn insert_leads(
        &mut self,
        rows: &[&LeadRow<'_>],
        persons: &[Option<LeadPerson>],
    ) -> Result<HashMap<String, i64>, StoreError> {
        let fail = failed("sqlite", "insert the lead");
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO leads (
                submission_id, form_id, intent, email, is_spam, lead_source, campaign_id,
                first_touch_utm_source, first_touch_utm_medium, first_touch_utm_campaign,
                last_touch_utm_source, last_touch_utm_medium, last_touch_utm_campaign,
                visitor_id, client_ip, hubspotutk, received_at_ms, payload_hash, lead_json,
                raw_payload, user_agent, person_id, first_for_person) ",
        );
        insert.push_values(rows.iter().zip(persons), |mut values, (row, person)| {
            let new = row.new;
            let [first_source, first_medium, first_campaign] = &row.first_touch;
            let [last_source, last_medium, last_campaign] = &row.last_touch;
            values
                .push_bind(&new.lead.submission_id)
                .push_bind(&new.lead.form_id)
                .push_bind(new.intent.as_str())
                .push_bind(&row.email)
                .push_bind(new.is_spam)
                .push_bind(&new.lead.hidden.lead_source)
                .push_bind(&new.lead.hidden.campaign_id)
                .push_bind(first_source)
                .push_bind(first_medium)
                .push_bind(first_campaign)
                .push_bind(last_source)
                .push_bind(last_medium)
                .push_bind(last_campaign)
                .push_bind(&new.visitor_id)
                .push_bind(&new.client_ip)
                .push_bind(&new.hubspotutk)
                .push_bind(new.received_at_ms)
                .push_bind(&row.hash)
                .push_bind(&row.lead_json)
                .push_bind(&new.raw_payload)
                .push_bind(&new.user_agent)
                .push_bind(person.map(|person| person.id))
                .push_bind(person.is_some_and(|person| person.created));
        });
        insert.push(" ON CONFLICT (submission_id) DO NOTHING RETURNING submission_id, id");
        let stored = fetch_rows(self, insert, &fail).await?;
        pairs(&stored, &fail)
    }

    async fn set_first_leads(&mut self, first_leads: &[(i64, i64)]) -> Result<(), StoreError> {
        // `CASE id WHEN …` and an id list: one statement that runs through the primary key.
        let mut update = QueryBuilder::<Sqlite>::new("UPDATE persons SET first_lead_id = CASE id");
        for &(person_id, lead_id) in first_leads {
            update
                .push(" WHEN ")
                .push_bind(person_id)
                .push(" THEN ")
                .push_bind(lead_id);
        }
        update.push(" END WHERE id IN ");
        push_in_list(
            &mut update,
            first_leads.iter().map(|&(person_id, _)| person_id),
        );
        run(
            self,
            update,
            failed("sqlite", "link the person to its first lead"),
        )
        .await
    }

    async fn forget_persons(&mut self, person_ids: &[i64]) -> Result<(), StoreError> {
        let mut delete = QueryBuilder::<Sqlite>::new("DELETE FROM persons WHERE id IN ");
        push_in_list(&mut delete, person_ids.iter().copied());
        run(
            self,
            delete,
            failed("sqlite", "forget a person with no new lead"),
        )
        .await
    }

    async fn move_profiles(&mut self, moves: &[(&str, &str)]) -> Result<(), StoreError> {
        let mut update = QueryBuilder::<Sqlite>::new("WITH moves (previous, visitor_id) AS (");
        update.push_values(moves, |mut values, &(previous, visitor_id)| {
            values.push_bind(previous).push_bind(visitor_id);
        });
        update.push(
            ") UPDATE visitor_profiles
             SET visitor_id = (SELECT m.visitor_id FROM moves m
                               WHERE m.previous = visitor_profiles.visitor_id)
             WHERE visitor_id IN (SELECT previous FROM moves)",
        );
        run(
            self,
            update,
            failed("sqlite", "move the visitor profile to the rotated id"),
        )
        .await
    }

    async fn read_profiles(
        &mut self,
        visitor_ids: &[&str],
    ) -> Result<HashMap<String, String>, StoreError> {
        let read = failed("sqlite", "read the visitor profile");
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT visitor_id, known_json FROM visitor_profiles WHERE visitor_id IN ",
        );
        push_in_list(&mut query, visitor_ids.iter().copied());
        pairs(&fetch_rows(self, query, &read).await?, &read)
    }

    async fn upsert_profiles(
        &mut self,
        profiles: &[(&str, String, i64)],
    ) -> Result<(), StoreError> {
        let mut upsert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO visitor_profiles (visitor_id, known_json, updated_at_ms) ",
        );
        upsert.push_values(profiles, |mut values, (visitor_id, json, now_ms)| {
            values
                .push_bind(*visitor_id)
                .push_bind(json)
                .push_bind(*now_ms);
        });
        upsert.push(
            " ON CONFLICT (visitor_id) DO UPDATE
             SET known_json = excluded.known_json, updated_at_ms = excluded.updated_at_ms",
        );
        run(self, upsert, failed("sqlite", "update the visitor profile")).await
    }

    async fn queue_all_deliveries(
        &mut self,
        deliveries: &[(i64, i64, &NewDelivery)],
    ) -> Result<(), StoreError> {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO deliveries (lead_id, destination_index, destination_kind,
                 destination_key, status, attempts, next_attempt_at_ms, created_at_ms,
                 destination_id) ",
        );
        insert.push_values(deliveries, |mut values, &(lead_id, now_ms, delivery)| {
            values
                .push_bind(lead_id)
                .push_bind(super::destination_index(delivery))
                .push_bind(&delivery.destination_kind)
                .push_bind(&delivery.destination_key)
                .push_bind("pending")
                .push_bind(0_i64)
                .push_bind(now_ms)
                .push_bind(now_ms)
                .push_bind(&delivery.destination_id);
        });
        run(
            self,
            insert,
            failed("sqlite", "queue the lead's deliveries"),
        )
        .await
    }

    async fn load_logs(
        &mut self,
        run_id: i64,
        person_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<LogRow>>, StoreError> {
        let read = failed("sqlite", "read the score log");
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT person_id, at_ms, delta, rule, event_id, decay_week_ms FROM score_log
             WHERE run_id = ",
        );
        query.push_bind(run_id).push(" AND person_id IN ");
        push_in_list(&mut query, person_ids.iter().copied());
        query.push(" ORDER BY person_id, at_ms, id");
        let rows = fetch_rows(self, query, &read).await?;
        grouped_logs(&rows, &read)
    }

    async fn forms_submitted_before(
        &mut self,
        person_ids: &[i64],
        lead_ids: &[i64],
    ) -> Result<HashSet<(i64, String)>, StoreError> {
        let read = failed("sqlite", "look for an earlier submission");
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT DISTINCT person_id, form_id FROM leads WHERE person_id IN ",
        );
        push_in_list(&mut query, person_ids.iter().copied());
        query.push(" AND id NOT IN ");
        push_in_list(&mut query, lead_ids.iter().copied());
        let rows = fetch_rows(self, query, &read).await?;
        Ok(pairs::<_, i64, String>(&rows, &read)?.into_iter().collect())
    }

    async fn mql_times(
        &mut self,
        person_ids: &[i64],
    ) -> Result<HashMap<i64, Option<i64>>, StoreError> {
        let read = failed("sqlite", "read the person's MQL time");
        let mut query =
            QueryBuilder::<Sqlite>::new("SELECT id, mql_at_ms FROM persons WHERE id IN ");
        push_in_list(&mut query, person_ids.iter().copied());
        let rows = fetch_rows(self, query, &read).await?;
        pairs(&rows, &read)
    }

    async fn insert_events(
        &mut self,
        events: &[NewScoreEvent],
    ) -> Result<HashMap<(i64, String), i64>, StoreError> {
        let fail = failed("sqlite", "record the score event");
        let fields = fields_json(events)?;
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO score_events
                 (person_id, kind, at_ms, form_id, intent, lead_id, detail, fields_json) ",
        );
        insert.push_values(events.iter().zip(&fields), |mut values, (event, fields)| {
            values
                .push_bind(event.person_id)
                .push_bind(event.kind.as_str())
                .push_bind(event.at_ms)
                .push_bind(&event.form_id)
                .push_bind(&event.intent)
                .push_bind(event.lead_id)
                .push_bind(&event.detail)
                .push_bind(fields);
        });
        insert.push(" RETURNING lead_id, kind, id");
        let rows = fetch_rows(self, insert, &fail).await?;
        returned_event_ids(&rows, &fail)
    }

    async fn append_log_rows(
        &mut self,
        run_id: i64,
        rows: &[(i64, LogRow)],
    ) -> Result<(), StoreError> {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO score_log
                 (run_id, person_id, at_ms, delta, rule, event_id, decay_week_ms) ",
        );
        insert.push_values(rows, |mut values, (person_id, row)| {
            values
                .push_bind(run_id)
                .push_bind(*person_id)
                .push_bind(row.at_ms)
                .push_bind(row.delta)
                .push_bind(&row.rule)
                .push_bind(row.event_id)
                .push_bind(row.decay_week_ms);
        });
        // Two handlers may decay the same person and week at once: the unique key keeps
        // one row, never clock agreement.
        insert.push(" ON CONFLICT DO NOTHING");
        run(self, insert, failed("sqlite", "append to the score log")).await
    }
}
