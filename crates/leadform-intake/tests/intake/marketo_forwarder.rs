//! The forwarder draining the real outbox (SQLite, and PostgreSQL when configured) into the Marketo
//! stand-in: a 615 answer holds the instance back, Marketo's window of calls is kept, and every
//! lead arrives exactly once. Deadlines are only "give up" limits.

use leadform_standins as standins;

use leadform_core::{FormDefinition, Intent, LeadSubmission};
use leadform_delivery::{Forwarder, ForwarderConfig, RateLimits, RetryPolicy, WindowLimit};
use leadform_store::DeliveryStatus;
use leadform_store::{DeliveryFilter, DeliveryRecord, NewDelivery, NewLead, Store};
use leadform_testdb::{postgres_admin_url, ScratchDatabase};
use serde_json::json;
use standins::{Received, Scripted, StandIn, Vendor};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{oneshot, Notify};

const SECRET_VARIABLE: &str = "LEADFORM_TEST_MARKETO_FORWARDER_SECRET";
const SECRET: &str = "forwarder-s3cret";
const GIVE_UP_AFTER: Duration = Duration::from_secs(90);

/// Not the demo's contact form: these leads carry a first name and an email only.
fn form(standin: &StandIn) -> FormDefinition {
    let form: FormDefinition = serde_json::from_value(json!({
        "id": "contact-us", "title": "Talk to us", "kind": "contact", "submit_label": "Send",
        "success": {"message": "Thanks"},
        "fields": [
            {"name": "first_name", "label": "First name", "kind": "text"},
            {"name": "email", "label": "Email", "kind": "email", "required": true}
        ],
        "destinations": [{
            "kind": "marketo", "munchkin_id": "123-ABC-456", "client_id": "forwarder-client",
            "client_secret_env": SECRET_VARIABLE, "form_id": 1029, "endpoint": standin.base_url()
        }]
    }))
    .expect("form parses");
    form.check().expect("form is valid");
    form
}

