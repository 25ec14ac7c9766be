//! Issue 4 §5 in a browser with JavaScript disabled: the demo pages keep their link to the plain
//! form, which validates on the server (inline errors, values kept) and stores the lead.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use fantoccini::elements::Element;
use fantoccini::Locator;
use leadform_e2e::devtools::disable_javascript;
use leadform_e2e::host_site::HostSite;
use leadform_e2e::page_probe::wait_for_url;
use leadform_e2e::{find_by_email, poll, Browser, E2eEnv, Handler};

/// A page that says whether scripts run: an inline script would rewrite the status, and a
/// `<noscript>` body becomes elements only when scripting is off.
const SCRIPT_PROBE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Do scripts run?</title></head>
<body>
<p id="status">scripts did not run</p>
<script>document.getElementById("status").textContent = "scripts ran";</script>
<noscript><p id="scripts-off">scripting is off</p></noscript>
</body>
</html>
"#;

/// Fails unless the tab runs no scripts, judged by [`SCRIPT_PROBE`].
async fn assert_scripts_off(browser: &Browser, probe: &HostSite) -> Result<()> {
    browser.goto(&probe.url("/")).await?;
    let status = browser.client.find(Locator::Id("status")).await?;
    assert_eq!(status.text().await?, "scripts did not run");
    browser
        .client
        .find(Locator::Id("scripts-off"))
        .await
        .context("the <noscript> content is not rendered: scripting is on")?;
    Ok(())
}

async fn field(browser: &Browser, name: &str) -> Result<Element> {
    browser
        .client
        .find(Locator::Css(&format!("[name=\"{name}\"]")))
        .await
        .with_context(|| format!("no input named `{name}` in the plain form"))
}

/// Types into inputs and textareas, chooses in selects.
async fn fill(browser: &Browser, answers: &[(&str, &str)]) -> Result<()> {
    for (name, value) in answers {
        let input = field(browser, name).await?;
        if input.tag_name().await?.eq_ignore_ascii_case("select") {
            input.select_by_value(value).await?;
        } else {
            input.clear().await?;
            input.send_keys(value).await?;
        }
    }
    Ok(())
}

async fn submit(browser: &Browser) -> Result<()> {
    browser
        .client
        .find(Locator::Css(
            "form[method=\"post\"] button[type=\"submit\"]",
        ))
        .await?
        .click()
        .await?;
    Ok(())
}

/// Opens the demo page at `path`, checks the widget did not mount and the fallback link shows,
/// and follows the link to the plain form of `form_id`. Returns when that form is on screen.
async fn open_plain_form(
    browser: &Browser,
    handler: &Handler,
    path: &str,
    form_id: &str,
) -> Result<tokio::time::Instant> {
    browser
        .goto(&format!("{}{path}", handler.base_url()))
        .await?;
    let container = browser
        .client
        .find(Locator::Css(&format!("[data-leadform=\"{form_id}\"]")))
        .await?;
    ensure!(
        container.shadow_root().await.is_err(),
        "the widget mounted with JavaScript disabled"
    );
    let fallback = format!("/v1/forms/{form_id}/fallback");
    let link = container
        .find(Locator::Css(&format!("a[href=\"{fallback}\"]")))
        .await
        .context("the fallback link inside the container")?;
    ensure!(link.is_displayed().await?, "the fallback link is hidden");
    link.click().await?;
    let expected = format!("{}{fallback}", handler.base_url());
    wait_for_url(browser, "the plain form", |url| url == expected).await?;
    field(browser, "email").await?;
    Ok(tokio::time::Instant::now())
}

