//! The outbox as the forwarder sees it: claims under a lease, outcomes recorded at most once, retries,
//! dead deliveries and the operator's replay. Runs on SQLite and, when configured, PostgreSQL.

use crate::support;

use leadform_core::Intent;
use leadform_delivery::OutboxStore;
use leadform_store::{DeliveryFilter, DeliveryRecord, DeliveryStatus, Store, StoreError};
use support::{new_lead, new_submission_id, on_each_database};

const T0: i64 = 1_795_417_506_000;
const LEASE_MS: i64 = 30_000;

async fn deliveries(store: &Store) -> Vec<DeliveryRecord> {
    store.list_deliveries(DeliveryFilter::All).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_claim_carries_the_stored_lead_and_holds_a_lease() {
    on_each_database(async |store: &Store, label| {
        let id = new_submission_id();
        let lead_id = store
            .insert_lead(new_lead(&id, "ada@example.com", T0))
            .await
            .unwrap()
            .lead_id();

        assert!(
            store
                .claim_due(T0 - 1, 10, LEASE_MS)
                .await
                .unwrap()
                .is_empty(),
            "{label}: not due yet"
        );
        let claimed = store.claim_due(T0, 10, LEASE_MS).await.unwrap();
        assert_eq!(claimed.len(), 2, "{label}");
        let first = &claimed[0];
        assert_eq!(first.lead_id, lead_id);
        assert_eq!(first.form_id, "contact-us");
        assert_eq!(
            first.destination_id.as_deref(),
            Some("salesforce:00D5g000004abcd")
        );
        assert_eq!(first.destination_key, "salesforce:00D5g000004abcd");
        assert_eq!(first.attempts, 0);
        assert_eq!(first.lead.submission_id, id);
        assert_eq!(first.lead.fields["first_name"], "Ada");
        assert_eq!(first.intent, Intent::ContactRequest);
        assert_eq!(first.received_at_ms, T0);
        assert_eq!(first.client_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(first.hubspotutk.as_deref(), Some("abc123hutk"));
        assert!(!first.claim_token.is_empty());
        assert_eq!(
            claimed[1].destination_id.as_deref(),
            Some("hubspot:123456:0b9c")
        );

        assert!(
            deliveries(store)
                .await
                .iter()
                .all(|d| d.status == DeliveryStatus::InFlight),
            "{label}"
        );
        assert!(
            store
                .claim_due(T0 + LEASE_MS - 1, 10, LEASE_MS)
                .await
                .unwrap()
                .is_empty(),
            "{label}: leased deliveries are not claimed twice"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_crash_the_expired_lease_is_claimed_again_and_the_stale_claim_cannot_finish() {
    on_each_database(async |store: &Store, label| {
        store
            .insert_lead(new_lead(&new_submission_id(), "ada@example.com", T0))
            .await
            .unwrap();
        // The first worker claims and "crashes": it never reports.
        let crashed = store.claim_due(T0, 10, LEASE_MS).await.unwrap();
        assert_eq!(crashed.len(), 2, "{label}");

        let reclaimed = store.claim_due(T0 + LEASE_MS, 10, LEASE_MS).await.unwrap();
        assert_eq!(
            reclaimed.len(),
            2,
            "{label}: expired leases are claimed again"
        );
        assert_eq!(reclaimed[0].id, crashed[0].id);
        assert_ne!(
            reclaimed[0].claim_token, crashed[0].claim_token,
            "{label}: a fresh token"
        );
        assert_eq!(
            reclaimed[0].attempts, 0,
            "{label}: claiming counts no attempt"
        );

        let stale = store
            .mark_delivered(crashed[0].id, &crashed[0].claim_token, "HTTP 200")
            .await;
        assert!(
            stale.is_err(),
            "{label}: a stale claim token cannot mark delivered"
        );
        let stale = store
            .mark_dead(crashed[1].id, &crashed[1].claim_token, "late")
            .await;
        assert!(stale.is_err(), "{label}: nor mark dead");

        store
            .mark_delivered(reclaimed[0].id, &reclaimed[0].claim_token, "HTTP 200")
            .await
            .unwrap();
        let twice = store
            .mark_delivered(reclaimed[0].id, &reclaimed[0].claim_token, "HTTP 200")
            .await;
        let message = twice
            .expect_err("a delivery is marked delivered at most once")
            .to_string();
        assert!(
            message.contains("not in flight under this claim token"),
            "{label}: {message}"
        );

        let records = deliveries(store).await;
        assert_eq!(records[0].status, DeliveryStatus::Delivered, "{label}");
        assert_eq!(records[0].attempts, 1, "{label}");
        assert_eq!(
            records[0].delivered_detail.as_deref(),
            Some("HTTP 200"),
            "{label}"
        );
        assert!(records[0].delivered_at.is_some(), "{label}");
        assert_eq!(records[0].next_attempt_at, None, "{label}");
        assert_eq!(records[1].status, DeliveryStatus::InFlight, "{label}");
        assert!(
            store
                .claim_due(T0 + 10 * LEASE_MS, 10, LEASE_MS)
                .await
                .unwrap()
                .iter()
                .all(|d| d.id != records[0].id),
            "{label}: a delivered delivery is never claimed again"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_never_share_a_delivery_and_each_is_delivered_once() {
    on_each_database(async |store: &Store, label| {
        for n in 0..30 {
            store
                .insert_lead(new_lead(&new_submission_id(), "ada@example.com", T0 + n))
                .await
                .unwrap();
        }
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..6 {
            let store = store.clone();
            workers.spawn(async move {
                let mut delivered = Vec::new();
                loop {
                    let batch = store.claim_due(T0 + 1_000, 4, LEASE_MS).await.unwrap();
                    if batch.is_empty() {
                        return delivered;
                    }
                    for delivery in batch {
                        store
                            .mark_delivered(delivery.id, &delivery.claim_token, "HTTP 200")
                            .await
                            .unwrap();
                        delivered.push(delivery.id);
                    }
                }
            });
        }
        let mut all = Vec::new();
        while let Some(joined) = workers.join_next().await {
            all.extend(joined.expect("worker"));
        }
        all.sort_unstable();
        let unique: std::collections::BTreeSet<i64> = all.iter().copied().collect();
        assert_eq!(all.len(), 60, "{label}: every delivery claimed once");
        assert_eq!(unique.len(), 60, "{label}: none claimed twice");
        assert!(
            deliveries(store)
                .await
                .iter()
                .all(|d| d.status == DeliveryStatus::Delivered && d.attempts == 1),
            "{label}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn retries_wait_until_due_and_rate_limit_waits_are_not_attempts() {
    on_each_database(async |store: &Store, label| {
        store
            .insert_lead(new_lead(&new_submission_id(), "ada@example.com", T0))
            .await
            .unwrap();
        let claimed = store.claim_due(T0, 1, LEASE_MS).await.unwrap();
        let first = &claimed[0];

        // Only a rate limit made it wait: no attempt counted.
        store
            .schedule_retry(
                first.id,
                &first.claim_token,
                T0 + 10_000,
                "rate limited: hubspot:123456",
                false,
            )
            .await
            .unwrap();
        let record = &deliveries(store).await[0];
        assert_eq!(
            (record.status, record.attempts),
            (DeliveryStatus::Pending, 0),
            "{label}"
        );
        assert_eq!(
            record.last_error.as_deref(),
            Some("rate limited: hubspot:123456"),
            "{label}"
        );
        assert_eq!(
            record.next_attempt_at.as_deref(),
            Some("2026-11-23T07:05:16.000Z"),
            "{label}"
        );

        let again = store
            .schedule_retry(first.id, &first.claim_token, T0, "x", true)
            .await;
        assert!(again.is_err(), "{label}: a retry needs a live claim");

        let due_now: Vec<i64> = store
            .claim_due(T0 + 9_999, 10, LEASE_MS)
            .await
            .unwrap()
            .iter()
            .map(|d| d.id)
            .collect();
        assert!(
            !due_now.contains(&first.id),
            "{label}: not before next_attempt_at"
        );
        let retried = store.claim_due(T0 + 10_000, 10, LEASE_MS).await.unwrap();
        let retried = retried
            .iter()
            .find(|d| d.id == first.id)
            .expect("due again");
        store
            .schedule_retry(
                retried.id,
                &retried.claim_token,
                T0 + 20_000,
                "HTTP 503",
                true,
            )
            .await
            .unwrap();
        let record = &deliveries(store).await[0];
        assert_eq!(
            (record.status, record.attempts),
            (DeliveryStatus::Pending, 1),
            "{label}"
        );
        assert_eq!(record.last_error.as_deref(), Some("HTTP 503"), "{label}");

        let third = store.claim_due(T0 + 20_000, 10, LEASE_MS).await.unwrap();
        let third = third.iter().find(|d| d.id == first.id).expect("due again");
        assert_eq!(third.attempts, 1, "{label}: attempts made before this one");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dead_deliveries_keep_the_reason_and_can_be_replayed() {
    on_each_database(async |store: &Store, label| {
        store
            .insert_lead(new_lead(&new_submission_id(), "ada@example.com", T0))
            .await
            .unwrap();
        store
            .insert_lead(new_lead(&new_submission_id(), "grace@example.com", T0))
            .await
            .unwrap();
        let claimed = store.claim_due(T0, 10, LEASE_MS).await.unwrap();
        assert_eq!(claimed.len(), 4, "{label}");
        store
            .mark_dead(
                claimed[0].id,
                &claimed[0].claim_token,
                "HTTP 400: invalid email",
            )
            .await
            .unwrap();
        store
            .mark_dead(
                claimed[1].id,
                &claimed[1].claim_token,
                "HTTP 400: bad portal",
            )
            .await
            .unwrap();
        store
            .mark_delivered(claimed[2].id, &claimed[2].claim_token, "HTTP 200")
            .await
            .unwrap();

        let dead = store
            .list_deliveries(DeliveryFilter::Status(DeliveryStatus::Dead))
            .await
            .unwrap();
        assert_eq!(dead.len(), 2, "{label}");
        assert_eq!(
            dead[0].last_error.as_deref(),
            Some("HTTP 400: invalid email"),
            "{label}"
        );
        assert_eq!(dead[0].attempts, 1, "{label}");
        assert_eq!(dead[0].next_attempt_at, None, "{label}");
        assert!(
            store
                .claim_due(T0 + 100 * LEASE_MS, 10, LEASE_MS)
                .await
                .unwrap()
                .iter()
                .all(|d| d.id != dead[0].id),
            "{label}: dead deliveries are not claimed"
        );

        assert!(store.retry_delivery(dead[0].id).await.unwrap(), "{label}");
        assert!(
            !store.retry_delivery(claimed[2].id).await.unwrap(),
            "{label}: delivered stays delivered"
        );
        assert!(
            !store.retry_delivery(987_654).await.unwrap(),
            "{label}: unknown id"
        );
        let replayed = deliveries(store)
            .await
            .into_iter()
            .find(|d| d.id == dead[0].id)
            .unwrap();
        assert_eq!(
            (replayed.status, replayed.attempts),
            (DeliveryStatus::Pending, 0),
            "{label}"
        );
        assert!(replayed.next_attempt_at.is_some(), "{label}");

        assert_eq!(
            store.retry_dead().await.unwrap(),
            1,
            "{label}: the other dead one"
        );
        assert_eq!(store.retry_dead().await.unwrap(), 0, "{label}");
        assert!(store
            .list_deliveries(DeliveryFilter::Status(DeliveryStatus::Dead))
            .await
            .unwrap()
            .is_empty());

        // Replayed deliveries are due now (by the wall clock), not at the fixed test time.
        let now_ms = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap();
        let due: Vec<i64> = store
            .claim_due(now_ms + 1, 10, LEASE_MS)
            .await
            .unwrap()
            .iter()
            .map(|d| d.id)
            .collect();
        assert!(
            due.contains(&dead[0].id) && due.contains(&dead[1].id),
            "{label}: {due:?}"
        );
    })
    .await;
}

#[test]
fn an_unknown_status_filter_is_refused_clearly() {
    let error = "failed".parse::<DeliveryStatus>().unwrap_err();
    assert!(matches!(error, StoreError::UnknownStatus(_)));
    assert!(error
        .to_string()
        .contains("expected one of pending, in_flight, delivered, dead"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn delivered_counts_are_per_destination_and_since_a_time() {
    on_each_database(async |store: &Store, label| {
        for n in 0..3 {
            store
                .insert_lead(new_lead(&new_submission_id(), "ada@example.com", T0 + n))
                .await
                .unwrap();
        }
        let before = support_now_ms();
        let claimed = store.claim_due(T0 + 10, 10, LEASE_MS).await.unwrap();
        let salesforce: Vec<_> = claimed
            .iter()
            .filter(|d| d.destination_key.starts_with("salesforce"))
            .collect();
        assert_eq!(salesforce.len(), 3, "{label}");
        for delivery in &salesforce[..2] {
            store
                .mark_delivered(delivery.id, &delivery.claim_token, "HTTP 200")
                .await
                .unwrap();
        }
        let third = salesforce[2];
        store
            .schedule_retry(third.id, &third.claim_token, T0 + 1_000, "HTTP 500", true)
            .await
            .unwrap();

        let key = "salesforce:00D5g000004abcd";
        assert_eq!(
            store.delivered_count_since(key, before).await.unwrap(),
            2,
            "{label}"
        );
        assert_eq!(
            store.delivered_count_since(key, 0).await.unwrap(),
            2,
            "{label}"
        );
        assert_eq!(
            store
                .delivered_count_since(key, support_now_ms() + 60_000)
                .await
                .unwrap(),
            0,
            "{label}"
        );
        assert_eq!(
            store
                .delivered_count_since("hubspot:123456", 0)
                .await
                .unwrap(),
            0,
            "{label}"
        );
    })
    .await;
}

fn support_now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}
