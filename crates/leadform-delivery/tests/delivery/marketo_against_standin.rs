//! Issue 13, item 4: Marketo as a destination, against a stand-in that checks the token request
//! and `submitForm` as Marketo documents them and answers with Marketo's codes.

use crate::support;

use leadform_core::{DefinitionError, FormDefinition, Intent, LeadSubmission};
use leadform_delivery::{
    attempt_delivery, DeliveryOutcome, ForwarderClock, HttpSender, ManualClock, PendingDelivery,
    SystemClock,
};
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::standins::{Received, Scripted, StandIn, Vendor};

const CLIENT_ID: &str = "5f1c8a7e-4d2b-4c1a-9f3e-client";
const SECRET_VARIABLE: &str = "LEADFORM_TEST_MARKETO_SECRET";
const SECRET: &str = "s3cr3t&+/=";
const FORM_ID: u64 = 1029;

async fn standin(token_life: Duration) -> StandIn {
    // Every test sets the same value, so tests running in parallel never disagree.
    std::env::set_var(SECRET_VARIABLE, SECRET);
    StandIn::start(Vendor::Marketo {
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        form_id: FORM_ID,
        token_life,
        custom_fields: vec!["Company_Size__c".into()],
    })
    .await
}

/// Not the demo's contact form: `company_size` is the custom field the stand-in knows.
fn form(standin: &StandIn, storage: &str, field_map: serde_json::Value) -> FormDefinition {
    try_form(standin, storage, field_map).expect("valid form")
}

fn try_form(
    standin: &StandIn,
    storage: &str,
    field_map: serde_json::Value,
) -> Result<FormDefinition, String> {
    let form: FormDefinition = serde_json::from_value(json!({
        "id": "contact-us",
        "title": "Talk to us",
        "kind": "contact",
        "submit_label": "Send",
        "success": {"message": "Thanks"},
        "storage": storage,
        "fields": [
            {"name": "first_name", "label": "First name", "kind": "text"},
            {"name": "last_name", "label": "Last name", "kind": "text"},
            {"name": "email", "label": "Email", "kind": "email", "required": true},
            {"name": "company", "label": "Company", "kind": "text"},
            {"name": "company_size", "label": "Company size", "kind": "text"}
        ],
        "destinations": [{
            "kind": "marketo", "id": "marketo-main", "munchkin_id": "123-ABC-456",
            "client_id": CLIENT_ID, "client_secret_env": SECRET_VARIABLE, "form_id": FORM_ID,
            "field_map": field_map, "endpoint": standin.base_url()
        }]
    }))
    .map_err(|e| e.to_string())?;
    form.check()
        .map_err(|DefinitionError { path, message }| format!("{path}: {message}"))?;
    Ok(form)
}

fn delivery(submission: u8) -> PendingDelivery {
    let lead: LeadSubmission = serde_json::from_value(json!({
        "form_id": "contact-us",
        "submission_id": format!("3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a{submission:02x}"),
        "fields": {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                   "company": "Engines", "company_size": "11-50"},
        "page_url": "https://www.example.com/contact?utm_source=newsletter&utm_medium=email#form",
        "submitted_at": "2026-11-23T07:00:00Z"
    }))
    .expect("lead parses");
    PendingDelivery {
        id: i64::from(submission),
        claim_token: "claim".into(),
        lead_id: 42,
        form_id: "contact-us".into(),
        destination_id: Some("marketo-main".into()),
        destination_key: "marketo:123-ABC-456".into(),
        attempts: 0,
        lead,
        intent: Intent::ContactRequest,
        received_at_ms: 1_795_417_200_123,
        client_ip: Some("203.0.113.9".into()),
        hubspotutk: None,
        user_agent: None,
        event: leadform_delivery::DeliveryEvent::Created,
    }
}

fn sender() -> HttpSender {
    HttpSender::new(Duration::from_secs(10)).expect("client")
}

async fn send(sender: &HttpSender, form: &FormDefinition, submission: u8) -> DeliveryOutcome {
    send_at(sender, form, submission, &SystemClock).await
}

/// [`send`] with the token's expiry judged by `clock`.
async fn send_at(
    sender: &HttpSender,
    form: &FormDefinition,
    submission: u8,
    clock: &dyn ForwarderClock,
) -> DeliveryOutcome {
    attempt_delivery(
        sender,
        &form.destinations[0],
        &delivery(submission),
        form,
        None,
        clock,
    )
    .await
}

fn token_requests(standin: &StandIn) -> Vec<Received> {
    standin
        .received()
        .into_iter()
        .filter(|r| r.path_and_query.starts_with("/identity/oauth/token"))
        .collect()
}

fn submissions(standin: &StandIn) -> Vec<Received> {
    standin
        .received()
        .into_iter()
        .filter(|r| r.path_and_query == "/rest/v1/leads/submitForm.json")
        .collect()
}

