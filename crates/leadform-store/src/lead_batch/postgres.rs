//! The batch statements on PostgreSQL. Each takes one array per column (`UNNEST`, `= ANY`), so its
//! text is the same for every batch: it is parsed once per connection and kept prepared, and each
//! batch costs one round trip per statement (an unprepared statement costs two, and is parsed and
//! planned again every time).
//!
//! They run in a transaction without sequential scans
//! ([`crate::backend::BeginWrite::begin_lead_batch`]), which keeps a plan made on a new, nearly
//! empty database from scanning whole tables later. The one lookup that cannot take an `= ANY`
//! list, the stored submissions in [`CREATE_PERSONS`], is a correlated subquery: one
//! unique-index lookup per row, where a `NOT EXISTS` could become a join over the whole index.

use super::statements::{
    fields_json, grouped_logs, pairs, returned_event_ids, BatchStatements, LeadPerson, TokenUse,
};
use crate::error::failed;
use crate::lead_steps::LeadRow;
use crate::model::NewDelivery;
use crate::score_model::NewScoreEvent;
use crate::StoreError;
use leadform_scoring::LogRow;
use sqlx::{Postgres, Row};
use std::collections::{HashMap, HashSet};

type Tx<'c> = sqlx::Transaction<'c, Postgres>;

const INSERT_FORM_TOKENS: &str =
    "INSERT INTO used_form_tokens (token_id, submission_id, used_at_ms)
    SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[])
    ON CONFLICT (token_id) DO NOTHING
    RETURNING token_id, submission_id";

const FORM_TOKEN_OWNERS: &str =
    "SELECT token_id, submission_id FROM used_form_tokens WHERE token_id = ANY($1::text[])";

// Each new person takes its first lead's id from the leads' sequence now, so the lead is inserted
// with it and the person needs no update afterwards (an update writes a second row version). A
// retry of a stored submission gets no person. `nextval` runs before `ON CONFLICT` looks, so a
// returning person's email leaves a gap in the leads' ids, as a rolled-back insert does. Checking
// for the email first would avoid that but not wait, as `ON CONFLICT` does, for a transaction
// that is erasing that person: the lead would go without one.
const CREATE_PERSONS: &str = "INSERT INTO persons (email, created_at_ms, first_lead_id)
    SELECT wanted.email, wanted.at_ms, nextval('leads_id_seq')
    FROM UNNEST($1::text[], $2::bigint[], $3::text[]) AS wanted (email, at_ms, submission_id)
    WHERE (SELECT 1 FROM leads WHERE leads.submission_id = wanted.submission_id) IS NULL
    ON CONFLICT (email) DO NOTHING
    RETURNING email, id, first_lead_id";

const FIND_PERSONS: &str =
    "SELECT email, id FROM persons WHERE email = ANY($1::text[]) ORDER BY id FOR UPDATE";

const INSERT_LEADS: &str = "INSERT INTO leads (
        id, submission_id, form_id, intent, email, is_spam, lead_source, campaign_id,
        first_touch_utm_source, first_touch_utm_medium, first_touch_utm_campaign,
        last_touch_utm_source, last_touch_utm_medium, last_touch_utm_campaign,
        visitor_id, client_ip, hubspotutk, received_at_ms, payload_hash, lead_json,
        raw_payload, user_agent, person_id, first_for_person)
    SELECT COALESCE(reserved_id, nextval('leads_id_seq')), submission_id, form_id, intent, email,
        is_spam, lead_source, campaign_id,
        first_touch_utm_source, first_touch_utm_medium, first_touch_utm_campaign,
        last_touch_utm_source, last_touch_utm_medium, last_touch_utm_campaign,
        visitor_id, client_ip, hubspotutk, received_at_ms, payload_hash, lead_json,
        raw_payload, user_agent, person_id, first_for_person
    FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[],
        $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
        $14::text[], $15::text[], $16::text[], $17::text[], $18::bigint[], $19::text[],
        $20::text[], $21::text[], $22::text[], $23::bigint[], $24::bool[])
        AS row (reserved_id, submission_id, form_id, intent, email, is_spam, lead_source,
        campaign_id, first_touch_utm_source, first_touch_utm_medium, first_touch_utm_campaign,
        last_touch_utm_source, last_touch_utm_medium, last_touch_utm_campaign,
        visitor_id, client_ip, hubspotutk, received_at_ms, payload_hash, lead_json,
        raw_payload, user_agent, person_id, first_for_person)
    ON CONFLICT (submission_id) DO NOTHING
    RETURNING submission_id, id";

