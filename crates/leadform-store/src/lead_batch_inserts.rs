//! The batch statements that carry one row per lead (leads, score events, score log rows), one way
//! per database. SQLite takes a `VALUES` list built for the batch's size: its statements are cheap
//! to prepare and run in process. PostgreSQL takes one array per column through `UNNEST`, so the
//! statement's text is the same for every batch: it is prepared and planned once per connection,
//! and each batch is one round trip (an unprepared statement is two, and parsed and planned again).

use crate::error::failed;
use crate::lead_steps::LeadRow;
use crate::score_model::NewScoreEvent;
use crate::StoreError;
use leadform_scoring::LogRow;
use sqlx::{ColumnIndex, Decode, Postgres, QueryBuilder, Row, Sqlite, Type};
use std::collections::HashMap;

/// Inserting a batch's rows, on an open write transaction.
pub(crate) trait BatchRowInserts {
    /// Inserts the leads whose submission id is new, each linked to its person `(id, created
    /// now)` when it has one: `submission id → lead id` for those inserted.
    async fn insert_leads(
        &mut self,
        rows: &[&LeadRow<'_>],
        persons: &[Option<(i64, bool)>],
    ) -> Result<HashMap<String, i64>, StoreError>;
    /// Inserts the events: `(lead id, kind) → event id` (a lead has one event of each kind).
    async fn insert_events(
        &mut self,
        events: &[NewScoreEvent],
    ) -> Result<HashMap<(i64, String), i64>, StoreError>;
    /// Appends `(person, row)`s; a decay row for a week that has one already is skipped.
    async fn append_log_rows(
        &mut self,
        run_id: i64,
        rows: &[(i64, LogRow)],
    ) -> Result<(), StoreError>;
}

/// Each event's submitted values, as stored.
fn fields_json(events: &[NewScoreEvent]) -> Result<Vec<String>, StoreError> {
    events
        .iter()
        .map(|event| serde_json::to_string(&event.fields))
        .collect::<Result<_, _>>()
        .map_err(StoreError::EncodeLead)
}

/// `submission id → lead id` from the rows of `RETURNING submission_id, id`.
fn returned_lead_ids<R: Row>(
    rows: &[R],
    fail: &impl Fn(sqlx::Error) -> StoreError,
) -> Result<HashMap<String, i64>, StoreError>
where
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
{
    rows.iter()
        .map(|row| Ok((row.try_get(0).map_err(fail)?, row.try_get(1).map_err(fail)?)))
        .collect()
}

/// `(lead id, kind) → event id` from the rows of `RETURNING lead_id, kind, id`.
fn returned_event_ids<R: Row>(
    rows: &[R],
    fail: &impl Fn(sqlx::Error) -> StoreError,
) -> Result<HashMap<(i64, String), i64>, StoreError>
where
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
{
    rows.iter()
        .map(|row| {
            let lead_id: i64 = row.try_get(0).map_err(fail)?;
            let kind: String = row.try_get(1).map_err(fail)?;
            Ok(((lead_id, kind), row.try_get(2).map_err(fail)?))
        })
        .collect()
}

impl BatchRowInserts for sqlx::Transaction<'_, Sqlite> {
    async fn insert_leads(
        &mut self,
        rows: &[&LeadRow<'_>],
        persons: &[Option<(i64, bool)>],
    ) -> Result<HashMap<String, i64>, StoreError> {
        let fail = crate::error::failed("sqlite", "insert the lead");
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
                .push_bind(person.map(|(person_id, _)| person_id))
                .push_bind(person.is_some_and(|(_, created)| created));
        });
        insert.push(" ON CONFLICT (submission_id) DO NOTHING RETURNING submission_id, id");
        let stored = insert
            .build()
            .persistent(false)
            .fetch_all(&mut **self)
            .await
            .map_err(&fail)?;
        returned_lead_ids(&stored, &fail)
    }

    async fn insert_events(
        &mut self,
        events: &[NewScoreEvent],
    ) -> Result<HashMap<(i64, String), i64>, StoreError> {
        let fail = crate::error::failed("sqlite", "record the score event");
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
        let rows = insert
            .build()
            .persistent(false)
            .fetch_all(&mut **self)
            .await
            .map_err(&fail)?;
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
        insert
            .build()
            .persistent(false)
            .execute(&mut **self)
            .await
            .map_err(crate::error::failed("sqlite", "append to the score log"))?;
        Ok(())
    }
}

const INSERT_LEADS_FROM_ARRAYS: &str = "INSERT INTO leads (
        submission_id, form_id, intent, email, is_spam, lead_source, campaign_id,
        first_touch_utm_source, first_touch_utm_medium, first_touch_utm_campaign,
        last_touch_utm_source, last_touch_utm_medium, last_touch_utm_campaign,
        visitor_id, client_ip, hubspotutk, received_at_ms, payload_hash, lead_json,
        raw_payload, user_agent, person_id, first_for_person)
    SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::text[],
        $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
        $14::text[], $15::text[], $16::text[], $17::bigint[], $18::text[], $19::text[],
        $20::text[], $21::text[], $22::bigint[], $23::bool[])
    ON CONFLICT (submission_id) DO NOTHING
    RETURNING submission_id, id";

const INSERT_EVENTS_FROM_ARRAYS: &str = "INSERT INTO score_events
        (person_id, kind, at_ms, form_id, intent, lead_id, detail, fields_json)
    SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[],
        $6::bigint[], $7::text[], $8::text[])
    RETURNING lead_id, kind, id";