fn assert_delivered(outcome: &DeliveryOutcome) {
    assert_eq!(
        outcome,
        &DeliveryOutcome::Delivered("Marketo created lead 318581".into())
    );
}

#[tokio::test]
async fn a_lead_is_submitted_with_a_cached_bearer_token() {
    let standin = standin(Duration::from_secs(3599)).await;
    let form = form(
        &standin,
        "always",
        json!({"company_size": "Company_Size__c"}),
    );
    let sender = sender();
    assert_delivered(&send(&sender, &form, 1).await);
    assert_delivered(&send(&sender, &form, 2).await);

    let tokens = token_requests(&standin);
    assert_eq!(tokens.len(), 1, "the token is reused while it is valid");
    assert!(tokens[0].problems.is_empty(), "{:?}", tokens[0].problems);
    assert_eq!(
        tokens[0].path_and_query,
        "/identity/oauth/token?grant_type=client_credentials\
         &client_id=5f1c8a7e-4d2b-4c1a-9f3e-client&client_secret=s3cr3t%26%2B%2F%3D"
    );
    let sent = submissions(&standin);
    assert_eq!(sent.len(), 2);
    for request in &sent {
        assert!(request.problems.is_empty(), "{:?}", request.problems);
        assert_eq!(
            request.header("authorization"),
            Some("Bearer cdf01657-110d-4155-99a7-f986b2ff13a0:int0")
        );
    }
    assert_eq!(
        sent[0].json(),
        json!({"formId": 1029, "input": [{
            "leadFormFields": {"firstName": "Ada", "lastName": "Lovelace",
                               "email": "ada@example.com", "company": "Engines",
                               "Company_Size__c": "11-50"},
            "visitorData": {"pageURL": "https://www.example.com/contact",
                            "queryString": "utm_source=newsletter&utm_medium=email",
                            "leadClientIpAddress": "203.0.113.9"}
        }]})
    );
    assert_eq!(
        sent[1].header("idempotency-key"),
        Some("3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a02:marketo-main")
    );
}

#[tokio::test]
async fn an_expired_token_is_replaced_before_it_is_sent() {
    let standin = standin(Duration::from_secs(2)).await;
    let form = form(&standin, "always", json!({}));
    let sender = sender();
    assert_delivered(&send(&sender, &form, 1).await);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_delivered(&send(&sender, &form, 2).await);
    assert_eq!(token_requests(&standin).len(), 2);
    let sent = submissions(&standin);
    assert_eq!(sent.len(), 2, "no call was made with the expired token");
    assert_eq!(
        sent[1].header("authorization"),
        Some("Bearer cdf01657-110d-4155-99a7-f986b2ff13a0:int1")
    );
}

/// The token's expiry is judged by the forwarder's clock: moved past the token's hour, the next
/// send fetches a new token, though the machine's clock has barely moved.
#[tokio::test]
async fn a_token_expires_by_the_forwarders_clock() {
    let standin = standin(Duration::from_secs(3599)).await;
    let form = form(&standin, "always", json!({}));
    let sender = sender();
    let clock = ManualClock::starting_at(SystemClock.now_ms());
    assert_delivered(&send_at(&sender, &form, 1, &clock).await);
    clock.advance(Duration::from_secs(3538));
    assert_delivered(&send_at(&sender, &form, 2, &clock).await);
    assert_eq!(
        token_requests(&standin).len(),
        1,
        "still inside the token's life"
    );
    clock.advance(Duration::from_secs(1));
    assert_delivered(&send_at(&sender, &form, 3, &clock).await);
    assert_eq!(
        token_requests(&standin).len(),
        2,
        "its last minute is not used"
    );
    let sent = submissions(&standin);
    assert_eq!(
        sent[2].header("authorization"),
        Some("Bearer cdf01657-110d-4155-99a7-f986b2ff13a0:int1")
    );
}

#[tokio::test]
async fn a_602_or_601_answer_gets_a_new_token_and_the_lead_is_sent_again() {
    let standin = standin(Duration::from_secs(3599)).await;
    let form = form(&standin, "always", json!({}));
    let sender = sender();
    assert_delivered(&send(&sender, &form, 1).await);

    standin.expire_marketo_tokens();
    assert_delivered(&send(&sender, &form, 2).await);
    standin.revoke_marketo_tokens();
    assert_delivered(&send(&sender, &form, 3).await);

    assert_eq!(token_requests(&standin).len(), 3);
    let answers: Vec<String> = submissions(&standin)
        .iter()
        .map(|r| {
            let token = r.header("authorization").unwrap_or_default();
            format!("{} {}", &token[token.len() - 4..], r.problems.join(","))
        })
        .collect();
    assert_eq!(
        answers,
        [
            "int0 ",
            "int0 token expired",
            "int1 ",
            "int1 token `cdf01657-110d-4155-99a7-f986b2ff13a0:int1` not issued",
            "int2 "
        ]
    );
}