const SET_FIRST_LEADS: &str = "UPDATE persons SET first_lead_id = first.lead_id
    FROM UNNEST($1::bigint[], $2::bigint[]) AS first (person_id, lead_id)
    WHERE persons.id = first.person_id";

const FORGET_PERSONS: &str = "DELETE FROM persons WHERE id = ANY($1::bigint[])";

const MOVE_PROFILES: &str = "UPDATE visitor_profiles SET visitor_id = moves.visitor_id
    FROM UNNEST($1::text[], $2::text[]) AS moves (previous, visitor_id)
    WHERE visitor_profiles.visitor_id = moves.previous";

// Locked in index order, the same in every batch.
const READ_PROFILES: &str = "SELECT visitor_id, known_json FROM visitor_profiles
    WHERE visitor_id = ANY($1::text[]) FOR UPDATE";

const UPSERT_PROFILES: &str = "INSERT INTO visitor_profiles (visitor_id, known_json, updated_at_ms)
    SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[])
    ON CONFLICT (visitor_id) DO UPDATE
    SET known_json = excluded.known_json, updated_at_ms = excluded.updated_at_ms";

const QUEUE_DELIVERIES: &str = "INSERT INTO deliveries (lead_id, destination_index,
        destination_kind, destination_key, status, attempts, next_attempt_at_ms, created_at_ms,
        destination_id)
    SELECT lead_id, destination_index, destination_kind, destination_key, 'pending', 0, now_ms,
        now_ms, destination_id
    FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[])
        AS delivery (lead_id, destination_index, destination_kind, destination_key, now_ms,
        destination_id)";

const LOAD_LOGS: &str = "SELECT person_id, at_ms, delta, rule, event_id, decay_week_ms
    FROM score_log WHERE run_id = $1 AND person_id = ANY($2::bigint[])
    ORDER BY person_id, at_ms, id";

const FORMS_SUBMITTED_BEFORE: &str = "SELECT DISTINCT person_id, form_id FROM leads
    WHERE person_id = ANY($1::bigint[]) AND id <> ALL($2::bigint[])";

const MQL_TIMES: &str = "SELECT id, mql_at_ms FROM persons WHERE id = ANY($1::bigint[])";

const INSERT_EVENTS: &str = "INSERT INTO score_events
        (person_id, kind, at_ms, form_id, intent, lead_id, detail, fields_json)
    SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[],
        $6::bigint[], $7::text[], $8::text[])
    RETURNING lead_id, kind, id";

// Two handlers may decay the same person and week at once: the unique key keeps one row, never
// clock agreement.
const APPEND_LOG_ROWS: &str = "INSERT INTO score_log
        (run_id, person_id, at_ms, delta, rule, event_id, decay_week_ms)
    SELECT $1, * FROM UNNEST($2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[],
        $7::bigint[])
    ON CONFLICT DO NOTHING";

/// One column of the batch's rows, as an array.
fn column<'a, T, U>(rows: &'a [T], pick: impl Fn(&'a T) -> U) -> Vec<U> {
    rows.iter().map(pick).collect()
}

