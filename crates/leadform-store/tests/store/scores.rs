//! Lead scoring in the store, on SQLite and PostgreSQL: events and log rows in the lead's
//! transaction, decay written once per person and week, snapshots, MQL set once, rescore.

use crate::support;

use leadform_scoring::{ScoreEventKind, ScoringRules, WEEK_MS};
use leadform_store::{NewScoreEvent, PersonScoreLog, Store};
use support::{new_lead, new_submission_id, on_each_database, test_databases};

/// Monday 2026-11-23 00:00 UTC.
const MONDAY: i64 = 1_795_392_000_000;
const DAY: i64 = 24 * 60 * 60 * 1000;

fn rules(json: &str) -> ScoringRules {
    ScoringRules::from_json("scoring.json", json).expect("valid rules")
}

async fn log_of(store: &Store, email: &str) -> PersonScoreLog {
    store
        .score_logs()
        .await
        .expect("score logs")
        .into_iter()
        .find(|log| log.email == email)
        .unwrap_or_else(|| panic!("no person {email}"))
}

fn score(log: &PersonScoreLog) -> i64 {
    log.rows.iter().map(|row| row.delta).sum()
}

fn rules_of(log: &PersonScoreLog) -> Vec<(&str, i64)> {
    log.rows
        .iter()
        .map(|r| (r.rule.as_str(), r.delta))
        .collect()
}

