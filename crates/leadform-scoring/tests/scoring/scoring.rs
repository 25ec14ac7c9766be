//! Every rule kind, decay and its floor, snapshots, velocity and the MQL crossing, on a moved clock.

use leadform_scoring::{
    decay_rows, first_mql_at, replay, score_event, velocity, weekly_snapshots, LogRow, ScoreEvent,
    ScoreEventKind, ScoreTotals, ScoringRules, WEEK_MS,
};

/// Monday 2026-11-23 00:00 UTC.
const MONDAY: i64 = 1_795_392_000_000;
const DAY: i64 = 24 * 60 * 60 * 1000;

fn rules(json: &str) -> ScoringRules {
    ScoringRules::from_json("scoring.json", json).expect("valid rules")
}

fn submitted(id: i64, at_ms: i64, form: &str, intent: &str, fields: &[(&str, &str)]) -> ScoreEvent {
    let mut event = ScoreEvent::new(id, ScoreEventKind::FormSubmitted, at_ms);
    event.form_id = Some(form.into());
    event.intent = Some(intent.into());
    event.fields = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    event
}

fn total(rows: &[LogRow]) -> i64 {
    rows.iter().map(|row| row.delta).sum()
}

/// Scores `events` one after another as the live handler does (decay first, then the event).
fn live(rules: &ScoringRules, events: &[ScoreEvent]) -> Vec<LogRow> {
    let mut log = Vec::new();
    for event in events {
        let decay = decay_rows(rules, &log, event.at_ms);
        log.extend(decay);
        let rows = score_event(rules, &log, event);
        log.extend(rows);
    }
    log
}

#[test]
fn a_contact_request_weighs_more_than_a_download_by_default() {
    let rules = ScoringRules::default();
    let contact = score_event(
        &rules,
        &[],
        &submitted(1, MONDAY, "contact-us", "contact_request", &[]),
    );
    let download = score_event(
        &rules,
        &[],
        &submitted(2, MONDAY, "ebook", "content_download", &[]),
    );
    assert_eq!(contact[0].rule, "form_submitted:intent:contact_request");
    assert_eq!(contact[0].event_id, Some(1));
    assert!(
        total(&contact) > total(&download),
        "{contact:?} vs {download:?}"
    );
}

#[test]
fn a_form_listed_by_id_replaces_its_intent_points() {
    let rules = rules(
        r#"{"events": {"form_submitted": {"by_form": {"pricing": {"points": 70, "repeat": "once"}}}}}"#,
    );
    let rows = score_event(
        &rules,
        &[],
        &submitted(1, MONDAY, "pricing", "contact_request", &[]),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].rule.as_str(), rows[0].delta),
        ("form_submitted:form:pricing", 70)
    );
}

