//! A signed JSON webhook. The receiver checks `Leadform-Signature: sha256=<hex>`, the HMAC-SHA256 of
//! `"<Leadform-Timestamp>.<body>"` with the shared secret, and refuses stale timestamps.

use super::lead_values::idempotency_key;
use crate::outbox::{DeliveryEvent, PendingDelivery};
use crate::outcome::{body_suffix, retry_for, DeliveryOutcome, VendorAnswer};
use crate::request::{OutgoingRequest, JSON};
use hmac::{KeyInit, Mac};
use leadform_core::definition::WebhookDestination;
// The one timestamp format shared with the handler and the store.
use leadform_core::time::rfc3339_from_ms;
use leadform_core::{FormDefinition, HiddenValues, LeadAttribution};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::SystemTime;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

pub const TIMESTAMP_HEADER: &str = "Leadform-Timestamp";
pub const SIGNATURE_HEADER: &str = "Leadform-Signature";

/// The JSON body: the event, the lead as stored, plus the ids a receiver needs to deduplicate and
/// link it; for `lead.mql` also the person, the score and when the threshold was reached.
#[derive(Debug, Serialize)]
struct WebhookLead<'a> {
    event: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    person: Option<WebhookPerson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<i64>,
    /// RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    mql_at: Option<String>,
    lead_id: i64,
    form_id: &'a str,
    submission_id: &'a str,
    intent: &'static str,
    /// RFC 3339 UTC, the handler's clock.
    received_at: String,
    fields: &'a BTreeMap<String, String>,
    hidden: HiddenValues,
    attribution: Option<&'a LeadAttribution>,
    page_url: &'a str,
    page_title: &'a str,
    referrer: &'a str,
    consent: bool,
}

/// The person a `lead.mql` is about.
#[derive(Debug, Serialize)]
struct WebhookPerson<'a> {
    id: i64,
    email: &'a str,
}

/// Builds the signed request. `timestamp` is the send time in Unix seconds (a receiver refuses
/// stale ones, so it is taken per attempt, not from the lead).
pub fn build_request(
    destination: &WebhookDestination,
    delivery: &PendingDelivery,
    form: &FormDefinition,
    secret: &[u8],
    timestamp: u64,
) -> OutgoingRequest {
    let lead = &delivery.lead;
    let mql = match &delivery.event {
        DeliveryEvent::Created => None,
        DeliveryEvent::Mql(hand_off) => Some(hand_off),
    };
    let body_value = WebhookLead {
        event: delivery.event.name().as_str(),
        person: mql.map(|m| WebhookPerson {
            id: m.person_id,
            email: &m.email,
        }),
        score: mql.map(|m| m.score),
        mql_at: mql.map(|m| rfc3339_from_ms(m.mql_at_ms)),
        lead_id: delivery.lead_id,
        form_id: &delivery.form_id,
        submission_id: &lead.submission_id,
        intent: delivery.intent.as_str(),
        received_at: rfc3339_from_ms(delivery.received_at_ms),
        fields: &lead.fields,
        hidden: HiddenValues {
            lead_source: super::lead_values::lead_source(delivery, form).map(str::to_owned),
            campaign_id: super::lead_values::campaign_id(delivery, form).map(str::to_owned),
        },
        attribution: lead.attribution.as_ref(),
        page_url: &lead.page_url,
        page_title: &lead.page_title,
        referrer: &lead.referrer,
        consent: lead.consent,
    };
    // Serialising strings, maps and numbers cannot fail; an empty body would fail the receiver's
    // checks visibly rather than vanish.
    let body = serde_json::to_vec(&body_value).unwrap_or_default();
    let timestamp = timestamp.to_string();
    let signature = sign(secret, &timestamp, &body);
    OutgoingRequest::post(destination.url.clone(), JSON, body)
        .with_header(TIMESTAMP_HEADER, timestamp)
        .with_header(SIGNATURE_HEADER, signature)
        .with_header("Idempotency-Key", idempotency_key(delivery))
}

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this never fails.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
pub fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// For receivers: `true` when `header` is the signature of this timestamp and body. Compared in
/// constant time. Checking that the timestamp is recent is the receiver's job.
pub fn verify_signature(secret: &[u8], timestamp: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_digest) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(digest) = hex::decode(hex_digest) else {
        return false;
    };
    mac(secret, timestamp, body).verify_slice(&digest).is_ok()
}

