//! The no-JavaScript form: server-rendered HTML, urlencoded posts, 303 or the form again.

use crate::support;

use leadform_core::Intent;
use reqwest::StatusCode;
use support::fixtures::UNLISTED_ORIGIN;
use support::TestHandler;

/// The value of `<input ... name="NAME" value="...">` in the page.
fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no input {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn fallback_page(handler: &TestHandler, form: &str) -> String {
    let response = handler
        .client
        .get(handler.url(&format!("/v1/forms/{form}/fallback")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    response.text().await.unwrap()
}

/// Form fields as the browser would post them, with the page's own hidden inputs.
fn post_fields(page: &str, fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut posted: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for hidden in ["leadform_submission_id", "form_token"] {
        posted.push((hidden.to_owned(), input_value(page, hidden)));
    }
    posted.push(("leadform_hp".to_owned(), String::new()));
    posted
}

/// The visitor takes five seconds, as a person does: the handler's clock moves on.
fn five_seconds_pass(handler: &TestHandler) {
    handler.clock.advance(support::FILL_TIME);
}

async fn post(
    handler: &TestHandler,
    form: &str,
    posted: &[(String, String)],
    origin: Option<&str>,
) -> reqwest::Response {
    let mut request = handler
        .client
        .post(handler.url(&format!("/v1/forms/{form}/fallback")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(posted).unwrap());
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_fallback_page_is_plain_accessible_html_without_scripts() {
    let handler = TestHandler::start().await;
    let page = fallback_page(&handler, "contact-us").await;
    assert!(page.contains("<form method=\"post\" action=\"/v1/forms/contact-us/fallback\">"));
    assert!(page.contains("<label for=\"leadform-email\">Work email (required)</label>"));
    assert!(page.contains("id=\"leadform-email\" type=\"email\" name=\"email\""));
    assert!(page.contains("name=\"leadform_hp\""), "honeypot");
    assert!(page.contains("rel=\"stylesheet\""));
    assert!(
        !page.to_lowercase().contains("<script"),
        "no scripts at all"
    );
    assert!(
        !page.contains("form_variant"),
        "hidden fields come from the definition, not the page"
    );
    let id = input_value(&page, "leadform_submission_id");
    assert!(leadform_core::sanitize::is_uuid_v4(&id));
    let css = handler
        .client
        .get(handler.url("/v1/fallback.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

#[tokio::test]
async fn a_valid_post_redirects_303_and_a_double_post_stores_once() {
    let handler = TestHandler::start().await;
    let page = fallback_page(&handler, "contact-us").await;
    let posted = post_fields(
        &page,
        &[
            ("first_name", "Ada"),
            ("email", "ada@example.com"),
            ("message", "Call me <b>soon</b>"),
        ],
    );
    five_seconds_pass(&handler);
    for _ in 0..2 {
        let response = post(&handler, "contact-us", &posted, Some(&handler.base_url)).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()["location"],
            "/v1/forms/contact-us/thanks?locale=en"
        );
    }
    let leads = handler.stored_leads().await;
    assert_eq!(
        leads.len(),
        1,
        "the hidden submission id makes a double post store once"
    );
    assert!(!leads[0].is_spam);
    assert_eq!(leads[0].lead.fields["message"], "Call me <b>soon</b>");
    assert_eq!(leads[0].lead.fields["form_variant"], "test-v1");
    let deliveries = handler
        .store
        .list_deliveries(leadform_store::DeliveryFilter::All)
        .await
        .unwrap();
    assert_eq!(deliveries.len(), 1);

    let thanks = handler
        .client
        .get(handler.url("/v1/forms/contact-us/thanks"))
        .send()
        .await
        .unwrap();
    assert!(thanks
        .text()
        .await
        .unwrap()
        .contains("Thanks! We will reply"));
}

#[tokio::test]
async fn gated_content_redirects_to_the_asset() {
    let handler = TestHandler::start().await;
    let page = fallback_page(&handler, "ebook").await;
    let posted = post_fields(
        &page,
        &[
            ("email", "ada@example.com"),
            ("first_name", "Ada"),
            ("company", "Engines"),
            ("job_title", "Analyst"),
            ("country", "DE"),
        ],
    );
    five_seconds_pass(&handler);
    let response = post(&handler, "ebook", &posted, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/v1/forms/ebook/asset?expires="),
        "a signed link to the private file: {location}"
    );
    let download = handler
        .client
        .get(handler.url(&location))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(
        download.bytes().await.unwrap().as_ref(),
        support::EBOOK_ASSET_BYTES
    );
    assert_eq!(
        handler.stored_leads().await[0].intent,
        Intent::ContentDownload
    );
}

#[tokio::test]
async fn an_invalid_post_shows_the_form_again_with_values_and_errors() {
    let handler = TestHandler::start().await;
    let page = fallback_page(&handler, "contact-us").await;
    let posted = post_fields(
        &page,
        &[
            ("first_name", "Ada \"<b>\""),
            ("email", "not-an-email"),
            ("message", ""),
        ],
    );
    five_seconds_pass(&handler);
    let response = post(&handler, "contact-us", &posted, None).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("There is a problem"),
        "error summary at the top"
    );
    assert!(html.contains(
        "<a href=\"#leadform-email\">Work email: Enter an email address like name@company.com</a>"
    ));
    assert!(html.contains("id=\"leadform-email-error\""));
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(
        html.contains("value=\"not-an-email\""),
        "typed values are kept"
    );
    assert!(
        html.contains("value=\"Ada &quot;&lt;b&gt;&quot;\""),
        "and escaped"
    );
    assert!(!html.to_lowercase().contains("<script"));
    assert_eq!(
        input_value(&html, "leadform_submission_id"),
        input_value(&page, "leadform_submission_id"),
        "the same submission continues"
    );
    assert!(handler.stored_leads().await.is_empty());
}

#[tokio::test]
async fn posts_from_unlisted_sites_are_refused_and_instant_posts_are_spam() {
    let handler = TestHandler::start().await;
    let page = fallback_page(&handler, "contact-us").await;
    let posted = post_fields(
        &page,
        &[
            ("first_name", "Ada"),
            ("email", "ada@example.com"),
            ("message", "Hello"),
        ],
    );
    let refused = post(&handler, "contact-us", &posted, Some(UNLISTED_ORIGIN)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(handler.stored_leads().await.is_empty());

    // Posted the instant the page was made: a person cannot be that fast.
    let response = post(&handler, "contact-us", &posted, None).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "a bot learns nothing"
    );
    let leads = handler.stored_leads().await;
    assert_eq!(leads.len(), 1);
    assert!(leads[0].is_spam);
    assert!(handler
        .store
        .list_deliveries(leadform_store::DeliveryFilter::All)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_fallback_and_the_json_api_count_against_one_rate_limit_per_client() {
    let handler = TestHandler::start_with(support::TestOptions {
        rate_limit_per_minute: 2,
        ..Default::default()
    })
    .await;
    let json = handler
        .post_lead(&support::fixtures::contact_lead("ada@example.com"))
        .await;
    assert_eq!(json.status(), StatusCode::CREATED);
    let page = fallback_page(&handler, "contact-us").await;
    let posted = post_fields(
        &page,
        &[
            ("first_name", "Ada"),
            ("email", "ada@example.com"),
            ("message", "Hello"),
        ],
    );
    five_seconds_pass(&handler);
    let form_post = post(&handler, "contact-us", &posted, None).await;
    assert_eq!(form_post.status(), StatusCode::SEE_OTHER);

    let limited = post(&handler, "contact-us", &posted, None).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    assert!(limited
        .text()
        .await
        .unwrap()
        .contains("Too many submissions"));
    let json = handler
        .post_lead(&support::fixtures::contact_lead("ada@example.com"))
        .await;
    assert_eq!(json.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(handler.stored_leads().await.len(), 2);
}

#[tokio::test]
async fn a_post_whose_referer_is_an_unlisted_site_is_refused() {
    let handler = TestHandler::start().await;
    let page = fallback_page(&handler, "contact-us").await;
    let posted = post_fields(
        &page,
        &[
            ("first_name", "Ada"),
            ("email", "ada@example.com"),
            ("message", "Hello"),
        ],
    );
    five_seconds_pass(&handler);
    let refused = handler
        .client
        .post(handler.url("/v1/forms/contact-us/fallback"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("referer", format!("{UNLISTED_ORIGIN}/page.html"))
        .body(serde_urlencoded::to_string(&posted).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(handler.stored_leads().await.is_empty());
}
