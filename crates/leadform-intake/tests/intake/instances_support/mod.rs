//! What the multi-instance tests share: a PostgreSQL database several forwarders open with their
//! own pools, and a stand-in that counts what reaches it (per Idempotency-Key, overlaps, arrival
//! times). Used by delivery_instances.rs and delivery_shared_limits.rs.
#![allow(dead_code)]

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use leadform_core::{FormDefinition, Intent, LeadSubmission};
use leadform_delivery::{Forwarder, ForwarderConfig, RetryPolicy};
use leadform_store::DeliveryStatus;
use leadform_store::{DeliveryFilter, NewDelivery, NewLead, Store};
use leadform_testdb::{postgres_admin_url, ScratchDatabase, POSTGRES_URL_VARIABLE};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{oneshot, Notify};

pub const HOOK_SECRET_VARIABLE: &str = "LEADFORM_TEST_INSTANCES_HOOK_SECRET";
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(90);

/// What a counting stand-in saw: per Idempotency-Key, how many requests arrived and whether one
/// arrived while another with the same key was still being answered.
#[derive(Default)]
pub struct Tally {
    pub in_flight: BTreeMap<String, u32>,
    pub received: BTreeMap<String, u32>,
    pub overlapping: Vec<String>,
    /// Arrival times of every request, for rolling-window counts.
    pub arrivals: Vec<Instant>,
    /// When each request answered 200 finished.
    pub accepted_at: Vec<Instant>,
    /// Requests answered 503 while the stand-in was down.
    pub refused: u32,
}

#[derive(Clone)]
pub struct CountingStandIn {
    tally: Arc<Mutex<Tally>>,
    /// How long each answer takes: long enough that a second send of the same delivery would
    /// overlap the first.
    answer_after: Duration,
    /// While set, every request is answered 503 at once.
    down: Arc<AtomicBool>,
}

async fn answer(State(standin): State<CountingStandIn>, headers: HeaderMap) -> StatusCode {
    let Some(key) = headers
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
    else {
        return StatusCode::BAD_REQUEST;
    };
    if standin.down.load(Ordering::SeqCst) {
        standin.tally.lock().expect("tally").refused += 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    {
        let mut tally = standin.tally.lock().expect("tally");
        tally.arrivals.push(Instant::now());
        *tally.received.entry(key.clone()).or_default() += 1;
        let in_flight = tally.in_flight.entry(key.clone()).or_default();
        *in_flight += 1;
        if *in_flight > 1 {
            tally.overlapping.push(key.clone());
        }
    }
    // Ends the request's flight even when it never answers: a sender killed mid-request closes
    // the connection and this future is dropped, and a later send of that key must not look like
    // an overlap.
    let _landed = InFlight {
        tally: Arc::clone(&standin.tally),
        key,
    };
    tokio::time::sleep(standin.answer_after).await;
    standin
        .tally
        .lock()
        .expect("tally")
        .accepted_at
        .push(Instant::now());
    StatusCode::OK
}

/// One request of a key being answered; dropped when its answer is sent or the sender is gone.
struct InFlight {
    tally: Arc<Mutex<Tally>>,
    key: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut tally = self.tally.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(in_flight) = tally.in_flight.get_mut(&self.key) {
            *in_flight -= 1;
        }
    }
}

/// Starts a stand-in answering every POST with 200 after `answer_after`; returns its base URL.
pub async fn start_counting_standin(answer_after: Duration) -> (String, Arc<Mutex<Tally>>) {
    let (url, tally, _down) = start_switchable_standin(answer_after).await;
    (url, tally)
}

/// [`start_counting_standin`] with a switch: while the flag is set it answers 503 (down).
pub async fn start_switchable_standin(
    answer_after: Duration,
) -> (String, Arc<Mutex<Tally>>, Arc<AtomicBool>) {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let down = Arc::new(AtomicBool::new(false));
    let app = axum::Router::new()
        .fallback(axum::routing::post(answer))
        .with_state(CountingStandIn {
            tally: Arc::clone(&tally),
            answer_after,
            down: Arc::clone(&down),
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind stand-in");
    let addr = listener.local_addr().expect("stand-in address");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("stand-in serves");
    });
    (format!("http://{addr}"), tally, down)
}