/// Waits until the plain form has been on screen longer than the form's `min_fill_seconds`.
async fn wait_past_min_fill(
    handler: &Handler,
    form_id: &str,
    shown_at: tokio::time::Instant,
) -> Result<()> {
    let margin = Duration::from_millis(500);
    tokio::time::sleep_until(shown_at + handler.min_fill(form_id)? + margin).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plain_contact_form_validates_and_stores_with_javascript_disabled() -> Result<()> {
    let test = "the_plain_contact_form_validates_and_stores_with_javascript_disabled";
    let Some(env) = E2eEnv::from_env(test) else {
        return Ok(());
    };
    let handler = Handler::config(&env).start().await?;
    let probe = HostSite::start(vec![("/".to_string(), SCRIPT_PROBE.to_string())]).await?;
    let browser = Browser::start(&env).await?;
    disable_javascript(&browser).await?;
    assert_scripts_off(&browser, &probe).await?;

    let shown_at = open_plain_form(&browser, &handler, "/contact.html", "contact-us").await?;
    // `john..doe@` passes the browser's own check of type=email; the handler's rules refuse it.
    let answers = [
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("email", "john..doe@example.com"),
        ("company", "Analytical Engines"),
        ("topic", "demo"),
        ("message", "Hello from a browser without JavaScript"),
    ];
    fill(&browser, &answers).await?;
    wait_past_min_fill(&handler, "contact-us", shown_at).await?;
    submit(&browser).await?;

    let error = poll::until("the inline email error", || async {
        Ok(browser
            .client
            .find(Locator::Id("leadform-email-error"))
            .await
            .ok())
    })
    .await?;
    ensure!(
        error
            .text()
            .await?
            .contains("Enter an email address like name@company.com"),
        "email error: {}",
        error.text().await?
    );
    let email = field(&browser, "email").await?;
    assert_eq!(email.attr("aria-invalid").await?.as_deref(), Some("true"));
    for (name, value) in answers {
        assert_eq!(
            field(&browser, name).await?.prop("value").await?.as_deref(),
            Some(value),
            "`{name}` kept its value"
        );
    }
    ensure!(
        handler.leads().await?.is_empty(),
        "an invalid post stored a lead"
    );

    fill(&browser, &[("email", "ada@example.com")]).await?;
    submit(&browser).await?;
    // A URL change after a POST is the 303 redirect to the thank-you page.
    // It carries the page's language since issue 12 (English here: the browser's default).
    let thanks = format!(
        "{}/v1/forms/contact-us/thanks?locale=en",
        handler.base_url()
    );
    wait_for_url(&browser, "the thank-you page", |url| url == thanks).await?;
    let message = browser
        .client
        .find(Locator::Css("[role=\"status\"]"))
        .await?;
    assert_eq!(
        message.text().await?,
        handler.form("contact-us")?["success"]["message"]
            .as_str()
            .unwrap_or_default()
    );

    let leads = handler.leads().await?;
    let ada = find_by_email(&leads, "ada@example.com");
    ensure!(ada.len() == 1, "one stored lead: {leads:#?}");
    assert_eq!(ada[0]["form_id"], "contact-us");
    assert_eq!(ada[0]["is_spam"], false, "{:#}", ada[0]);
    assert_eq!(ada[0]["intent"], "contact_request");
    assert_eq!(ada[0]["fields"]["last_name"], "Lovelace");
    assert_eq!(
        leads.len(),
        1,
        "the invalid post stored nothing: {leads:#?}"
    );

    assert_scripts_off(&browser, &probe).await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plain_ebook_form_leads_to_the_asset_with_javascript_disabled() -> Result<()> {
    let test = "the_plain_ebook_form_leads_to_the_asset_with_javascript_disabled";
    let Some(env) = E2eEnv::from_env(test) else {
        return Ok(());
    };
    let handler = Handler::config(&env).start().await?;
    let probe = HostSite::start(vec![("/".to_string(), SCRIPT_PROBE.to_string())]).await?;
    let browser = Browser::start(&env).await?;
    disable_javascript(&browser).await?;
    assert_scripts_off(&browser, &probe).await?;

    let shown_at = open_plain_form(&browser, &handler, "/ebook.html", "ebook-12-charts").await?;
    let page = browser.client.source().await?;
    ensure!(
        !page.contains("12-must-have-dashboard-charts.pdf"),
        "the plain form reveals the asset before submitting"
    );
    fill(
        &browser,
        &[
            ("email", "ada@example.com"),
            ("first_name", "Ada"),
            ("company", "Analytical Engines"),
            ("job_title", "Head of Analytics"),
            ("country", "GB"),
            ("company_size", "50-249"),
        ],
    )
    .await?;
    wait_past_min_fill(&handler, "ebook-12-charts", shown_at).await?;
    submit(&browser).await?;

    // A signed link to the eBook in the private assets folder.
    let asset = format!("{}/v1/forms/ebook-12-charts/asset?", handler.base_url());
    wait_for_url(&browser, "the eBook itself", |url| url.starts_with(&asset)).await?;
    let leads = handler.leads().await?;
    let ada = find_by_email(&leads, "ada@example.com");
    ensure!(ada.len() == 1, "one stored lead: {leads:#?}");
    assert_eq!(ada[0]["form_id"], "ebook-12-charts");
    assert_eq!(ada[0]["intent"], "content_download");
    assert_eq!(ada[0]["lead_source"], "Content Download");
    assert_eq!(ada[0]["is_spam"], false, "{:#}", ada[0]);
    browser.close().await
}