// Two handlers may decay the same person and week at once: the unique key keeps one row, never
// clock agreement.
const APPEND_LOG_FROM_ARRAYS: &str = "INSERT INTO score_log
        (run_id, person_id, at_ms, delta, rule, event_id, decay_week_ms)
    SELECT $1, * FROM UNNEST($2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[],
        $7::bigint[])
    ON CONFLICT DO NOTHING";

/// One text column of the leads, as an array.
fn text_column<'a>(
    rows: &[&'a LeadRow<'a>],
    pick: impl Fn(&'a LeadRow<'a>) -> Option<&'a str>,
) -> Vec<Option<&'a str>> {
    rows.iter().map(|row| pick(row)).collect()
}

impl BatchRowInserts for sqlx::Transaction<'_, Postgres> {
    async fn insert_leads(
        &mut self,
        rows: &[&LeadRow<'_>],
        persons: &[Option<(i64, bool)>],
    ) -> Result<HashMap<String, i64>, StoreError> {
        let fail = failed("postgres", "insert the lead");
        let touch = |first: bool, index: usize| {
            text_column(rows, |row| {
                let touch = if first {
                    &row.first_touch
                } else {
                    &row.last_touch
                };
                touch[index].as_deref()
            })
        };
        let stored = sqlx::query(INSERT_LEADS_FROM_ARRAYS)
            .bind(text_column(rows, |row| Some(&row.new.lead.submission_id)))
            .bind(text_column(rows, |row| Some(&row.new.lead.form_id)))
            .bind(text_column(rows, |row| Some(row.new.intent.as_str())))
            .bind(text_column(rows, |row| row.email.as_deref()))
            .bind(
                rows.iter()
                    .map(|row| row.new.is_spam)
                    .collect::<Vec<bool>>(),
            )
            .bind(text_column(rows, |row| {
                row.new.lead.hidden.lead_source.as_deref()
            }))
            .bind(text_column(rows, |row| {
                row.new.lead.hidden.campaign_id.as_deref()
            }))
            .bind(touch(true, 0))
            .bind(touch(true, 1))
            .bind(touch(true, 2))
            .bind(touch(false, 0))
            .bind(touch(false, 1))
            .bind(touch(false, 2))
            .bind(text_column(rows, |row| row.new.visitor_id.as_deref()))
            .bind(text_column(rows, |row| row.new.client_ip.as_deref()))
            .bind(text_column(rows, |row| row.new.hubspotutk.as_deref()))
            .bind(
                rows.iter()
                    .map(|row| row.new.received_at_ms)
                    .collect::<Vec<i64>>(),
            )
            .bind(text_column(rows, |row| Some(&row.hash)))
            .bind(text_column(rows, |row| Some(&row.lead_json)))
            .bind(text_column(rows, |row| Some(&row.new.raw_payload)))
            .bind(text_column(rows, |row| row.new.user_agent.as_deref()))
            .bind(
                persons
                    .iter()
                    .map(|person| person.map(|(id, _)| id))
                    .collect::<Vec<_>>(),
            )
            .bind(
                persons
                    .iter()
                    .map(|person| person.is_some_and(|(_, created)| created))
                    .collect::<Vec<bool>>(),
            )
            .fetch_all(&mut **self)
            .await
            .map_err(&fail)?;
        returned_lead_ids(&stored, &fail)
    }

    async fn insert_events(
        &mut self,
        events: &[NewScoreEvent],
    ) -> Result<HashMap<(i64, String), i64>, StoreError> {
        let fail = failed("postgres", "record the score event");
        let fields = fields_json(events)?;
        let rows = sqlx::query(INSERT_EVENTS_FROM_ARRAYS)
            .bind(events.iter().map(|e| e.person_id).collect::<Vec<i64>>())
            .bind(
                events
                    .iter()
                    .map(|e| e.kind.as_str())
                    .collect::<Vec<&str>>(),
            )
            .bind(events.iter().map(|e| e.at_ms).collect::<Vec<i64>>())
            .bind(
                events
                    .iter()
                    .map(|e| e.form_id.as_deref())
                    .collect::<Vec<_>>(),
            )
            .bind(
                events
                    .iter()
                    .map(|e| e.intent.as_deref())
                    .collect::<Vec<_>>(),
            )
            .bind(events.iter().map(|e| e.lead_id).collect::<Vec<_>>())
            .bind(
                events
                    .iter()
                    .map(|e| e.detail.as_deref())
                    .collect::<Vec<_>>(),
            )
            .bind(&fields)
            .fetch_all(&mut **self)
            .await
            .map_err(&fail)?;
        returned_event_ids(&rows, &fail)
    }

    async fn append_log_rows(
        &mut self,
        run_id: i64,
        rows: &[(i64, LogRow)],
    ) -> Result<(), StoreError> {
        sqlx::query(APPEND_LOG_FROM_ARRAYS)
            .bind(run_id)
            .bind(
                rows.iter()
                    .map(|(person_id, _)| *person_id)
                    .collect::<Vec<i64>>(),
            )
            .bind(rows.iter().map(|(_, row)| row.at_ms).collect::<Vec<i64>>())
            .bind(rows.iter().map(|(_, row)| row.delta).collect::<Vec<i64>>())
            .bind(
                rows.iter()
                    .map(|(_, row)| row.rule.as_str())
                    .collect::<Vec<&str>>(),
            )
            .bind(rows.iter().map(|(_, row)| row.event_id).collect::<Vec<_>>())
            .bind(
                rows.iter()
                    .map(|(_, row)| row.decay_week_ms)
                    .collect::<Vec<_>>(),
            )
            .execute(&mut **self)
            .await
            .map_err(failed("postgres", "append to the score log"))?;
        Ok(())
    }
}
