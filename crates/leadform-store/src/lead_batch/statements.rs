//! The set statements of a group commit's batch ([`crate::lead_batch`]): each takes every row of
//! the batch at once. One implementation per database, in `sqlite.rs` and `postgres.rs`.

use crate::lead_steps::LeadRow;
use crate::model::NewDelivery;
use crate::score_model::NewScoreEvent;
use crate::StoreError;
use leadform_scoring::LogRow;
use sqlx::{ColumnIndex, Decode, Row, Type};
use std::collections::{HashMap, HashSet};

/// A form token's use, as the committer queued it.
pub(crate) struct TokenUse<'a> {
    pub token_id: &'a str,
    pub submission_id: &'a str,
    pub now_ms: i64,
}

/// A lead's person, as the lead's row is inserted with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LeadPerson {
    pub id: i64,
    /// The person was created for this lead: the lead is the person's first.
    pub created: bool,
    /// For a person created now, the id its first lead must be inserted with, when the database
    /// handed one out with the person (PostgreSQL, from the leads' sequence). `None`: the lead
    /// takes its own id, and [`BatchStatements::set_first_leads`] links the person to it
    /// afterwards (SQLite).
    pub reserved_lead_id: Option<i64>,
}

/// The set statements, on an open write transaction.
pub(crate) trait BatchStatements {
    /// Inserts each token's use unless the token has one (the first in the order given wins):
    /// `token id → submission id` of the uses inserted now.
    async fn insert_form_tokens(
        &mut self,
        tokens: &[TokenUse<'_>],
    ) -> Result<HashMap<String, String>, StoreError>;
    /// `token id → submission id` of tokens spent before.
    async fn form_token_owners(
        &mut self,
        token_ids: &[&str],
    ) -> Result<HashMap<String, String>, StoreError>;
    /// Creates persons `(email, at, submission id)`, in the order given, that do not exist,
    /// except for a submission id stored already (a retry gets no person, as lead by lead):
    /// `email → person` for those created.
    async fn create_persons(
        &mut self,
        persons: &[(&str, i64, &str)],
    ) -> Result<HashMap<String, LeadPerson>, StoreError>;
    /// The persons with these emails, locked in id order on PostgreSQL before any lead takes a
    /// key-share lock on them (which a later `FOR UPDATE` of another batch would deadlock with).
    async fn find_persons(&mut self, emails: &[&str]) -> Result<HashMap<String, i64>, StoreError>;
    /// Inserts the leads whose submission id is new, each linked to its person when it has one:
    /// `submission id → lead id` for those inserted.
    async fn insert_leads(
        &mut self,
        rows: &[&LeadRow<'_>],
        persons: &[Option<LeadPerson>],
    ) -> Result<HashMap<String, i64>, StoreError>;
    /// Sets `(person id, lead id)`: the lead that created the person, for persons created
    /// without a [`LeadPerson::reserved_lead_id`].
    async fn set_first_leads(&mut self, first_leads: &[(i64, i64)]) -> Result<(), StoreError>;
    /// Deletes persons this transaction created for no lead. Rare: only when another transaction
    /// stored the same submission id after [`BatchStatements::create_persons`] looked.
    async fn forget_persons(&mut self, person_ids: &[i64]) -> Result<(), StoreError>;
    /// Moves each `(previous visitor id, new visitor id)` profile to its rotated id.
    async fn move_profiles(&mut self, moves: &[(&str, &str)]) -> Result<(), StoreError>;
    /// `visitor id → stored profile JSON` of these visitors, locked on PostgreSQL (in index
    /// order, the same in every batch).
    async fn read_profiles(
        &mut self,
        visitor_ids: &[&str],
    ) -> Result<HashMap<String, String>, StoreError>;
    /// Stores each `(visitor id, profile JSON, now)`, over the stored profile if there is one.
    async fn upsert_profiles(&mut self, profiles: &[(&str, String, i64)])
        -> Result<(), StoreError>;
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
pub(super) fn fields_json(events: &[NewScoreEvent]) -> Result<Vec<String>, StoreError> {
    events
        .iter()
        .map(|event| serde_json::to_string(&event.fields))
        .collect::<Result<_, _>>()
        .map_err(StoreError::EncodeLead)
}

/// A map from rows of two columns, such as `RETURNING submission_id, id`.
pub(super) fn pairs<R, K, V>(
    rows: &[R],
    fail: &impl Fn(sqlx::Error) -> StoreError,
) -> Result<HashMap<K, V>, StoreError>
where
    R: Row,
    usize: ColumnIndex<R>,
    K: std::hash::Hash + Eq + for<'r> Decode<'r, R::Database> + Type<R::Database>,
    V: for<'r> Decode<'r, R::Database> + Type<R::Database>,
{
    rows.iter()
        .map(|row| Ok((row.try_get(0).map_err(fail)?, row.try_get(1).map_err(fail)?)))
        .collect()
}

/// `(lead id, kind) → event id` from the rows of `RETURNING lead_id, kind, id`.
pub(super) fn returned_event_ids<R: Row>(
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

/// `person id → score log` from the rows of `SELECT person_id, at_ms, delta, rule, event_id,
/// decay_week_ms`, in the order read.
pub(super) fn grouped_logs<R: Row>(
    rows: &[R],
    fail: &impl Fn(sqlx::Error) -> StoreError,
) -> Result<HashMap<i64, Vec<LogRow>>, StoreError>
where
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<i64>: Decode<'r, R::Database> + Type<R::Database>,
{
    let mut logs: HashMap<i64, Vec<LogRow>> = HashMap::new();
    for row in rows {
        logs.entry(row.try_get(0).map_err(fail)?)
            .or_default()
            .push(LogRow {
                at_ms: row.try_get(1).map_err(fail)?,
                delta: row.try_get(2).map_err(fail)?,
                rule: row.try_get(3).map_err(fail)?,
                event_id: row.try_get(4).map_err(fail)?,
                decay_week_ms: row.try_get(5).map_err(fail)?,
            });
    }
    Ok(logs)
}
