//! The demo seed on real databases: plausible figures for every chart, the same data on every
//! run, and a store that already holds leads left alone.

use std::collections::BTreeMap;
use std::path::Path;

use leadform_core::Intent;
use leadform_demo::{load_forms, seed_demo, SeedOutcome};
use leadform_store::{OverviewQuery, Store};
use leadform_testdb::{postgres_admin_url, ScratchDatabase};

const DAY: i64 = 24 * 3_600_000;
/// Sunday 2026-11-29 12:00 UTC.
const NOW: i64 = 1_795_953_600_000;
/// Monday 2026-10-19 00:00 UTC: five whole weeks before this week's Monday.
const FIRST_MONDAY: i64 = NOW - 41 * DAY - 12 * 3_600_000;

fn forms_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../forms"))
}

/// A fresh SQLite file, and a fresh PostgreSQL database when the test server is configured.
async fn databases(dir: &Path) -> Vec<(String, Option<ScratchDatabase>)> {
    let mut databases = vec![(dir.join("demo.db").to_string_lossy().into_owned(), None)];
    if let Some(admin_url) = postgres_admin_url() {
        let scratch = ScratchDatabase::create(&admin_url).await;
        databases.push((scratch.url.clone(), Some(scratch)));
    }
    databases
}

/// What a marketer would see: lead counts per form and spam flag, by export.
async fn export_fingerprint(store: &Store) -> Vec<(String, String, bool, String)> {
    store
        .export_leads()
        .await
        .expect("export")
        .into_iter()
        .map(|l| (l.submission_id, l.form_id, l.is_spam, l.received_at))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_seed_gives_every_chart_something_to_show() {
    let forms = load_forms(forms_dir()).expect("the demo forms");
    let dir = tempfile::tempdir().expect("temp dir");
    for (db, scratch) in databases(dir.path()).await {
        let store = Store::open(&db).await.expect("open");
        let outcome = seed_demo(&store, &forms, NOW).await.expect("seed");
        let SeedOutcome::Seeded {
            leads,
            spam,
            status_changes,
            dead_deliveries,
        } = outcome
        else {
            panic!("an empty store is seeded: {outcome:?}");
        };
        assert!(leads > 300, "a few weeks of leads: {leads}");
        assert!(spam > 0 && spam < leads / 5, "some spam: {spam}");
        assert!(status_changes > 100, "{status_changes}");
        assert!(dead_deliveries > 0, "{dead_deliveries}");

        let report = store
            .overview(&OverviewQuery::new(FIRST_MONDAY, NOW + 1, NOW))
            .await
            .expect("overview");
        assert!(report.leads_by_campaign.len() >= 4, "several campaigns");
        assert!(
            report.leads_by_lead_source.len() >= 4,
            "several lead sources"
        );
        assert_eq!(report.weeks.len(), 6, "this week and five whole weeks");
        assert_eq!(report.weeks[0].start_date, "2026-10-19");
        let weekly_totals: Vec<u64> = (0..6)
            .map(|week| {
                report
                    .leads_by_campaign
                    .iter()
                    .map(|s| s.counts[week])
                    .sum()
            })
            .collect();
        assert!(
            weekly_totals[..5].iter().all(|total| *total >= 40),
            "every whole week is busy: {weekly_totals:?}"
        );
        let earlier = store
            .overview(&OverviewQuery::new(
                FIRST_MONDAY - 7 * DAY,
                FIRST_MONDAY,
                NOW,
            ))
            .await
            .expect("overview of the week before");
        assert!(
            earlier.spam_share_by_form.is_empty(),
            "nothing before the first Monday"
        );
        assert!(report.intent_split.contact_requests > 50);
        assert!(report.intent_split.content_downloads > 50);
        let converted: u64 = report
            .funnel_by_lead_source
            .iter()
            .map(|f| f.reached[3])
            .sum();
        assert!(converted > 0, "someone converted");
        let speed = &report.speed_to_lead;
        assert!(speed.median_ms.is_some() && speed.p90_ms > speed.median_ms);
        let share = speed.share_within_target.expect("a share");
        assert!(share > 0.3 && share < 1.0, "some answers are late: {share}");
        assert!(
            speed.overdue_total > 0,
            "some contact requests wait too long"
        );
        assert!(report.delivery_health.iter().any(|h| h.dead > 0));
        assert!(report.spam_share_by_form.iter().all(|s| s.share < 0.2));

        // People who downloaded more than once.
        let mut leads_per_person: BTreeMap<i64, usize> = BTreeMap::new();
        for lead in store.export_leads().await.expect("export") {
            if let (Some(person), Intent::ContentDownload) = (lead.person_id, lead.intent) {
                *leads_per_person.entry(person).or_default() += 1;
            }
        }
        assert!(
            leads_per_person.values().filter(|n| **n >= 2).count() >= 5,
            "repeat downloads"
        );

        // A second run leaves a store with leads alone.
        let before = export_fingerprint(&store).await;
        let again = seed_demo(&store, &forms, NOW).await.expect("seed again");
        assert_eq!(again, SeedOutcome::AlreadyHasLeads);
        assert_eq!(export_fingerprint(&store).await, before);
        store.close().await;
        if let Some(scratch) = scratch {
            scratch.drop_database().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_and_day_give_the_same_leads() {
    let forms = load_forms(forms_dir()).expect("the demo forms");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut fingerprints = Vec::new();
    for name in ["first.db", "second.db"] {
        let db = dir.path().join(name).to_string_lossy().into_owned();
        let store = Store::open(&db).await.expect("open");
        seed_demo(&store, &forms, NOW).await.expect("seed");
        fingerprints.push(export_fingerprint(&store).await);
        store.close().await;
    }
    assert_eq!(fingerprints[0], fingerprints[1]);
}
