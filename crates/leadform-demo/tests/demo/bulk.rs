//! The benchmark's batched leads on real databases: every row written is a lead the overview
//! counts, with status history and deliveries, on SQLite and PostgreSQL.

use leadform_demo::bulk::{insert_bulk_leads, BULK_WEEKS};
use leadform_store::{OverviewQuery, Store};
use leadform_testdb::{postgres_admin_url, ScratchDatabase};

const DAY: i64 = 24 * 3_600_000;
const NOW: i64 = 1_795_953_600_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bulk_lead_is_counted_by_the_overview() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut databases = vec![(
        dir.path().join("bulk.db").to_string_lossy().into_owned(),
        None,
    )];
    if let Some(admin_url) = postgres_admin_url() {
        let scratch = ScratchDatabase::create(&admin_url).await;
        databases.push((scratch.url.clone(), Some(scratch)));
    }
    // More than two batches, and not a multiple of the batch size.
    let count = 2_345;
    for (db, scratch) in databases {
        let store = Store::open(&db).await.expect("open");
        insert_bulk_leads(&store, &db, count, NOW)
            .await
            .expect("bulk insert");
        let report = store
            .overview(&OverviewQuery::new(
                NOW - BULK_WEEKS * 7 * DAY,
                NOW + 1,
                NOW,
            ))
            .await
            .expect("overview");
        let counted: u64 = report.leads_by_campaign.iter().map(|s| s.total).sum();
        let all: u64 = report.spam_share_by_form.iter().map(|s| s.leads).sum();
        let spam: u64 = report.spam_share_by_form.iter().map(|s| s.spam).sum();
        assert_eq!(all, count as u64, "{db}: every row is a lead in the range");
        assert_eq!(counted + spam, all, "{db}");
        assert!(spam > 0, "{db}");
        assert!(
            report
                .funnel_by_lead_source
                .iter()
                .any(|f| f.reached[3] > 0),
            "{db}"
        );
        assert!(report.speed_to_lead.median_ms.is_some(), "{db}");
        assert!(
            report
                .delivery_health
                .iter()
                .any(|h| h.dead > 0 && h.retrying > 0),
            "{db}"
        );
        store.close().await;
        if let Some(scratch) = scratch {
            scratch.drop_database().await;
        }
    }
}
