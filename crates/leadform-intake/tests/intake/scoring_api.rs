//! Scoring in the running handler: a lead's events in its transaction, and `POST /v1/page-views`
//! recorded only for a known, consenting visitor from an allowed origin without `Sec-GPC: 1`.

use crate::support;

use serde_json::json;
use support::fixtures::{contact_lead, ebook_lead, lead, LISTED_ORIGIN, UNLISTED_ORIGIN};
use support::{backends, visitor_cookie, TestHandler, TestOptions};

/// The rule names in a person's current log.
async fn rules_of(handler: &TestHandler, email: &str) -> Vec<String> {
    handler
        .store
        .score_logs()
        .await
        .expect("score logs")
        .into_iter()
        .find(|log| log.email == email)
        .map(|log| log.rows.into_iter().map(|row| row.rule).collect())
        .unwrap_or_default()
}

async fn page_view(handler: &TestHandler, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = handler
        .client
        .post(handler.url("/v1/page-views"))
        .header("Content-Type", "text/plain")
        .body(r#"{"page_url": "http://www.example.test:8000/pricing.html?utm_medium=email"}"#);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("answered")
}

#[tokio::test]
async fn a_stored_lead_scores_its_submission_in_the_same_transaction() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..TestOptions::default()
        })
        .await;
        let response = handler.post_lead(&contact_lead("ada@example.com")).await;
        assert_eq!(response.status(), 201, "{backend:?}");
        assert_eq!(
            rules_of(&handler, "ada@example.com").await,
            vec!["form_submitted:intent:contact_request"],
            "{backend:?}"
        );
        handler.stop().await;
    }
}

#[tokio::test]
async fn a_page_view_scores_only_a_known_visitor_from_an_allowed_origin_without_gpc() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..TestOptions::default()
        })
        .await;
        // The eBook form remembers visitors (storage: always), so its lead sets the cookie.
        let response = handler
            .post_lead_with(&ebook_lead("ada@example.com"), &[("Origin", LISTED_ORIGIN)])
            .await;
        assert_eq!(response.status(), 201, "{backend:?}");
        let cookie = visitor_cookie(&response).expect("visitor cookie");
        let submitted = vec!["form_submitted:intent:content_download".to_owned()];

        // Global Privacy Control: answered, nothing recorded.
        let gpc = page_view(
            &handler,
            &[
                ("Origin", LISTED_ORIGIN),
                ("Cookie", &cookie),
                ("Sec-GPC", "1"),
            ],
        )
        .await;
        assert_eq!(gpc.status(), 204, "{backend:?}");
        // No cookie: an unknown visitor is never recorded.
        let unknown = page_view(&handler, &[("Origin", LISTED_ORIGIN)]).await;
        assert_eq!(unknown.status(), 204, "{backend:?}");
        let stranger = page_view(
            &handler,
            &[
                ("Origin", LISTED_ORIGIN),
                (
                    "Cookie",
                    "leadform_vid=3f1c2b7e-8a4d-4e5f-9a6b-0c1d2e3f4a5b",
                ),
            ],
        )
        .await;
        assert_eq!(stranger.status(), 204, "{backend:?}");
        // An origin no form allows, or none at all: refused.
        let unlisted = page_view(
            &handler,
            &[("Origin", UNLISTED_ORIGIN), ("Cookie", &cookie)],
        )
        .await;
        assert_eq!(unlisted.status(), 403, "{backend:?}");
        let no_origin = page_view(&handler, &[("Cookie", &cookie)]).await;
        assert_eq!(no_origin.status(), 403, "{backend:?}");
        assert_eq!(
            rules_of(&handler, "ada@example.com").await,
            submitted,
            "{backend:?}"
        );

        // The known visitor from a listed origin: a returning visit, and an email landing.
        let known = page_view(&handler, &[("Origin", LISTED_ORIGIN), ("Cookie", &cookie)]).await;
        assert_eq!(known.status(), 204, "{backend:?}");
        assert_eq!(
            known
                .headers()
                .get("access-control-allow-origin")
                .and_then(|v| v.to_str().ok()),
            Some(LISTED_ORIGIN)
        );
        assert_eq!(
            rules_of(&handler, "ada@example.com").await,
            vec![
                "form_submitted:intent:content_download".to_owned(),
                "returning_visit".to_owned(),
                "email_landing".to_owned()
            ],
            "{backend:?}"
        );
        handler.stop().await;
    }
}

#[tokio::test]
async fn a_visitor_who_did_not_consent_where_consent_is_required_is_never_recorded() {
    let handler = TestHandler::start().await;
    // The newsletter form remembers visitors only after consent. Without it no cookie is set, and
    // a cookie the page makes up finds nobody.
    let refused = lead("newsletter", json!({ "email": "bob@example.com" }));
    let response = handler
        .post_lead_with(&refused, &[("Origin", LISTED_ORIGIN)])
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(visitor_cookie(&response), None);
    let made_up = "leadform_vid=3f1c2b7e-8a4d-4e5f-9a6b-0c1d2e3f4a5b";
    let view = page_view(&handler, &[("Origin", LISTED_ORIGIN), ("Cookie", made_up)]).await;
    assert_eq!(view.status(), 204);
    assert_eq!(
        rules_of(&handler, "bob@example.com").await,
        vec!["form_submitted:intent:contact_request"]
    );
    // With consent the same form remembers them, and their page views count.
    let mut consented = lead("newsletter", json!({ "email": "carol@example.com" }));
    consented["consent"] = json!(true);
    let response = handler
        .post_lead_with(&consented, &[("Origin", LISTED_ORIGIN)])
        .await;
    let cookie = visitor_cookie(&response).expect("cookie after consent");
    let view = page_view(&handler, &[("Origin", LISTED_ORIGIN), ("Cookie", &cookie)]).await;
    assert_eq!(view.status(), 204);
    assert!(rules_of(&handler, "carol@example.com")
        .await
        .contains(&"returning_visit".to_owned()));
    handler.stop().await;
}

#[tokio::test]
async fn a_malformed_page_view_gets_a_specific_error() {
    let handler = TestHandler::start().await;
    let response = handler
        .client
        .post(handler.url("/v1/page-views"))
        .header("Origin", LISTED_ORIGIN)
        .body(r#"{"page_url": "javascript:alert(1)"}"#)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 400);
    let body = response.text().await.expect("body");
    assert!(body.contains("page_url: must be an http(s) URL"), "{body}");
    handler.stop().await;
}
