//! A lead and a form shared by the vendor modules' unit tests.

use crate::outbox::PendingDelivery;
use crate::outcome::VendorAnswer;
use leadform_core::{AttributionTouch, FormDefinition, Intent, LeadAttribution, LeadSubmission};

pub fn contact_form() -> FormDefinition {
    serde_json::from_value(serde_json::json!({
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
            {"name": "topic", "label": "Topic", "kind": "select", "options": [{"value": "demo", "label": "Demo"}]},
            {"name": "message", "label": "Message", "kind": "textarea"},
            {"name": "newsletter", "label": "Newsletter", "kind": "checkbox"}
        ],
        "hidden": {"lead_source": "Website", "campaign_id": "701Hs00000ContactA"},
        "consent": {"text": "I agree to be contacted."}
    }))
    .expect("fixture form parses")
}

pub fn delivery() -> PendingDelivery {
    let lead: LeadSubmission = serde_json::from_value(serde_json::json!({
        "form_id": "contact-us",
        "submission_id": "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
        "fields": {
            "first_name": "Adà",
            "last_name": "Lovelace",
            "email": "ada@example.com",
            "company": "Analytical Engines GmbH",
            "topic": "demo",
            "message": "Grüße & a demo?",
            "newsletter": "true",
            "phone": ""
        },
        "page_url": "https://www.example.com/contact?utm_source=newsletter",
        "page_title": "Contact – Example",
        "submitted_at": "2026-11-23T07:00:00Z",
        "consent": true
    }))
    .expect("fixture lead parses");
    let lead = LeadSubmission {
        attribution: Some(LeadAttribution {
            first_touch: Some(AttributionTouch {
                utm_source: Some("google".into()),
                ..Default::default()
            }),
            last_touch: Some(AttributionTouch {
                utm_source: Some("newsletter".into()),
                gclid: Some("gcl-1".into()),
                ..Default::default()
            }),
        }),
        ..lead
    };
    PendingDelivery {
        id: 7,
        claim_token: "claim-1".into(),
        lead_id: 42,
        form_id: "contact-us".into(),
        destination_id: Some("salesforce:00D5g000004abcd".into()),
        destination_key: "salesforce:00D5g000004abcd".into(),
        attempts: 0,
        lead,
        intent: Intent::ContactRequest,
        received_at_ms: 1_700_000_000_123,
        client_ip: Some("203.0.113.9".into()),
        hubspotutk: Some("0123456789abcdef0123456789abcdef".into()),
        event: crate::outbox::DeliveryEvent::Created,
    }
}

pub fn answer(status: u16, body: &str) -> VendorAnswer {
    VendorAnswer {
        status,
        retry_after: None,
        body: body.to_owned(),
    }
}