/// Not the demo's contact form: the instances' leads are built in the store directly and carry
/// only these three fields; the demo's would reject them (topic, message required).
pub fn form(destinations: serde_json::Value) -> FormDefinition {
    let form: FormDefinition = serde_json::from_value(json!({
        "id": "contact-us",
        "title": "Talk to us",
        "kind": "contact",
        "submit_label": "Send",
        "success": {"message": "Thanks"},
        "fields": [
            {"name": "first_name", "label": "First name", "kind": "text"},
            {"name": "last_name", "label": "Last name", "kind": "text"},
            {"name": "email", "label": "Email", "kind": "email", "required": true}
        ],
        "destinations": destinations
    }))
    .expect("form parses");
    form.check().expect("form is valid");
    form
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64
}

/// One database and the forms every instance serves.
pub struct SharedDatabase {
    pub database: ScratchDatabase,
    pub forms: Arc<BTreeMap<String, FormDefinition>>,
}

impl SharedDatabase {
    /// None (and a note) when no PostgreSQL server is configured.
    pub async fn create(form: FormDefinition) -> Option<SharedDatabase> {
        let Some(admin_url) = postgres_admin_url() else {
            println!("skipped: {POSTGRES_URL_VARIABLE} is not set");
            return None;
        };
        Some(SharedDatabase {
            database: ScratchDatabase::create(&admin_url).await,
            forms: Arc::new(BTreeMap::from([(form.id.clone(), form)])),
        })
    }

    /// An instance's own connection pool, as a separate process would have.
    pub async fn instance_store(&self) -> Arc<Store> {
        Arc::new(
            Store::open(&self.database.url)
                .await
                .expect("open PostgreSQL"),
        )
    }

    pub async fn insert_leads(&self, store: &Store, count: usize) {
        insert_leads(store, &self.forms["contact-us"], count).await;
    }

    pub fn forwarder(&self, store: &Arc<Store>, config: ForwarderConfig) -> Forwarder<Store> {
        Forwarder::new(
            Arc::clone(store),
            Arc::clone(&self.forms),
            Arc::new(Notify::new()),
            config,
        )
        .expect("forwarder")
    }

    /// Waits until every delivery is delivered; fails the test after [`GIVE_UP_AFTER`].
    pub async fn wait_all_delivered(&self, store: &Store, expected: usize) {
        let started = Instant::now();
        loop {
            let deliveries = store
                .list_deliveries(DeliveryFilter::All)
                .await
                .expect("list deliveries");
            if deliveries.len() == expected
                && deliveries
                    .iter()
                    .all(|d| d.status == DeliveryStatus::Delivered)
            {
                return;
            }
            assert!(
                started.elapsed() < GIVE_UP_AFTER,
                "gave up waiting for {expected} deliveries: {deliveries:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A forwarder running in the background until [`RunningForwarder::stop`].
pub struct RunningForwarder {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningForwarder {
    pub fn start(forwarder: Forwarder<Store>) -> RunningForwarder {
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(forwarder.run(async move {
            let _ = stopped.await;
        }));
        RunningForwarder { stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.expect("forwarder task ends cleanly");
    }
}

pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        base: Duration::from_millis(100),
        factor: 2,
        cap: Duration::from_millis(400),
    }
}

/// Stores `count` leads of `form` with one delivery row per destination, as the intake does.
pub async fn insert_leads(store: &Store, form: &FormDefinition, count: usize) {
    for number in 0..count {
        let email = format!("lead{number}@example.com");
        let lead: LeadSubmission = serde_json::from_value(json!({
            "form_id": "contact-us",
            "submission_id": uuid::Uuid::new_v4().to_string(),
            "fields": {"first_name": "Zoë", "last_name": format!("Tester {number}"),
                       "email": email},
            "page_url": "https://www.example.com/contact",
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
                client_ip: None,
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
    }
}
