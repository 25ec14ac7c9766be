//! Marketo Engage REST API: `POST /rest/v1/leads/submitForm.json` with a Bearer token from
//! `GET /identity/oauth/token` (client credentials). One lead per call, as `submitForm` takes it.
//!
//! Marketo answers HTTP 200 for most errors, with `success: false` and numeric codes; record-level
//! problems come back as `status: skipped` with reasons. [`classify`] turns both into outcomes;
//! the token's life cycle is `crate::marketo_attempt`'s.

use super::lead_values::{idempotency_key, join_endpoint, mapped_fields};
use super::marketo_quota;
use crate::outbox::PendingDelivery;
use crate::outcome::{body_suffix, retry_for, DeliveryOutcome, VendorAnswer};
use crate::request::{OutgoingRequest, JSON};
use leadform_core::definition::{FieldMapping, MarketoDestination};
use leadform_core::redact::{clean_vendor_text, MAX_VENDOR_TEXT_CHARS};
use leadform_core::{ConsentDefinition, FormDefinition};
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime};

/// Leadform field → Marketo REST API field name; a `field_map` adds to and overrides it.
pub use leadform_core::definition::MARKETO_DEFAULT_FIELD_MAP as DEFAULT_FIELD_MAP;

pub const SUBMIT_FORM_PATH: &str = "/rest/v1/leads/submitForm.json";
pub const TOKEN_PATH: &str = "/identity/oauth/token";

/// 606 means more than 100 calls in the last 20 s: the window has passed after at most 20 s.
const RATE_LIMIT_WAIT: Duration = Duration::from_secs(20);
/// 615 means more than 10 calls at once: one finishes soon.
const CONCURRENCY_WAIT: Duration = Duration::from_secs(5);

/// `https://{munchkin_id}.mktorest.com`, or the destination's `endpoint`. Identity and REST share it.
pub fn base_url(destination: &MarketoDestination) -> String {
    match &destination.endpoint {
        Some(endpoint) => endpoint.trim_end_matches('/').to_owned(),
        None => format!("https://{}.mktorest.com", destination.munchkin_id),
    }
}

/// The key tokens are cached under: one token per instance and API user.
pub fn token_key(destination: &MarketoDestination) -> String {
    format!("{} {}", base_url(destination), destination.client_id)
}

/// `GET /identity/oauth/token?grant_type=client_credentials&client_id=…&client_secret=…`.
pub fn token_request(destination: &MarketoDestination, client_secret: &str) -> OutgoingRequest {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("client_id", &destination.client_id)
        .append_pair("client_secret", client_secret)
        .finish();
    OutgoingRequest::get(format!(
        "{}?{query}",
        join_endpoint(&base_url(destination), TOKEN_PATH)
    ))
}

/// An access token as the identity endpoint issued it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: Duration,
}

#[derive(Debug, Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Why no token came back. Either way the lead waits (a wrong secret is the operator's to fix).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRefused {
    #[error("Marketo refused the client credentials (HTTP {status}): {reason}; check client_id and the secret in `{variable}`")]
    Credentials {
        status: u16,
        reason: String,
        variable: String,
    },
    #[error("Marketo's identity endpoint answered HTTP {status}{body}")]
    Unavailable { status: u16, body: String },
}