impl BatchStatements for Tx<'_> {
    async fn insert_form_tokens(
        &mut self,
        tokens: &[TokenUse<'_>],
    ) -> Result<HashMap<String, String>, StoreError> {
        let fail = failed("postgres", "record the form tokens");
        let rows = sqlx::query(INSERT_FORM_TOKENS)
            .bind(column(tokens, |token| token.token_id))
            .bind(column(tokens, |token| token.submission_id))
            .bind(column(tokens, |token| token.now_ms))
            .fetch_all(&mut **self)
            .await
            .map_err(&fail)?;
        pairs(&rows, &fail)
    }

    async fn form_token_owners(
        &mut self,
        token_ids: &[&str],
    ) -> Result<HashMap<String, String>, StoreError> {
        let fail = failed("postgres", "read whose the form tokens are");
        let rows = sqlx::query(FORM_TOKEN_OWNERS)
            .bind(token_ids)
            .fetch_all(&mut **self)
            .await
            .map_err(&fail)?;
        pairs(&rows, &fail)
    }

    async fn create_persons(
        &mut self,
        persons: &[(&str, i64, &str)],
    ) -> Result<HashMap<String, LeadPerson>, StoreError> {
        let fail = failed("postgres", "create the person");
        let rows = sqlx::query(CREATE_PERSONS)
            .bind(column(persons, |&(email, ..)| email))
            .bind(column(persons, |&(_, at_ms, _)| at_ms))
            .bind(column(persons, |&(.., submission_id)| submission_id))
            .fetch_all(&mut **self)
            .await
            .map_err(&fail)?;
        rows.iter()
            .map(|row| {
                let person = LeadPerson {
                    id: row.try_get(1).map_err(&fail)?,
                    created: true,
                    reserved_lead_id: row.try_get(2).map_err(&fail)?,
                };
                Ok((row.try_get(0).map_err(&fail)?, person))
            })
            .collect()
    }

    async fn find_persons(&mut self, emails: &[&str]) -> Result<HashMap<String, i64>, StoreError> {
        let fail = failed("postgres", "find the person");
        let rows = sqlx::query(FIND_PERSONS)
            .bind(emails)
            .fetch_all(&mut **self)
            .await
            .map_err(&fail)?;
        pairs(&rows, &fail)
    }

    async fn insert_leads(
        &mut self,
        rows: &[&LeadRow<'_>],
        persons: &[Option<LeadPerson>],
    ) -> Result<HashMap<String, i64>, StoreError> {
        let fail = failed("postgres", "insert the lead");
        let touch = |first: bool, index: usize| {
            column(rows, |row| {
                let touch = if first {
                    &row.first_touch
                } else {
                    &row.last_touch
                };
                touch[index].as_deref()
            })
        };
        let stored = sqlx::query(INSERT_LEADS)
            .bind(column(persons, |person| {
                person.and_then(|person| person.reserved_lead_id)
            }))
            .bind(column(rows, |row| row.new.lead.submission_id.as_str()))
            .bind(column(rows, |row| row.new.lead.form_id.as_str()))
            .bind(column(rows, |row| row.new.intent.as_str()))
            .bind(column(rows, |row| row.email.as_deref()))
            .bind(column(rows, |row| row.new.is_spam))
            .bind(column(rows, |row| {
                row.new.lead.hidden.lead_source.as_deref()
            }))
            .bind(column(rows, |row| {
                row.new.lead.hidden.campaign_id.as_deref()
            }))
            .bind(touch(true, 0))
            .bind(touch(true, 1))
            .bind(touch(true, 2))
            .bind(touch(false, 0))
            .bind(touch(false, 1))
            .bind(touch(false, 2))
            .bind(column(rows, |row| row.new.visitor_id.as_deref()))
            .bind(column(rows, |row| row.new.client_ip.as_deref()))
            .bind(column(rows, |row| row.new.hubspotutk.as_deref()))
            .bind(column(rows, |row| row.new.received_at_ms))
            .bind(column(rows, |row| row.hash.as_str()))
            .bind(column(rows, |row| row.lead_json.as_str()))
            .bind(column(rows, |row| row.new.raw_payload.as_str()))
            .bind(column(rows, |row| row.new.user_agent.as_deref()))
            .bind(column(persons, |person| person.map(|person| person.id)))
            .bind(column(persons, |person| {
                person.is_some_and(|person| person.created)
            }))
            .fetch_all(&mut **self)
            .await
            .map_err(&fail)?;
        pairs(&stored, &fail)
    }

    async fn set_first_leads(&mut self, first_leads: &[(i64, i64)]) -> Result<(), StoreError> {
        sqlx::query(SET_FIRST_LEADS)
            .bind(column(first_leads, |&(person_id, _)| person_id))
            .bind(column(first_leads, |&(_, lead_id)| lead_id))
            .execute(&mut **self)
            .await
            .map_err(failed("postgres", "link the person to its first lead"))?;
        Ok(())
    }

    async fn forget_persons(&mut self, person_ids: &[i64]) -> Result<(), StoreError> {
        sqlx::query(FORGET_PERSONS)
            .bind(person_ids)
            .execute(&mut **self)
            .await
            .map_err(failed("postgres", "forget a person with no new lead"))?;
        Ok(())
    }

    async fn move_profiles(&mut self, moves: &[(&str, &str)]) -> Result<(), StoreError> {
        sqlx::query(MOVE_PROFILES)
            .bind(column(moves, |&(previous, _)| previous))
            .bind(column(moves, |&(_, visitor_id)| visitor_id))
            .execute(&mut **self)
            .await
            .map_err(failed(
                "postgres",
                "move the visitor profile to the rotated id",
            ))?;
        Ok(())
    }

    async fn read_profiles(
        &mut self,
        visitor_ids: &[&str],
    ) -> Result<HashMap<String, String>, StoreError> {
        let read = failed("postgres", "read the visitor profile");
        let rows = sqlx::query(READ_PROFILES)
            .bind(visitor_ids)
            .fetch_all(&mut **self)
            .await
            .map_err(&read)?;
        pairs(&rows, &read)
    }

    async fn upsert_profiles(
        &mut self,
        profiles: &[(&str, String, i64)],
    ) -> Result<(), StoreError> {
        sqlx::query(UPSERT_PROFILES)
            .bind(column(profiles, |&(visitor_id, ..)| visitor_id))
            .bind(column(profiles, |(_, json, _)| json.as_str()))
            .bind(column(profiles, |&(.., now_ms)| now_ms))
            .execute(&mut **self)
            .await
            .map_err(failed("postgres", "update the visitor profile"))?;
        Ok(())
    }

    async fn queue_all_deliveries(
        &mut self,
        deliveries: &[(i64, i64, &NewDelivery)],
    ) -> Result<(), StoreError> {
        sqlx::query(QUEUE_DELIVERIES)
            .bind(column(deliveries, |&(lead_id, ..)| lead_id))
            .bind(column(deliveries, |&(.., delivery)| {
                super::destination_index(delivery)
            }))
            .bind(column(deliveries, |&(.., delivery)| {
                delivery.destination_kind.as_str()
            }))
            .bind(column(deliveries, |&(.., delivery)| {
                delivery.destination_key.as_str()
            }))
            .bind(column(deliveries, |&(_, now_ms, _)| now_ms))
            .bind(column(deliveries, |&(.., delivery)| {
                delivery.destination_id.as_str()
            }))
            .execute(&mut **self)
            .await
            .map_err(failed("postgres", "queue the lead's deliveries"))?;
        Ok(())
    }

    async fn load_logs(
        &mut self,
        run_id: i64,
        person_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<LogRow>>, StoreError> {
        let read = failed("postgres", "read the score log");
        let rows = sqlx::query(LOAD_LOGS)
            .bind(run_id)
            .bind(person_ids)
            .fetch_all(&mut **self)
            .await
            .map_err(&read)?;
        grouped_logs(&rows, &read)
    }

    async fn forms_submitted_before(
        &mut self,
        person_ids: &[i64],
        lead_ids: &[i64],
    ) -> Result<HashSet<(i64, String)>, StoreError> {
        let read = failed("postgres", "look for an earlier submission");
        let rows = sqlx::query(FORMS_SUBMITTED_BEFORE)
            .bind(person_ids)
            .bind(lead_ids)
            .fetch_all(&mut **self)
            .await
            .map_err(&read)?;
        Ok(pairs::<_, i64, String>(&rows, &read)?.into_iter().collect())
    }

    async fn mql_times(
        &mut self,
        person_ids: &[i64],
    ) -> Result<HashMap<i64, Option<i64>>, StoreError> {
        let read = failed("postgres", "read the person's MQL time");
        let rows = sqlx::query(MQL_TIMES)
            .bind(person_ids)
            .fetch_all(&mut **self)
            .await
            .map_err(&read)?;
        pairs(&rows, &read)
    }

    async fn insert_events(
        &mut self,
        events: &[NewScoreEvent],
    ) -> Result<HashMap<(i64, String), i64>, StoreError> {
        let fail = failed("postgres", "record the score event");
        let fields = fields_json(events)?;
        let rows = sqlx::query(INSERT_EVENTS)
            .bind(column(events, |event| event.person_id))
            .bind(column(events, |event| event.kind.as_str()))
            .bind(column(events, |event| event.at_ms))
            .bind(column(events, |event| event.form_id.as_deref()))
            .bind(column(events, |event| event.intent.as_deref()))
            .bind(column(events, |event| event.lead_id))
            .bind(column(events, |event| event.detail.as_deref()))
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
        sqlx::query(APPEND_LOG_ROWS)
            .bind(run_id)
            .bind(column(rows, |&(person_id, _)| person_id))
            .bind(column(rows, |(_, row)| row.at_ms))
            .bind(column(rows, |(_, row)| row.delta))
            .bind(column(rows, |(_, row)| row.rule.as_str()))
            .bind(column(rows, |(_, row)| row.event_id))
            .bind(column(rows, |(_, row)| row.decay_week_ms))
            .execute(&mut **self)
            .await
            .map_err(failed("postgres", "append to the score log"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::LEAD_BATCH_BEGIN;
    use sqlx::{Connection, Executor, PgConnection};

    /// Every PostgreSQL batch statement.
    const STATEMENTS: [(&str, &str); 16] = [
        ("record the form tokens", INSERT_FORM_TOKENS),
        ("read the tokens' owners", FORM_TOKEN_OWNERS),
        ("create the persons", CREATE_PERSONS),
        ("find the persons", FIND_PERSONS),
        ("insert the leads", INSERT_LEADS),
        ("set the first leads", SET_FIRST_LEADS),
        ("forget the persons", FORGET_PERSONS),
        ("move the profiles", MOVE_PROFILES),
        ("read the profiles", READ_PROFILES),
        ("upsert the profiles", UPSERT_PROFILES),
        ("queue the deliveries", QUEUE_DELIVERIES),
        ("load the score logs", LOAD_LOGS),
        ("forms submitted before", FORMS_SUBMITTED_BEFORE),
        ("read the MQL times", MQL_TIMES),
        ("insert the score events", INSERT_EVENTS),
        ("append the log rows", APPEND_LOG_ROWS),
    ];

    /// The generic plan of `statement` (the plan a prepared statement may keep), in the
    /// transaction `connection` is in, on the tables as they are now.
    async fn generic_plan(connection: &mut PgConnection, statement: &str) -> String {
        connection
            .execute(format!("PREPARE batch_statement AS {statement}").as_str())
            .await
            .unwrap();
        // One NULL per parameter: `$1` … `$n`.
        let parameters = statement
            .split('$')
            .skip(1)
            .filter_map(|after| {
                let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<usize>().ok()
            })
            .max()
            .unwrap_or(0);
        let arguments = vec!["NULL"; parameters].join(", ");
        let plan: Vec<String> =
            sqlx::query_scalar(&format!("EXPLAIN EXECUTE batch_statement ({arguments})"))
                .fetch_all(&mut *connection)
                .await
                .unwrap();
        connection
            .execute("DEALLOCATE batch_statement")
            .await
            .unwrap();
        plan.join("\n")
    }

    /// `index name → its first column`, for every index of the schema.
    async fn first_columns(connection: &mut PgConnection) -> HashMap<String, String> {
        sqlx::query_as(
            "SELECT index.relname::text, attribute.attname::text
             FROM pg_index
             JOIN pg_class index ON index.oid = pg_index.indexrelid
             JOIN pg_attribute attribute ON attribute.attrelid = pg_index.indrelid
                 AND attribute.attnum = pg_index.indkey[0]
             JOIN pg_namespace ON pg_namespace.oid = index.relnamespace
             WHERE pg_namespace.nspname = 'public'",
        )
        .fetch_all(connection)
        .await
        .unwrap()
        .into_iter()
        .collect()
    }

    /// Scans that read a whole table or a whole index: any sequential scan, and an index scan
    /// whose condition does not name the index's first column.
    fn whole_scans<'p>(plan: &'p str, first_columns: &HashMap<String, String>) -> Vec<&'p str> {
        let lines: Vec<&str> = plan.lines().collect();
        lines
            .iter()
            .enumerate()
            .filter(|(at, line)| {
                let node = line.trim_start().trim_start_matches("->  ");
                if node.contains("Seq Scan") {
                    return true;
                }
                // `Index Scan using NAME on …`, `Index Only Scan using NAME on …`,
                // `Bitmap Index Scan on NAME`.
                let Some(index) = node
                    .split_once(" using ")
                    .filter(|_| node.contains("Index"))
                    .map(|(_, rest)| rest)
                    .or_else(|| node.strip_prefix("Bitmap Index Scan on "))
                    .and_then(|rest| rest.split_whitespace().next())
                else {
                    return false;
                };
                let first = first_columns.get(index).map(String::as_str).unwrap_or("?");
                // Its details are the lines indented deeper, up to the next node.
                let depth = line.len() - line.trim_start().len();
                !lines[at + 1..]
                    .iter()
                    .take_while(|next| {
                        next.len() - next.trim_start().len() > depth
                            && !next.trim_start().starts_with("->")
                    })
                    .any(|detail| {
                        detail.contains("Index Cond")
                            && (detail.contains(&format!("({first} "))
                                || detail.contains(&format!(".{first} ")))
                    })
            })
            .map(|(_, line)| line.trim())
            .collect()
    }

    /// A new database as the first batches find it: `leads` analysed while empty by the
    /// migrations, and holding a few leads since. A generic plan made now scans `leads` for the
    /// stored submissions, and would go on doing so as it grows; in the batch's transaction
    /// every statement goes through an index, and by a condition on it.
    #[tokio::test]
    async fn batch_statements_keep_to_indexes_on_plans_made_on_a_new_database() {
        let Some(admin_url) = leadform_testdb::postgres_admin_url() else {
            eprintln!("LEADFORM_TEST_POSTGRES_URL is not set: skipping");
            return;
        };
        let database = leadform_testdb::ScratchDatabase::create(&admin_url).await;
        crate::Store::open(&database.url).await.unwrap();
        let mut connection = PgConnection::connect(&database.url).await.unwrap();
        connection
            .execute(
                "INSERT INTO leads (submission_id, form_id, intent, received_at_ms, payload_hash,
                     lead_json, raw_payload)
                 SELECT 'earlier-' || n, 'contact-us', 'contact_request', n, 'hash',
                     repeat('x', 1600), repeat('y', 1600)
                 FROM generate_series(1, 6) AS n",
            )
            .await
            .unwrap();
        // The case the batch's transaction is for: outside it, the plan scans.
        connection.execute("BEGIN").await.unwrap();
        connection
            .execute("SET LOCAL plan_cache_mode = force_generic_plan")
            .await
            .unwrap();
        let unguarded = generic_plan(&mut connection, CREATE_PERSONS).await;
        assert!(unguarded.contains("Seq Scan on leads"), "{unguarded}");
        connection.execute("ROLLBACK").await.unwrap();

        connection.execute(LEAD_BATCH_BEGIN).await.unwrap();
        connection
            .execute("SET LOCAL plan_cache_mode = force_generic_plan")
            .await
            .unwrap();
        let first_columns = first_columns(&mut connection).await;
        for (name, statement) in STATEMENTS {
            let plan = generic_plan(&mut connection, statement).await;
            assert_eq!(
                whole_scans(&plan, &first_columns),
                Vec::<&str>::new(),
                "{name}:\n{plan}"
            );
        }
        connection.execute("ROLLBACK").await.unwrap();
        connection.close().await.unwrap();
        database.drop_database().await;
    }

    #[test]
    fn whole_scans_are_told_from_lookups() {
        let first_columns: HashMap<String, String> = [
            ("leads_form", "form_id"),
            ("persons_pkey", "id"),
            ("score_log_person", "run_id"),
        ]
        .map(|(index, column)| (index.to_owned(), column.to_owned()))
        .into();
        let plan = "Nested Loop
  ->  Index Scan using leads_form on leads  (cost=0.14..8.16 rows=1 width=8)
        Filter: (person_id = $1)
  ->  Index Only Scan using persons_pkey on persons  (cost=0.15..2.17 rows=1 width=8)
        Index Cond: (id = leads.person_id)
  ->  Bitmap Index Scan on score_log_person  (cost=0.00..4.18 rows=10 width=0)
        Index Cond: ((run_id = $1) AND (person_id = ANY ($2)))
  ->  Bitmap Index Scan on score_log_person  (cost=0.00..4.18 rows=10 width=0)
        Index Cond: (person_id = $1)
  ->  Parallel Seq Scan on visitor_profiles  (cost=0.00..1.01 rows=1 width=8)";
        assert_eq!(
            whole_scans(plan, &first_columns),
            [
                "->  Index Scan using leads_form on leads  (cost=0.14..8.16 rows=1 width=8)",
                "->  Bitmap Index Scan on score_log_person  (cost=0.00..4.18 rows=10 width=0)",
                "->  Parallel Seq Scan on visitor_profiles  (cost=0.00..1.01 rows=1 width=8)",
            ]
        );
    }
}
