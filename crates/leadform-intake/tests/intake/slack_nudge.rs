//! Issue 9's speed-to-lead nudge through the running handler and the real outbox: a contact
//! request posts one Slack message (checked by a stand-in as Slack documents incoming webhooks)
//! linking to the lead's console page; a download and a spam lead post nothing; Slack's permanent
//! refusals are dead with Slack's reason, its 429 and 5xx are retried; the webhook URL, its own
//! secret, shows nowhere. On SQLite and PostgreSQL.

use crate::support;

use leadform_standins as standins;

use leadform_delivery::{ForwarderConfig, RetryPolicy};
use leadform_store::{DeliveryFilter, DeliveryRecord, DeliveryStatus};
use serde_json::{json, Value};
use standins::{slack_links, Scripted, StandIn, Vendor};
use std::time::{Duration, Instant};
use support::fixtures::{contact_form, contact_lead, ebook_form, ebook_lead};
use support::process::{run_cli, write_forms};
use support::{backends, TestHandler, TestOptions};

/// The secret part of the webhook URL: Slack's path is the credential.
const SLACK_PATH: &str = "/services/T0LEADFORM/B0NUDGE/s3cr3tSlackToken";
const SECRET: &str = "s3cr3tSlackToken";
const PUBLIC_URL: &str = "https://forms.example.test";
const GIVE_UP_AFTER: Duration = Duration::from_secs(60);

fn contact_form_with_slack(standin: &StandIn) -> Value {
    let mut form = contact_form();
    form["fields"]
        .as_array_mut()
        .expect("fields")
        .push(json!({ "name": "company", "label": "Company", "kind": "text" }));
    form["response_target_hours"] = json!(4);
    form["destinations"] = json!([
        { "kind": "slack", "url": format!("{}{SLACK_PATH}", standin.base_url()) }
    ]);
    form
}

fn quick_forwarder() -> ForwarderConfig {
    ForwarderConfig {
        poll_interval: Duration::from_millis(50),
        retry: RetryPolicy {
            base: Duration::from_millis(100),
            factor: 2,
            cap: Duration::from_millis(400),
        },
        ..ForwarderConfig::default()
    }
}

async fn handler(backend: support::Backend, standin: &StandIn) -> TestHandler {
    TestHandler::start_with(TestOptions {
        forms: vec![contact_form_with_slack(standin), ebook_form()],
        backend,
        forwarder: quick_forwarder(),
        public_url: Some(PUBLIC_URL),
        ..TestOptions::default()
    })
    .await
}

async fn post(handler: &TestHandler, body: &Value) -> i64 {
    let response = handler.post_lead(body).await;
    assert_eq!(response.status(), 201);
    let answer: Value = response.json().await.expect("json answer");
    answer["id"].as_i64().expect("lead id")
}

async fn deliveries(handler: &TestHandler) -> Vec<DeliveryRecord> {
    handler
        .store
        .list_deliveries(DeliveryFilter::All)
        .await
        .expect("list deliveries")
}

