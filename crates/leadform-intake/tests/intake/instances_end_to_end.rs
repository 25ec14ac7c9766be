//! Issue 13's "done when", end to end: three real `leadform-intake serve` processes on one
//! PostgreSQL, one of them with its wall clock 55 s ahead (libfaketime preloaded into the binary),
//! take leads while a webhook stand-in and a HubSpot stand-in count what reaches them. One instance
//! is SIGKILLed mid-run and started again. Shown: every lead delivered to both, no delivery ever
//! sent twice at the same time (the stand-ins see overlapping requests by Idempotency-Key), and
//! HubSpot never over its 50 requests per 10 s in total, the production limit `serve` keeps.
//!
//! Every duration below is a "give up" limit, never a measure; the killed instance's claims are
//! taken again once their 60 s lease (production default) runs out, which the test waits for.

use crate::instances_support;
use crate::support;

use instances_support::{start_counting_standin, Tally};
use leadform_store::DeliveryStatus;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use support::process::{
    form_token_from_five_seconds_ago, wait_for_outbox, write_forms, ServeConfig, ServeProcess,
    TestDatabase,
};
use support::{fixtures, Backend};

const FORM_ID: &str = "contact-us";
const PORTAL_ID: &str = "2468013";
const FORM_GUID: &str = "5f1c2e3a-0b4d-4e6f-8a9b-0c1d2e3f4a5b";
const HOOK_SECRET_VARIABLE: &str = "LEADFORM_E2E_INSTANCES_HOOK_SECRET";
const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
/// HubSpot's limit as `serve` keeps it (`RateLimits::default`).
const HUBSPOT_MAX: usize = 50;
const HUBSPOT_WINDOW: Duration = Duration::from_secs(10);
/// More than two HubSpot windows' worth, so the limit binds while instances compete.
const LEADS: usize = 120;
/// Posted before the kill, while one instance is down, and after it is back.
const BEFORE_KILL: usize = 50;
const WHILE_DOWN: usize = 40;
/// Covers the killed instance's 60 s lease, HubSpot's limit for 120 requests, and slow CI.
const GIVE_UP: Duration = Duration::from_secs(240);

/// Not the demo's contact form: three required fields keep 120 generated leads valid and small.
fn form(webhook_url: &str, hubspot_url: &str) -> Value {
    json!({
        "id": FORM_ID,
        "title": "Talk to our team",
        "kind": "contact",
        "submit_label": "Send message",
        "success": { "message": "Thanks!" },
        "fields": [
            { "name": "first_name", "label": "First name", "kind": "text", "required": true },
            { "name": "last_name", "label": "Last name", "kind": "text", "required": true },
            { "name": "email", "label": "Work email", "kind": "email", "required": true }
        ],
        "min_fill_seconds": 3,
        "destinations": [
            { "kind": "webhook", "url": format!("{webhook_url}/hooks/leads"),
              "secret_env": HOOK_SECRET_VARIABLE },
            { "kind": "hubspot", "portal_id": PORTAL_ID, "form_guid": FORM_GUID,
              "endpoint": hubspot_url }
        ]
    })
}

fn lead_body(number: usize) -> Value {
    let mut body = fixtures::lead(
        FORM_ID,
        json!({
            "first_name": "Ada",
            "last_name": format!("Tester {number}"),
            "email": format!("lead{number}@example.com")
        }),
    );
    body["form_token"] = form_token_from_five_seconds_ago(FORM_ID).into();
    body
}

/// One instance's configuration: the shared forms and database, its own log, and for the skewed
/// one libfaketime with the wall clock 55 s ahead (tokio's timers keep the real monotonic clock).
fn serve_config(dir: &Path, db: &str, index: usize, skewed: bool) -> ServeConfig {
    let mut env = vec![
        (
            HOOK_SECRET_VARIABLE.to_owned(),
            "instances-hook-secret".to_owned(),
        ),
        // Every test client is 127.0.0.1; the default per-client limit would refuse the stream.
        (
            "LEADFORM_RATE_LIMIT_PER_MINUTE".to_owned(),
            "1000000".to_owned(),
        ),
    ];
    if skewed {
        env.extend([
            ("LD_PRELOAD".to_owned(), LIBFAKETIME.to_owned()),
            ("FAKETIME".to_owned(), "+55s".to_owned()),
            ("DONT_FAKE_MONOTONIC".to_owned(), "1".to_owned()),
        ]);
    }
    ServeConfig {
        forms_dir: dir.join("forms"),
        db: db.to_owned(),
        public_dir: dir.join("public"),
        env,
        log_path: dir.join(format!("instance-{index}.log")),
    }
}

