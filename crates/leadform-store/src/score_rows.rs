//! The scoring tables' rows as stored, read through `FromRow` and converted to the scoring crate's
//! and the store's types (the scoring crate has no sqlx).

use crate::error::StoreError;
use crate::lead_json_column::read_lead_json;
use crate::score_model::{PersonScoreLog, StoredSnapshot, VisitorLead};
use leadform_scoring::{LogRow, ScoreEvent, ScoreEventKind};

/// The `score_log` columns every reader selects: `at_ms, delta, rule, event_id, decay_week_ms`.
pub(crate) const LOG_COLUMNS: &str = "at_ms, delta, rule, event_id, decay_week_ms";

/// A `score_log` row with [`LOG_COLUMNS`].
#[derive(sqlx::FromRow)]
pub(crate) struct ScoreLogRow {
    at_ms: i64,
    delta: i64,
    rule: String,
    event_id: Option<i64>,
    decay_week_ms: Option<i64>,
}

impl From<ScoreLogRow> for LogRow {
    fn from(row: ScoreLogRow) -> Self {
        LogRow {
            at_ms: row.at_ms,
            delta: row.delta,
            rule: row.rule,
            event_id: row.event_id,
            decay_week_ms: row.decay_week_ms,
        }
    }
}

/// A `score_log` row with its person, for reading every person's log in one query.
#[derive(sqlx::FromRow)]
pub(crate) struct PersonLogRow {
    pub person_id: i64,
    #[sqlx(flatten)]
    pub row: ScoreLogRow,
}

/// A person's `id, email, mql_at_ms`: the head of their score log.
#[derive(sqlx::FromRow)]
pub(crate) struct ScoredPersonRow {
    id: i64,
    email: String,
    mql_at_ms: Option<i64>,
}

impl ScoredPersonRow {
    /// The person's log with `rows`.
    pub(crate) fn with_rows(self, rows: Vec<LogRow>) -> PersonScoreLog {
        PersonScoreLog {
            person_id: self.id,
            email: self.email,
            mql_at_ms: self.mql_at_ms,
            rows,
        }
    }
}

/// A `score_snapshots` row: `week_start_ms, score, fit, engagement, change`.
#[derive(sqlx::FromRow)]
pub(crate) struct SnapshotRow {
    week_start_ms: i64,
    score: i64,
    fit: i64,
    engagement: i64,
    change: i64,
}

impl From<SnapshotRow> for StoredSnapshot {
    fn from(row: SnapshotRow) -> Self {
        StoredSnapshot {
            week_start_ms: row.week_start_ms,
            score: row.score,
            fit: row.fit,
            engagement: row.engagement,
            change: row.change,
        }
    }
}

/// A `score_events` row: `id, kind, at_ms, form_id, intent, fields_json`.
#[derive(sqlx::FromRow)]
pub(crate) struct ScoreEventRow {
    id: i64,
    kind: String,
    at_ms: i64,
    form_id: Option<String>,
    intent: Option<String>,
    fields_json: String,
}

impl TryFrom<ScoreEventRow> for ScoreEvent {
    type Error = StoreError;

    /// A kind or fields no release writes are a corrupt row naming the event.
    fn try_from(row: ScoreEventRow) -> Result<Self, StoreError> {
        let corrupt = |detail: String| StoreError::CorruptRow {
            what: format!("score event {}", row.id),
            detail,
        };
        let Some(kind) = ScoreEventKind::parse(&row.kind) else {
            return Err(corrupt(format!("unknown kind {:?}", row.kind)));
        };
        let fields = serde_json::from_str(&row.fields_json).map_err(|e| corrupt(e.to_string()))?;
        Ok(ScoreEvent {
            id: row.id,
            kind,
            at_ms: row.at_ms,
            form_id: row.form_id,
            intent: row.intent,
            fields,
        })
    }
}

/// A lead under a visitor cookie: `id, form_id, person_id, lead_json`.
#[derive(sqlx::FromRow)]
pub(crate) struct VisitorLeadRow {
    id: i64,
    form_id: String,
    person_id: Option<i64>,
    lead_json: String,
}

impl TryFrom<VisitorLeadRow> for VisitorLead {
    type Error = StoreError;

    fn try_from(row: VisitorLeadRow) -> Result<Self, StoreError> {
        let lead = read_lead_json(row.id, &row.lead_json)?;
        Ok(VisitorLead {
            form_id: row.form_id,
            consent: lead.consent,
            person_id: row.person_id,
        })
    }
}
