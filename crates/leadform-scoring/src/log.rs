//! The score log: every change of a person's score is one row, and the score is their sum.

/// The rule name of decay rows.
pub const DECAY_RULE: &str = "decay";
/// Rule names of fit rows start with this; everything else is engagement.
pub const FIT_PREFIX: &str = "fit:";

/// One change of one person's score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    pub at_ms: i64,
    pub delta: i64,
    /// Which rule made the change, e.g. `form_submitted:intent:contact_request`, `fit:0`, `decay`.
    pub rule: String,
    /// The event that caused it; `None` for decay.
    pub event_id: Option<i64>,
    /// For decay: the start of the quiet ISO week it is for (one decay row per person and week).
    pub decay_week_ms: Option<i64>,
}

impl LogRow {
    pub fn is_fit(&self) -> bool {
        self.rule.starts_with(FIT_PREFIX)
    }

    pub fn is_decay(&self) -> bool {
        self.rule == DECAY_RULE
    }
}

/// A person's score split into fit (who they are) and engagement (what they did, less decay).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScoreTotals {
    pub fit: i64,
    pub engagement: i64,
}

impl ScoreTotals {
    pub fn score(&self) -> i64 {
        self.fit + self.engagement
    }

    /// The totals of the rows before `before_ms` (all rows with `i64::MAX`).
    pub fn of(rows: &[LogRow], before_ms: i64) -> ScoreTotals {
        let mut totals = ScoreTotals::default();
        for row in rows.iter().filter(|row| row.at_ms < before_ms) {
            if row.is_fit() {
                totals.fit += row.delta;
            } else {
                totals.engagement += row.delta;
            }
        }
        totals
    }
}