#[test]
fn a_once_rule_scores_the_first_time_only() {
    let rules = rules(r#"{"events": {"asset_fetched": {"points": 3, "repeat": "once"}}}"#);
    let events: Vec<ScoreEvent> = (0..3)
        .map(|i| ScoreEvent::new(i, ScoreEventKind::AssetFetched, MONDAY + i * WEEK_MS))
        .collect();
    let log = live(&rules, &events);
    let asset: Vec<&LogRow> = log.iter().filter(|r| r.rule == "asset_fetched").collect();
    assert_eq!(asset.len(), 1);
    assert_eq!(asset[0].delta, 3);
}

#[test]
fn an_every_time_rule_stops_at_its_weekly_cap_and_starts_again_next_week() {
    let rules = rules(
        r#"{"events": {"returning_visit": {"points": 2, "repeat": "every_time", "cap_per_week": 5}}}"#,
    );
    let mut events: Vec<ScoreEvent> = (0..4)
        .map(|i| ScoreEvent::new(i, ScoreEventKind::ReturningVisit, MONDAY + i * 1000))
        .collect();
    events.push(ScoreEvent::new(
        9,
        ScoreEventKind::ReturningVisit,
        MONDAY + WEEK_MS,
    ));
    let log = live(&rules, &events);
    let deltas: Vec<i64> = log
        .iter()
        .filter(|r| r.rule == "returning_visit")
        .map(|r| r.delta)
        .collect();
    // 2 + 2 + 1 (capped at 5), nothing more that week; 2 again in the next.
    assert_eq!(deltas, vec![2, 2, 1, 2]);
}

#[test]
fn repeat_submissions_email_landings_and_asset_fetches_score_under_their_own_rules() {
    let rules = ScoringRules::default();
    for (kind, rule, points) in [
        (ScoreEventKind::RepeatSubmission, "repeat_submission", 10),
        (ScoreEventKind::EmailLanding, "email_landing", 5),
        (ScoreEventKind::AssetFetched, "asset_fetched", 3),
        (ScoreEventKind::ReturningVisit, "returning_visit", 1),
    ] {
        let rows = score_event(&rules, &[], &ScoreEvent::new(1, kind, MONDAY));
        assert_eq!(rows.len(), 1, "{kind:?}");
        assert_eq!((rows[0].rule.as_str(), rows[0].delta), (rule, points));
    }
}

#[test]
fn fit_rules_equals_one_of_and_contains_any_each_score_once_per_person() {
    let rules = rules(
        r#"{"fit": [
            {"field": "company_size", "equals": "1000+", "points": 20},
            {"field": "country", "one_of": ["DE", "AT"], "points": 10},
            {"field": "job_title", "contains_any": ["VP", "Director"], "points": 15}
        ]}"#,
    );
    let fields = [
        ("company_size", "1000+"),
        ("country", "at"),
        ("job_title", "VP Marketing"),
        ("email", "ada@example.com"),
    ];
    let first = submitted(1, MONDAY, "contact-us", "contact_request", &fields);
    let again = submitted(2, MONDAY + DAY, "ebook", "content_download", &fields);
    let log = live(&rules, &[first, again]);
    let fit: Vec<(&str, i64)> = log
        .iter()
        .filter(|r| r.is_fit())
        .map(|r| (r.rule.as_str(), r.delta))
        .collect();
    assert_eq!(
        fit,
        vec![
            ("fit:0:company_size", 20),
            ("fit:1:country", 10),
            ("fit:2:job_title", 15)
        ]
    );
    assert_eq!(ScoreTotals::of(&log, i64::MAX).fit, 45);
}

