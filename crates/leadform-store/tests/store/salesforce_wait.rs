//! Issue 8: Salesforce's wait must not hold leads for most of a day because posts that were in
//! flight when it was computed were assumed to succeed. Counted in the real store (SQLite and
//! PostgreSQL), as the forwarder counts.

use crate::support;

use leadform_core::Destination;
use leadform_delivery::rate_limit::Admission;
use leadform_delivery::{RateLimiter, RateLimits, WindowLimit};
use std::time::Duration;
use support::test_databases;

const KEY: &str = "salesforce:00D5g000004abcd";
/// How long an unanswered post counts pessimistically (the forwarder's lease).
const IN_FLIGHT_MS: i64 = 60_000;

fn salesforce() -> Destination {
    serde_json::from_value(serde_json::json!(
        {"kind": "salesforce_web_to_lead", "org_id": "00D5g000004abcd"}
    ))
    .expect("destination")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_in_flight_posts_free_their_slots_at_once() {
    for database in test_databases().await {
        let label = database.label;
        let store = database.open().await;
        let limiter = RateLimiter::new(RateLimits {
            salesforce: WindowLimit {
                max: 3,
                window: Duration::from_secs(24 * 60 * 60),
            },
            ..RateLimits::default()
        });
        let destination = salesforce();
        let admit = || limiter.admit(&destination, KEY, now_ms(), IN_FLIGHT_MS, &store);
        // One lead delivered to the org just now: one of three places is used for a day.
        let Admission::Proceed(delivered) = admit().await.expect("admit") else {
            panic!("{label}: the first place is free");
        };
        limiter
            .finish(delivered, true, &store)
            .await
            .expect("counted");
        let first = admit().await.expect("admit");
        let second = admit().await.expect("admit");
        let (Admission::Proceed(first), Admission::Proceed(second)) = (first, second) else {
            panic!("{label}: two places are free");
        };
        // Two posts in flight fill the limit only if they succeed: look again soon, not tomorrow.
        match admit().await.expect("admit") {
            Admission::Wait { wait_ms, .. } => assert!(
                wait_ms <= 5_000,
                "{label}: waits {} s while the posts are in flight",
                wait_ms / 1000
            ),
            Admission::Proceed(_) => panic!("{label}: the limit is full while they are in flight"),
        }
        // Both posts failed (created no lead): their places are free again at once.
        limiter
            .finish(first, false, &store)
            .await
            .expect("given back");
        limiter
            .finish(second, false, &store)
            .await
            .expect("given back");
        let admitted = admit().await.expect("admit");
        assert!(
            matches!(admitted, Admission::Proceed(_)),
            "{label}: {admitted:?}"
        );
        // A full limit with nothing in flight waits for the delivered lead's day to end.
        let Admission::Proceed(ticket) = admitted else {
            unreachable!()
        };
        limiter.finish(ticket, true, &store).await.expect("counted");
        let Admission::Proceed(third) = admit().await.expect("admit") else {
            panic!("{label}: the third place is free");
        };
        limiter.finish(third, true, &store).await.expect("counted");
        match admit().await.expect("admit") {
            Admission::Wait { wait_ms, reason } => {
                assert!(wait_ms > 23 * 60 * 60 * 1000, "{label}: {wait_ms}");
                assert!(reason.contains("Web-to-Lead limit"), "{label}: {reason}");
            }
            Admission::Proceed(_) => panic!("{label}: three leads delivered fill the day"),
        }
        store.close().await;
        database.finish().await;
    }
}
