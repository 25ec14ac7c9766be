//! Issue 7, privacy: a form with `storage: never` sends no client IP (and no tracking cookie) to
//! any vendor. Each vendor's request is checked as its stand-in received it over loopback.

use crate::support;

use leadform_core::{FormDefinition, Intent, LeadSubmission};
use leadform_delivery::PendingDelivery;
use serde_json::json;
use std::time::Duration;
use support::standins::{Received, StandIn, Vendor};

const CLIENT_IP: &str = "198.51.100.7";
const HUTK: &str = "9d8c7b6a5f4e3d2c1b0a9d8c7b6a5f4e";
const ORG_ID: &str = "00D5g000004abcd";
const HOOK_SECRET_VARIABLE: &str = "LEADFORM_TEST_PRIVACY_HOOK_SECRET";
const HOOK_SECRET: &str = "whsec_privacy_0123456789";

/// Not the demo's contact form: three fields keep each vendor's asserted body to what privacy
/// is about.
fn form(storage: &str, destination: serde_json::Value) -> FormDefinition {
    let form: FormDefinition = serde_json::from_value(json!({
        "id": "contact-us",
        "title": "Talk to us",
        "kind": "contact",
        "submit_label": "Send",
        "success": {"message": "Thanks"},
        "fields": [
            {"name": "last_name", "label": "Last name", "kind": "text"},
            {"name": "email", "label": "Email", "kind": "email", "required": true},
            {"name": "company", "label": "Company", "kind": "text"}
        ],
        "storage": storage,
        "destinations": [destination]
    }))
    .expect("form parses");
    form.check().expect("form is valid");
    form
}

fn delivery() -> PendingDelivery {
    let lead: LeadSubmission = serde_json::from_value(json!({
        "form_id": "contact-us",
        "submission_id": "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
        "fields": {"last_name": "Lovelace", "email": "ada@example.com", "company": "Engines"},
        "page_url": "https://www.example.com/contact",
        "submitted_at": "2026-11-23T07:00:00Z"
    }))
    .expect("lead parses");
    PendingDelivery {
        id: 1,
        claim_token: "token".into(),
        lead_id: 42,
        form_id: "contact-us".into(),
        destination_id: Some("crm".into()),
        destination_key: "crm".into(),
        attempts: 0,
        lead,
        intent: Intent::ContactRequest,
        received_at_ms: 1_795_417_200_123,
        client_ip: Some(CLIENT_IP.into()),
        hubspotutk: Some(HUTK.into()),
        user_agent: None,
        event: leadform_delivery::DeliveryEvent::Created,
    }
}

/// Sends one delivery for a form with `storage` to the stand-in and returns what it received.
async fn received_by(standin: &StandIn, storage: &str, destination: serde_json::Value) -> Received {
    std::env::set_var(HOOK_SECRET_VARIABLE, HOOK_SECRET);
    support::delivered_to(standin, &form(storage, destination), &delivery()).await
}

/// Everything a request carried: path, headers and body.
fn everything(request: &Received) -> String {
    format!(
        "{} {:?} {}",
        request.path_and_query,
        request.headers,
        String::from_utf8_lossy(&request.body)
    )
}

fn destinations(standins: &[StandIn; 4]) -> [serde_json::Value; 4] {
    [
        json!({"kind": "salesforce_web_to_lead", "org_id": ORG_ID, "endpoint": standins[0].base_url()}),
        json!({"kind": "hubspot", "portal_id": "2468013", "form_guid": "5f1c2e3a",
               "endpoint": standins[1].base_url()}),
        json!({"kind": "pardot_form_handler",
               "url": format!("{}/l/123/2026-01-01/abc", standins[2].base_url())}),
        json!({"kind": "webhook", "url": format!("{}/hooks/leads", standins[3].base_url()),
               "secret_env": HOOK_SECRET_VARIABLE}),
    ]
}

async fn standins() -> [StandIn; 4] {
    [
        StandIn::start(Vendor::Salesforce {
            org_id: ORG_ID.into(),
        })
        .await,
        StandIn::start(Vendor::Hubspot {
            portal_id: "2468013".into(),
            form_guid: "5f1c2e3a".into(),
        })
        .await,
        StandIn::start(Vendor::Pardot {
            path: "/l/123/2026-01-01/abc".into(),
        })
        .await,
        StandIn::start(Vendor::Webhook {
            path: "/hooks/leads".into(),
            secret: HOOK_SECRET.as_bytes().to_vec(),
            tolerance: Duration::from_secs(300),
        })
        .await,
    ]
}

#[tokio::test]
async fn storage_never_sends_no_client_ip_to_any_vendor() {
    let standins = standins().await;
    for (standin, destination) in standins.iter().zip(destinations(&standins)) {
        let kind = destination["kind"].clone();
        let request = received_by(standin, "never", destination).await;
        let sent = everything(&request);
        assert!(!sent.contains(CLIENT_IP), "{kind}: {sent}");
        assert!(!sent.contains(HUTK), "{kind}: {sent}");
    }
}

/// The check above can see an IP: with `storage: always`, HubSpot gets it (and the cookie) in
/// its `context`.
#[tokio::test]
async fn storage_always_still_gives_hubspot_the_ip() {
    let standins = standins().await;
    let destination = destinations(&standins)[1].clone();
    let request = received_by(&standins[1], "always", destination).await;
    let context = &request.json()["context"];
    assert_eq!(context["ipAddress"], CLIENT_IP);
    assert_eq!(context["hutk"], HUTK);
}
