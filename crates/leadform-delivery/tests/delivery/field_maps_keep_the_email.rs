//! Issue 13, item 0: a `field_map` adds to and overrides a destination's default map, so naming a
//! few custom fields never stops the email (or the last name) from reaching the CRM. Checked
//! against the stand-ins, which refuse requests the vendor would not accept.

use crate::support;

use leadform_core::{DefinitionError, FormDefinition, Intent, LeadSubmission};
use leadform_delivery::PendingDelivery;
use serde_json::json;
use std::collections::BTreeMap;
use support::standins::{Received, StandIn, Vendor};

const ORG_ID: &str = "00D5g000004abcd";

/// Not the demo's contact form: the field maps under test name `job_title` and `company_size`,
/// which it lacks, and a refused form must come back as an error, not a panic.
fn form(destination: serde_json::Value) -> Result<FormDefinition, String> {
    let form: FormDefinition = serde_json::from_value(json!({
        "id": "contact-us",
        "title": "Talk to us",
        "kind": "contact",
        "submit_label": "Send",
        "success": {"message": "Thanks"},
        "fields": [
            {"name": "first_name", "label": "First name", "kind": "text"},
            {"name": "last_name", "label": "Last name", "kind": "text"},
            {"name": "email", "label": "Email", "kind": "email", "required": true},
            {"name": "company", "label": "Company", "kind": "text"},
            {"name": "job_title", "label": "Job title", "kind": "text"},
            {"name": "company_size", "label": "Company size", "kind": "text"}
        ],
        "destinations": [destination]
    }))
    .map_err(|e| e.to_string())?;
    form.check()
        .map_err(|DefinitionError { path, message }| format!("{path}: {message}"))?;
    Ok(form)
}

fn delivery() -> PendingDelivery {
    let lead: LeadSubmission = serde_json::from_value(json!({
        "form_id": "contact-us",
        "submission_id": "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
        "fields": {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                   "company": "Engines", "job_title": "Analyst", "company_size": "11-50"},
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
        client_ip: None,
        hubspotutk: None,
        user_agent: None,
        event: leadform_delivery::DeliveryEvent::Created,
    }
}

async fn send(standin: &StandIn, destination: serde_json::Value) -> Received {
    let form = form(destination).expect("valid form");
    support::delivered_to(standin, &form, &delivery()).await
}

fn urlencoded(request: &Received) -> BTreeMap<String, String> {
    request.form().expect("urlencoded").into_iter().collect()
}

#[tokio::test]
async fn the_readmes_salesforce_example_sends_the_email_and_last_name() {
    let standin = StandIn::start(Vendor::Salesforce {
        org_id: ORG_ID.into(),
    })
    .await;
    let sent = urlencoded(
        &send(
            &standin,
            json!({"kind": "salesforce_web_to_lead", "org_id": ORG_ID,
                   "endpoint": standin.base_url(),
                   "field_map": {"first_name": "first_name", "company": "company",
                                 "job_title": "title", "company_size": "00N5g00000Xyz12"}}),
        )
        .await,
    );
    assert_eq!(
        sent.get("email").map(String::as_str),
        Some("ada@example.com")
    );
    assert_eq!(sent.get("last_name").map(String::as_str), Some("Lovelace"));
    assert_eq!(sent.get("title").map(String::as_str), Some("Analyst"));
    assert_eq!(
        sent.get("00N5g00000Xyz12").map(String::as_str),
        Some("11-50")
    );
}

#[tokio::test]
async fn null_leaves_a_field_out_and_a_map_renames_on_top_of_the_defaults() {
    let salesforce = StandIn::start(Vendor::Salesforce {
        org_id: ORG_ID.into(),
    })
    .await;
    let sent = urlencoded(
        &send(
            &salesforce,
            json!({"kind": "salesforce_web_to_lead", "org_id": ORG_ID,
                   "endpoint": salesforce.base_url(), "field_map": {"job_title": null}}),
        )
        .await,
    );
    assert!(!sent.contains_key("title"), "{sent:?}");
    assert_eq!(
        sent.get("email").map(String::as_str),
        Some("ada@example.com")
    );

    let hubspot = StandIn::start(Vendor::Hubspot {
        portal_id: "2468013".into(),
        form_guid: "5f1c2e3a".into(),
    })
    .await;
    let request = send(
        &hubspot,
        json!({"kind": "hubspot", "portal_id": "2468013", "form_guid": "5f1c2e3a",
               "endpoint": hubspot.base_url(),
               "field_map": {"company_size": "numemployees", "company": null}}),
    )
    .await;
    let fields: BTreeMap<String, String> = request.json()["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or_default().to_owned(),
                f["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        fields.get("email").map(String::as_str),
        Some("ada@example.com")
    );
    assert_eq!(fields.get("lastname").map(String::as_str), Some("Lovelace"));
    assert_eq!(
        fields.get("numemployees").map(String::as_str),
        Some("11-50")
    );
    assert!(!fields.contains_key("company"), "{fields:?}");

    let pardot = StandIn::start(Vendor::Pardot {
        path: "/l/123/2026-01-01/abc".into(),
    })
    .await;
    let sent = urlencoded(
        &send(
            &pardot,
            json!({"kind": "pardot_form_handler",
                   "url": format!("{}/l/123/2026-01-01/abc", pardot.base_url()),
                   "field_map": {"first_name": "FirstName", "job_title": null}}),
        )
        .await,
    );
    assert_eq!(
        sent.get("email").map(String::as_str),
        Some("ada@example.com")
    );
    assert_eq!(sent.get("FirstName").map(String::as_str), Some("Ada"));
    assert!(!sent.contains_key("job_title") && !sent.contains_key("first_name"));
}

#[test]
fn a_destination_that_would_send_no_email_is_refused() {
    for destination in [
        json!({"kind": "salesforce_web_to_lead", "org_id": ORG_ID, "field_map": {"email": null}}),
        json!({"kind": "salesforce_web_to_lead", "org_id": ORG_ID,
               "field_map": {"email": "00N5g00000Xyz12"}}),
        json!({"kind": "hubspot", "portal_id": "1", "form_guid": "g", "field_map": {"email": null}}),
        json!({"kind": "pardot_form_handler", "url": "https://go.pardot.com/l/1/2/abc",
               "field_map": {"email": "Email_Address"}}),
    ] {
        let error = form(destination.clone()).expect_err("refused");
        assert!(
            error.starts_with("destinations[0].field_map: this ")
                && error.contains(
                    "would send no email; map the form's email field with `\"email\": \"email\"`"
                ),
            "{destination}: {error}"
        );
    }
    // Mapped explicitly, another name for the email field is fine.
    form(
        json!({"kind": "hubspot", "portal_id": "1", "form_guid": "g",
                "field_map": {"email": "EMAIL"}}),
    )
    .expect("case does not matter");
}
