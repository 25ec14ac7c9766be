//! The values scoring puts into and takes out of the store.

use leadform_scoring::{LogRow, ScoreEvent, ScoreEventKind};
use std::collections::BTreeMap;

/// One event that scores, to record for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewScoreEvent {
    pub person_id: i64,
    pub kind: ScoreEventKind,
    /// The handler's clock, ms since the Unix epoch.
    pub at_ms: i64,
    pub form_id: Option<String>,
    pub intent: Option<String>,
    pub lead_id: Option<i64>,
    /// What tells this event from a repeat of the same thing, e.g. an asset URL or a touch time.
    pub detail: Option<String>,
    /// Submitted values fit rules read.
    pub fields: BTreeMap<String, String>,
}

impl NewScoreEvent {
    pub fn new(person_id: i64, kind: ScoreEventKind, at_ms: i64) -> Self {
        NewScoreEvent {
            person_id,
            kind,
            at_ms,
            form_id: None,
            intent: None,
            lead_id: None,
            detail: None,
            fields: BTreeMap::new(),
        }
    }

    pub(crate) fn to_score_event(&self, id: i64) -> ScoreEvent {
        ScoreEvent {
            id,
            kind: self.kind,
            at_ms: self.at_ms,
            form_id: self.form_id.clone(),
            intent: self.intent.clone(),
            fields: self.fields.clone(),
        }
    }
}

/// What recording events did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoredEvents {
    /// Log rows written (decay caught up first, then the events' own).
    pub rows: Vec<LogRow>,
    /// Set when this write took the person over the MQL threshold for the first time.
    pub became_mql_at_ms: Option<i64>,
}

/// One person's current score log, for `scores`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonScoreLog {
    pub person_id: i64,
    pub email: String,
    pub mql_at_ms: Option<i64>,
    pub rows: Vec<LogRow>,
}

/// What one decay and snapshot pass wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScorePassReport {
    pub persons: u64,
    pub decay_rows: u64,
    pub snapshots: u64,
}

/// What `rescore` wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RescoreReport {
    /// The new run whose rows are now the scores.
    pub run_id: i64,
    pub persons: u64,
    pub rows: u64,
    /// Persons who became MQL under the new rules.
    pub new_mqls: u64,
}

/// A stored weekly snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredSnapshot {
    pub week_start_ms: i64,
    pub score: i64,
    pub fit: i64,
    pub engagement: i64,
    pub change: i64,
}

/// A lead stored under a visitor cookie: what decides whether a page view may be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorLead {
    pub form_id: String,
    pub consent: bool,
    pub person_id: Option<i64>,
}
