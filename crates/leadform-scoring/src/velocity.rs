//! Weekly snapshots and score velocity: how fast a score is moving, not only where it is.

use crate::log::{LogRow, ScoreTotals};
use crate::rules::ScoringRules;
use crate::week::{week_start_ms, WEEK_MS};

/// A person's score at the end of one ISO week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklySnapshot {
    /// Monday 00:00 UTC.
    pub week_start_ms: i64,
    pub totals: ScoreTotals,
    /// The net change during the week.
    pub change: i64,
}

/// One snapshot per ISO week from `first_week_ms` through the week holding `last_week_ms`, each
/// the score of the rows dated before the week's end.
pub fn weekly_snapshots(
    rows: &[LogRow],
    first_week_ms: i64,
    last_week_ms: i64,
) -> Vec<WeeklySnapshot> {
    let mut snapshots = Vec::new();
    let mut week = week_start_ms(first_week_ms);
    let mut before = ScoreTotals::of(rows, week).score();
    while week <= last_week_ms {
        let totals = ScoreTotals::of(rows, week + WEEK_MS);
        snapshots.push(WeeklySnapshot {
            week_start_ms: week,
            totals,
            change: totals.score() - before,
        });
        before = totals.score();
        week += WEEK_MS;
    }
    snapshots
}

/// The figures `scores` prints for one person, as of one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreVelocity {
    pub totals: ScoreTotals,
    /// The change this ISO week so far.
    pub velocity: i64,
    /// The mean weekly change over this week and the three before it.
    pub velocity_avg4: f64,
    /// This week's change less last week's.
    pub velocity_change: i64,
    /// Whole weeks to reach the MQL threshold at `velocity_avg4`; `None` when already there (or
    /// ever was) or when the average is not rising.
    pub weeks_to_mql: Option<u32>,
}

/// The velocity figures of a person's log `rows` as of `now_ms`. `mql_at_ms` is set once a person
/// has crossed the threshold; such a person has no weeks to go.
pub fn velocity(
    rules: &ScoringRules,
    rows: &[LogRow],
    now_ms: i64,
    mql_at_ms: Option<i64>,
) -> ScoreVelocity {
    let this_week = week_start_ms(now_ms);
    // One pass: the score now and at the three week boundaries the figures need.
    let mut totals = ScoreTotals::default();
    let (mut at_this_week, mut at_last_week, mut at_four_weeks) = (0, 0, 0);
    for row in rows.iter().filter(|row| row.at_ms <= now_ms) {
        if row.is_fit() {
            totals.fit += row.delta;
        } else {
            totals.engagement += row.delta;
        }
        if row.at_ms < this_week {
            at_this_week += row.delta;
        }
        if row.at_ms < this_week - WEEK_MS {
            at_last_week += row.delta;
        }
        if row.at_ms < this_week - 3 * WEEK_MS {
            at_four_weeks += row.delta;
        }
    }
    let score = totals.score();
    let velocity = score - at_this_week;
    let last_week = at_this_week - at_last_week;
    let velocity_avg4 = (score - at_four_weeks) as f64 / 4.0;
    let weeks_to_mql =
        if mql_at_ms.is_some() || score >= rules.mql_threshold || velocity_avg4 <= 0.0 {
            None
        } else {
            let weeks = ((rules.mql_threshold - score) as f64 / velocity_avg4).ceil();
            Some(if weeks > f64::from(u32::MAX) {
                u32::MAX
            } else {
                weeks as u32
            })
        };
    ScoreVelocity {
        totals,
        velocity,
        velocity_avg4,
        velocity_change: velocity - last_week,
        weeks_to_mql,
    }
}
