//! HubSpot Forms submission API v3: JSON to `/submissions/v3/integration/submit/{portal}/{form}`.

use super::lead_values::{campaign_id, idempotency_key, is_ticked, join_endpoint, mapped_fields};
use crate::outbox::PendingDelivery;
use crate::outcome::{retry_for, DeliveryOutcome, VendorAnswer};
use crate::request::{OutgoingRequest, JSON};
use leadform_core::definition::{FieldMapping, HubspotDestination};
use leadform_core::redact::{clean_vendor_text, MAX_VENDOR_TEXT_CHARS};
use leadform_core::{ConsentDefinition, FormDefinition};
use serde::{Deserialize, Serialize};
use std::time::SystemTime;

const API_HOST: &str = "https://api.hsforms.com";

/// Leadform field → HubSpot contact property; a `field_map` adds to and overrides it. Other fields
/// keep their names (HubSpot property names are lowercase too).
pub use leadform_core::definition::HUBSPOT_DEFAULT_FIELD_MAP as DEFAULT_FIELD_MAP;

/// The contact object type; every Leadform field is a contact property.
const CONTACT_OBJECT_TYPE: &str = "0-1";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Submission<'a> {
    submitted_at: String,
    fields: Vec<Field>,
    context: Context<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    legal_consent_options: Option<LegalConsentOptions<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Field {
    object_type_id: &'static str,
    name: String,
    value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Context<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    hutk: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sfdc_campaign_id: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct LegalConsentOptions<'a> {
    consent: Consent<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Consent<'a> {
    consent_to_process: bool,
    text: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    communications: Vec<Communication<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Communication<'a> {
    value: bool,
    subscription_type_id: u64,
    text: &'a str,
}

pub fn url(destination: &HubspotDestination) -> String {
    let base = destination.endpoint.as_deref().unwrap_or(API_HOST);
    join_endpoint(
        base,
        &format!(
            "/submissions/v3/integration/submit/{}/{}",
            destination.portal_id, destination.form_guid
        ),
    )
}

pub fn build_request(
    destination: &HubspotDestination,
    delivery: &PendingDelivery,
    form: &FormDefinition,
) -> OutgoingRequest {
    let skip = [ConsentDefinition::FIELD_NAME];
    let fields = mapped_fields(
        delivery,
        form,
        &FieldMapping::hubspot(&destination.field_map),
        &skip,
    )
    .into_iter()
    .map(|mapped| Field {
        object_type_id: CONTACT_OBJECT_TYPE,
        name: mapped.vendor_name,
        value: mapped.value,
    })
    .collect();
    let lead = &delivery.lead;
    // A visitor the form may not remember (`storage: never`, or `after_consent` without consent)
    // is not identified to HubSpot either: no IP address, no tracking cookie.
    let may_identify = form.storage.allows(lead.consent);
    let submission = Submission {
        submitted_at: delivery.received_at_ms.to_string(),
        fields,
        context: Context {
            hutk: delivery
                .hubspotutk
                .as_deref()
                .filter(|v| may_identify && !v.is_empty()),
            page_uri: Some(lead.page_url.as_str()).filter(|v| !v.is_empty()),
            page_name: Some(lead.page_title.as_str()).filter(|v| !v.is_empty()),
            ip_address: delivery
                .client_ip
                .as_deref()
                .filter(|v| may_identify && !v.is_empty()),
            sfdc_campaign_id: campaign_id(delivery, form)
                .filter(|id| looks_like_salesforce_campaign_id(id)),
        },
        legal_consent_options: form.consent.as_ref().map(|consent| {
            let ticked = lead.consent
                || lead
                    .fields
                    .get(ConsentDefinition::FIELD_NAME)
                    .is_some_and(|value| is_ticked(value));
            LegalConsentOptions {
                consent: Consent {
                    consent_to_process: ticked,
                    text: &consent.text,
                    communications: destination
                        .consent
                        .iter()
                        .map(|mapping| Communication {
                            value: ticked,
                            subscription_type_id: mapping.subscription_type_id,
                            text: mapping
                                .communication_text
                                .as_deref()
                                .unwrap_or(&consent.text),
                        })
                        .collect(),
                },
            }
        }),
    };
    // Serialising plain strings, bools and numbers cannot fail; an empty body would be refused by
    // HubSpot with a 400 and show up as a dead delivery rather than vanish.
    let body = serde_json::to_vec(&submission).unwrap_or_default();
    OutgoingRequest::post(url(destination), JSON, body)
        .with_header("Idempotency-Key", idempotency_key(delivery))
}

/// A Salesforce Campaign id: 15 or 18 letters and digits starting with the Campaign prefix `701`.
fn looks_like_salesforce_campaign_id(value: &str) -> bool {
    matches!(value.len(), 15 | 18)
        && value.starts_with("701")
        && value.chars().all(|c| c.is_ascii_alphanumeric())
}

