//! `--trusted-proxy` and the security headers, over real HTTP against the real handler.

use crate::support;

use reqwest::StatusCode;
use support::fixtures::{contact_lead, LISTED_ORIGIN};
use support::process::run_cli;
use support::{TestHandler, TestOptions};

/// Posts a lead claiming to come from `forwarded_for`, and returns the status.
async fn post_forwarded_for(handler: &TestHandler, forwarded_for: &str) -> StatusCode {
    handler
        .post_lead_with(
            &contact_lead("ada@example.com"),
            &[("x-forwarded-for", forwarded_for)],
        )
        .await
        .status()
}

#[tokio::test]
async fn a_forged_forwarded_for_from_an_untrusted_peer_is_ignored() {
    // The test's loopback peer is not in the trusted network, so every post counts against it.
    let handler = TestHandler::start_with(TestOptions {
        rate_limit_per_minute: 1,
        trusted_proxies: vec!["10.0.0.0/8", "2001:db8::/32"],
        ..Default::default()
    })
    .await;
    assert_eq!(
        post_forwarded_for(&handler, "203.0.113.1").await,
        StatusCode::CREATED
    );
    assert_eq!(
        post_forwarded_for(&handler, "203.0.113.2").await,
        StatusCode::TOO_MANY_REQUESTS,
        "a fresh forged address must not buy a fresh rate-limit bucket"
    );
    handler.stop().await;
}

#[tokio::test]
async fn the_forwarded_for_of_a_trusted_proxy_names_the_client() {
    let handler = TestHandler::start_with(TestOptions {
        rate_limit_per_minute: 1,
        trusted_proxies: vec!["127.0.0.1/32"],
        ..Default::default()
    })
    .await;
    // Two visitors behind our proxy: one bucket each.
    assert_eq!(
        post_forwarded_for(&handler, "203.0.113.1").await,
        StatusCode::CREATED
    );
    assert_eq!(
        post_forwarded_for(&handler, "198.51.100.1, 203.0.113.2").await,
        StatusCode::CREATED
    );
    // The first visitor again, now with a forged entry on the left: still its own bucket.
    assert_eq!(
        post_forwarded_for(&handler, "192.0.2.99, 203.0.113.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    handler.stop().await;
}

#[tokio::test]
async fn serve_refuses_a_bad_trusted_proxy_and_the_removed_trust_proxy_flag() {
    let dir = tempfile::tempdir().unwrap();
    let forms = support::process::write_forms(dir.path(), &support::fixtures::all_forms());
    let forms = forms.to_str().unwrap();
    let db = dir.path().join("leads.db");
    let db = db.to_str().unwrap();

    let bad = run_cli(&[
        "serve",
        "--forms",
        forms,
        "--db",
        db,
        "--trusted-proxy",
        "10.0.0/8",
    ])
    .await;
    assert!(!bad.success);
    assert!(
        bad.stderr.contains("`10.0.0/8` is not an IP network") && bad.stderr.contains("10.0.0.0/8"),
        "{}",
        bad.stderr
    );

    let removed = run_cli(&["serve", "--forms", forms, "--db", db, "--trust-proxy"]).await;
    assert!(!removed.success);
    assert!(
        removed.stderr.contains("--trust-proxy was removed")
            && removed.stderr.contains("--trusted-proxy 127.0.0.1/32"),
        "{}",
        removed.stderr
    );
    assert!(
        !dir.path().join("leads.db").exists(),
        "refused before opening the database"
    );

    let help = run_cli(&["serve", "--help"]).await;
    assert!(
        help.stdout.contains("--trusted-proxy <CIDR>"),
        "{}",
        help.stdout
    );
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

fn assert_common_headers(response: &reqwest::Response, what: &str) {
    assert_eq!(
        header(response, "x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        header(response, "referrer-policy"),
        Some("strict-origin-when-cross-origin"),
        "{what}"
    );
}

#[tokio::test]
async fn every_response_is_nosniff_and_every_html_page_has_a_policy() {
    let public = tempfile::tempdir().unwrap();
    std::fs::write(
        public.path().join("index.html"),
        "<!doctype html><title>Demo</title>",
    )
    .unwrap();
    std::fs::write(public.path().join("leadform.js"), "export {};").unwrap();
    let handler = TestHandler::start_with(TestOptions {
        public_dir: Some(public.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    let get = |path: &str| handler.client.get(handler.url(path)).send();

    // JSON, a static file and a 404: no HTML, so no page policy, but the common headers.
    for path in ["/v1/forms/contact-us", "/leadform.js", "/no-such-file"] {
        let response = get(path).await.unwrap();
        assert_common_headers(&response, path);
        assert_eq!(header(&response, "content-security-policy"), None, "{path}");
    }
    let lead = handler.post_lead(&contact_lead("ada@example.com")).await;
    assert_eq!(lead.status(), StatusCode::CREATED);
    assert_common_headers(&lead, "POST /v1/leads");

    // The fallback form and its thank-you page: framed by the form's sites and our own pages only.
    for path in [
        "/v1/forms/contact-us/fallback",
        "/v1/forms/contact-us/thanks",
    ] {
        let response = get(path).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_common_headers(&response, path);
        assert_eq!(
            header(&response, "content-security-policy"),
            Some(
                format!(
                    "default-src 'none'; style-src 'self'; base-uri 'none'; \
                     frame-ancestors 'self' {LISTED_ORIGIN}"
                )
                .as_str()
            ),
            "{path}"
        );
    }
    // A fallback post refused as HTML (the form's own page, so framed like it).
    let refused = handler
        .client
        .post(handler.url("/v1/forms/contact-us/fallback"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "http://evil.example.test")
        .body("email=a%40b.example")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(header(&refused, "content-security-policy")
        .unwrap()
        .ends_with(&format!("frame-ancestors 'self' {LISTED_ORIGIN}")));
    // An error page for no form at all: framed by no one.
    let unknown = get("/v1/forms/no-such-form/fallback").await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_common_headers(&unknown, "unknown form page");
    assert_eq!(
        header(&unknown, "content-security-policy"),
        Some("default-src 'none'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'")
    );
    // A page of the built site: what the widget needs, and no framing.
    let page = get("/").await.unwrap();
    assert_common_headers(&page, "/");
    let policy = header(&page, "content-security-policy").expect("a page policy");
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{policy}"
    );
    assert!(policy.ends_with("frame-ancestors 'none'"), "{policy}");
    handler.stop().await;
}