async fn open_store(postgres: bool) -> (Store, Option<ScratchDatabase>, Option<tempfile::TempDir>) {
    if postgres {
        let database = ScratchDatabase::create(&postgres_admin_url().expect("URL")).await;
        let store = Store::open(&database.url).await.expect("open PostgreSQL");
        return (store, Some(database), None);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("leads.db");
    let store = Store::open(&path.to_string_lossy())
        .await
        .expect("open SQLite");
    (store, None, Some(dir))
}

async fn insert_lead(store: &Store, form: &FormDefinition, number: usize) -> String {
    let submission_id = uuid::Uuid::new_v4().to_string();
    let email = format!("lead{number}@example.com");
    let lead: LeadSubmission = serde_json::from_value(json!({
        "form_id": "contact-us", "submission_id": submission_id,
        "fields": {"first_name": "Zoë", "email": email},
        "page_url": "https://www.example.com/contact?utm_source=ads",
        "submitted_at": "2026-11-23T07:00:00Z"
    }))
    .expect("lead parses");
    let deliveries = form
        .destinations
        .iter()
        .enumerate()
        .map(|(index, destination)| NewDelivery::for_destination(index, destination))
        .collect();
    store
        .insert_lead(NewLead {
            raw_payload: serde_json::to_string(&lead).expect("json"),
            lead,
            intent: Intent::ContactRequest,
            email: Some(email),
            is_spam: false,
            received_at_ms: now_ms(),
            client_ip: Some("127.0.0.1".into()),
            hubspotutk: None,
            user_agent: None,
            visitor_id: None,
            previous_visitor_id: None,
            profile_answers: None,
            deliveries,
            form_token: None,
        })
        .await
        .expect("lead stored");
    submission_id
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64
}

fn submit_calls(standin: &StandIn) -> Vec<Received> {
    standin
        .received()
        .into_iter()
        .filter(|r| r.path_and_query == "/rest/v1/leads/submitForm.json")
        .collect()
}

async fn marketo_limits_and_waits_are_kept_on(postgres: bool) {
    std::env::set_var(SECRET_VARIABLE, SECRET);
    let standin = StandIn::start(Vendor::Marketo {
        client_id: "forwarder-client".into(),
        client_secret: SECRET.into(),
        form_id: 1029,
        token_life: Duration::from_secs(3599),
        custom_fields: Vec::new(),
    })
    .await;
    let form = form(&standin);
    let (store, database, _dir) = open_store(postgres).await;
    let store = Arc::new(store);
    let mut submissions = Vec::new();
    for number in 0..6 {
        submissions.push(insert_lead(&store, &form, number).await);
    }
    standin.script(Scripted::MarketoError {
        code: "615".into(),
        message: "Max concurrent limit '10' exceeded".into(),
    });
    let window = WindowLimit {
        max: 3,
        window: Duration::from_secs(2),
    };
    let config = ForwarderConfig {
        poll_interval: Duration::from_millis(50),
        retry: RetryPolicy {
            base: Duration::from_millis(100),
            factor: 2,
            cap: Duration::from_millis(400),
        },
        rate_limits: RateLimits {
            marketo: window,
            ..RateLimits::default()
        },
        ..ForwarderConfig::default()
    };
    let forwarder = Forwarder::new(
        Arc::clone(&store),
        Arc::new(BTreeMap::from([(form.id.clone(), form.clone())])),
        Arc::new(Notify::new()),
        config,
    )
    .expect("forwarder");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(forwarder.run(async move {
        let _ = stopped.await;
    }));

    let started = Instant::now();
    let deliveries: Vec<DeliveryRecord> = loop {
        let deliveries = store
            .list_deliveries(DeliveryFilter::All)
            .await
            .expect("list deliveries");
        if deliveries.len() == 6
            && deliveries
                .iter()
                .all(|d| d.status == DeliveryStatus::Delivered)
        {
            break deliveries;
        }
        assert!(
            started.elapsed() < GIVE_UP_AFTER,
            "gave up waiting; outbox: {deliveries:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let _ = stop.send(());
    task.await.expect("forwarder stops");

    let mut calls = submit_calls(&standin);
    calls.sort_by_key(|call| call.at);
    // The 615 answer paused the instance for 5 s: calls already on their way arrive at once,
    // then nothing until the pause ends.
    // The first call to arrive took the scripted 615.
    let refused_at = calls[0].at;
    let since_refusal = |call: &Received| call.at.duration_since(refused_at).unwrap_or_default();
    let during_pause: Vec<Duration> = calls
        .iter()
        .map(since_refusal)
        .filter(|since| *since > Duration::from_millis(500) && *since < Duration::from_secs(5))
        .collect();
    assert!(
        during_pause.is_empty(),
        "sent during the pause: {during_pause:?}"
    );
    // No more than 3 calls in any 2 s.
    for four in calls.windows(4) {
        let span = four[3].at.duration_since(four[0].at).unwrap_or_default();
        assert!(span > window.window, "4 calls within {span:?}");
    }
    let accepted: Vec<String> = calls
        .iter()
        .filter(|call| call.problems.is_empty() && call.json()["input"].is_array())
        .filter_map(|call| {
            let key = call.header("idempotency-key")?;
            Some(key.split_once(':')?.0.to_owned())
        })
        .collect();
    assert_eq!(calls.len(), 7, "one 615, then each lead once");
    let unique: BTreeSet<&String> = accepted.iter().collect();
    assert_eq!(unique.len(), 6, "{accepted:?}");
    assert!(submissions.iter().all(|s| unique.contains(s)));
    assert!(deliveries
        .iter()
        .all(|d| d.destination_key == "marketo:123-ABC-456"));

    store.close().await;
    if let Some(database) = database {
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marketo_limits_and_waits_are_kept() {
    marketo_limits_and_waits_are_kept_on(false).await;
    if postgres_admin_url().is_some() {
        marketo_limits_and_waits_are_kept_on(true).await;
    }
}