#[test]
fn a_fit_rule_that_does_not_match_scores_nothing() {
    let rules = rules(r#"{"fit": [{"field": "country", "one_of": ["DE"], "points": 10}]}"#);
    let rows = score_event(
        &rules,
        &[],
        &submitted(1, MONDAY, "c", "contact_request", &[("country", "FR")]),
    );
    assert!(rows.iter().all(|r| !r.is_fit()), "{rows:?}");
}

#[test]
fn a_free_mail_address_is_a_negative_fit() {
    let rules = ScoringRules::default();
    let rows = score_event(
        &rules,
        &[],
        &submitted(
            1,
            MONDAY,
            "c",
            "contact_request",
            &[("email", "ada@gmail.com")],
        ),
    );
    let fit: Vec<(&str, i64)> = rows
        .iter()
        .filter(|r| r.is_fit())
        .map(|r| (r.rule.as_str(), r.delta))
        .collect();
    assert_eq!(fit, vec![("fit:free_mail", -10)]);
}

#[test]
fn decay_takes_points_for_each_full_quiet_week_and_catches_up_missed_weeks() {
    let rules = rules(r#"{"decay": {"points_per_quiet_week": 5, "floor": 0}}"#);
    // 50 points on Monday of week 0; nothing after.
    let log = live(&rules, &[submitted(1, MONDAY, "c", "contact_request", &[])]);
    // Sunday of week 0: the active week itself never decays, and week 1 has not ended.
    assert!(decay_rows(&rules, &log, MONDAY + 2 * WEEK_MS - 1).is_empty());
    // The clock jumps to week 4 at once (no handler ran): weeks 1, 2 and 3 are caught up.
    let decay = decay_rows(&rules, &log, MONDAY + 4 * WEEK_MS + DAY);
    let weeks: Vec<i64> = decay
        .iter()
        .map(|r| r.decay_week_ms.expect("week"))
        .collect();
    assert_eq!(
        weeks,
        vec![MONDAY + WEEK_MS, MONDAY + 2 * WEEK_MS, MONDAY + 3 * WEEK_MS]
    );
    assert!(decay
        .iter()
        .all(|r| r.delta == -5 && r.rule == "decay" && r.event_id.is_none()));
    // Each row falls in the week it is for.
    assert_eq!(decay[0].at_ms, MONDAY + 2 * WEEK_MS - 1);
    // Written once: a second pass over the log with those rows adds nothing.
    let mut with_decay = log.clone();
    with_decay.extend(decay);
    assert!(decay_rows(&rules, &with_decay, MONDAY + 4 * WEEK_MS + DAY).is_empty());
}

#[test]
fn a_week_with_activity_does_not_decay() {
    let rules = rules(r#"{"decay": {"points_per_quiet_week": 5, "floor": 0}}"#);
    let events = [
        submitted(1, MONDAY, "c", "contact_request", &[]),
        ScoreEvent::new(2, ScoreEventKind::ReturningVisit, MONDAY + WEEK_MS + DAY),
    ];
    let log = live(&rules, &events);
    let decay = decay_rows(&rules, &log, MONDAY + 3 * WEEK_MS);
    let weeks: Vec<i64> = decay.iter().filter_map(|r| r.decay_week_ms).collect();
    assert_eq!(weeks, vec![MONDAY + 2 * WEEK_MS]);
}

#[test]
fn decay_stops_at_the_floor_and_never_touches_fit() {
    let rules = rules(
        r#"{"decay": {"points_per_quiet_week": 15, "floor": 10},
            "fit": [{"field": "country", "equals": "DE", "points": 30}]}"#,
    );
    let log = live(
        &rules,
        &[submitted(
            1,
            MONDAY,
            "c",
            "content_download",
            &[("country", "DE")],
        )],
    );
    // Engagement 20, fit 30: one week takes 10 (down to the floor), then nothing more.
    let decay = decay_rows(&rules, &log, MONDAY + 10 * WEEK_MS);
    assert_eq!(decay.iter().map(|r| r.delta).collect::<Vec<_>>(), vec![-10]);
    let mut all = log;
    all.extend(decay);
    let totals = ScoreTotals::of(&all, i64::MAX);
    assert_eq!((totals.fit, totals.engagement), (30, 10));
}

#[test]
fn weekly_snapshots_hold_the_score_at_each_week_end_and_its_change() {
    let rules = rules(r#"{"decay": {"points_per_quiet_week": 5, "floor": 0}}"#);
    let log = replay(
        &rules,
        &[
            submitted(1, MONDAY + DAY, "c", "contact_request", &[]),
            submitted(2, MONDAY + 2 * WEEK_MS, "e", "content_download", &[]),
        ],
        MONDAY + 3 * WEEK_MS + DAY,
    );
    let snapshots = weekly_snapshots(&log, MONDAY - WEEK_MS, MONDAY + 3 * WEEK_MS);
    let figures: Vec<(i64, i64)> = snapshots
        .iter()
        .map(|s| (s.totals.score(), s.change))
        .collect();
    // Before anything; +50; quiet week −5; +20; current week so far (week 2 was active: no decay).
    assert_eq!(figures, vec![(0, 0), (50, 50), (45, -5), (65, 20), (65, 0)]);
    assert_eq!(snapshots[1].week_start_ms, MONDAY);
}

#[test]
fn velocity_is_this_weeks_change_with_its_four_week_average_and_its_change() {
    let rules =
        rules(r#"{"mql_threshold": 100, "decay": {"points_per_quiet_week": 0, "floor": 0}}"#);
    let now = MONDAY + 3 * WEEK_MS + 2 * DAY;
    let events = [
        submitted(1, MONDAY + DAY, "e", "content_download", &[]), // week 0: +20
        submitted(2, MONDAY + 2 * WEEK_MS, "e2", "content_download", &[]), // week 2: +20
        submitted(3, MONDAY + 3 * WEEK_MS, "c", "contact_request", &[]), // week 3 (now): +50
    ];
    let log = replay(&rules, &events, now);
    let figures = velocity(&rules, &log, now, None);
    assert_eq!(figures.totals.score(), 90);
    assert_eq!(figures.velocity, 50);
    assert_eq!(figures.velocity_change, 50 - 20);
    assert!((figures.velocity_avg4 - 90.0 / 4.0).abs() < 1e-9);
    // 10 points to go at 22.5 a week: one week.
    assert_eq!(figures.weeks_to_mql, Some(1));
}

#[test]
fn weeks_to_mql_is_none_when_falling_flat_or_already_there() {
    let rules =
        rules(r#"{"mql_threshold": 100, "decay": {"points_per_quiet_week": 5, "floor": 0}}"#);
    let log = replay(
        &rules,
        &[submitted(1, MONDAY, "c", "contact_request", &[])],
        MONDAY + 6 * WEEK_MS,
    );
    let cooling = velocity(&rules, &log, MONDAY + 6 * WEEK_MS, None);
    assert!(cooling.velocity_avg4 < 0.0);
    assert_eq!(cooling.weeks_to_mql, None);
    let flat = velocity(&rules, &[], MONDAY, None);
    assert_eq!((flat.velocity, flat.weeks_to_mql), (0, None));
    let rising = velocity(&rules, &log[..1], MONDAY + DAY, Some(MONDAY));
    assert_eq!(
        rising.weeks_to_mql, None,
        "an MQL already has no weeks to go"
    );
}

#[test]
fn a_burst_this_week_beats_a_slow_climb_to_the_same_score() {
    let rules = rules(
        r#"{"decay": {"points_per_quiet_week": 0, "floor": 0}, "events": {"returning_visit": {"points": 10, "repeat": "every_time"}}}"#,
    );
    let now = MONDAY + 9 * WEEK_MS + 3 * DAY;
    let climb: Vec<ScoreEvent> = (0..10)
        .map(|w| {
            ScoreEvent::new(
                w,
                ScoreEventKind::ReturningVisit,
                MONDAY + w * WEEK_MS + DAY,
            )
        })
        .collect();
    let burst: Vec<ScoreEvent> = (0..10)
        .map(|i| {
            ScoreEvent::new(
                i,
                ScoreEventKind::ReturningVisit,
                MONDAY + 9 * WEEK_MS + i * 1000,
            )
        })
        .collect();
    let slow = velocity(&rules, &replay(&rules, &climb, now), now, None);
    let fast = velocity(&rules, &replay(&rules, &burst, now), now, None);
    assert_eq!(slow.totals.score(), fast.totals.score());
    assert!(fast.velocity > slow.velocity);
    assert!(fast.velocity_avg4 > slow.velocity_avg4);
}

#[test]
fn the_mql_crossing_is_the_first_time_the_running_score_reaches_the_threshold() {
    let rules =
        rules(r#"{"mql_threshold": 60, "decay": {"points_per_quiet_week": 20, "floor": 0}}"#);
    let events = [
        submitted(1, MONDAY, "c", "contact_request", &[]), // 50
        ScoreEvent::new(2, ScoreEventKind::EmailLanding, MONDAY + DAY), // 55
        ScoreEvent::new(3, ScoreEventKind::EmailLanding, MONDAY + 2 * DAY), // 60: crosses
        ScoreEvent::new(4, ScoreEventKind::EmailLanding, MONDAY + 5 * WEEK_MS), // after decay, below again
    ];
    let log = replay(&rules, &events, MONDAY + 6 * WEEK_MS);
    assert_eq!(first_mql_at(&rules, &log), Some(MONDAY + 2 * DAY));
    assert_eq!(first_mql_at(&rules, &log[..2]), None);
}

#[test]
fn replaying_the_events_gives_the_rows_written_live() {
    let rules = ScoringRules::default();
    let events = [
        submitted(
            1,
            MONDAY,
            "c",
            "contact_request",
            &[("email", "a@gmail.com")],
        ),
        ScoreEvent::new(2, ScoreEventKind::ReturningVisit, MONDAY + 3 * WEEK_MS),
        ScoreEvent::new(3, ScoreEventKind::AssetFetched, MONDAY + 7 * WEEK_MS),
    ];
    let now = MONDAY + 7 * WEEK_MS;
    let mut written = live(&rules, &events);
    written.extend(decay_rows(&rules, &written, now));
    assert_eq!(replay(&rules, &events, now), written);
}