/// Reads the identity endpoint's answer.
pub fn read_token(
    answer: &VendorAnswer,
    destination: &MarketoDestination,
) -> Result<IssuedToken, TokenRefused> {
    let parsed = serde_json::from_str::<TokenAnswer>(&answer.body).ok();
    if answer.status == 200 {
        if let Some(TokenAnswer {
            access_token: Some(access_token),
            expires_in,
            ..
        }) = &parsed
        {
            if !access_token.is_empty() {
                return Ok(IssuedToken {
                    access_token: access_token.clone(),
                    // Marketo always sends it; without it, assume the shortest useful life.
                    expires_in: Duration::from_secs(expires_in.unwrap_or(60)),
                });
            }
        }
    }
    match (answer.status, parsed) {
        (
            400..=403,
            Some(TokenAnswer {
                error,
                error_description,
                ..
            }),
        ) => {
            let reason = [error, error_description]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ");
            Err(TokenRefused::Credentials {
                status: answer.status,
                reason: clean_vendor_text(&reason, MAX_VENDOR_TEXT_CHARS),
                variable: destination.client_secret_env.clone(),
            })
        }
        _ => Err(TokenRefused::Unavailable {
            status: answer.status,
            body: body_suffix(&answer.body),
        }),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SubmitForm {
    form_id: u64,
    input: [FormInput; 1],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct FormInput {
    lead_form_fields: serde_json::Map<String, serde_json::Value>,
    visitor_data: VisitorData,
}

#[derive(Debug, Serialize)]
struct VisitorData {
    #[serde(rename = "pageURL", skip_serializing_if = "Option::is_none")]
    page_url: Option<String>,
    #[serde(rename = "queryString", skip_serializing_if = "Option::is_none")]
    query_string: Option<String>,
    #[serde(
        rename = "leadClientIpAddress",
        skip_serializing_if = "Option::is_none"
    )]
    lead_client_ip_address: Option<String>,
}

/// The `submitForm` request, without its `Authorization` header (added per attempt with the
/// current token).
pub fn build_request(
    destination: &MarketoDestination,
    delivery: &PendingDelivery,
    form: &FormDefinition,
) -> OutgoingRequest {
    let skip = [ConsentDefinition::FIELD_NAME];
    let lead_form_fields = mapped_fields(
        delivery,
        form,
        &FieldMapping::marketo(&destination.field_map),
        &skip,
    )
    .into_iter()
    .map(|mapped| (mapped.vendor_name, serde_json::Value::String(mapped.value)))
    .collect();
    let lead = &delivery.lead;
    // A visitor the form may not remember (`storage: never`, or `after_consent` without consent)
    // is not identified to Marketo either: no IP address.
    let may_identify = form.storage.allows(lead.consent);
    let (page_url, query_string) = split_page_url(&lead.page_url);
    let submission = SubmitForm {
        form_id: destination.form_id,
        input: [FormInput {
            lead_form_fields,
            visitor_data: VisitorData {
                page_url,
                query_string,
                lead_client_ip_address: delivery
                    .client_ip
                    .clone()
                    .filter(|ip| may_identify && !ip.is_empty()),
            },
        }],
    };
    // Serialising strings and numbers cannot fail; an empty body would be refused by Marketo
    // (609, invalid JSON) and show up as a dead delivery rather than vanish.
    let body = serde_json::to_vec(&submission).unwrap_or_default();
    OutgoingRequest::post(
        join_endpoint(&base_url(destination), SUBMIT_FORM_PATH),
        JSON,
        body,
    )
    .with_header("Idempotency-Key", idempotency_key(delivery))
}

/// `pageURL` without its query and fragment, and the query as `queryString` (UTM values live
/// there), each left out when empty.
fn split_page_url(page_url: &str) -> (Option<String>, Option<String>) {
    let without_fragment = page_url.split('#').next().unwrap_or_default();
    let (page, query) = match without_fragment.split_once('?') {
        Some((page, query)) => (page, query),
        None => (without_fragment, ""),
    };
    let present = |text: &str| Some(text.to_owned()).filter(|text| !text.is_empty());
    (present(page), present(query))
}

/// Marketo's verdict, which may also be "the token is no good".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketoVerdict {
    Outcome(DeliveryOutcome),
    /// 601 (invalid token) or 602 (expired): fetch a new token and send again.
    TokenRejected(String),
}

#[derive(Debug, Deserialize)]
struct SubmitAnswer {
    #[serde(default)]
    success: bool,
    #[serde(default)]
    errors: Vec<Reason>,
    #[serde(default)]
    result: Vec<RecordResult>,
}

#[derive(Debug, Deserialize)]
struct RecordResult {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    reasons: Vec<Reason>,
}

#[derive(Debug, Deserialize)]
struct Reason {
    /// Marketo documents codes as strings but some answers carry numbers.
    #[serde(default)]
    code: serde_json::Value,
    #[serde(default)]
    message: String,
}

