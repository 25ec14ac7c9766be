//! The server's own bot timing (issue 7, item 6): `GET /v1/forms/{id}` hands out a signed
//! `form_token`, and a lead is judged by it, never by the client's `fill_ms` or `shown_fields`.
//! Every case over real HTTP, on SQLite and (when configured) PostgreSQL.

use crate::support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use support::fixtures::{contact_lead, ebook_lead};
use support::{backends, visitor_cookie, TestHandler, TestOptions, FILL_TIME};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Posts `body` exactly as given (no token added) and says whether the stored lead is spam; spam
/// must have no deliveries and get no visitor cookie.
async fn stored_as_spam(handler: &TestHandler, body: &Value) -> bool {
    let response = handler.post_lead_with(body, &[]).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "spam or not, the answer is 201: {body}"
    );
    let leads = handler.stored_leads().await;
    let lead = leads
        .iter()
        .find(|l| l.submission_id == body["submission_id"])
        .expect("the lead is stored");
    let deliveries = handler
        .store
        .list_deliveries(leadform_store::DeliveryFilter::All)
        .await
        .unwrap();
    let delivered = deliveries.iter().any(|d| d.lead_id == lead.id);
    assert_eq!(delivered, !lead.is_spam, "spam is never delivered");
    if lead.is_spam {
        assert!(
            !response.headers().contains_key(reqwest::header::SET_COOKIE),
            "spam gets no visitor cookie: {body}"
        );
    }
    lead.is_spam
}

fn with_token(mut body: Value, token: &Value) -> Value {
    body["form_token"] = token.clone();
    body
}

#[tokio::test]
async fn the_form_definition_carries_a_fresh_signed_token_that_is_never_cached() {
    let handler = TestHandler::start().await;
    let get = || async {
        handler
            .client
            .get(handler.url("/v1/forms/contact-us"))
            .send()
            .await
            .unwrap()
    };
    let first = get().await;
    assert_eq!(first.headers()["cache-control"], "no-store");
    let first: Value = first.json().await.unwrap();
    let second: Value = get().await.json().await.unwrap();
    let token = first["form_token"]
        .as_str()
        .expect("a top-level form_token");
    assert!(token.starts_with("contact-us."), "{token}");
    assert_ne!(first["form_token"], second["form_token"], "one per answer");
}

#[tokio::test]
async fn a_lead_is_spam_unless_its_token_is_genuine_for_this_form_and_used_in_time() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        let lead = || contact_lead("ada@example.com");

        // A person: token fetched, five seconds on the form.
        let token = handler.form_token("contact-us").await;
        handler.clock.advance(FILL_TIME);
        assert!(
            !stored_as_spam(&handler, &with_token(lead(), &token)).await,
            "{backend:?}"
        );

        // No token at all, even with the client claiming a slow, careful fill.
        assert!(stored_as_spam(&handler, &with_token(lead(), &Value::Null)).await);
        let mut no_key = lead();
        no_key["bot_check"]["fill_ms"] = json!(90_000);
        no_key["form_token"] = json!("");
        assert!(stored_as_spam(&handler, &no_key).await, "{backend:?}");

        // Forged: a token with its issue time moved back, and one made up.
        let genuine = handler.form_token("contact-us").await;
        handler.clock.advance(FILL_TIME);
        let text = genuine.as_str().unwrap();
        let mut parts: Vec<&str> = text.split('.').collect();
        let backdated = (parts[1].parse::<i64>().unwrap() - 60_000).to_string();
        parts[1] = &backdated;
        let tampered = json!(parts.join("."));
        assert!(stored_as_spam(&handler, &with_token(lead(), &tampered)).await);
        let made_up = json!(format!(
            "contact-us.1.{}.{}",
            "a".repeat(32),
            "b".repeat(64)
        ));
        assert!(stored_as_spam(&handler, &with_token(lead(), &made_up)).await);

        // A genuine token, but for another form.
        let ebook_token = handler.form_token("ebook").await;
        handler.clock.advance(FILL_TIME);
        assert!(stored_as_spam(&handler, &with_token(lead(), &ebook_token)).await);

        // Used the moment it was issued (min_fill_seconds is 3), whatever fill_ms says.
        let fresh = handler.form_token("contact-us").await;
        let mut fast = with_token(lead(), &fresh);
        fast["bot_check"]["fill_ms"] = json!(60_000);
        assert!(stored_as_spam(&handler, &fast).await, "{backend:?}");

        // Older than its 24 hours.
        let old = handler.form_token("contact-us").await;
        handler.clock.advance(DAY + Duration::from_secs(2));
        assert!(stored_as_spam(&handler, &with_token(lead(), &old)).await);
        handler.stop().await;
    }
}

