//! Several forwarders ("instances") over one PostgreSQL database, as behind a load balancer:
//! leases judged by the database's clock whatever each instance's own clock says (issue 13 item 1).
//! Stand-ins count what reaches them over loopback HTTP; deadlines are only "give up" limits.

use crate::instances_support;

use instances_support::{
    form, now_ms, quick_retries, start_counting_standin, RunningForwarder, SharedDatabase,
    HOOK_SECRET_VARIABLE,
};
use leadform_delivery::{ForwarderClock, ForwarderConfig};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// A clock `offset_ms` away from the machine's.
struct SkewedClock {
    offset_ms: i64,
}

impl ForwarderClock for SkewedClock {
    fn now_ms(&self) -> i64 {
        now_ms() + self.offset_ms
    }
}

/// Issue 13 item 1, as reproduced: two instances on one PostgreSQL, one with its clock ahead by
/// most of a lease. Judged by its own clock, the other's leases look expired while their sends are
/// still in flight, and it sends the same leads again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_one_with_a_skewed_clock_send_each_delivery_once_and_never_concurrently() {
    std::env::set_var(HOOK_SECRET_VARIABLE, "whsec_instances_0123456789");
    let (url, tally) = start_counting_standin(Duration::from_millis(700)).await;
    let Some(shared) = SharedDatabase::create(form(json!([
        {"kind": "webhook", "url": format!("{url}/lead"), "secret_env": HOOK_SECRET_VARIABLE}
    ])))
    .await
    else {
        return;
    };
    let (first_store, second_store) =
        (shared.instance_store().await, shared.instance_store().await);
    const LEADS: usize = 16;
    shared.insert_leads(&first_store, LEADS).await;
    let config = ForwarderConfig {
        batch_size: 8,
        concurrency: 4,
        lease: Duration::from_secs(3),
        request_timeout: Duration::from_secs(1),
        poll_interval: Duration::from_millis(50),
        retry: quick_retries(),
        ..ForwarderConfig::default()
    };
    let first = RunningForwarder::start(shared.forwarder(&first_store, config.clone()));
    let skewed = RunningForwarder::start(
        shared
            .forwarder(&second_store, config)
            .with_clock(Arc::new(SkewedClock { offset_ms: 2_500 })),
    );
    shared.wait_all_delivered(&first_store, LEADS).await;
    first.stop().await;
    skewed.stop().await;

    {
        let tally = tally.lock().expect("tally");
        assert!(
            tally.overlapping.is_empty(),
            "sent again while the first send was in flight: {:?}",
            tally.overlapping
        );
        let duplicates: Vec<_> = tally.received.iter().filter(|(_, n)| **n > 1).collect();
        assert!(duplicates.is_empty(), "sent more than once: {duplicates:?}");
        assert_eq!(
            tally.received.len(),
            LEADS,
            "every lead reached the webhook"
        );
    }
    first_store.close().await;
    second_store.close().await;
    shared.database.drop_database().await;
}
