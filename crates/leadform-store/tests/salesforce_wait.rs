//! Issue 8: Salesforce's cached wait must not hold leads for most of a day because posts that were
//! in flight when it was computed were assumed to succeed. Counted from the real store (SQLite and
//! PostgreSQL), as the forwarder counts.

mod support;

use leadform_core::Destination;
use leadform_delivery::rate_limit::Admission;
use leadform_delivery::{OutboxStore, RateLimiter, RateLimits, WindowLimit};
use std::time::Duration;
use support::{new_lead, new_submission_id, test_databases};

const KEY: &str = "salesforce:00D5g000004abcd";

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
        // One lead delivered to the org just now: one of three slots is used for a day.
        store
            .insert_lead(new_lead(&new_submission_id(), "ada@example.com", now_ms()))
            .await
            .expect("lead");
        let claimed = store.claim_due(now_ms(), 10, 60_000).await.expect("claim");
        let to_salesforce = claimed
            .iter()
            .find(|d| d.destination_key == KEY)
            .expect("a Salesforce delivery");
        store
            .mark_delivered(to_salesforce.id, &to_salesforce.claim_token, "HTTP 200")
            .await
            .expect("delivered");

        let limiter = RateLimiter::new(RateLimits {
            salesforce: WindowLimit {
                max: 3,
                window: Duration::from_secs(24 * 60 * 60),
            },
            ..RateLimits::default()
        });
        let destination = salesforce();
        let now = now_ms();
        let first = limiter
            .admit(&destination, KEY, now, &store)
            .await
            .expect("admit");
        let second = limiter
            .admit(&destination, KEY, now, &store)
            .await
            .expect("admit");
        assert!(matches!(first, Admission::Proceed(_)), "{label}");
        assert!(matches!(second, Admission::Proceed(_)), "{label}");
        // Two posts in flight fill the limit only if they succeed: look again soon, not tomorrow.
        match limiter
            .admit(&destination, KEY, now, &store)
            .await
            .expect("admit")
        {
            Admission::WaitUntil { at_ms, .. } => assert!(
                at_ms - now <= 5_000,
                "{label}: waits {} s while the posts are in flight",
                (at_ms - now) / 1000
            ),
            Admission::Proceed(_) => panic!("{label}: the limit is full while they are in flight"),
        }
        // Both posts failed (not recorded delivered): their slots are free as soon as the wait ends.
        drop((first, second));
        let later = now + 5_000;
        let admitted = limiter
            .admit(&destination, KEY, later, &store)
            .await
            .expect("admit");
        assert!(
            matches!(admitted, Admission::Proceed(_)),
            "{label}: {admitted:?}"
        );
        drop(admitted);
        store.close().await;
        database.finish().await;
    }
}
