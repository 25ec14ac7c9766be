//! `GET /v1/forms/{id}/embed` for a returning visitor: the signed visitor cookie decides the
//! first markup (the progressive questions, the greeting, the prefill) and the answer carries the
//! profile, so the widget takes over without `GET /v1/profile`. The rules are `GET /v1/profile`'s.

use crate::support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::fixtures::{ebook_lead, LISTED_ORIGIN, UNLISTED_ORIGIN};
use support::{set_cookies, visitor_cookie, TestHandler};

async fn embed(
    handler: &TestHandler,
    form: &str,
    origin: Option<&str>,
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut request = handler
        .client
        .get(handler.url(&format!("/v1/forms/{form}/embed?mount=lf1")));
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    request.send().await.unwrap()
}

/// Ada downloaded the eBook once, answering the pool's first question (`company`).
async fn returning_visitor(handler: &TestHandler) -> String {
    let response = handler.post_lead(&ebook_lead("ada@example.com")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    visitor_cookie(&response).expect("an `always` form sets the visitor cookie")
}

async fn body(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn html(body: &Value) -> &str {
    body["html"].as_str().expect("the markup")
}

#[tokio::test]
async fn a_returning_visitor_gets_the_next_question_their_greeting_and_their_profile() {
    let handler = TestHandler::start().await;
    let cookie = returning_visitor(&handler).await;

    let response = embed(&handler, "ebook", Some(LISTED_ORIGIN), Some(&cookie)).await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        LISTED_ORIGIN
    );
    assert_eq!(
        response.headers()["access-control-allow-credentials"],
        "true"
    );
    let answer = body(response).await;
    // What `GET /v1/profile?form=ebook` answers: `company` known, its value never sent back.
    assert_eq!(
        answer["profile"],
        json!({
            "known": ["company", "email", "first_name"],
            "values": { "email": "ada@example.com", "first_name": "Ada" }
        })
    );
    let html = html(&answer);
    // Progressive profiling: the pool's next question instead of the one answered.
    assert!(html.contains(r#"id="lf1-job_title""#), "{html}");
    assert!(!html.contains(r#"name="company""#), "{html}");
    assert!(!html.contains(r#"name="country""#), "{html}");
    // Known values are in the inputs, as the widget prefills them.
    assert!(
        html.contains(r#"name="email" class="leadform-input" value="ada@example.com""#),
        "{html}"
    );
    assert!(html.contains(r#"value="Ada""#), "{html}");
    // The widget's greeting, element for element.
    assert!(
        html.contains(
            r#"<p class="leadform-welcome"><span class="leadform-greeting">Welcome back, Ada</span>. <button type="button" class="leadform-link leadform-not-you">Not you?</button></p>"#
        ),
        "{html}"
    );
}

#[tokio::test]
async fn without_a_cookie_the_markup_is_a_fresh_visitors_and_there_is_no_profile() {
    let handler = TestHandler::start().await;
    let response = embed(&handler, "ebook", Some(LISTED_ORIGIN), None).await;
    // As `GET /v1/profile` would: an `always` form starts remembering the visitor now.
    assert!(
        visitor_cookie(&response).is_some(),
        "an `always` form sets the cookie"
    );
    let answer = body(response).await;
    assert_eq!(answer["profile"], Value::Null);
    let html = html(&answer);
    assert!(html.contains(r#"name="company""#), "{html}");
    assert!(!html.contains(r#"name="job_title""#), "{html}");
    assert!(!html.contains("leadform-welcome"), "{html}");

    // A forged cookie names nobody.
    let forged = embed(
        &handler,
        "ebook",
        Some(LISTED_ORIGIN),
        Some("leadform_vid=3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b.forged"),
    )
    .await;
    assert_eq!(body(forged).await["profile"], Value::Null);

    // `after_consent`: no cookie before consent, and nothing known.
    let newsletter = embed(&handler, "newsletter", Some(LISTED_ORIGIN), None).await;
    assert!(set_cookies(&newsletter).is_empty());
    assert_eq!(body(newsletter).await["profile"], Value::Null);
}

#[tokio::test]
async fn a_never_form_recognises_nobody_even_a_visitor_known_from_another_form() {
    let handler = TestHandler::start().await;
    let cookie = returning_visitor(&handler).await;
    let response = embed(&handler, "anonymous", Some(LISTED_ORIGIN), Some(&cookie)).await;
    assert!(set_cookies(&response).is_empty());
    let answer = body(response).await;
    assert_eq!(answer["profile"], Value::Null);
    let html = html(&answer);
    assert!(!html.contains("leadform-welcome"), "{html}");
    assert!(!html.contains("ada@example.com"), "{html}");
}

#[tokio::test]
async fn another_form_sees_only_its_own_fields() {
    let handler = TestHandler::start().await;
    let cookie = returning_visitor(&handler).await;
    let answer =
        body(embed(&handler, "contact-us", Some(LISTED_ORIGIN), Some(&cookie)).await).await;
    // The eBook's `company` is the eBook's business.
    assert_eq!(
        answer["profile"],
        json!({
            "known": ["email", "first_name"],
            "values": { "email": "ada@example.com", "first_name": "Ada" }
        })
    );
    let html = html(&answer);
    assert!(!html.contains("Analytical Engines"), "{html}");
    assert!(html.contains("Welcome back, Ada"), "{html}");
    assert!(html.contains(r#"name="message""#), "{html}");
}

#[tokio::test]
async fn an_origin_not_allowed_or_no_origin_gets_no_profile() {
    let handler = TestHandler::start().await;
    let cookie = returning_visitor(&handler).await;

    let refused = embed(&handler, "ebook", Some(UNLISTED_ORIGIN), Some(&cookie)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(set_cookies(&refused).is_empty());
    assert!(!refused
        .headers()
        .contains_key("access-control-allow-origin"));
    let text = refused.text().await.unwrap();
    assert!(!text.contains("ada@example.com"), "{text}");

    // curl or a server with a stolen cookie: the public markup of a fresh visitor, as
    // `GET /v1/profile` refuses such a caller.
    let answer = body(embed(&handler, "ebook", None, Some(&cookie)).await).await;
    assert_eq!(answer["profile"], Value::Null);
    assert!(!html(&answer).contains("ada@example.com"));
    assert!(html(&answer).contains(r#"name="company""#));

    // A same-origin page (no `Origin` on GET, marked by the browser) is recognised.
    let same_origin = handler
        .client
        .get(handler.url("/v1/forms/ebook/embed?mount=lf1"))
        .header("Sec-Fetch-Site", "same-origin")
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        body(same_origin).await["profile"]["values"]["first_name"],
        "Ada"
    );
}

#[tokio::test]
async fn a_visitor_with_nothing_missing_is_shown_the_one_click_form() {
    let handler = TestHandler::start().await;
    let cookie = returning_visitor(&handler).await;
    let mut second = support::fixtures::lead(
        "ebook",
        json!({ "email": "ada@example.com", "first_name": "Ada",
                "job_title": "Head of Analytics", "country": "DE" }),
    );
    second["shown_fields"] = json!(["email", "first_name", "job_title", "country"]);
    let response = handler
        .post_lead_with(&second, &[("Cookie", cookie.as_str())])
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = visitor_cookie(&response).expect("the rotated visitor cookie");

    let answer = body(embed(&handler, "ebook", Some(LISTED_ORIGIN), Some(&cookie)).await).await;
    let html = html(&answer);
    assert!(
        html.contains(
            r#"<p class="leadform-one-click">We have your details already. One click and the download is yours.</p>"#
        ),
        "{html}"
    );
    // No questions: only the honeypot is an input.
    assert!(!html.contains(r#"class="leadform-input""#), "{html}");
    assert!(html.contains("Welcome back, Ada"), "{html}");
}
