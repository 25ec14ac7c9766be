//! Gated content (issue 7, item 7): the file is in a private folder, reachable only through the
//! signed, expiring link a submission's answer gives out.

use crate::support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use support::fixtures::{self, ebook_lead};
use support::{TestHandler, TestOptions, EBOOK_ASSET_BYTES};

async fn asset_link(handler: &TestHandler) -> String {
    let response = handler.post_lead(&ebook_lead("ada@example.com")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let answer: Value = response.json().await.unwrap();
    answer["asset_url"]
        .as_str()
        .expect("an asset link")
        .to_owned()
}

async fn get(handler: &TestHandler, path: &str) -> reqwest::Response {
    handler.client.get(handler.url(path)).send().await.unwrap()
}

#[tokio::test]
async fn the_file_is_served_only_through_a_signed_link() {
    let public = tempfile::tempdir().unwrap();
    std::fs::write(public.path().join("index.html"), "<h1>site</h1>").unwrap();
    let handler = TestHandler::start_with(TestOptions {
        public_dir: Some(public.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    // Nothing under the public site, whatever the path.
    for path in ["/12-charts.pdf", "/assets/12-charts.pdf"] {
        assert_eq!(
            get(&handler, path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // No link, or half of one.
    for path in [
        "/v1/forms/ebook/asset",
        "/v1/forms/ebook/asset?expires=99999999999999",
        "/v1/forms/ebook/asset?expires=soon&signature=abc",
    ] {
        assert_eq!(
            get(&handler, path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    let link = asset_link(&handler).await;
    let download = get(&handler, &link).await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.headers()["cache-control"], "private, no-store");
    assert!(download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("12-charts.pdf"));
    assert_eq!(download.bytes().await.unwrap().as_ref(), EBOOK_ASSET_BYTES);
}

#[tokio::test]
async fn a_tampered_or_expired_link_gets_a_403_page_saying_what_to_do() {
    let handler = TestHandler::start().await;
    let link = asset_link(&handler).await;
    let (path, query) = link.split_once('?').unwrap();
    let params: Vec<(&str, &str)> = query
        .split('&')
        .map(|pair| pair.split_once('=').unwrap())
        .collect();
    let expires: i64 = params[0].1.parse().unwrap();
    let signature = params[1].1;

    // A later expiry, a changed signature, another form's path: each is refused as not valid.
    let later = format!(
        "{path}?expires={}&signature={signature}",
        expires + 86_400_000
    );
    let mut flipped = signature.to_owned();
    flipped.replace_range(0..1, if signature.starts_with('0') { "1" } else { "0" });
    let changed = format!("{path}?expires={expires}&signature={flipped}");
    let other_form = link.replace("/v1/forms/ebook/", "/v1/forms/contact-us/");
    for tampered in [later, changed, other_form] {
        let response = get(&handler, &tampered).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{tampered}");
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let page = response.text().await.unwrap();
        assert!(page.contains("This download link is not valid"), "{page}");
        assert!(!page.contains("twelve charts"));
    }

    // Still good just before its 24 hours are up; refused after.
    handler
        .clock
        .advance(Duration::from_secs(24 * 60 * 60 - 60));
    assert_eq!(get(&handler, &link).await.status(), StatusCode::OK);
    handler.clock.advance(Duration::from_secs(61));
    let expired = get(&handler, &link).await;
    assert_eq!(expired.status(), StatusCode::FORBIDDEN);
    let page = expired.text().await.unwrap();
    assert!(page.contains("This download link has expired"), "{page}");
    assert!(page.contains("Fill in the form again"), "{page}");
}

#[tokio::test]
async fn an_external_asset_url_is_given_out_as_it_is() {
    let mut form = fixtures::ebook_form();
    form["asset"]["url"] = json!("https://cdn.example.test/12-charts.pdf");
    let handler = TestHandler::start_with(TestOptions {
        forms: vec![form],
        ..Default::default()
    })
    .await;
    assert_eq!(
        asset_link(&handler).await,
        "https://cdn.example.test/12-charts.pdf"
    );
}

/// The registry `serve` loads from a forms folder holding only `form`.
fn registry_of(form: &Value) -> leadform_intake::forms::FormRegistry {
    let dir = tempfile::tempdir().unwrap();
    let id = form["id"].as_str().expect("the form has an id");
    std::fs::write(dir.path().join(format!("{id}.json")), form.to_string()).unwrap();
    leadform_intake::forms::FormRegistry::load_dir(dir.path()).unwrap()
}

#[tokio::test]
async fn a_missing_private_file_or_folder_stops_start_up_naming_the_form() {
    let forms = registry_of(&fixtures::ebook_form());
    let error = leadform_intake::gated_assets::GatedAssets::load(&forms, None)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("form `ebook`") && error.contains("--assets"),
        "{error}"
    );
    let empty = tempfile::tempdir().unwrap();
    let error = leadform_intake::gated_assets::GatedAssets::load(&forms, Some(empty.path()))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("12-charts.pdf") && error.contains("does not exist"),
        "{error}"
    );
    let mut escaping = fixtures::ebook_form();
    escaping["asset"]["url"] = json!("/../secrets.txt");
    let forms = registry_of(&escaping);
    let error = leadform_intake::gated_assets::GatedAssets::load(&forms, Some(empty.path()))
        .unwrap_err()
        .to_string();
    assert!(error.contains("no `..`"), "{error}");
}

/// A known visitor who opens the gated file scores `asset_fetched` (issue 10); the same link
/// without the visitor's cookie scores nothing, and the file is served either way.
#[tokio::test]
async fn a_known_visitor_fetching_the_asset_scores_for_their_person() {
    for backend in support::backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        let response = handler.post_lead(&ebook_lead("ada@example.com")).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let cookie = support::visitor_cookie(&response).expect("a visitor cookie");
        let answer: Value = response.json().await.unwrap();
        let link = answer["asset_url"]
            .as_str()
            .expect("an asset link")
            .to_owned();
        let asset_rules = |logs: &[leadform_store::PersonScoreLog]| -> usize {
            logs.iter()
                .flat_map(|log| &log.rows)
                .filter(|row| row.rule.starts_with("asset_fetched"))
                .count()
        };

        let anonymous = get(&handler, &link).await;
        assert_eq!(anonymous.status(), StatusCode::OK);
        let logs = handler.store.score_logs().await.unwrap();
        assert_eq!(asset_rules(&logs), 0, "{backend:?}: nobody to score");

        let known = handler
            .client
            .get(handler.url(&link))
            .header("cookie", cookie.split(';').next().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(known.status(), StatusCode::OK);
        assert_eq!(known.bytes().await.unwrap().as_ref(), EBOOK_ASSET_BYTES);
        let logs = handler.store.score_logs().await.unwrap();
        assert_eq!(asset_rules(&logs), 1, "{backend:?}: {logs:#?}");
        handler.stop().await;
    }
}
