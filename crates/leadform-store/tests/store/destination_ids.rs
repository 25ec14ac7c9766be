//! Deliveries are stored with their destination's identity, and rows queued before identities
//! existed keep working: migration 0003 backfills what SQL can, the store rewrites old webhook rows
//! (their URL redacted, their id set) when it opens.

use crate::support;

use leadform_core::Destination;
use leadform_delivery::OutboxStore;
use leadform_store::{DeliveryFilter, NewDelivery, Store};
use sqlx::Connection;
use support::{new_lead, new_submission_id, test_databases};

const HOOK_URL: &str = "https://hooks.example.com/services/T1/B2/s3cr3tT0ken";

/// Runs statements on the test database outside the store, as an older release would have.
async fn execute(db: &str, statements: &[&str]) {
    if db.starts_with("postgres") {
        let mut connection = sqlx::PgConnection::connect(db).await.expect("connect");
        for statement in statements {
            sqlx::query(statement)
                .execute(&mut connection)
                .await
                .unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
        connection.close().await.expect("close");
    } else {
        let url = format!("sqlite://{db}");
        let mut connection = sqlx::SqliteConnection::connect(&url)
            .await
            .expect("connect");
        for statement in statements {
            sqlx::query(statement)
                .execute(&mut connection)
                .await
                .unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
        connection.close().await.expect("close");
    }
}

fn webhook() -> Destination {
    serde_json::from_value(serde_json::json!(
        {"kind": "webhook", "url": HOOK_URL, "secret_env": "HOOK"}
    ))
    .expect("webhook")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_stored_and_claimed_with_their_destination_id() {
    for database in test_databases().await {
        let store = database.open().await;
        let mut lead = new_lead(&new_submission_id(), "ada@example.com", 1_000);
        lead.deliveries = vec![NewDelivery::for_destination(3, &webhook())];
        store.insert_lead(lead).await.expect("stored");
        let claimed = store.claim_due(2_000, 10, 60_000).await.expect("claim");
        assert_eq!(claimed.len(), 1, "{}", database.label);
        assert_eq!(claimed[0].destination_id, Some(webhook().id()));
        let listed = store
            .list_deliveries(DeliveryFilter::All)
            .await
            .expect("list");
        assert_eq!(listed[0].destination_id, Some(webhook().id()));
        let row = format!("{listed:?}");
        assert!(!row.contains("s3cr3t") && !row.contains("/T1/"), "{row}");
        store.close().await;
        database.finish().await;
    }
}

/// A database as a release before 0003 left it: old webhook rows keep their URL in the key and
/// in a rate-limit reason; no row has an id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_from_before_ids_are_backfilled_and_redacted() {
    for database in test_databases().await {
        let label = database.label;
        let store = database.open().await;
        let lead = new_lead(&new_submission_id(), "ada@example.com", 1_000);
        store.insert_lead(lead).await.expect("stored");
        store.close().await;
        let old_key = format!("UPDATE deliveries SET destination_kind = 'webhook', destination_key = 'webhook:{HOOK_URL}', last_error = 'waiting: webhook:{HOOK_URL} asked to retry after a while (Retry-After)' WHERE destination_kind = 'hubspot'");
        execute(
            &database.db,
            &[
                "DROP INDEX deliveries_lead_destination_id",
                "ALTER TABLE deliveries DROP COLUMN destination_id",
                "DELETE FROM _sqlx_migrations WHERE version = 3",
                &old_key,
            ],
        )
        .await;

        let store = database.open().await;
        let rows = store
            .list_deliveries(DeliveryFilter::All)
            .await
            .expect("list");
        let salesforce = rows
            .iter()
            .find(|d| d.destination_kind == "salesforce_web_to_lead")
            .expect("salesforce row");
        assert_eq!(
            salesforce.destination_id.as_deref(),
            Some("salesforce:00D5g000004abcd"),
            "{label}"
        );
        let hook = rows
            .iter()
            .find(|d| d.destination_kind == "webhook")
            .expect("webhook row");
        assert_eq!(hook.destination_id, Some(webhook().id()), "{label}");
        assert_eq!(
            hook.destination_key,
            leadform_delivery::destination_key(&webhook())
        );
        let shown = format!("{rows:?}");
        assert!(!shown.contains("s3cr3t"), "{label}: {shown}");
        assert!(
            hook.last_error
                .as_deref()
                .unwrap_or_default()
                .starts_with("waiting: webhook:https://hooks.example.com/…#"),
            "{label}: {:?}",
            hook.last_error
        );
        store.close().await;
        // Opening again changes nothing more.
        let store = Store::open(&database.db).await.expect("reopen");
        let again = store
            .list_deliveries(DeliveryFilter::All)
            .await
            .expect("list");
        assert_eq!(again, rows, "{label}");
        store.close().await;
        database.finish().await;
    }
}

/// An old form could send twice to one Salesforce org: those rows share a key, so the migration
/// leaves them without an id instead of failing on the unique index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_old_rows_with_one_key_do_not_stop_the_migration() {
    for database in test_databases().await {
        let label = database.label;
        let store = database.open().await;
        let lead = new_lead(&new_submission_id(), "ada@example.com", 1_000);
        store.insert_lead(lead).await.expect("stored");
        store.close().await;
        execute(
            &database.db,
            &[
                "DROP INDEX deliveries_lead_destination_id",
                "ALTER TABLE deliveries DROP COLUMN destination_id",
                "DELETE FROM _sqlx_migrations WHERE version = 3",
                "UPDATE deliveries SET destination_kind = 'salesforce_web_to_lead', \
                 destination_key = 'salesforce:00D5g000004abcd'",
            ],
        )
        .await;
        let store = database.open().await;
        let rows = store
            .list_deliveries(DeliveryFilter::All)
            .await
            .expect("list");
        assert_eq!(rows.len(), 2, "{label}");
        assert!(
            rows.iter().all(|d| d.destination_id.is_none()),
            "{label}: {rows:?}"
        );
        store.close().await;
        database.finish().await;
    }
}
