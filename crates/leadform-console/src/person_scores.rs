//! Each person's score figures as of the console's clock, and the lists built from them: rising,
//! cooling and about to cross the MQL threshold (issue 10 §6). The figures are the ones
//! `leadform-intake scores` prints, computed by the same scoring functions.

use leadform_scoring::{decay_rows, velocity, ScoringRules};
use leadform_store::PersonScoreLog;

/// A rising person gains at least this many points in the current week unless `rising_min` says
/// otherwise: one content download's worth with the default rules (a download scores 20; a
/// week of return visits at most 5), so browsing alone is not rising but a form is.
pub const DEFAULT_RISING_MIN: i64 = 20;
/// "About to cross MQL": at most this many weeks to the threshold at the 4-week average pace.
pub const ABOUT_TO_CROSS_WEEKS: u32 = 2;
/// Entries shown per list.
pub const LIST_LENGTH: usize = 50;

#[derive(Debug, Clone, PartialEq)]
pub struct PersonScoreFigures {
    pub person_id: i64,
    pub email: String,
    pub score: i64,
    pub fit: i64,
    pub engagement: i64,
    /// The change this ISO week so far.
    pub velocity: i64,
    pub velocity_avg4: f64,
    pub mql_at_ms: Option<i64>,
    pub weeks_to_mql: Option<u32>,
}

/// A person's figures as of `now_ms`, counting decay for quiet weeks no handler has written yet.
pub fn figures(rules: &ScoringRules, mut log: PersonScoreLog, now_ms: i64) -> PersonScoreFigures {
    let missed_decay = decay_rows(rules, &log.rows, now_ms);
    log.rows.extend(missed_decay);
    let moving = velocity(rules, &log.rows, now_ms, log.mql_at_ms);
    PersonScoreFigures {
        person_id: log.person_id,
        email: log.email,
        score: moving.totals.score(),
        fit: moving.totals.fit,
        engagement: moving.totals.engagement,
        velocity: moving.velocity,
        velocity_avg4: moving.velocity_avg4,
        mql_at_ms: log.mql_at_ms,
        weeks_to_mql: moving.weeks_to_mql,
    }
}

/// The three lists of the scores page, each at most [`LIST_LENGTH`] long.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreLists {
    /// Velocity ≥ the threshold, fastest first.
    pub rising: Vec<PersonScoreFigures>,
    /// Negative velocity, fastest falling first.
    pub cooling: Vec<PersonScoreFigures>,
    /// Not yet MQL, at most [`ABOUT_TO_CROSS_WEEKS`] weeks away, nearest first.
    pub about_to_cross: Vec<PersonScoreFigures>,
}

pub fn score_lists(everyone: &[PersonScoreFigures], rising_min: i64) -> ScoreLists {
    let mut rising: Vec<_> = everyone
        .iter()
        .filter(|p| p.velocity >= rising_min && p.velocity > 0)
        .cloned()
        .collect();
    rising.sort_by(|a, b| b.velocity.cmp(&a.velocity).then(b.score.cmp(&a.score)));
    let mut cooling: Vec<_> = everyone
        .iter()
        .filter(|p| p.velocity < 0)
        .cloned()
        .collect();
    cooling.sort_by(|a, b| a.velocity.cmp(&b.velocity).then(b.score.cmp(&a.score)));
    let mut about_to_cross: Vec<_> = everyone
        .iter()
        .filter(|p| p.weeks_to_mql.is_some_and(|w| w <= ABOUT_TO_CROSS_WEEKS))
        .cloned()
        .collect();
    about_to_cross.sort_by(|a, b| {
        a.weeks_to_mql
            .cmp(&b.weeks_to_mql)
            .then(b.score.cmp(&a.score))
    });
    for list in [&mut rising, &mut cooling, &mut about_to_cross] {
        list.truncate(LIST_LENGTH);
    }
    ScoreLists {
        rising,
        cooling,
        about_to_cross,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, velocity: i64, weeks_to_mql: Option<u32>) -> PersonScoreFigures {
        PersonScoreFigures {
            person_id: id,
            email: format!("p{id}@example.com"),
            score: 10,
            fit: 0,
            engagement: 10,
            velocity,
            velocity_avg4: velocity as f64,
            mql_at_ms: None,
            weeks_to_mql,
        }
    }

    #[test]
    fn lists_split_by_velocity_and_weeks_to_mql() {
        let everyone = [
            person(1, 25, Some(1)),
            person(2, 19, Some(3)),
            person(3, -5, None),
            person(4, 60, Some(2)),
            person(5, 0, None),
            person(6, -30, None),
        ];
        let lists = score_lists(&everyone, 20);
        let ids =
            |list: &[PersonScoreFigures]| list.iter().map(|p| p.person_id).collect::<Vec<_>>();
        assert_eq!(ids(&lists.rising), [4, 1]);
        assert_eq!(ids(&lists.cooling), [6, 3]);
        assert_eq!(ids(&lists.about_to_cross), [1, 4]);
        // A lower threshold takes in the slower riser.
        assert_eq!(ids(&score_lists(&everyone, 10).rising), [4, 1, 2]);
    }
}
