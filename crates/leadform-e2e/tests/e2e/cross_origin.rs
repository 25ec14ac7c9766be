//! The widget embedded on another site with the two-line snippet: accepted from an origin
//! the form allows, refused (and nothing stored) from one it does not.

use crate::support;

use anyhow::{ensure, Result};
use leadform_e2e::{free_port, lead_json, poll, Browser, E2eEnv, ForeignSite, Handler};
use support::{answers, submit_and_find_lead, FORM_ID};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_on_an_allowed_origin_submits_a_lead() -> Result<()> {
    let Some(env) = E2eEnv::from_env("a_page_on_an_allowed_origin_submits_a_lead") else {
        return Ok(());
    };
    // The page names the handler's port, and the handler's forms name the page's origin.
    let handler_port = free_port()?;
    let site = ForeignSite::start(&format!("http://127.0.0.1:{handler_port}"), FORM_ID).await?;
    let handler = Handler::config(&env)
        .port(handler_port)
        .allow_origin(site.origin())
        .start()
        .await?;
    let browser = Browser::start(&env).await?;
    browser.goto(&site.url()).await?;

    let widget = browser.widget(FORM_ID).await?;
    widget.fill_all(&answers("grace@example.com")).await?;
    let lead = submit_and_find_lead(&handler, &widget, "grace@example.com").await?;
    assert_eq!(lead["fields"]["last_name"], "Lovelace");

    // The host page heard about it, with the id the handler stored.
    let success = browser.wait_for_event("leadform:success").await?;
    assert_eq!(success["detail"]["formId"], FORM_ID);
    assert_eq!(success["detail"]["submissionId"], lead["submission_id"]);

    browser.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_on_an_unlisted_origin_is_refused_and_nothing_is_stored() -> Result<()> {
    let Some(env) =
        E2eEnv::from_env("a_page_on_an_unlisted_origin_is_refused_and_nothing_is_stored")
    else {
        return Ok(());
    };
    let handler_port = free_port()?;
    let site = ForeignSite::start(&format!("http://127.0.0.1:{handler_port}"), FORM_ID).await?;
    let handler = Handler::config(&env).port(handler_port).start().await?;

    // The API refuses a lead from the unlisted origin outright.
    let lead = lead_json(FORM_ID, &answers("mallory@example.com"), &site.url());
    let response = reqwest::Client::new()
        .post(format!("{}/v1/leads", handler.base_url()))
        .header("Origin", site.origin())
        .json(&lead)
        .send()
        .await?;
    assert_eq!(response.status(), 403, "a lead from an unlisted origin");
    let cors_grant = response.headers().get("access-control-allow-origin");
    assert!(cors_grant.is_none(), "CORS granted to an unlisted origin");

    // In the browser the widget reports an error to the page, never a success. The handler
    // may already refuse the definition (the page keeps its fallback link); if the form
    // does render, submitting it must fail.
    let browser = Browser::start(&env).await?;
    browser.goto(&site.url()).await?;
    let refused_early = poll::until("the widget's form or its error event", || async {
        let events = browser.events().await?;
        if events.iter().any(|e| e["type"] == "leadform:error") {
            return Ok(Some(true));
        }
        Ok(browser.has_form(FORM_ID).await.then_some(false))
    })
    .await?;
    if !refused_early {
        let widget = browser.widget(FORM_ID).await?;
        widget.fill_all(&answers("mallory@example.com")).await?;
        widget.wait_past_min_fill(handler.min_fill(FORM_ID)?).await;
        widget.submit().await?;
    }
    let error = browser.wait_for_event("leadform:error").await?;
    assert_eq!(error["detail"]["formId"], FORM_ID, "error event: {error}");

    let events = browser.events().await?;
    let succeeded = events.iter().any(|e| e["type"] == "leadform:success");
    ensure!(
        !succeeded,
        "the widget reported success on an unlisted origin: {events:?}"
    );
    let leads = handler.leads().await?;
    ensure!(leads.is_empty(), "nothing may be stored, found: {leads:#?}");
    browser.close().await
}
