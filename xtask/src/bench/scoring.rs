//! Scoring bench: the time to compute weekly snapshots and velocity for 100,000 people, the work
//! `leadform-intake scores` and the console do over every person. Printed, never judged.

use anyhow::Result;
use leadform_scoring::{
    replay, velocity, week_start_ms, weekly_snapshots, ScoreEvent, ScoreEventKind, ScoringRules,
    WEEK_MS,
};
use std::time::Instant;

/// People in the bench, as the issue asks.
pub const PEOPLE: usize = 100_000;
/// Weeks of history per person.
const WEEKS: i64 = 12;
/// Monday 2026-09-07 00:00 UTC.
const FIRST_MONDAY_MS: i64 = 1_788_739_200_000;

/// A person's events: a submission, then a few visits in weeks that vary from person to person,
/// so that decay, caps and quiet weeks all occur.
fn events_of(person: usize) -> Vec<ScoreEvent> {
    let mut submitted = ScoreEvent::new(
        0,
        ScoreEventKind::FormSubmitted,
        FIRST_MONDAY_MS + 3_600_000,
    );
    submitted.intent = Some(
        if person.is_multiple_of(3) {
            "contact_request"
        } else {
            "content_download"
        }
        .into(),
    );
    submitted.form_id = Some("bench".into());
    let mut events = vec![submitted];
    for week in 0..WEEKS {
        let visits = (person as i64 * 7 + week * 13) % 4;
        for visit in 0..visits {
            let at = FIRST_MONDAY_MS + week * WEEK_MS + 86_400_000 + visit * 60_000;
            events.push(ScoreEvent::new(
                events.len() as i64,
                ScoreEventKind::ReturningVisit,
                at,
            ));
        }
    }
    events
}

pub fn run() -> Result<()> {
    crate::run::header("bench: scoring snapshots and velocity");
    run_for(PEOPLE);
    Ok(())
}

/// Builds `people` logs (not timed), then times snapshots and velocity over all of them.
fn run_for(people: usize) -> usize {
    let rules = ScoringRules::default();
    let now = FIRST_MONDAY_MS + (WEEKS - 1) * WEEK_MS + 3 * 86_400_000;
    let logs: Vec<_> = (0..people)
        .map(|p| replay(&rules, &events_of(p), now))
        .collect();
    let rows: usize = logs.iter().map(Vec::len).sum();

    let started = Instant::now();
    let mut snapshots = 0usize;
    let mut rising = 0usize;
    for log in &logs {
        snapshots += weekly_snapshots(log, FIRST_MONDAY_MS, week_start_ms(now)).len();
        if velocity(&rules, log, now, None).velocity > 0 {
            rising += 1;
        }
    }
    let elapsed = started.elapsed();
    println!(
        "snapshots and velocity for {people} people ({rows} log rows, {snapshots} weekly snapshots, \
         {rising} rising): {:.0?} ({:.2} µs per person)",
        elapsed,
        elapsed.as_secs_f64() * 1e6 / people as f64
    );
    snapshots
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bench_computes_a_snapshot_per_person_and_week() {
        // 12 weeks of history; the current week is the 12th.
        assert_eq!(super::run_for(100), 100 * 12);
    }
}
