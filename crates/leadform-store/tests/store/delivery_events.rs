//! The `lead.mql` hand-off through the outbox (issue 10 §5), on SQLite and PostgreSQL: queued once
//! in the transaction that takes a person over the threshold, only to subscribing destinations of
//! the person's latest lead's form, never again after a rescore; and migration 0010, which lets a
//! lead have a `lead.created` and a `lead.mql` delivery to one destination, keeps every old row.

use crate::support;

use leadform_core::FormDefinition;
use leadform_delivery::{DeliveryEvent, OutboxStore};
use leadform_scoring::ScoringRules;
use leadform_store::{DeliveryFilter, DeliveryStatus, MqlRoutes, NewDelivery};
use sqlx::Connection;
use support::{new_lead, new_submission_id, test_databases};

/// Monday 2026-11-23 00:00 UTC.
const MONDAY: i64 = 1_795_392_000_000;
const DAY: i64 = 24 * 60 * 60 * 1000;

/// `contact-us` with a webhook that takes `lead.mql` (and `lead.created`) and one that does not.
fn contact_form() -> FormDefinition {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../forms/contact-us.json");
    let mut form: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("demo form")).expect("json");
    form["destinations"] = serde_json::json!([
        {"kind": "webhook", "id": "crm-mql", "url": "https://crm.example.com/mql", "secret_env": "A",
         "events": ["lead.created", "lead.mql"]},
        {"kind": "webhook", "id": "slack", "url": "https://hooks.example.com/new", "secret_env": "B"}
    ]);
    serde_json::from_value(form).expect("definition")
}