#[tokio::test]
async fn a_token_carries_one_submission_and_its_retries_but_no_second_one() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        let token = handler.form_token("contact-us").await;
        handler.clock.advance(FILL_TIME);
        let first = with_token(contact_lead("ada@example.com"), &token);
        assert!(!stored_as_spam(&handler, &first).await, "{backend:?}");
        // The same submission again (a retry after a lost answer): the first answer, not spam.
        let retry = handler.post_lead_with(&first, &[]).await;
        assert_eq!(retry.status(), StatusCode::CREATED);
        assert_eq!(handler.stored_leads().await.len(), 1);
        assert!(!handler.stored_leads().await[0].is_spam);
        // A different submission replaying the token.
        let replay = with_token(contact_lead("bob@example.com"), &token);
        assert!(stored_as_spam(&handler, &replay).await, "{backend:?}");
        handler.stop().await;
    }
}

#[tokio::test]
async fn a_slow_visitor_is_a_person_up_to_the_tokens_24_hours() {
    let handler = TestHandler::start().await;
    let token = handler.form_token("contact-us").await;
    handler.clock.advance(DAY - Duration::from_secs(60));
    let slow = with_token(contact_lead("ada@example.com"), &token);
    assert!(!stored_as_spam(&handler, &slow).await);
}

#[tokio::test]
async fn the_client_cannot_claim_its_way_past_the_timing() {
    let handler = TestHandler::start().await;
    // The finding of issue 7: `fill_ms: 0` and `shown_fields: []` posted straight to the API.
    let mut claimed = contact_lead("bot@example.com");
    claimed["bot_check"]["fill_ms"] = json!(0);
    claimed["shown_fields"] = json!([]);
    let fresh = handler.form_token("contact-us").await;
    assert!(stored_as_spam(&handler, &with_token(claimed.clone(), &fresh)).await);
    assert!(stored_as_spam(&handler, &with_token(claimed, &Value::Null)).await);
}

#[tokio::test]
async fn a_one_click_download_is_quick_only_for_a_visitor_the_server_knows() {
    let handler = TestHandler::start().await;
    // Ada downloads once; the handler now knows her answers under her signed visitor id.
    let mut first = ebook_lead("ada@example.com");
    first["fields"]["job_title"] = json!("Analyst");
    first["fields"]["country"] = json!("DE");
    first["shown_fields"] = json!(["email", "first_name", "company", "job_title", "country"]);
    let response = handler.post_lead(&first).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = visitor_cookie(&response).expect("an `always` form remembers her");

    // Next visit: the one-click form shows no inputs, and she clicks at once.
    let mut one_click = ebook_lead("ada@example.com");
    one_click["fields"] = json!({ "email": "ada@example.com", "first_name": "Ada" });
    one_click["shown_fields"] = json!([]);
    let quick = with_token(one_click.clone(), &handler.form_token("ebook").await);
    let answer = handler
        .post_lead_with(&quick, &[("Cookie", cookie.as_str())])
        .await;
    assert_eq!(answer.status(), StatusCode::CREATED);
    let leads = handler.stored_leads().await;
    assert!(
        !leads[1].is_spam,
        "the server vouches for her one-click form"
    );

    // The same claim without her cookie is a client's word only.
    let mut stranger = one_click;
    stranger["submission_id"] = json!(support::fixtures::new_submission_id());
    let stranger = with_token(stranger, &handler.form_token("ebook").await);
    assert!(stored_as_spam(&handler, &stranger).await);
}
