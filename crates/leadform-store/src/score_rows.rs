//! The scoring tables' rows as stored, read through `FromRow` and converted to the scoring crate's
//! and the store's types (the scoring crate has no sqlx).

use crate::score_model::{PersonScoreLog, StoredSnapshot};
use leadform_scoring::LogRow;

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