/// A contact request with an email landing scores 55 by default; MQL at 60: the second crosses.
fn rules() -> ScoringRules {
    ScoringRules::from_json(
        "scoring.json",
        r#"{"mql_threshold": 60, "decay": {"points_per_quiet_week": 0, "floor": 0}}"#,
    )
    .expect("rules")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crossing_the_threshold_queues_one_lead_mql_per_subscriber_once() {
    let form = contact_form();
    let routes = MqlRoutes::from_forms([&form]);
    for database in test_databases().await {
        let label = database.label;
        let store = database.open().await.with_mql_routes(routes.clone());
        let rules = rules();
        let lead_with_deliveries = |at_ms| {
            let mut lead = new_lead(&new_submission_id(), "ada@example.com", at_ms);
            lead.deliveries = form
                .destinations
                .iter()
                .enumerate()
                .map(|(i, d)| NewDelivery::for_destination(i, d))
                .collect();
            lead
        };
        store
            .insert_scored_lead(lead_with_deliveries(MONDAY), Some(&rules))
            .await
            .expect("first lead");
        let before = store
            .list_deliveries(DeliveryFilter::All)
            .await
            .expect("list");
        assert!(
            before.iter().all(|d| d.event == "lead.created"),
            "{label}: {before:?}"
        );

        store
            .insert_scored_lead(lead_with_deliveries(MONDAY + DAY), Some(&rules))
            .await
            .expect("second lead");
        let mqls: Vec<_> = store
            .list_deliveries(DeliveryFilter::All)
            .await
            .expect("list")
            .into_iter()
            .filter(|d| d.event == "lead.mql")
            .collect();
        assert_eq!(mqls.len(), 1, "{label}: {mqls:?}");
        assert_eq!(
            mqls[0].destination_id.as_deref(),
            Some("crm-mql"),
            "{label}"
        );
        let latest_lead = mqls[0].lead_id;

        let claimed = store
            .claim_due(MONDAY + 2 * DAY, 100, 60_000)
            .await
            .expect("claim");
        let hand_offs: Vec<_> = claimed
            .iter()
            .filter_map(|d| match &d.event {
                DeliveryEvent::Mql(hand_off) => Some((d, hand_off)),
                DeliveryEvent::Created => None,
            })
            .collect();
        assert_eq!(hand_offs.len(), 1, "{label}");
        let (delivery, hand_off) = hand_offs[0];
        assert_eq!(delivery.lead_id, latest_lead, "{label}");
        assert_eq!(hand_off.email, "ada@example.com", "{label}");
        assert!(hand_off.score >= 60, "{label}: {hand_off:?}");
        assert_eq!(hand_off.mql_at_ms, MONDAY + DAY, "{label}");
        // The same lead's lead.created to the same destination is still there beside it.
        assert_eq!(
            claimed
                .iter()
                .filter(
                    |d| d.lead_id == latest_lead && d.destination_id.as_deref() == Some("crm-mql")
                )
                .count(),
            2,
            "{label}"
        );

        // More activity and a rescore: the person is an MQL already, nothing more is queued.
        store
            .insert_scored_lead(lead_with_deliveries(MONDAY + 2 * DAY), Some(&rules))
            .await
            .expect("third lead");
        let report = store
            .rescore(&rules, MONDAY + 3 * DAY)
            .await
            .expect("rescore");
        assert_eq!(report.new_mqls, 0, "{label}");
        let all = store
            .list_deliveries(DeliveryFilter::All)
            .await
            .expect("list");
        assert_eq!(
            all.iter().filter(|d| d.event == "lead.mql").count(),
            1,
            "{label}: {all:?}"
        );
        store.close().await;
        database.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rescore_that_makes_an_mql_hands_it_off_once() {
    let form = contact_form();
    let routes = MqlRoutes::from_forms([&form]);
    let strict = ScoringRules::from_json(
        "scoring.json",
        r#"{"mql_threshold": 1000, "decay": {"points_per_quiet_week": 0, "floor": 0}}"#,
    )
    .expect("rules");
    for database in test_databases().await {
        let label = database.label;
        let store = database.open().await.with_mql_routes(routes.clone());
        let lead = new_lead(&new_submission_id(), "bob@example.com", MONDAY);
        store
            .insert_scored_lead(lead, Some(&strict))
            .await
            .expect("lead");
        let mqls = |all: Vec<leadform_store::DeliveryRecord>| {
            all.into_iter().filter(|d| d.event == "lead.mql").count()
        };
        assert_eq!(
            mqls(
                store
                    .list_deliveries(DeliveryFilter::All)
                    .await
                    .expect("list")
            ),
            0
        );
        let lenient =
            ScoringRules::from_json("scoring.json", r#"{"mql_threshold": 10}"#).expect("rules");
        let report = store
            .rescore(&lenient, MONDAY + DAY)
            .await
            .expect("rescore");
        assert_eq!(report.new_mqls, 1, "{label}");
        store
            .rescore(&lenient, MONDAY + 2 * DAY)
            .await
            .expect("again");
        assert_eq!(
            mqls(
                store
                    .list_deliveries(DeliveryFilter::All)
                    .await
                    .expect("list")
            ),
            1,
            "{label}"
        );
        store.close().await;
        database.finish().await;
    }
}

/// Runs statements on a connection outside the store, as an older release would have.
macro_rules! execute_all {
    ($connection:expr, $statements:expr) => {{
        for statement in $statements {
            sqlx::query(statement)
                .execute(&mut *$connection)
                .await
                .unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
    }};
}

/// The migrations before 0010, in a folder of their own, to make a database as 0009 left it.
fn migrations_before_0010(dialect: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dialect);
    for entry in std::fs::read_dir(&source).expect("migrations") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name.as_str() < "0010" {
            std::fs::copy(&path, dir.path().join(&name)).expect("copy");
        }
    }
    dir
}

const OLD_ROWS: [&str; 4] = [
    "INSERT INTO persons (id, email, first_lead_id, created_at_ms) VALUES (1, 'old@example.com', 1, 1000)",
    "INSERT INTO leads (id, submission_id, form_id, intent, email, person_id, first_for_person,
         is_spam, received_at_ms, payload_hash, lead_json, raw_payload)
     VALUES (1, 'sub-old', 'contact-us', 'contact_request', 'old@example.com', 1, TRUE, FALSE, 1000, 'h',
         '{\"form_id\":\"contact-us\",\"submission_id\":\"sub-old\",\"fields\":{\"email\":\"old@example.com\"}}', '{}')",
    "INSERT INTO deliveries (id, lead_id, destination_index, destination_kind, destination_key,
         status, attempts, next_attempt_at_ms, lease_until_ms, claim_token, last_error,
         delivered_detail, delivered_at_ms, created_at_ms, destination_id)
     VALUES (7, 1, 0, 'webhook', 'webhook:https://crm.example.com/…#abc', 'delivered', 2, NULL, NULL,
         NULL, 'HTTP 503', 'HTTP 200', 1500, 1000, 'crm-mql')",
    "INSERT INTO deliveries (id, lead_id, destination_index, destination_kind, destination_key,
         status, attempts, next_attempt_at_ms, lease_until_ms, claim_token, last_error,
         delivered_detail, delivered_at_ms, created_at_ms, destination_id)
     VALUES (8, 1, 1, 'webhook', 'webhook:https://hooks.example.com/…#def', 'pending', 1, 1200, NULL,
         NULL, 'HTTP 500', NULL, NULL, 1000, 'slack')",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_0010_keeps_old_deliveries_and_allows_one_of_each_event() {
    for database in test_databases().await {
        let label = database.label;
        let dialect = if label == "postgres" {
            "postgres"
        } else {
            "sqlite"
        };
        let old = migrations_before_0010(dialect);
        let migrator = sqlx::migrate::Migrator::new(old.path())
            .await
            .expect("migrator");
        if label == "postgres" {
            let mut connection = sqlx::PgConnection::connect(&database.db)
                .await
                .expect("connect");
            migrator.run(&mut connection).await.expect("old migrations");
            execute_all!(&mut connection, OLD_ROWS);
            connection.close().await.expect("close");
        } else {
            let url = format!("sqlite://{}?mode=rwc", database.db);
            let mut connection = sqlx::SqliteConnection::connect(&url)
                .await
                .expect("connect");
            migrator.run(&mut connection).await.expect("old migrations");
            execute_all!(&mut connection, OLD_ROWS);
            connection.close().await.expect("close");
        }

        let store = database.open().await;
        let rows = store
            .list_deliveries(DeliveryFilter::All)
            .await
            .expect("list");
        let shown: Vec<_> = rows
            .iter()
            .map(|d| {
                (
                    d.id,
                    d.lead_id,
                    d.destination_id.as_deref(),
                    d.destination_key.as_str(),
                    d.status,
                    d.attempts,
                    d.last_error.as_deref(),
                    d.delivered_detail.as_deref(),
                    d.event.as_str(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                (
                    7,
                    1,
                    Some("crm-mql"),
                    "webhook:https://crm.example.com/…#abc",
                    DeliveryStatus::Delivered,
                    2,
                    Some("HTTP 503"),
                    Some("HTTP 200"),
                    "lead.created"
                ),
                (
                    8,
                    1,
                    Some("slack"),
                    "webhook:https://hooks.example.com/…#def",
                    DeliveryStatus::Pending,
                    1,
                    Some("HTTP 500"),
                    None,
                    "lead.created"
                ),
            ],
            "{label}"
        );
        assert!(
            rows[0].delivered_at.is_some() && rows[1].next_attempt_at.is_some(),
            "{label}"
        );
        store.close().await;

        // One lead.mql beside the lead.created to the same destination; never a second of either.
        let mql = "INSERT INTO deliveries (lead_id, destination_index, destination_kind,
                destination_key, status, created_at_ms, destination_id, event, event_score, event_at_ms)
            VALUES (1, 0, 'webhook', 'webhook:https://crm.example.com/…#abc', 'pending', 2000,
                'crm-mql', 'lead.mql', 120, 1900)";
        let created_again = "INSERT INTO deliveries (lead_id, destination_index, destination_kind,
                destination_key, status, created_at_ms, destination_id)
            VALUES (1, 5, 'webhook', 'k', 'pending', 2000, 'crm-mql')";
        let index_again = "INSERT INTO deliveries (lead_id, destination_index, destination_kind,
                destination_key, status, created_at_ms, destination_id)
            VALUES (1, 0, 'webhook', 'k', 'pending', 2000, 'other')";
        let unknown_event = "INSERT INTO deliveries (lead_id, destination_index, destination_kind,
                destination_key, status, created_at_ms, destination_id, event)
            VALUES (1, 9, 'webhook', 'k', 'pending', 2000, 'x', 'lead.updated')";
        macro_rules! check_constraints {
            ($connection:expr) => {{
                let connection = $connection;
                sqlx::query(mql)
                    .execute(&mut *connection)
                    .await
                    .expect("a lead.mql beside it");
                for refused in [mql, created_again, index_again, unknown_event] {
                    assert!(
                        sqlx::query(refused)
                            .execute(&mut *connection)
                            .await
                            .is_err(),
                        "{label}: {refused}"
                    );
                }
            }};
        }
        if label == "postgres" {
            let mut connection = sqlx::PgConnection::connect(&database.db)
                .await
                .expect("connect");
            check_constraints!(&mut connection);
            connection.close().await.expect("close");
        } else {
            let url = format!("sqlite://{}", database.db);
            let mut connection = sqlx::SqliteConnection::connect(&url)
                .await
                .expect("connect");
            check_constraints!(&mut connection);
            let indexes: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries'
                 AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name",
            )
            .fetch_all(&mut connection)
            .await
            .expect("indexes");
            assert_eq!(
                indexes,
                [
                    "deliveries_claim",
                    "deliveries_delivered",
                    "deliveries_due",
                    "deliveries_lead_destination_id"
                ]
            );
            connection.close().await.expect("close");
        }
        database.finish().await;
    }
}
