//! `serve --public-url`: behind a reverse proxy the handler sees `Host: 127.0.0.1:PORT`, yet its
//! own pages come from the public origin and its cookie must be `Secure` for an https site.

use crate::support;

use reqwest::StatusCode;
use support::fixtures::{contact_lead, LISTED_ORIGIN};
use support::{set_cookies, TestHandler, TestOptions};

const PUBLIC_ORIGIN: &str = "https://forms.example.test";

async fn behind_a_proxy() -> TestHandler {
    TestHandler::start_with(TestOptions {
        public_url: Some("https://Forms.Example.test/"),
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn the_public_origin_is_the_handlers_own_and_the_host_header_is_not() {
    let handler = behind_a_proxy().await;
    let own = handler
        .post_lead_with(
            &contact_lead("ada@example.com"),
            &[("Origin", PUBLIC_ORIGIN)],
        )
        .await;
    assert_eq!(own.status(), StatusCode::CREATED);
    assert_eq!(own.headers()["access-control-allow-origin"], PUBLIC_ORIGIN);

    // The address the proxy forwards to is no longer "us": a page there is just another site.
    let host_origin = handler.base_url.clone();
    let via_host = handler
        .post_lead_with(
            &contact_lead("bob@example.com"),
            &[("Origin", &host_origin)],
        )
        .await;
    assert_eq!(via_host.status(), StatusCode::FORBIDDEN);

    // Listed sites are unaffected.
    let listed = handler
        .post_lead_with(
            &contact_lead("eve@example.com"),
            &[("Origin", LISTED_ORIGIN)],
        )
        .await;
    assert_eq!(listed.status(), StatusCode::CREATED);
    assert_eq!(handler.stored_leads().await.len(), 2);

    let preflight = handler
        .client
        .request(reqwest::Method::OPTIONS, handler.url("/v1/leads"))
        .header("Origin", PUBLIC_ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    handler.stop().await;
}

#[tokio::test]
async fn an_https_public_url_makes_the_cookie_secure_on_a_loopback_host() {
    let handler = behind_a_proxy().await;
    let response = handler
        .client
        .get(handler.url("/v1/profile?form=ebook"))
        .header("Origin", PUBLIC_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].ends_with("; Secure"), "{}", cookies[0]);
    // A Secure cookie takes the `__Host-` prefix: no sibling subdomain can set or shadow it.
    assert!(
        cookies[0].starts_with("__Host-leadform_vid="),
        "{}",
        cookies[0]
    );
    assert!(cookies[0].contains("; Path=/"), "{}", cookies[0]);
    assert!(!cookies[0].contains("Domain"), "{}", cookies[0]);

    let forget = handler
        .client
        .delete(handler.url("/v1/profile"))
        .header("Origin", PUBLIC_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(forget.status(), StatusCode::NO_CONTENT);
    let expired = &set_cookies(&forget)[0];
    assert!(expired.ends_with("; Secure"), "{expired}");
    assert!(expired.starts_with("__Host-leadform_vid=;"), "{expired}");
    handler.stop().await;
}

#[tokio::test]
async fn the_fallback_form_accepts_posts_from_its_own_public_page() {
    let handler = behind_a_proxy().await;
    // Each post carries the token of its own page view, five seconds after the view.
    let token = || async {
        let page = handler
            .client
            .get(handler.url("/v1/forms/contact-us/fallback"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let marker = "name=\"form_token\" value=\"";
        let start = page.find(marker).unwrap() + marker.len();
        let token = page[start..].split('"').next().unwrap().to_owned();
        handler.clock.advance(support::FILL_TIME);
        token
    };
    let post = |extra: (&'static str, String), email: &'static str, token: String| {
        let body = serde_urlencoded::to_string([
            ("first_name", "Ada".to_owned()),
            ("email", email.to_owned()),
            ("message", "Hello".to_owned()),
            (
                "leadform_submission_id",
                support::fixtures::new_submission_id(),
            ),
            ("form_token", token),
            ("leadform_hp", String::new()),
        ])
        .unwrap();
        handler
            .client
            .post(handler.url("/v1/forms/contact-us/fallback"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header(extra.0, extra.1)
            .body(body)
            .send()
    };
    let by_origin = post(
        ("Origin", PUBLIC_ORIGIN.to_owned()),
        "ada@example.com",
        token().await,
    )
    .await
    .unwrap();
    assert_eq!(by_origin.status(), StatusCode::SEE_OTHER);
    let by_referer = post(
        (
            "Referer",
            format!("{PUBLIC_ORIGIN}/v1/forms/contact-us/fallback"),
        ),
        "bob@example.com",
        token().await,
    )
    .await
    .unwrap();
    assert_eq!(by_referer.status(), StatusCode::SEE_OTHER);
    let from_host = post(
        ("Origin", handler.base_url.clone()),
        "eve@example.com",
        token().await,
    )
    .await
    .unwrap();
    assert_eq!(from_host.status(), StatusCode::FORBIDDEN);
    let leads = handler.stored_leads().await;
    assert_eq!(leads.len(), 2);
    assert!(leads.iter().all(|lead| !lead.is_spam));
    handler.stop().await;
}
