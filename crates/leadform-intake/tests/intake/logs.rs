//! Logs name the form, submission id, outcome and status, and never an email or a field value.
//! This file installs a global subscriber, so it is its own test binary.

use crate::support;

use reqwest::StatusCode;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use support::fixtures::{self, contact_lead};
use support::TestHandler;

#[derive(Clone, Default)]
struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_never_contain_emails_or_field_values() {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .init();

    let handler = TestHandler::start().await;
    let accepted = contact_lead("secret.person@example.com");
    assert_eq!(
        handler.post_lead(&accepted).await.status(),
        StatusCode::CREATED
    );
    let mut invalid = contact_lead("secret.person@example");
    invalid["fields"]["first_name"] = json!("Secretname");
    assert_eq!(
        handler.post_lead(&invalid).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut wrong_type = contact_lead("secret.person@example.com");
    wrong_type["fields"]["message"] = json!(["secret.person@example.com"]);
    assert_eq!(
        handler.post_lead(&wrong_type).await.status(),
        StatusCode::BAD_REQUEST
    );
    let unknown = fixtures::lead("secret.person@example.com", json!({}));
    assert_eq!(
        handler.post_lead(&unknown).await.status(),
        StatusCode::NOT_FOUND
    );
    let form = [
        ("first_name", "Secretname"),
        ("email", "secret.person@example.com"),
        ("message", "Secret message"),
    ];
    let response = handler
        .client
        .post(handler.url("/v1/forms/contact-us/fallback"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "no submission id"
    );
    handler.stop().await;

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let submission_id = accepted["submission_id"].as_str().unwrap();
    assert!(
        text.contains(submission_id),
        "the submission id is logged:\n{text}"
    );
    assert!(text.contains("\"form_id\":\"contact-us\""), "{text}");
    assert!(text.contains("\"outcome\":\"stored\""), "{text}");
    assert!(text.contains("\"outcome\":\"invalid_fields\""), "{text}");
    assert!(text.contains("\"status\":422"), "{text}");
    for secret in [
        "secret.person",
        "Secretname",
        "Secret message",
        "Please call me",
    ] {
        assert!(
            !text.contains(secret),
            "`{secret}` leaked into the logs:\n{text}"
        );
    }
}