#[tokio::test]
async fn rate_limit_answers_wait_and_the_lead_is_kept() {
    let standin = standin(Duration::from_secs(3599)).await;
    let form = form(&standin, "always", json!({}));
    let sender = sender();
    for (code, wait) in [("606", 20), ("615", 5)] {
        standin.script(Scripted::MarketoError {
            code: code.into(),
            message: "Max rate limit '100' exceeded with in '20' secs".into(),
        });
        match send(&sender, &form, 1).await {
            DeliveryOutcome::Retry {
                after: Some(after),
                reason,
            } => {
                assert_eq!(after, Duration::from_secs(wait), "{code}");
                assert!(reason.contains(code), "{reason}");
            }
            other => panic!("{code}: expected a wait, got {other:?}"),
        }
    }
    assert_delivered(&send(&sender, &form, 1).await);
}

#[tokio::test]
async fn the_daily_quota_waits_until_midnight_us_central() {
    let standin = standin(Duration::from_secs(3599)).await;
    let form = form(&standin, "always", json!({}));
    standin.script(Scripted::MarketoError {
        code: "607".into(),
        message: "Daily quota reached".into(),
    });
    let before = SystemTime::now();
    let outcome = send(&sender(), &form, 1).await;
    let DeliveryOutcome::Retry {
        after: Some(after),
        reason,
    } = outcome
    else {
        panic!("expected a wait, got {outcome:?}");
    };
    assert!(reason.contains("midnight US Central"), "{reason}");
    assert!(after <= Duration::from_secs(25 * 3600), "{after:?}");
    // Midnight in Chicago is 05:00 (CDT) or 06:00 (CST) UTC.
    let resumes = (before + after)
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let second_of_day = resumes % 86_400;
    let near = |hour: u64| second_of_day.abs_diff(hour * 3600) <= 5;
    assert!(
        near(5) || near(6),
        "resumes at {second_of_day} s into the UTC day"
    );
}

#[tokio::test]
async fn a_skipped_record_is_dead_with_marketos_reason() {
    let standin = standin(Duration::from_secs(3599)).await;
    let form = form(&standin, "always", json!({"company_size": "Employees__c"}));
    assert_eq!(
        send(&sender(), &form, 1).await,
        DeliveryOutcome::Dead(
            "Marketo skipped the lead: 1006 Field 'Employees__c' not found".into()
        )
    );
}

#[tokio::test]
async fn storage_never_sends_no_client_ip() {
    let standin = standin(Duration::from_secs(3599)).await;
    let form = form(&standin, "never", json!({}));
    assert_delivered(&send(&sender(), &form, 1).await);
    let sent = submissions(&standin);
    let visitor = &sent[0].json()["input"][0]["visitorData"];
    assert_eq!(
        visitor,
        &json!({"pageURL": "https://www.example.com/contact",
                "queryString": "utm_source=newsletter&utm_medium=email"})
    );
}

#[tokio::test]
async fn a_field_map_never_drops_the_email() {
    let standin = standin(Duration::from_secs(3599)).await;
    // Naming only a custom field adds it to the defaults: the email still goes.
    let form = form(
        &standin,
        "always",
        json!({"company_size": "Company_Size__c"}),
    );
    assert_delivered(&send(&sender(), &form, 1).await);
    assert_eq!(
        submissions(&standin)[0].json()["input"][0]["leadFormFields"]["email"],
        "ada@example.com"
    );
    for field_map in [json!({"email": null}), json!({"email": "Email_Address__c"})] {
        assert_eq!(
            try_form(&standin, "always", field_map).expect_err("refused"),
            "destinations[0].field_map: this marketo destination would send no email; map the \
             form's email field with `\"email\": \"email\"`"
        );
    }
}

#[tokio::test]
async fn wrong_credentials_keep_the_lead_waiting_with_a_clear_reason() {
    let standin = standin(Duration::from_secs(3599)).await;
    let mut form = form(&standin, "always", json!({}));
    let leadform_core::Destination::Marketo(marketo) = &mut form.destinations[0] else {
        panic!("a Marketo destination");
    };
    marketo.client_id = "someone-else".into();
    match send(&sender(), &form, 1).await {
        DeliveryOutcome::Retry {
            after: None,
            reason,
        } => assert_eq!(
            reason,
            "Marketo refused the client credentials (HTTP 401): unauthorized: Bad client \
             credentials; check client_id and the secret in `LEADFORM_TEST_MARKETO_SECRET`"
        ),
        other => panic!("expected a retry, got {other:?}"),
    }
    assert!(
        submissions(&standin).is_empty(),
        "nothing sent without a token"
    );
}
