//! Visitor-cookie fixation (issue 7, item 3): only ids the handler signed count, the id rotates on
//! every submission, and a profile is shown only to an allowed page, with only the asking form's
//! fields. Real HTTP against the real handler.

use crate::support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::fixtures::{contact_lead, ebook_lead, LISTED_ORIGIN};
use support::{backends, set_cookies, visitor_cookie, visitor_id_of, TestHandler, TestOptions};

async fn profile(handler: &TestHandler, form: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = handler
        .client
        .get(handler.url(&format!("/v1/profile?form={form}")));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// Ada downloads the eBook; returns her visitor cookie (`leadform_vid=...`).
async fn ada_downloads(handler: &TestHandler) -> String {
    let response = handler.post_lead(&ebook_lead("ada@example.com")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    visitor_cookie(&response).expect("an `always` form remembers the visitor")
}

#[tokio::test]
async fn a_planted_unsigned_id_gets_a_fresh_signed_one_and_no_profile() {
    let handler = TestHandler::start().await;
    let cookie = ada_downloads(&handler).await;
    let ada = visitor_id_of(&cookie).to_owned();
    assert!(leadform_core::sanitize::is_uuid_v4(&ada), "{cookie}");
    assert!(
        cookie.len() > "leadform_vid=".len() + 36 + 1,
        "signed: {cookie}"
    );

    // Someone who learnt Ada's id plants it bare, as the old handler accepted.
    let planted = format!("leadform_vid={ada}");
    let response = profile(
        &handler,
        "ebook",
        &[("Origin", LISTED_ORIGIN), ("Cookie", &planted)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let fresh = visitor_cookie(&response).expect("a fresh signed id instead");
    assert_ne!(visitor_id_of(&fresh), ada);
    let shown: Value = response.json().await.unwrap();
    assert_eq!(
        shown,
        json!({ "known": [], "values": {} }),
        "nothing of Ada's"
    );

    // A lead posted with the planted id is not tied to Ada's visitor.
    let response = handler
        .post_lead_with(&ebook_lead("eve@example.com"), &[("Cookie", &planted)])
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let leads = handler.stored_leads().await;
    assert_ne!(leads[1].lead.visitor_id.as_deref(), Some(ada.as_str()));
    // Ada's own signed cookie still shows her profile.
    let mine: Value = profile(
        &handler,
        "ebook",
        &[("Origin", LISTED_ORIGIN), ("Cookie", &cookie)],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(mine["values"]["email"], "ada@example.com");
}

#[tokio::test]
async fn the_id_rotates_on_each_submission_and_the_profile_follows() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        let first = ada_downloads(&handler).await;
        let mut second_visit = ebook_lead("ada@example.com");
        second_visit["fields"]["job_title"] = json!("Analyst");
        second_visit["shown_fields"] = json!(["email", "first_name", "job_title"]);
        let response = handler
            .post_lead_with(&second_visit, &[("Cookie", first.as_str())])
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let second = visitor_cookie(&response).expect("a new id");
        assert_ne!(visitor_id_of(&second), visitor_id_of(&first), "{backend:?}");

        let known = |cookie: String| {
            let handler = &handler;
            async move {
                let shown: Value = profile(
                    handler,
                    "ebook",
                    &[("Origin", LISTED_ORIGIN), ("Cookie", &cookie)],
                )
                .await
                .json()
                .await
                .unwrap();
                shown["known"].clone()
            }
        };
        assert_eq!(
            known(second.clone()).await,
            json!(["company", "email", "first_name", "job_title"]),
            "{backend:?}: both visits' answers under the new id"
        );
        assert_eq!(
            known(first).await,
            json!([]),
            "{backend:?}: the old id knows nothing"
        );
        handler.stop().await;
    }
}

#[tokio::test]
async fn a_profile_is_shown_only_to_a_page_that_may_embed_the_form() {
    let handler = TestHandler::start().await;
    let cookie = ada_downloads(&handler).await;
    // curl, a server, or any request naming no page.
    let response = profile(&handler, "ebook", &[("Cookie", &cookie)]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(set_cookies(&response).is_empty());
    let refusal: Value = response.json().await.unwrap();
    assert_eq!(refusal["error"]["code"], "origin_required");
    assert!(!refusal.to_string().contains("ada@example.com"));
    // An unlisted site.
    let response = profile(
        &handler,
        "ebook",
        &[
            ("Cookie", &cookie),
            ("Origin", support::fixtures::UNLISTED_ORIGIN),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // The handler's own page: a same-origin fetch sends no Origin on GET, but the browser says
    // `Sec-Fetch-Site: same-origin`.
    let response = profile(
        &handler,
        "ebook",
        &[("Cookie", &cookie), ("Sec-Fetch-Site", "same-origin")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = profile(
        &handler,
        "ebook",
        &[("Cookie", &cookie), ("Origin", LISTED_ORIGIN)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let shown: Value = response.json().await.unwrap();
    assert_eq!(shown["values"]["email"], "ada@example.com");
}

#[tokio::test]
async fn a_profile_shows_only_the_asking_forms_fields() {
    let handler = TestHandler::start().await;
    // The contact form (storage `always` by default) asks for a phone number and a message.
    let mut contact = contact_lead("ada@example.com");
    contact["fields"]["phone"] = json!("+49 30 1234567");
    let response = handler.post_lead(&contact).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = visitor_cookie(&response).expect("remembered");

    let shown: Value = profile(
        &handler,
        "ebook",
        &[("Origin", LISTED_ORIGIN), ("Cookie", &cookie)],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        shown["known"],
        json!(["email", "first_name"]),
        "the eBook form has no phone or message field"
    );
    assert_eq!(
        shown["values"],
        json!({ "email": "ada@example.com", "first_name": "Ada" })
    );
    assert!(!shown.to_string().contains("1234567"));
}

#[tokio::test]
async fn not_you_forgets_the_signed_visitor() {
    let handler = TestHandler::start().await;
    let cookie = ada_downloads(&handler).await;
    let forget = handler
        .client
        .delete(handler.url("/v1/profile?form=ebook"))
        .header("Origin", LISTED_ORIGIN)
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(forget.status(), StatusCode::NO_CONTENT);
    assert!(set_cookies(&forget)
        .iter()
        .any(|c| c.starts_with("leadform_vid=;") && c.contains("Max-Age=0")));
    let shown: Value = profile(
        &handler,
        "ebook",
        &[("Origin", LISTED_ORIGIN), ("Cookie", &cookie)],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(shown, json!({ "known": [], "values": {} }));
}
