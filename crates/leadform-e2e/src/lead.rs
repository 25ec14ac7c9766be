//! Lead payloads for direct API calls, and finding leads in an export.

use std::collections::BTreeMap;

use leadform_core::{BotCheck, HiddenValues, LeadSubmission};
use serde_json::Value;

/// A valid `POST /v1/leads` body for `form_id` with these field values, as the widget
/// would send it from `page_url` after a visitor spent five seconds on the form.
pub fn lead_json(form_id: &str, fields: &[(&str, &str)], page_url: &str) -> Value {
    let lead = LeadSubmission {
        form_id: form_id.to_string(),
        submission_id: uuid::Uuid::new_v4().to_string(),
        fields: fields
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect::<BTreeMap<_, _>>(),
        hidden: HiddenValues::default(),
        page_url: page_url.to_string(),
        page_title: "End-to-end test".to_string(),
        referrer: String::new(),
        submitted_at: "2026-11-23T07:00:00.000Z".to_string(),
        locale: "en".to_string(),
        attribution: None,
        consent: false,
        visitor_id: None,
        shown_fields: None,
        bot_check: BotCheck {
            honeypot: String::new(),
            fill_ms: 5000,
        },
        form_token: None,
    };
    serde_json::to_value(lead).expect("a LeadSubmission serialises")
}

/// The exported leads whose `fields.email` is `email`.
pub fn find_by_email<'a>(leads: &'a [Value], email: &str) -> Vec<&'a Value> {
    leads
        .iter()
        .filter(|lead| lead["fields"]["email"].as_str() == Some(email))
        .collect()
}
