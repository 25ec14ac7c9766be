//! The visitor cookie and `GET`/`DELETE /v1/profile`, per storage policy.

use crate::support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::fixtures::{self, contact_lead, ebook_lead, LISTED_ORIGIN};
use support::{set_cookies, visitor_cookie, visitor_id_of, TestHandler};

async fn get_profile(handler: &TestHandler, form: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = handler
        .client
        .get(handler.url(&format!("/v1/profile?form={form}")))
        .header("Origin", LISTED_ORIGIN);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_visitor_cookie_is_httponly_lax_and_not_secure_on_loopback() {
    let handler = TestHandler::start().await;
    let response = get_profile(&handler, "ebook", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        LISTED_ORIGIN
    );
    assert_eq!(
        response.headers()["access-control-allow-credentials"],
        "true"
    );
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let cookie = &cookies[0];
    assert!(cookie.starts_with("leadform_vid="), "{cookie}");
    assert!(cookie.contains("; HttpOnly"), "{cookie}");
    assert!(cookie.contains("; SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("; Path=/"), "{cookie}");
    assert!(cookie.contains("; Max-Age="), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "no Secure on 127.0.0.1: {cookie}"
    );
    let profile: Value = response.json().await.unwrap();
    assert_eq!(profile, json!({ "known": [], "values": {} }));
}

#[tokio::test]
async fn answers_merge_into_the_profile_and_only_prefill_values_are_shown() {
    let handler = TestHandler::start().await;
    let first_cookie = visitor_cookie(&get_profile(&handler, "ebook", None).await).unwrap();
    let response = handler
        .post_lead_with(
            &ebook_lead("ada@example.com"),
            &[("Cookie", first_cookie.as_str())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    // The id rotates on each submission; what is known follows it.
    let cookie = visitor_cookie(&response).expect("a rotated visitor cookie");
    assert_ne!(cookie, first_cookie);

    let profile: Value = get_profile(&handler, "ebook", Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(profile["known"], json!(["company", "email", "first_name"]));
    // `company` is known but not prefillable: its value is never sent back.
    assert_eq!(
        profile["values"],
        json!({ "email": "ada@example.com", "first_name": "Ada" })
    );
    let leads = handler.stored_leads().await;
    assert_eq!(
        leads[0].lead.visitor_id.as_deref(),
        Some(support::visitor_id_of(&cookie))
    );

    // "Not you?": the profile is forgotten and the cookie expired.
    let forget = handler
        .client
        .delete(handler.url("/v1/profile?form=ebook"))
        .header("Origin", LISTED_ORIGIN)
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(forget.status(), StatusCode::NO_CONTENT);
    let expired = set_cookies(&forget);
    assert!(expired
        .iter()
        .any(|c| c.starts_with("leadform_vid=;") && c.contains("Max-Age=0")));
    let profile: Value = get_profile(&handler, "ebook", Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(profile, json!({ "known": [], "values": {} }));
}

#[tokio::test]
async fn a_first_lead_without_a_cookie_sets_one() {
    let handler = TestHandler::start().await;
    let response = handler.post_lead(&ebook_lead("ada@example.com")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = visitor_cookie(&response).expect("a cookie for an `always` form");
    let profile: Value = get_profile(&handler, "ebook", Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(profile["values"]["first_name"], "Ada");
}

#[tokio::test]
async fn after_consent_sets_no_cookie_and_stores_no_profile_before_consent() {
    let handler = TestHandler::start().await;
    let response = get_profile(&handler, "newsletter", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        set_cookies(&response).is_empty(),
        "no cookie before consent"
    );

    let without = fixtures::lead("newsletter", json!({ "email": "ada@example.com" }));
    let response = handler.post_lead(&without).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(
        set_cookies(&response).is_empty(),
        "no cookie before consent"
    );

    let mut with = fixtures::lead("newsletter", json!({ "email": "bob@example.com" }));
    with["consent"] = json!(true);
    let response = handler.post_lead(&with).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = visitor_cookie(&response).expect("consent given: cookie set");

    let leads = handler.stored_leads().await;
    assert_eq!(
        leads[0].lead.visitor_id, None,
        "nothing tied to a visitor before consent"
    );
    assert!(leads[1].lead.visitor_id.is_some());
    let profile: Value = get_profile(&handler, "newsletter", Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(profile["values"], json!({ "email": "bob@example.com" }));
}

#[tokio::test]
async fn never_sets_a_cookie_nor_shows_a_profile() {
    let handler = TestHandler::start().await;
    assert!(set_cookies(&get_profile(&handler, "anonymous", None).await).is_empty());
    let mut body = fixtures::lead("anonymous", json!({ "email": "ada@example.com" }));
    body["consent"] = json!(true);
    body["visitor_id"] = json!("3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b");
    let response = handler.post_lead(&body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(set_cookies(&response).is_empty());
    assert_eq!(handler.stored_leads().await[0].lead.visitor_id, None);

    // Even a visitor known from another form sees nothing remembered on a `never` form.
    let cookie = visitor_cookie(&handler.post_lead(&ebook_lead("ada@example.com")).await).unwrap();
    let profile: Value = get_profile(&handler, "anonymous", Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(profile, json!({ "known": [], "values": {} }));
}

#[tokio::test]
async fn profile_requests_follow_the_forms_allow_list() {
    let handler = TestHandler::start().await;
    let response = handler
        .client
        .get(handler.url("/v1/profile?form=ebook"))
        .header("Origin", fixtures::UNLISTED_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(set_cookies(&response).is_empty());
    let unknown = get_profile(&handler, "nope", None).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let missing = handler
        .client
        .get(handler.url("/v1/profile"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let answer: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "missing_parameter");
}

#[tokio::test]
async fn a_cached_widget_sending_its_own_visitor_id_is_answered_and_the_cookie_decides() {
    let handler = TestHandler::start().await;
    let planted = "0f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b";
    let mut body = contact_lead("ada@example.com");
    body["visitor_id"] = json!(planted);
    let response = handler.post_lead(&body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = visitor_cookie(&response).expect("a remembered visitor gets the cookie");
    let stored = handler.stored_leads().await[0].lead.visitor_id.clone();
    assert_eq!(stored.as_deref(), Some(visitor_id_of(&cookie)));
    assert_ne!(stored.as_deref(), Some(planted));
}