impl Reason {
    fn code(&self) -> String {
        match &self.code {
            serde_json::Value::String(code) => code.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }
    }
}

/// `1006 Field 'x' not found; …` as one clean line.
fn reason_list(reasons: &[Reason]) -> String {
    let text = reasons
        .iter()
        .map(|reason| format!("{} {}", reason.code(), reason.message))
        .collect::<Vec<_>>()
        .join("; ");
    clean_vendor_text(&text, MAX_VENDOR_TEXT_CHARS)
}

pub fn classify(answer: &VendorAnswer, now: SystemTime) -> MarketoVerdict {
    let outcome = match answer.status {
        200 => return classify_body(answer, now),
        408 | 429 | 500..=599 => retry_for(answer, now, "Marketo"),
        status => DeliveryOutcome::Dead(format!(
            "Marketo answered HTTP {status}{}",
            body_suffix(&answer.body)
        )),
    };
    MarketoVerdict::Outcome(outcome)
}

fn classify_body(answer: &VendorAnswer, now: SystemTime) -> MarketoVerdict {
    let Ok(parsed) = serde_json::from_str::<SubmitAnswer>(&answer.body) else {
        // A 200 that is not Marketo's JSON (a proxy's page): whether the lead arrived is unknown,
        // so it is sent again, with the same Idempotency-Key.
        return MarketoVerdict::Outcome(DeliveryOutcome::Retry {
            after: None,
            reason: format!(
                "Marketo answered HTTP 200 without its JSON{}",
                body_suffix(&answer.body)
            ),
        });
    };
    if !parsed.success {
        return classify_errors(&parsed.errors, now);
    }
    let Some(record) = parsed.result.first() else {
        return MarketoVerdict::Outcome(DeliveryOutcome::Delivered("Marketo: success".to_owned()));
    };
    let outcome = match record.status.as_str() {
        "skipped" => DeliveryOutcome::Dead(format!(
            "Marketo skipped the lead: {}",
            reason_list(&record.reasons)
        )),
        status => {
            let id = record
                .id
                .as_ref()
                .map(|id| format!(" lead {}", id.to_string().trim_matches('"')))
                .unwrap_or_default();
            DeliveryOutcome::Delivered(clean_vendor_text(
                &format!("Marketo {status}{id}"),
                MAX_VENDOR_TEXT_CHARS,
            ))
        }
    };
    MarketoVerdict::Outcome(outcome)
}

