//! Prompt recovery after an outage (issue 13 item 3): while a destination is down, one probe at a
//! time goes out; the first probe it answers releases every queued lead at once. On SQLite, and
//! on PostgreSQL when `LEADFORM_TEST_POSTGRES_URL` is set. Deadlines are generous ceilings.

use crate::instances_support;

use instances_support::{
    form, insert_leads, start_switchable_standin, RunningForwarder, HOOK_SECRET_VARIABLE,
};
use leadform_delivery::{Forwarder, ForwarderConfig, RetryPolicy};
use leadform_store::DeliveryStatus;
use leadform_store::{DeliveryFilter, Store};
use leadform_testdb::{postgres_admin_url, ScratchDatabase};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

const LEADS: usize = 30;

async fn outage_then_recovery_on(store: Arc<Store>) {
    let (url, tally, down) = start_switchable_standin(Duration::from_millis(10)).await;
    let form = form(json!([
        {"kind": "webhook", "url": format!("{url}/lead"), "secret_env": HOOK_SECRET_VARIABLE}
    ]));
    let forms = Arc::new(BTreeMap::from([(form.id.clone(), form.clone())]));
    // Each lead's own backoff reaches its cap (8 s) well inside the outage: without probes the
    // queue would trickle back over up to 8 s after recovery, each lead on its own timer.
    let retry = RetryPolicy {
        base: Duration::from_millis(250),
        factor: 2,
        cap: Duration::from_secs(8),
    };
    let probe = RetryPolicy {
        base: Duration::from_millis(100),
        factor: 2,
        cap: Duration::from_millis(500),
    };
    let config = ForwarderConfig {
        poll_interval: Duration::from_millis(50),
        retry,
        probe,
        ..ForwarderConfig::default()
    };
    let wake = Arc::new(Notify::new());
    let forwarder = Forwarder::new(Arc::clone(&store), forms, wake, config).expect("forwarder");
    down.store(true, Ordering::SeqCst);
    insert_leads(&store, &form, LEADS).await;
    let running = RunningForwarder::start(forwarder);
    // Longer than the retry cap.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let refused_during_outage = tally.lock().expect("tally").refused;
    down.store(false, Ordering::SeqCst);
    let recovered_at = Instant::now();
    let started = Instant::now();
    loop {
        let deliveries = store
            .list_deliveries(DeliveryFilter::All)
            .await
            .expect("list deliveries");
        if deliveries
            .iter()
            .all(|d| d.status == DeliveryStatus::Delivered)
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "gave up: {deliveries:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    running.stop().await;

    let tally = tally.lock().expect("tally");
    assert_eq!(tally.received.len(), LEADS, "every queued lead arrived");
    let last = tally
        .accepted_at
        .iter()
        .max()
        .expect("accepted requests")
        .duration_since(recovered_at);
    println!(
        "{}: last of {LEADS} queued leads delivered {last:?} after recovery; \
         {refused_during_outage} requests during the 10 s outage",
        store.backend_name()
    );
    // The probe backoff is capped at 0.5 s here; each lead on its own 8 s cap would need up to 8 s.
    assert!(
        last < Duration::from_secs(4),
        "the queue came back {last:?} after recovery"
    );
    // One probe at a time, each at least the jittered probe delay after the last: ~40 in 10 s,
    // where every lead on its own backoff made ~200.
    assert!(
        refused_during_outage <= 100,
        "{refused_during_outage} requests hit the destination while it was down"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_an_outage_the_queue_is_delivered_promptly_and_only_probes_hit_the_down_destination()
{
    std::env::set_var(HOOK_SECRET_VARIABLE, "whsec_instances_0123456789");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("leads.db");
    let sqlite = Store::open(&path.to_string_lossy())
        .await
        .expect("open SQLite");
    outage_then_recovery_on(Arc::new(sqlite)).await;
    match postgres_admin_url() {
        Some(admin_url) => {
            let database = ScratchDatabase::create(&admin_url).await;
            let store = Arc::new(Store::open(&database.url).await.expect("open PostgreSQL"));
            outage_then_recovery_on(Arc::clone(&store)).await;
            store.close().await;
            database.drop_database().await;
        }
        None => println!("skipped the PostgreSQL variant"),
    }
}