/// Waits until the delivery of `lead_id` is in `status`, and returns it.
async fn wait_for_delivery(
    handler: &TestHandler,
    lead_id: i64,
    status: DeliveryStatus,
) -> DeliveryRecord {
    let started = Instant::now();
    loop {
        let all = deliveries(handler).await;
        if let Some(found) = all
            .iter()
            .find(|d| d.lead_id == lead_id && d.status == status)
        {
            return found.clone();
        }
        assert!(
            started.elapsed() < GIVE_UP_AFTER,
            "lead {lead_id}'s delivery never became {status}: {all:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn accepted_texts(standin: &StandIn) -> Vec<String> {
    standin
        .accepted()
        .iter()
        .map(|r| r.json()["text"].as_str().expect("text").to_owned())
        .collect()
}

async fn a_contact_request_posts_once_and_downloads_and_spam_post_nothing(
    backend: support::Backend,
) {
    let standin = StandIn::start(Vendor::Slack {
        path: SLACK_PATH.into(),
    })
    .await;
    let handler = handler(backend, &standin).await;

    let mut first = contact_lead("ada@example.com");
    first["fields"]["first_name"] = json!("Ada <!channel>");
    first["fields"]["company"] = json!("Lovelace & Babbage");
    let first_id = post(&handler, &first).await;
    let download_id = post(&handler, &ebook_lead("grace@example.com")).await;
    // A lead without a form token is stored as spam and delivered nowhere.
    let mut spam = contact_lead("bot@example.com");
    spam["form_token"] = Value::Null;
    let spam_id = post(&handler, &spam).await;
    let second_id = post(&handler, &contact_lead("alan@example.com")).await;

    let first_delivery = wait_for_delivery(&handler, first_id, DeliveryStatus::Delivered).await;
    wait_for_delivery(&handler, second_id, DeliveryStatus::Delivered).await;
    assert_eq!(first_delivery.destination_kind, "slack");
    assert_eq!(first_delivery.attempts, 1);

    let texts = accepted_texts(&standin);
    assert_eq!(texts.len(), 2, "one message per contact request: {texts:?}");
    assert!(
        standin.received().iter().all(|r| r.problems.is_empty()),
        "{:?}",
        standin.received()
    );
    let first_text = texts
        .iter()
        .find(|t| t.contains(&format!("/console/leads/{first_id}|")))
        .expect("the first contact request's message");
    assert_eq!(
        first_text,
        &format!(
            "*New contact request* from Ada &lt;!channel&gt; (Lovelace &amp; Babbage) on “Talk to \
             our team”. Answer within 4 hours: <{PUBLIC_URL}/console/leads/{first_id}|open lead \
             {first_id} in the console>"
        )
    );
    let second_text = texts
        .iter()
        .find(|t| t.contains(&format!("/console/leads/{second_id}|")))
        .expect("the second contact request's message");
    assert_eq!(
        slack_links(second_text),
        vec![(
            format!("{PUBLIC_URL}/console/leads/{second_id}"),
            format!("open lead {second_id} in the console")
        )]
    );
    // The download and the spam lead were never queued for Slack.
    let all = deliveries(&handler).await;
    assert!(
        all.iter()
            .all(|d| d.lead_id != download_id && d.lead_id != spam_id),
        "{all:?}"
    );
    handler.stop().await;
}

async fn slacks_refusals_are_dead_and_its_busy_answers_are_retried(backend: support::Backend) {
    let standin = StandIn::start(Vendor::Slack {
        path: SLACK_PATH.into(),
    })
    .await;
    standin.script(Scripted::Answer {
        status: 500,
        body: "rollup_error".into(),
        retry_after: None,
    });
    standin.script(Scripted::Answer {
        status: 429,
        body: "rate_limited".into(),
        retry_after: Some("1".into()),
    });
    let handler = handler(backend, &standin).await;
    let retried_id = post(&handler, &contact_lead("ada@example.com")).await;
    let delivered = wait_for_delivery(&handler, retried_id, DeliveryStatus::Delivered).await;
    assert_eq!(delivered.attempts, 3, "{delivered:?}");
    assert_eq!(accepted_texts(&standin).len(), 1);
    let statuses: Vec<u16> = standin.received().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![500, 429, 200]);
    // Retry-After: 1 held the third attempt back at least a second after the 429.
    let received = standin.received();
    let waited = received[2]
        .at
        .duration_since(received[1].at)
        .expect("in order");
    assert!(waited >= Duration::from_millis(950), "{waited:?}");

    standin.script(Scripted::Answer {
        status: 410,
        body: "channel_is_archived".into(),
        retry_after: None,
    });
    let archived_id = post(&handler, &contact_lead("grace@example.com")).await;
    let dead = wait_for_delivery(&handler, archived_id, DeliveryStatus::Dead).await;
    assert_eq!(dead.attempts, 1);
    assert_eq!(
        dead.last_error.as_deref(),
        Some("Slack refused the message with HTTP 410: channel_is_archived")
    );
    standin.script(Scripted::Answer {
        status: 403,
        body: "action_prohibited".into(),
        retry_after: None,
    });
    let prohibited_id = post(&handler, &contact_lead("alan@example.com")).await;
    let dead = wait_for_delivery(&handler, prohibited_id, DeliveryStatus::Dead).await;
    assert_eq!(
        dead.last_error.as_deref(),
        Some("Slack refused the message with HTTP 403: action_prohibited")
    );
    handler.stop().await;
}

async fn the_webhook_url_is_shown_nowhere(backend: support::Backend) {
    let standin = StandIn::start(Vendor::Slack {
        path: SLACK_PATH.into(),
    })
    .await;
    let handler = handler(backend, &standin).await;
    let lead_id = post(&handler, &contact_lead("ada@example.com")).await;
    let delivery = wait_for_delivery(&handler, lead_id, DeliveryStatus::Delivered).await;
    let host = format!("slack:{}", standin.base_url());
    assert!(
        delivery.destination_key.starts_with(&format!("{host}/…#")),
        "{delivery:?}"
    );
    let id = delivery.destination_id.clone().expect("destination id");
    assert!(id.starts_with("slack:127.0.0.1:"), "{id}");
    let row = format!("{delivery:?}");
    assert!(!row.contains(SECRET) && !row.contains("B0NUDGE"), "{row}");

    let mut listing = Vec::new();
    leadform_intake::outbox_cli::list(&handler.store, None, &mut listing)
        .await
        .expect("outbox list");
    let listing = String::from_utf8(listing).expect("utf-8");
    assert!(listing.contains("slack:"), "{listing}");
    assert!(!listing.contains(SECRET), "{listing}");

    let metrics = handler
        .client
        .get(handler.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text");
    assert!(metrics.contains("slack"), "{metrics}");
    assert!(!metrics.contains(SECRET), "{metrics}");
    handler.stop().await;
}

macro_rules! on_each_backend {
    ($($test:ident => $scenario:ident;)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            for backend in backends() {
                $scenario(backend).await;
            }
        }
    )*};
}