fn classify_errors(errors: &[Reason], now: SystemTime) -> MarketoVerdict {
    let reasons = reason_list(errors);
    let codes: Vec<String> = errors.iter().map(Reason::code).collect();
    let has = |code: &str| codes.iter().any(|c| c == code);
    let retry = |after: Option<Duration>, what: &str| {
        MarketoVerdict::Outcome(DeliveryOutcome::Retry {
            after,
            reason: format!("Marketo {what}: {reasons}"),
        })
    };
    if has("601") || has("602") {
        return MarketoVerdict::TokenRejected(format!("Marketo rejected the token: {reasons}"));
    }
    if has("607") {
        let until_reset = marketo_quota::next_reset(now)
            .duration_since(now)
            .unwrap_or(Duration::ZERO);
        return retry(
            Some(until_reset),
            "daily quota reached, waiting until midnight US Central",
        );
    }
    if has("606") {
        return retry(Some(RATE_LIMIT_WAIT), "rate limit (100 calls per 20 s)");
    }
    if has("615") {
        return retry(Some(CONCURRENCY_WAIT), "concurrent call limit (10 at once)");
    }
    // 604 timeout, 608 temporarily unavailable, 611 system error, 713 transient: Marketo's own.
    if ["604", "608", "611", "713"].iter().any(|code| has(code)) {
        return retry(None, "had a temporary problem");
    }
    // 1xxx are the lead's own problems; the other 6xx/7xx are the set-up's (access denied, unknown
    // form). Neither improves by resending: dead, with the reason, until fixed and replayed.
    MarketoVerdict::Outcome(DeliveryOutcome::Dead(format!(
        "Marketo refused the lead: {reasons}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendors::fixtures::{answer, contact_form, delivery};
    use std::collections::BTreeMap;

    fn destination() -> MarketoDestination {
        MarketoDestination {
            id: None,
            munchkin_id: "123-ABC-456".into(),
            client_id: "5f1c-client".into(),
            client_secret_env: "LEADFORM_MARKETO_SECRET".into(),
            form_id: 1029,
            field_map: BTreeMap::from([("topic".into(), Some("Topic__c".into()))]),
            endpoint: None,
        }
    }

    #[test]
    fn the_token_request_is_the_documented_get() {
        let request = token_request(&destination(), "s3cr&t");
        assert_eq!(request.method, crate::request::HttpMethod::Get);
        assert_eq!(
            request.url,
            "https://123-ABC-456.mktorest.com/identity/oauth/token?grant_type=client_credentials\
             &client_id=5f1c-client&client_secret=s3cr%26t"
        );
        assert!(request.body.is_empty());
    }

    #[test]
    fn the_body_is_exactly_the_documented_json() {
        let request = build_request(&destination(), &delivery(), &contact_form());
        assert_eq!(
            request.url,
            "https://123-ABC-456.mktorest.com/rest/v1/leads/submitForm.json"
        );
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(request.header("authorization"), None, "added per attempt");
        let expected = concat!(
            r#"{"formId":1029,"input":[{"leadFormFields":{"Topic__c":"demo","#,
            r#""company":"Analytical Engines GmbH","email":"ada@example.com","#,
            r#""firstName":"Adà","lastName":"Lovelace"},"#,
            r#""visitorData":{"pageURL":"https://www.example.com/contact","#,
            r#""queryString":"utm_source=newsletter","leadClientIpAddress":"203.0.113.9"}}]}"#
        );
        assert_eq!(String::from_utf8_lossy(&request.body), expected);
    }

    #[test]
    fn answers_are_classified_by_marketo_codes() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let verdict = |body: &str| classify(&answer(200, body), now);
        assert_eq!(
            verdict(
                r#"{"requestId":"a","success":true,"result":[{"id":318581,"status":"created"}]}"#
            ),
            MarketoVerdict::Outcome(DeliveryOutcome::Delivered(
                "Marketo created lead 318581".into()
            ))
        );
        assert!(matches!(
            verdict(r#"{"success":false,"errors":[{"code":"602","message":"Access token expired"}]}"#),
            MarketoVerdict::TokenRejected(reason) if reason.contains("602 Access token expired")
        ));
        assert!(matches!(
            verdict(r#"{"success":false,"errors":[{"code":"606","message":"Max rate limit"}]}"#),
            MarketoVerdict::Outcome(DeliveryOutcome::Retry { after: Some(after), .. })
                if after == Duration::from_secs(20)
        ));
        // 2023-11-14 22:13:20 UTC is 16:13:20 CST: the quota resets at 06:00 UTC.
        assert!(matches!(
            verdict(r#"{"success":false,"errors":[{"code":607,"message":"Daily quota reached"}]}"#),
            MarketoVerdict::Outcome(DeliveryOutcome::Retry { after: Some(after), .. })
                if after == Duration::from_secs(7 * 3600 + 46 * 60 + 40)
        ));
        assert_eq!(
            verdict(
                r#"{"success":true,"result":[{"status":"skipped","reasons":[{"code":"1006","message":"Field 'Topic__c' not found"}]}]}"#
            ),
            MarketoVerdict::Outcome(DeliveryOutcome::Dead(
                "Marketo skipped the lead: 1006 Field 'Topic__c' not found".into()
            ))
        );
        assert!(matches!(
            verdict("<html>proxy</html>"),
            MarketoVerdict::Outcome(DeliveryOutcome::Retry { after: None, .. })
        ));
        assert!(matches!(
            classify(&answer(503, ""), now),
            MarketoVerdict::Outcome(DeliveryOutcome::Retry { .. })
        ));
    }
}