/// HubSpot's error answer: `{"status":"error","message":..,"errors":[{"message":..,"errorType":..}]}`.
#[derive(Debug, Deserialize)]
struct ErrorAnswer {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorEntry {
    #[serde(default)]
    message: String,
    #[serde(default)]
    error_type: String,
}

/// HubSpot's error list as one line: `INVALID_EMAIL: Error in 'fields.email'. Invalid email address`.
fn error_list(body: &str) -> String {
    // Decoded JSON strings can hold escape sequences too (`\u001b`): clean what is kept.
    let text = match serde_json::from_str::<ErrorAnswer>(body) {
        Ok(answer) if !answer.errors.is_empty() => answer
            .errors
            .iter()
            .map(|entry| match entry.error_type.is_empty() {
                true => entry.message.clone(),
                false => format!("{}: {}", entry.error_type, entry.message),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Ok(answer) if !answer.message.is_empty() => answer.message,
        _ => body.to_owned(),
    };
    clean_vendor_text(&text, MAX_VENDOR_TEXT_CHARS)
}

pub fn classify(answer: &VendorAnswer, now: SystemTime) -> DeliveryOutcome {
    match answer.status {
        200..=299 => DeliveryOutcome::Delivered(format!("HTTP {}", answer.status)),
        404 => DeliveryOutcome::Dead(
            "HubSpot answered HTTP 404: unknown form (check portal_id and form_guid)".to_owned(),
        ),
        400 => DeliveryOutcome::Dead(format!(
            "HubSpot refused the submission (HTTP 400): {}",
            error_list(&answer.body)
        )),
        408 | 429 | 500..=599 => retry_for(answer, now, "HubSpot"),
        status => DeliveryOutcome::Dead(format!(
            "HubSpot answered HTTP {status}: {}",
            error_list(&answer.body)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendors::fixtures::{answer, contact_form, delivery};
    use leadform_core::definition::HubspotConsent;
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn destination() -> HubspotDestination {
        HubspotDestination {
            id: None,
            portal_id: "123456".into(),
            form_guid: "0a1b2c3d-form".into(),
            field_map: BTreeMap::new(),
            consent: Some(HubspotConsent {
                subscription_type_id: 999,
                communication_text: Some("Send me the newsletter.".into()),
            }),
            endpoint: None,
        }
    }

    #[test]
    fn the_body_is_exactly_the_documented_json() {
        let request = build_request(&destination(), &delivery(), &contact_form());
        assert_eq!(
            request.url,
            "https://api.hsforms.com/submissions/v3/integration/submit/123456/0a1b2c3d-form"
        );
        assert_eq!(request.header("content-type"), Some("application/json"));
        let expected = concat!(
            r#"{"submittedAt":"1700000000123","fields":["#,
            r#"{"objectTypeId":"0-1","name":"company","value":"Analytical Engines GmbH"},"#,
            r#"{"objectTypeId":"0-1","name":"email","value":"ada@example.com"},"#,
            r#"{"objectTypeId":"0-1","name":"firstname","value":"Adà"},"#,
            r#"{"objectTypeId":"0-1","name":"lastname","value":"Lovelace"},"#,
            r#"{"objectTypeId":"0-1","name":"message","value":"Grüße & a demo?"},"#,
            r#"{"objectTypeId":"0-1","name":"newsletter","value":"true"},"#,
            r#"{"objectTypeId":"0-1","name":"topic","value":"demo"}],"#,
            r#""context":{"hutk":"0123456789abcdef0123456789abcdef","#,
            r#""pageUri":"https://www.example.com/contact?utm_source=newsletter","#,
            r#""pageName":"Contact – Example","ipAddress":"203.0.113.9","sfdcCampaignId":"701Hs00000ContactA"},"#,
            r#""legalConsentOptions":{"consent":{"consentToProcess":true,"text":"I agree to be contacted.","#,
            r#""communications":[{"value":true,"subscriptionTypeId":999,"text":"Send me the newsletter."}]}}}"#
        );
        assert_eq!(String::from_utf8(request.body).expect("utf-8"), expected);
    }

    #[test]
    fn optional_context_and_consent_are_left_out_when_unknown() {
        let mut lead = delivery();
        lead.hubspotutk = None;
        lead.client_ip = None;
        lead.lead.page_title = String::new();
        lead.lead.hidden.campaign_id = Some("spring-promo".into());
        let mut form = contact_form();
        form.consent = None;
        let mut hs = destination();
        // `null` leaves a field out, so only the email is left.
        hs.field_map = [
            "first_name",
            "last_name",
            "company",
            "topic",
            "message",
            "newsletter",
        ]
        .into_iter()
        .map(|name| (name.to_owned(), None))
        .collect();
        let body: serde_json::Value =
            serde_json::from_slice(&build_request(&hs, &lead, &form).body).expect("json");
        assert_eq!(
            body,
            serde_json::json!({
                "submittedAt": "1700000000123",
                "fields": [{"objectTypeId": "0-1", "name": "email", "value": "ada@example.com"}],
                "context": {"pageUri": "https://www.example.com/contact?utm_source=newsletter"}
            })
        );
    }

    #[test]
    fn answers_are_classified_with_hubspots_reasons() {
        let now = SystemTime::now();
        assert_eq!(
            classify(&answer(200, r#"{"inlineMessage":"Thanks"}"#), now),
            DeliveryOutcome::Delivered("HTTP 200".into())
        );
        let invalid = r#"{"status":"error","message":"The request is not valid","correlationId":"x",
            "errors":[{"message":"Error in 'fields.email'. Invalid email address","errorType":"INVALID_EMAIL"}]}"#;
        assert_eq!(
            classify(&answer(400, invalid), now),
            DeliveryOutcome::Dead(
                "HubSpot refused the submission (HTTP 400): INVALID_EMAIL: Error in 'fields.email'. Invalid email address".into()
            )
        );
        assert!(
            matches!(classify(&answer(404, ""), now), DeliveryOutcome::Dead(reason) if reason.contains("unknown form"))
        );
        let mut limited = answer(429, "");
        limited.retry_after = Some("10".into());
        assert!(matches!(
            classify(&limited, now),
            DeliveryOutcome::Retry { after: Some(after), .. } if after == Duration::from_secs(10)
        ));
        assert!(matches!(
            classify(&answer(502, ""), now),
            DeliveryOutcome::Retry { after: None, .. }
        ));
    }
}