on_each_backend! {
    a_contact_request_posts_once_with_its_link => a_contact_request_posts_once_and_downloads_and_spam_post_nothing;
    permanent_refusals_are_dead_and_busy_answers_retried => slacks_refusals_are_dead_and_its_busy_answers_are_retried;
    the_slack_url_is_redacted => the_webhook_url_is_shown_nowhere;
}

#[tokio::test]
async fn check_and_serve_refuse_slack_without_a_public_url() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut form = contact_form();
    form["destinations"] = json!([
        { "kind": "slack", "url": format!("https://hooks.slack.com{SLACK_PATH}") }
    ]);
    let forms_dir = write_forms(dir.path(), &[form]);
    let forms = forms_dir.display().to_string();
    let expected = "destinations[0]: a slack destination links each message to the lead's \
                    console page, so the handler needs its address: pass --public-url";

    let check = run_cli(&["check", "--forms", &forms]).await;
    assert!(!check.success);
    assert!(check.stderr.contains(expected), "{}", check.stderr);
    assert!(!check.stderr.contains(SECRET), "{}", check.stderr);
    let check = run_cli(&["check", "--forms", &forms, "--public-url", PUBLIC_URL]).await;
    assert!(check.success, "{}", check.stderr);

    let db = dir.path().join("leads.db").display().to_string();
    let serve = run_cli(&[
        "serve",
        "--forms",
        &forms,
        "--db",
        &db,
        "--addr",
        "127.0.0.1:0",
    ])
    .await;
    assert!(!serve.success);
    assert!(serve.stderr.contains(expected), "{}", serve.stderr);
}

#[tokio::test]
async fn a_download_form_may_not_have_a_slack_destination() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut form = ebook_form();
    form["destinations"] = json!([
        { "kind": "slack", "url": format!("https://hooks.slack.com{SLACK_PATH}") }
    ]);
    let forms_dir = write_forms(dir.path(), &[form]);
    let forms = forms_dir.display().to_string();
    let check = run_cli(&["check", "--forms", &forms, "--public-url", PUBLIC_URL]).await;
    assert!(!check.success);
    assert!(
        check.stderr.contains(
            "ebook.json: destinations[0]: a slack destination announces contact requests only"
        ),
        "{}",
        check.stderr
    );
}
