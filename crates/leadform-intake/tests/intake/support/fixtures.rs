//! Form definitions and lead payloads for the handler's tests.

use serde_json::{json, Value};

pub const LISTED_ORIGIN: &str = "http://www.example.test:8000";
pub const UNLISTED_ORIGIN: &str = "http://evil.example.test";
/// The environment variable the contact form's webhook reads its signing secret from.
pub const HOOK_SECRET_VARIABLE: &str = "LEADFORM_TEST_HOOK_SECRET";

/// Not the demo's contact form (`forms/contact-us.json`): the handler's tests assert its listed
/// origin, `min_fill_seconds`, variant `test-v1` and unreachable webhook.
pub fn contact_form() -> Value {
    json!({
        "id": "contact-us",
        "title": "Talk to our team",
        "kind": "contact",
        "submit_label": "Send message",
        "success": { "message": "Thanks! We will reply within one business day." },
        "fields": [
            { "name": "first_name", "label": "First name", "kind": "text", "required": true, "max_length": 40, "prefill": true },
            { "name": "email", "label": "Work email", "kind": "email", "required": true, "prefill": true },
            { "name": "phone", "label": "Phone", "kind": "tel" },
            { "name": "message", "label": "Message", "kind": "textarea", "required": true, "max_length": 2000 },
            { "name": "form_variant", "label": "Variant", "kind": "hidden", "value": "test-v1" }
        ],
        "hidden": { "lead_source": "Website", "campaign_id": "701Hs00000ContactA" },
        "allowed_origins": [LISTED_ORIGIN],
        "min_fill_seconds": 3,
        "destinations": [
            { "kind": "webhook", "url": "http://127.0.0.1:9/unreachable", "secret_env": HOOK_SECRET_VARIABLE }
        ]
    })
}

pub fn ebook_form() -> Value {
    json!({
        "id": "ebook",
        "title": "Get the eBook",
        "kind": "content_download",
        "submit_label": "Download",
        "success": { "message": "Your copy is ready." },
        "asset": { "title": "12 Charts", "url": "/12-charts.pdf" },
        "fields": [
            { "name": "email", "label": "Work email", "kind": "email", "required": true, "prefill": true },
            { "name": "first_name", "label": "First name", "kind": "text", "required": true, "prefill": true },
            { "name": "company", "label": "Company", "kind": "text", "required": true },
            { "name": "job_title", "label": "Job title", "kind": "text", "required": true },
            { "name": "country", "label": "Country", "kind": "select", "required": true, "options": [
                { "value": "US", "label": "United States" }, { "value": "DE", "label": "Germany" }
            ] }
        ],
        "progressive": { "max_new_fields": 1, "pool": ["company", "job_title", "country"] },
        "hidden": { "lead_source": "Content Download", "campaign_id": "701Hs00000EbookQ4A" },
        "allowed_lead_sources": ["Content Download", "Blog"],
        "allowed_campaign_ids": ["701Hs00000EbookQ4A", "701Hs00000BlogQ4AA"],
        "allowed_origins": [LISTED_ORIGIN],
        "storage": "always",
        "min_fill_seconds": 3
    })
}

pub fn consent_form() -> Value {
    json!({
        "id": "newsletter",
        "title": "Newsletter",
        "kind": "contact",
        "submit_label": "Subscribe",
        "success": { "message": "Subscribed." },
        "fields": [
            { "name": "email", "label": "Email", "kind": "email", "required": true, "prefill": true }
        ],
        "consent": { "text": "Remember me on this device.", "required": false },
        "storage": "after_consent",
        "allowed_origins": [LISTED_ORIGIN],
        "min_fill_seconds": 3
    })
}

pub fn never_form() -> Value {
    json!({
        "id": "anonymous",
        "title": "Anonymous feedback",
        "kind": "contact",
        "submit_label": "Send",
        "success": { "message": "Thanks." },
        "fields": [
            { "name": "email", "label": "Email", "kind": "email", "required": true, "prefill": true }
        ],
        "storage": "never",
        "allowed_origins": [LISTED_ORIGIN],
        "min_fill_seconds": 3
    })
}

pub fn all_forms() -> Vec<Value> {
    vec![contact_form(), ebook_form(), consent_form(), never_form()]
}

pub fn new_submission_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A valid lead as the widget sends it, after five seconds on the form.
pub fn lead(form_id: &str, fields: Value) -> Value {
    json!({
        "form_id": form_id,
        "submission_id": new_submission_id(),
        "fields": fields,
        "page_url": "http://www.example.test:8000/contact.html",
        "page_title": "Contact",
        "referrer": "",
        "submitted_at": "2026-11-23T07:00:00.000Z",
        "locale": "en",
        "bot_check": { "honeypot": "", "fill_ms": 5000 }
    })
}

pub fn contact_lead(email: &str) -> Value {
    lead(
        "contact-us",
        json!({ "first_name": "Ada", "email": email, "message": "Please call me." }),
    )
}

/// A first visit to the eBook form: progressive profiling showed one pool question, `company`.
pub fn ebook_lead(email: &str) -> Value {
    let mut body = lead(
        "ebook",
        json!({ "first_name": "Ada", "email": email, "company": "Analytical Engines" }),
    );
    body["shown_fields"] = json!(["email", "first_name", "company"]);
    body
}