#[tokio::test]
async fn a_lead_records_its_submission_and_email_landing_with_their_log_rows() {
    on_each_database(async |store: &Store, label| {
        let rules = ScoringRules::default();
        let lead = new_lead(&new_submission_id(), "ada@example.com", MONDAY);
        store
            .insert_scored_lead(lead, Some(&rules))
            .await
            .expect("insert");
        let log = log_of(store, "ada@example.com").await;
        assert_eq!(
            rules_of(&log),
            vec![
                ("form_submitted:intent:contact_request", 50),
                ("email_landing", 5)
            ],
            "{label}"
        );
        // The same form again, carrying the same email touch: a repeat submission, no new landing.
        let again = new_lead(&new_submission_id(), "ADA@example.com", MONDAY + DAY);
        store
            .insert_scored_lead(again, Some(&rules))
            .await
            .expect("insert");
        let log = log_of(store, "ada@example.com").await;
        assert_eq!(
            rules_of(&log),
            vec![
                ("form_submitted:intent:contact_request", 50),
                ("email_landing", 5),
                ("repeat_submission", 10)
            ],
            "{label}"
        );
        assert_eq!(score(&log), 65, "{label}");
        // A retry of a stored submission scores nothing.
        let retry_id = new_submission_id();
        store
            .insert_scored_lead(new_lead(&retry_id, "bob@example.com", MONDAY), Some(&rules))
            .await
            .expect("insert");
        store
            .insert_scored_lead(new_lead(&retry_id, "bob@example.com", MONDAY), Some(&rules))
            .await
            .expect("retry");
        assert_eq!(
            score(&log_of(store, "bob@example.com").await),
            55,
            "{label}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_lead_stored_without_scoring_writes_no_score() {
    on_each_database(async |store: &Store, label| {
        store
            .insert_lead(new_lead(&new_submission_id(), "ada@example.com", MONDAY))
            .await
            .expect("insert");
        assert!(
            log_of(store, "ada@example.com").await.rows.is_empty(),
            "{label}"
        );
    })
    .await;
}

#[tokio::test]
async fn decay_is_caught_up_and_written_once_per_person_and_week_by_concurrent_passes() {
    for database in test_databases().await {
        let label = database.label;
        let first = database.open().await;
        let second = database.open().await;
        let rules = rules(r#"{"decay": {"points_per_quiet_week": 5, "floor": 10}}"#);
        first
            .insert_scored_lead(
                new_lead(&new_submission_id(), "ada@example.com", MONDAY),
                Some(&rules),
            )
            .await
            .expect("insert");
        // Nothing ran for four weeks; two handlers wake up at once.
        let now = MONDAY + 4 * WEEK_MS + DAY;
        let (a, b) = tokio::join!(
            first.run_score_pass(&rules, now),
            second.run_score_pass(&rules, now)
        );
        let written = a.expect("pass a").decay_rows + b.expect("pass b").decay_rows;
        assert_eq!(written, 3, "{label}: weeks 1, 2 and 3 once each");
        let log = log_of(&first, "ada@example.com").await;
        let weeks: Vec<i64> = log.rows.iter().filter_map(|r| r.decay_week_ms).collect();
        assert_eq!(
            weeks,
            vec![MONDAY + WEEK_MS, MONDAY + 2 * WEEK_MS, MONDAY + 3 * WEEK_MS],
            "{label}"
        );
        assert_eq!(score(&log), 55 - 15, "{label}");
        // Again later the same week: nothing new.
        let again = first.run_score_pass(&rules, now + DAY).await.expect("pass");
        assert_eq!(again.decay_rows, 0, "{label}");
        // Snapshots hold each complete week's end.
        let snapshots = first
            .score_snapshots(log.person_id)
            .await
            .expect("snapshots");
        let scores: Vec<(i64, i64)> = snapshots.iter().map(|s| (s.score, s.change)).collect();
        assert_eq!(
            scores,
            vec![(55, 55), (50, -5), (45, -5), (40, -5)],
            "{label}"
        );
        first.close().await;
        second.close().await;
        database.finish().await;
    }
}

#[tokio::test]
async fn mql_at_is_set_once_when_the_score_first_reaches_the_threshold() {
    on_each_database(async |store: &Store, label| {
        let rules =
            rules(r#"{"mql_threshold": 58, "decay": {"points_per_quiet_week": 50, "floor": 0}}"#);
        store
            .insert_scored_lead(
                new_lead(&new_submission_id(), "ada@example.com", MONDAY),
                Some(&rules),
            )
            .await
            .expect("insert");
        let person = log_of(store, "ada@example.com").await.person_id;
        assert_eq!(
            log_of(store, "ada@example.com").await.mql_at_ms,
            None,
            "{label}: 55 < 58"
        );
        let mut visit = NewScoreEvent::new(person, ScoreEventKind::AssetFetched, MONDAY + DAY);
        visit.detail = Some("https://cdn.example.com/ebook.pdf".into());
        let scored = store
            .record_score_event(&rules, visit)
            .await
            .expect("record");
        assert_eq!(scored.became_mql_at_ms, Some(MONDAY + DAY), "{label}");
        // Weeks of decay and a new crossing later: still the first time.
        let later = MONDAY + 5 * WEEK_MS;
        store
            .insert_scored_lead(
                new_lead(&new_submission_id(), "ada@example.com", later),
                Some(&rules),
            )
            .await
            .expect("insert");
        assert_eq!(
            log_of(store, "ada@example.com").await.mql_at_ms,
            Some(MONDAY + DAY),
            "{label}"
        );
    })
    .await;
}

#[tokio::test]
async fn rescore_replays_events_under_new_rules_and_erased_persons_stay_erased() {
    on_each_database(async |store: &Store, label| {
        let live = ScoringRules::default();
        for email in ["ada@example.com", "bob@example.com"] {
            store
                .insert_scored_lead(new_lead(&new_submission_id(), email, MONDAY), Some(&live))
                .await
                .expect("insert");
        }
        let bob = log_of(store, "bob@example.com").await.person_id;
        store.erase_person_scores(bob).await.expect("erase");
        let changed = rules(
            r#"{"events": {"form_submitted": {"by_intent": {"contact_request": {"points": 80, "repeat": "once"}}}}}"#,
        );
        let report = store.rescore(&changed, MONDAY + DAY).await.expect("rescore");
        assert_eq!((report.persons, report.rows), (1, 2), "{label}");
        let ada = log_of(store, "ada@example.com").await;
        assert_eq!(rules_of(&ada), vec![("form_submitted:intent:contact_request", 80), ("email_landing", 5)], "{label}");
        assert!(log_of(store, "bob@example.com").await.rows.is_empty(), "{label}: bob stays erased");
        assert_eq!(store.saved_scoring_rules().await.expect("rules"), Some(changed.clone()), "{label}");
        // Live scoring after the rescore writes into the new run.
        store
            .insert_scored_lead(new_lead(&new_submission_id(), "ada@example.com", MONDAY + 2 * DAY), Some(&changed))
            .await
            .expect("insert");
        assert_eq!(score(&log_of(store, "ada@example.com").await), 95, "{label}");
    })
    .await;
}
