//! `GET /v1/forms/{id}/embed`: the first markup the loader shows before the wasm arrives, with the
//! definition the widget takes it over with.

use crate::support;

use reqwest::StatusCode;
use serde_json::Value;
use support::fixtures::LISTED_ORIGIN;
use support::TestHandler;

async fn get(handler: &TestHandler, path: &str, origin: Option<&str>) -> reqwest::Response {
    let mut request = handler.client.get(handler.url(path));
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_first_markup_is_the_widgets_form_with_its_definition_and_is_never_cached() {
    let handler = TestHandler::start().await;
    let response = get(
        &handler,
        "/v1/forms/contact-us/embed?mount=lf2",
        Some(LISTED_ORIGIN),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        LISTED_ORIGIN
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["mount"], "lf2");
    assert_eq!(body["definition"]["id"], "contact-us");
    // The public view only: nothing a visitor must not see.
    assert!(body["definition"].get("destinations").is_none());
    assert!(body["definition"].get("allowed_origins").is_none());
    // The signed form token comes with the first markup (no second fetch), in both places the
    // widget and a native fallback post read it.
    let token = body["form_token"].as_str().expect("a form token");
    assert!(token.starts_with("contact-us."), "{token}");
    assert_eq!(body["definition"]["form_token"], token);

    let html = body["html"].as_str().unwrap();
    assert!(html.starts_with(
        r#"<div class="leadform" lang="en" dir="ltr"><form class="leadform-form" novalidate"#
    ));
    assert_eq!(body["locale"], "en");
    // The widget's ids, classes and honeypot, so the takeover finds and keeps everything.
    assert!(
        html.contains(r#"<h2 class="leadform-title" id="lf2-title">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<input type="email" id="lf2-email" name="email" class="leadform-input""#),
        "{html}"
    );
    assert!(html.contains(r#"name="leadform_website""#), "{html}");
    assert!(
        html.contains(r#"<button type="submit" class="leadform-submit">"#),
        "{html}"
    );
    // Hidden fields are sent by the widget from the definition, never shown.
    let hidden: Vec<&str> = body["definition"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "hidden")
        .filter_map(|f| f["name"].as_str())
        .collect();
    for name in hidden {
        assert!(!html.contains(&format!(r#"name="{name}""#)), "{name} shown");
    }
    handler.stop().await;
}

#[tokio::test]
async fn the_first_markup_refuses_what_it_must() {
    let handler = TestHandler::start().await;
    let other_site = get(
        &handler,
        "/v1/forms/contact-us/embed",
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(other_site.status(), StatusCode::FORBIDDEN);

    let unknown = get(&handler, "/v1/forms/no-such-form/embed", None).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let bad_mount = get(
        &handler,
        "/v1/forms/contact-us/embed?mount=%22%3E%3Cscript%3E",
        None,
    )
    .await;
    assert_eq!(bad_mount.status(), StatusCode::BAD_REQUEST);
    let body: Value = bad_mount.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_parameter");
    assert_eq!(
        body["error"]["message"],
        "the query parameter `mount` must be `lf` followed by 1 to 6 digits, like lf1"
    );

    let default_mount: Value = get(&handler, "/v1/forms/contact-us/embed", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(default_mount["mount"], "lf1");
    handler.stop().await;
}
