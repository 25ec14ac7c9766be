//! Vendor limits shared by every instance on one PostgreSQL (issue 13 item 2): three forwarders,
//! each with its own pool as separate processes would have, together stay inside HubSpot's limit.
//! A stand-in counts arrivals per rolling window; deadlines are only "give up" limits.

use crate::instances_support;

use instances_support::{
    form, quick_retries, start_counting_standin, RunningForwarder, SharedDatabase,
};
use leadform_delivery::{ForwarderConfig, RateLimits, WindowLimit};
use serde_json::json;
use std::time::Duration;

const PORTAL_ID: &str = "2468013";
const FORM_GUID: &str = "5f1c2e3a-0b4d-4e6f-8a9b-0c1d2e3f4a5b";

/// Issue 13 item 2, as reproduced: each process counted HubSpot's 50 per 10 s on its own, so three
/// instances sent up to three times as many.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_together_stay_inside_hubspots_limit() {
    let (url, tally) = start_counting_standin(Duration::from_millis(50)).await;
    let Some(shared) = SharedDatabase::create(form(json!([
        {"kind": "hubspot", "portal_id": PORTAL_ID, "form_guid": FORM_GUID, "endpoint": url}
    ])))
    .await
    else {
        return;
    };
    let stores = [
        shared.instance_store().await,
        shared.instance_store().await,
        shared.instance_store().await,
    ];
    const LEADS: usize = 15;
    shared.insert_leads(&stores[0], LEADS).await;
    let limit = WindowLimit {
        max: 4,
        window: Duration::from_secs(2),
    };
    let config = ForwarderConfig {
        poll_interval: Duration::from_millis(50),
        retry: quick_retries(),
        rate_limits: RateLimits {
            hubspot: limit,
            ..RateLimits::default()
        },
        ..ForwarderConfig::default()
    };
    let running: Vec<_> = stores
        .iter()
        .map(|store| RunningForwarder::start(shared.forwarder(store, config.clone())))
        .collect();
    shared.wait_all_delivered(&stores[0], LEADS).await;
    for forwarder in running {
        forwarder.stop().await;
    }

    {
        let tally = tally.lock().expect("tally");
        assert_eq!(tally.received.len(), LEADS, "every lead reached HubSpot");
        assert!(
            tally.received.values().all(|count| *count == 1),
            "each lead once: {:?}",
            tally.received
        );
        let mut arrivals = tally.arrivals.clone();
        arrivals.sort();
        let max = limit.max as usize;
        for group in arrivals.windows(max + 1) {
            let spread = group[max].duration_since(group[0]);
            assert!(
                spread >= limit.window,
                "{} requests reached HubSpot within {spread:?}, over {} per {:?}",
                max + 1,
                limit.max,
                limit.window
            );
        }
    }
    for store in stores {
        store.close().await;
    }
    shared.database.drop_database().await;
}
