//! Issue 10 §5 through the running handler: a person whose second contact request crosses the MQL
//! threshold gets exactly one signed `lead.mql` delivered to the webhook stand-in that subscribes,
//! none to the one that does not, and no second one after a `rescore`; on SQLite and PostgreSQL.

use crate::support;

use leadform_standins as standins;

use serde_json::{json, Value};
use standins::{StandIn, Vendor};
use std::time::{Duration, Instant};
use support::fixtures::{contact_form, contact_lead, HOOK_SECRET_VARIABLE};
use support::{backends, TestHandler, TestOptions};

const HOOK_SECRET: &str = "whsec_mql_0123456789";
const GIVE_UP_AFTER: Duration = Duration::from_secs(60);

async fn webhook_standin(path: &str) -> StandIn {
    StandIn::start(Vendor::Webhook {
        path: path.into(),
        secret: HOOK_SECRET.as_bytes().to_vec(),
        tolerance: Duration::from_secs(300),
    })
    .await
}

/// The bodies a stand-in accepted.
fn accepted_bodies(standin: &StandIn) -> Vec<Value> {
    standin
        .received()
        .into_iter()
        .filter(|r| r.problems.is_empty() && r.status < 300)
        .map(|r| serde_json::from_slice(&r.body).expect("a JSON body"))
        .collect()
}

fn events(bodies: &[Value]) -> Vec<String> {
    let mut events: Vec<String> = bodies
        .iter()
        .map(|b| b["event"].as_str().unwrap_or("none").to_owned())
        .collect();
    events.sort();
    events
}

async fn wait_for(what: &str, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < GIVE_UP_AFTER,
            "gave up waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crossing_the_threshold_delivers_one_lead_mql_to_the_subscriber_only() {
    std::env::set_var(HOOK_SECRET_VARIABLE, HOOK_SECRET);
    for backend in backends() {
        let sales = webhook_standin("/mql").await;
        let slack = webhook_standin("/new").await;
        let mut form = contact_form();
        form["destinations"] = json!([
            {"kind": "webhook", "id": "sales", "url": format!("{}/mql", sales.base_url()),
             "secret_env": HOOK_SECRET_VARIABLE, "events": ["lead.created", "lead.mql"]},
            {"kind": "webhook", "id": "slack", "url": format!("{}/new", slack.base_url()),
             "secret_env": HOOK_SECRET_VARIABLE}
        ]);
        let handler = TestHandler::start_with(TestOptions {
            forms: vec![form],
            backend,
            forwarder: leadform_delivery::ForwarderConfig {
                poll_interval: Duration::from_millis(50),
                ..Default::default()
            },
            // A contact request is 50 points, a repeat 10: the second request crosses 60.
            scoring: leadform_scoring::ScoringRules::from_json(
                "scoring.json",
                r#"{"mql_threshold": 60}"#,
            )
            .expect("rules"),
            ..TestOptions::default()
        })
        .await;
        for _ in 0..3 {
            let response = handler.post_lead(&contact_lead("ada@example.com")).await;
            assert_eq!(response.status(), 201);
        }
        wait_for("every delivery", || {
            accepted_bodies(&sales).len() == 4 && accepted_bodies(&slack).len() == 3
        })
        .await;
        let sales_bodies = accepted_bodies(&sales);
        assert_eq!(
            events(&sales_bodies),
            ["lead.created", "lead.created", "lead.created", "lead.mql"]
        );
        assert_eq!(
            events(&accepted_bodies(&slack)),
            ["lead.created", "lead.created", "lead.created"]
        );
        let mql = sales_bodies
            .iter()
            .find(|b| b["event"] == "lead.mql")
            .expect("the hand-off");
        assert_eq!(mql["person"]["email"], "ada@example.com");
        assert_eq!(mql["score"], 60);
        assert!(
            mql["mql_at"].as_str().is_some_and(|t| t.ends_with('Z')),
            "{mql}"
        );
        let hand_off_request = sales
            .received()
            .into_iter()
            .find(|r| {
                serde_json::from_slice::<Value>(&r.body)
                    .is_ok_and(|body| body["event"] == "lead.mql")
            })
            .expect("the request");
        let key = hand_off_request.header("idempotency-key").expect("a key");
        assert!(key.ends_with(":sales:lead.mql"), "{key}");

        // A rescore under the same rules finds the person an MQL already: nothing more is sent.
        let report = handler
            .store
            .rescore(
                &leadform_scoring::ScoringRules::from_json("s", r#"{"mql_threshold": 60}"#)
                    .expect("rules"),
                leadform_store_now(),
            )
            .await
            .expect("rescore");
        assert_eq!(report.new_mqls, 0);
        let response = handler.post_lead(&contact_lead("ada@example.com")).await;
        assert_eq!(response.status(), 201);
        wait_for("the fourth lead", || accepted_bodies(&sales).len() == 5).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            events(&accepted_bodies(&sales))
                .iter()
                .filter(|e| *e == "lead.mql")
                .count(),
            1
        );
        let listed = handler
            .store
            .list_deliveries(leadform_store::DeliveryFilter::All)
            .await
            .expect("list");
        assert_eq!(listed.iter().filter(|d| d.event == "lead.mql").count(), 1);
        handler.stop().await;
    }
}

fn leadform_store_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