pub fn classify(answer: &VendorAnswer, now: SystemTime) -> DeliveryOutcome {
    match answer.status {
        200..=299 => DeliveryOutcome::Delivered(format!("HTTP {}", answer.status)),
        408 | 429 | 500..=599 => retry_for(answer, now, "the webhook"),
        status => DeliveryOutcome::Dead(format!(
            "the webhook refused the lead with HTTP {status}{}",
            body_suffix(&answer.body)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendors::fixtures::{answer, contact_form, delivery};

    fn destination() -> WebhookDestination {
        WebhookDestination {
            id: None,
            url: "https://hooks.example.com/lead".into(),
            secret_env: "LEADFORM_HOOK_SECRET".into(),
            events: leadform_core::definition::default_webhook_events(),
        }
    }

    #[test]
    fn the_body_is_signed_with_the_timestamp() {
        let request = build_request(
            &destination(),
            &delivery(),
            &contact_form(),
            b"s3cret",
            1_700_000_100,
        );
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(request.header("leadform-timestamp"), Some("1700000100"));
        assert_eq!(
            request.header("idempotency-key"),
            Some("3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b:salesforce:00D5g000004abcd")
        );
        let signature = request.header("leadform-signature").expect("signed");
        assert!(verify_signature(
            b"s3cret",
            "1700000100",
            &request.body,
            signature
        ));
        assert!(!verify_signature(
            b"other",
            "1700000100",
            &request.body,
            signature
        ));
        assert!(!verify_signature(
            b"s3cret",
            "1700000101",
            &request.body,
            signature
        ));
        assert!(!verify_signature(b"s3cret", "1700000100", b"{}", signature));
        assert!(!verify_signature(
            b"s3cret",
            "1700000100",
            &request.body,
            "sha256=zz"
        ));
        assert!(!verify_signature(
            b"s3cret",
            "1700000100",
            &request.body,
            signature.trim_start_matches("sha256=")
        ));

        let body: serde_json::Value = serde_json::from_slice(&request.body).expect("json");
        assert_eq!(body["lead_id"], 42);
        assert_eq!(body["form_id"], "contact-us");
        assert_eq!(
            body["submission_id"],
            "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b"
        );
        assert_eq!(body["intent"], "contact_request");
        assert_eq!(body["received_at"], "2023-11-14T22:13:20.123Z");
        assert_eq!(body["fields"]["first_name"], "Adà");
        assert_eq!(body["hidden"]["campaign_id"], "701Hs00000ContactA");
        assert_eq!(body["attribution"]["last_touch"]["gclid"], "gcl-1");
        assert_eq!(body["event"], "lead.created");
        assert!(body.get("score").is_none() && body.get("person").is_none());
    }

    #[test]
    fn a_lead_mql_body_names_the_event_person_score_and_time_under_its_own_key() {
        let mut mql = delivery();
        mql.event = DeliveryEvent::Mql(crate::outbox::MqlHandOff {
            person_id: 7,
            email: "ada@example.com".into(),
            score: 105,
            mql_at_ms: 1_700_000_000_123,
        });
        let request = build_request(
            &destination(),
            &mql,
            &contact_form(),
            b"s3cret",
            1_700_000_100,
        );
        assert_eq!(
            request.header("idempotency-key"),
            Some("3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b:salesforce:00D5g000004abcd:lead.mql")
        );
        let signature = request.header("leadform-signature").expect("signed");
        assert!(verify_signature(
            b"s3cret",
            "1700000100",
            &request.body,
            signature
        ));
        let body: serde_json::Value = serde_json::from_slice(&request.body).expect("json");
        assert_eq!(body["event"], "lead.mql");
        assert_eq!(body["person"]["id"], 7);
        assert_eq!(body["person"]["email"], "ada@example.com");
        assert_eq!(body["score"], 105);
        assert_eq!(body["mql_at"], "2023-11-14T22:13:20.123Z");
        assert_eq!(body["lead_id"], 42);
    }

    #[test]
    fn a_known_vector_matches() {
        // Computed independently: printf '1700000000.{}' | openssl dgst -sha256 -hmac key
        assert_eq!(
            sign(b"key", "1700000000", b"{}"),
            "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
    }

    #[test]
    fn answers_are_classified() {
        let now = SystemTime::now();
        assert!(matches!(
            classify(&answer(204, ""), now),
            DeliveryOutcome::Delivered(_)
        ));
        assert!(matches!(
            classify(&answer(408, ""), now),
            DeliveryOutcome::Retry { .. }
        ));
        assert!(matches!(
            classify(&answer(429, ""), now),
            DeliveryOutcome::Retry { .. }
        ));
        assert!(
            matches!(classify(&answer(401, "bad signature"), now), DeliveryOutcome::Dead(r) if r.ends_with("401: bad signature"))
        );
    }
}