/// Posts leads `numbers` round-robin to `instances`, each answer checked to be a 201. Returns
/// their submission ids.
async fn post_leads(
    client: &reqwest::Client,
    instances: &[&str],
    numbers: std::ops::Range<usize>,
) -> Vec<String> {
    let mut posted = Vec::new();
    for number in numbers {
        let base_url = instances[number % instances.len()];
        let body = lead_body(number);
        let response = client
            .post(format!("{base_url}/v1/leads"))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|error| panic!("post lead {number} to {base_url}: {error}"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        assert_eq!(status, 201, "lead {number} to {base_url}: {text}");
        posted.push(body["submission_id"].as_str().expect("id").to_owned());
    }
    posted
}

/// Submission ids a stand-in received, from `Idempotency-Key` (`<submission id>:<destination>`).
fn received_submissions(tally: &Mutex<Tally>) -> BTreeSet<String> {
    let tally = tally.lock().expect("tally");
    tally
        .received
        .keys()
        .map(|key| {
            key.split_once(':')
                .map_or(key.as_str(), |(id, _)| id)
                .to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_one_skewed_one_killed_deliver_every_lead_once_at_a_time_within_limits() {
    if leadform_testdb::postgres_admin_url().is_none() {
        println!(
            "skipped: {} is not set (this test needs one PostgreSQL for three instances)",
            leadform_testdb::POSTGRES_URL_VARIABLE
        );
        return;
    }
    assert!(
        Path::new(LIBFAKETIME).exists(),
        "{LIBFAKETIME} is missing: apt-get install faketime (cargo xtask test installs it)"
    );
    // The webhook answers slowly, so a second send of one delivery would overlap the first.
    let (webhook_url, webhook) = start_counting_standin(Duration::from_millis(300)).await;
    let (hubspot_url, hubspot) = start_counting_standin(Duration::from_millis(50)).await;
    let dir = tempfile::tempdir().expect("temp dir");
    write_forms(dir.path(), &[form(&webhook_url, &hubspot_url)]);
    std::fs::create_dir(dir.path().join("public")).expect("public dir");
    let database = TestDatabase::create(Backend::Postgres, dir.path()).await;
    let configs: Vec<ServeConfig> = (0..3)
        .map(|index| serve_config(dir.path(), &database.db, index, index == 2))
        .collect();
    let mut instances = Vec::new();
    for config in &configs {
        instances.push(Some(ServeProcess::start(config, "127.0.0.1:0").await));
    }
    let urls: Vec<String> = instances
        .iter()
        .map(|instance| instance.as_ref().expect("running").base_url.clone())
        .collect();
    let logs = || {
        configs
            .iter()
            .map(|config| std::fs::read_to_string(&config.log_path).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n----\n")
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let all: Vec<&str> = urls.iter().map(String::as_str).collect();
    let started = Instant::now();

    let mut posted = post_leads(&client, &all, 0..BEFORE_KILL).await;
    // The skew is real: the skewed instance stamps its leads with its own (55 s ahead) clock.
    let skewed_lead = &posted[2];
    let received_at_ms: i64 = {
        let pool = sqlx::PgPool::connect(&database.db).await.expect("connect");
        let stamp = sqlx::query_scalar("SELECT received_at_ms FROM leads WHERE submission_id = $1")
            .bind(skewed_lead)
            .fetch_one(&pool)
            .await
            .expect("the skewed instance's lead");
        pool.close().await;
        stamp
    };
    let ahead_ms = received_at_ms - instances_support::now_ms();
    assert!(
        ahead_ms > 40_000,
        "the skewed instance's clock is {ahead_ms} ms ahead, not about 55 s"
    );

    // SIGKILL instance 1 while the instances are busy sending (HubSpot's limit holds most of the
    // deliveries back, and each webhook answer takes 300 ms).
    let killed = instances[1].take().expect("running");
    let killed_addr = killed.addr.clone();
    killed.kill().await;
    let survivors = [all[0], all[2]];
    posted.extend(post_leads(&client, &survivors, BEFORE_KILL..BEFORE_KILL + WHILE_DOWN).await);
    instances[1] = Some(ServeProcess::start(&configs[1], &killed_addr).await);
    posted.extend(post_leads(&client, &all, BEFORE_KILL + WHILE_DOWN..LEADS).await);
    assert_eq!(posted.len(), LEADS);

    let listing = wait_for_outbox(
        &database.db,
        "every lead delivered to the webhook and HubSpot",
        GIVE_UP,
        logs,
        |listing| {
            listing.rows.len() == 2 * LEADS
                && listing
                    .rows
                    .iter()
                    .all(|row| row.status == DeliveryStatus::Delivered)
        },
    )
    .await;
    println!(
        "{} deliveries delivered by three instances in {:?}",
        listing.rows.len(),
        started.elapsed()
    );
    for instance in instances.into_iter().flatten() {
        instance.terminate().await;
    }

    let expected: BTreeSet<String> = posted.into_iter().collect();
    for (vendor, tally) in [("webhook", &webhook), ("HubSpot", &hubspot)] {
        assert_eq!(
            received_submissions(tally),
            expected,
            "{vendor} received exactly the posted leads"
        );
        let tally = tally.lock().expect("tally");
        assert!(
            tally.overlapping.is_empty(),
            "{vendor}: sent again while the first send was still in flight: {:?}",
            tally.overlapping
        );
        let resent: Vec<(&String, &u32)> = tally
            .received
            .iter()
            .filter(|(_, count)| **count > 1)
            .collect();
        println!(
            "{vendor}: {} requests for {} deliveries; sent again after the kill: {}",
            tally.received.values().sum::<u32>(),
            tally.received.len(),
            resent.len()
        );
        // Only a delivery the killed instance had in flight (at most its 8 concurrent sends) is
        // sent again, after its lease, with the same Idempotency-Key (at-least-once); anything
        // more would be a second send of a delivery already recorded.
        assert!(
            resent.len() <= 8,
            "{vendor}: too many sent twice: {resent:?}"
        );
    }
    let mut arrivals = hubspot.lock().expect("tally").arrivals.clone();
    arrivals.sort();
    for group in arrivals.windows(HUBSPOT_MAX + 1) {
        let spread = group[HUBSPOT_MAX].duration_since(group[0]);
        assert!(
            spread >= HUBSPOT_WINDOW,
            "{} requests reached HubSpot within {spread:?}, over {HUBSPOT_MAX} per {HUBSPOT_WINDOW:?}",
            HUBSPOT_MAX + 1
        );
    }
    database.drop_database().await;
}
