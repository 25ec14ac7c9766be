//! The score is the sum of the log, always: after any sequence of events, decay passes and
//! rescoring under other rules, the totals every figure is built from equal the log's sum.

use leadform_scoring::{
    decay_rows, replay, score_event, velocity, weekly_snapshots, LogRow, ScoreEvent,
    ScoreEventKind, ScoreTotals, ScoringRules, WEEK_MS,
};
use proptest::prelude::*;

const MONDAY: i64 = 1_795_392_000_000;

/// One step of a person's history: an event, or a decay pass at some later moment.
#[derive(Debug, Clone)]
enum Step {
    Event(ScoreEventKind, bool),
    DecayPass,
}

fn step() -> impl Strategy<Value = (u32, Step)> {
    let kind = prop::sample::select(ScoreEventKind::ALL.to_vec());
    let step = prop_oneof![
        (kind, any::<bool>()).prop_map(|(kind, gmail)| Step::Event(kind, gmail)),
        Just(Step::DecayPass),
    ];
    // Minutes to up to three weeks between steps.
    (0u32..(3 * 7 * 24 * 60), step)
}

fn rules_strategy() -> impl Strategy<Value = ScoringRules> {
    (0i64..30, 0i64..40, 1i64..200, any::<bool>(), 1i64..60).prop_map(
        |(decay, floor, threshold, once, cap)| {
            let repeat = if once { "once" } else { "every_time" };
            let cap = if once {
                String::new()
            } else {
                format!(r#", "cap_per_week": {cap}"#)
            };
            let json = format!(
                r#"{{"mql_threshold": {threshold},
                    "decay": {{"points_per_quiet_week": {decay}, "floor": {floor}}},
                    "events": {{"returning_visit": {{"points": 7, "repeat": "{repeat}"{cap}}}}},
                    "fit": [{{"field": "country", "one_of": ["DE"], "points": 12}}]}}"#
            );
            ScoringRules::from_json("scoring.json", &json).expect("generated rules are valid")
        },
    )
}

fn sum(rows: &[LogRow]) -> i64 {
    rows.iter().map(|row| row.delta).sum()
}

proptest! {
    #[test]
    fn the_score_is_always_the_sum_of_the_log(
        steps in prop::collection::vec(step(), 0..40),
        live_rules in rules_strategy(),
        new_rules in rules_strategy(),
    ) {
        let mut log: Vec<LogRow> = Vec::new();
        let mut events = Vec::new();
        let mut now = MONDAY;
        for (index, (minutes, step)) in steps.into_iter().enumerate() {
            now += i64::from(minutes) * 60_000;
            let decay = decay_rows(&live_rules, &log, now);
            log.extend(decay);
            if let Step::Event(kind, gmail) = step {
                let mut event = ScoreEvent::new(index as i64, kind, now);
                event.form_id = Some("contact-us".into());
                event.intent = Some("contact_request".into());
                event.fields.insert("country".into(), "DE".into());
                let email = if gmail { "a@gmail.com" } else { "a@example.com" };
                event.fields.insert("email".into(), email.into());
                let rows = score_event(&live_rules, &log, &event);
                log.extend(rows);
                events.push(event);
            }
            let totals = ScoreTotals::of(&log, i64::MAX);
            prop_assert_eq!(totals.score(), sum(&log));
            let figures = velocity(&live_rules, &log, now, None);
            prop_assert_eq!(figures.totals.score(), sum(&log));
        }
        // Live scoring and a replay under the same rules agree row for row.
        let replayed = replay(&live_rules, &events, now);
        prop_assert_eq!(&replayed, &log);
        // Rescoring under other rules: the new log's sum is the new score, and the snapshots'
        // changes add up to it.
        let rescored = replay(&new_rules, &events, now);
        let totals = ScoreTotals::of(&rescored, i64::MAX);
        prop_assert_eq!(totals.score(), sum(&rescored));
        let snapshots = weekly_snapshots(&rescored, MONDAY - WEEK_MS, now);
        let changes: i64 = snapshots.iter().map(|s| s.change).sum();
        prop_assert_eq!(changes, sum(&rescored));
        // Every rule here adds points, and decay stops at a floor of 0 or more: never negative.
        for snapshot in &snapshots {
            prop_assert!(snapshot.totals.engagement >= 0);
        }
    }
}
