//! Issue 9 in headless Chromium: a marketer logs in to the console, filters the leads, opens one,
//! changes its status, downloads the CSV of the filtered view and compares it with the view; a
//! logged-out visitor and a wrong password are refused. axe-core checks every console page, and
//! a screenshot of each (desktop and 390 px wide) goes to a folder the test prints. On the forms
//! page the Copy button puts the tagged link on the clipboard and shows "Copied".
//!
//! Needs `LEADFORM_AXE` (axe-core's `axe.min.js`, installed by `cargo xtask test`) besides the
//! usual end-to-end variables.

use std::path::Path;

use anyhow::{ensure, Context, Result};
use fantoccini::Locator;
use leadform_e2e::axe::{assert_accessible, axe_script};
use leadform_e2e::{lead_json, poll, Browser, E2eEnv, Handler};

const PASSWORD: &str = "console e2e passphrase";

/// Screenshots of the open page at desktop width and at 390 px.
async fn screenshots(browser: &Browser, dir: &Path, name: &str) -> Result<()> {
    for (width, height, suffix) in [(1280u32, 900u32, "desktop"), (390, 844, "390px")] {
        browser.client.set_window_size(width, height).await?;
        let png = browser.client.screenshot().await?;
        std::fs::write(dir.join(format!("{name}-{suffix}.png")), png)?;
        if width == 390 {
            // Nothing may force a sideways scroll of the whole page at phone width (tables
            // scroll inside their own box).
            let overflow = browser
                .client
                .execute(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                    Vec::new(),
                )
                .await?;
            ensure!(
                overflow.as_i64().unwrap_or(0) <= 0,
                "{name} scrolls sideways at 390 px by {overflow} px"
            );
        }
    }
    browser.client.set_window_size(1280, 900).await?;
    Ok(())
}

async fn submit(
    handler: &Handler,
    client: &reqwest::Client,
    form: &str,
    fields: &[(&str, &str)],
) -> Result<()> {
    // As the widget does: the signed form token from the definition, posted back after a person's
    // pause (the demo forms' min_fill_seconds is 3), so the lead is not judged a bot.
    let definition: serde_json::Value = client
        .get(format!("{}/v1/forms/{form}", handler.base_url()))
        .header("Origin", handler.base_url())
        .send()
        .await?
        .json()
        .await?;
    let mut lead = lead_json(
        form,
        fields,
        &format!("{}/contact.html", handler.base_url()),
    );
    lead["form_token"] = definition["form_token"].clone();
    tokio::time::sleep(std::time::Duration::from_millis(3_200)).await;
    let response = client
        .post(format!("{}/v1/leads", handler.base_url()))
        .header("Origin", handler.base_url())
        .json(&lead)
        .send()
        .await?;
    ensure!(
        response.status() == 201,
        "lead not accepted: {}",
        response.text().await?
    );
    Ok(())
}

/// The lead ids linked from the open leads list, in order.
async fn listed_ids(browser: &Browser) -> Result<Vec<i64>> {
    let links = browser
        .client
        .find_all(Locator::Css("table.leads tbody a"))
        .await?;
    let mut ids = Vec::new();
    for link in links {
        let href = link.attr("href").await?.unwrap_or_default();
        ids.push(href.rsplit('/').next().unwrap_or("").parse()?);
    }
    Ok(ids)
}

async fn log_in(browser: &Browser, base: &str, password: &str) -> Result<()> {
    browser.goto(&format!("{base}/console/login")).await?;
    browser
        .client
        .find(Locator::Id("name"))
        .await?
        .send_keys("demo")
        .await?;
    browser
        .client
        .find(Locator::Id("password"))
        .await?
        .send_keys(password)
        .await?;
    browser
        .client
        .find(Locator::Css("form.stack button"))
        .await?
        .click()
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_marketer_works_leads_in_the_console() -> Result<()> {
    let Some(env) = E2eEnv::from_env("console") else {
        return Ok(());
    };
    let Some(axe) = axe_script("console")? else {
        return Ok(());
    };
    let shots = tempfile::Builder::new()
        .prefix("leadform-console-screens-")
        .tempdir()?
        .keep();
    println!("console screenshots: {}", shots.display());

    let handler = Handler::config(&env)
        .console_user("demo", "admin", PASSWORD)
        .start()
        .await?;
    let base = handler.base_url().to_owned();
    let api = reqwest::Client::new();
    let contact = [
        ("first_name", "Grace"),
        ("last_name", "Hopper"),
        ("email", "grace@navy.example"),
        ("company", "US Navy"),
        ("topic", "pricing"),
        ("message", "Please call me about pricing."),
    ];
    submit(&handler, &api, "contact-us", &contact).await?;
    let ebook = [
        ("first_name", "Grace"),
        ("email", "grace@navy.example"),
        ("company", "US Navy"),
        ("job_title", "Rear Admiral"),
        ("country", "US"),
        ("company_size", "250-999"),
    ];
    submit(&handler, &api, "ebook-12-charts", &ebook).await?;
    let other = [
        ("first_name", "Linus"),
        ("last_name", "T"),
        ("email", "linus@example.org"),
        ("company", "Kernel"),
        ("topic", "pricing"),
        ("message", "Tell me more."),
    ];
    submit(&handler, &api, "contact-us", &other).await?;

    let browser = Browser::start(&env).await?;
    // A logged-out visitor is sent to the login page.
    browser.goto(&format!("{base}/console/leads")).await?;
    let url = browser.client.current_url().await?;
    ensure!(url.path() == "/console/login", "logged out, got {url}");
    assert_accessible(&browser, &axe, "login").await?;
    screenshots(&browser, &shots, "login").await?;

    // A wrong password is refused with the one message.
    log_in(&browser, &base, "not the password at all").await?;
    let alert = poll::until("the failed-login message", || async {
        Ok(
            match browser.client.find(Locator::Css("[role=alert]")).await {
                Ok(alert) => Some(alert.text().await?),
                Err(_) => None,
            },
        )
    })
    .await?;
    ensure!(alert == "The name or password is wrong.", "got {alert:?}");
    assert_accessible(&browser, &axe, "failed login").await?;

    log_in(&browser, &base, PASSWORD).await?;
    poll::until("the overview after login", || async {
        Ok((browser.client.current_url().await?.path() == "/console/").then_some(()))
    })
    .await?;
    assert_accessible(&browser, &axe, "overview").await?;
    screenshots(&browser, &shots, "overview").await?;
    let median = browser
        .client
        .find(Locator::Id("speed-median"))
        .await?
        .text()
        .await?;
    ensure!(median == "–", "nobody contacted yet, got {median:?}");

    // Filter: contact requests by name.
    browser.goto(&format!("{base}/console/leads")).await?;
    ensure!(listed_ids(&browser).await?.len() == 3);
    assert_accessible(&browser, &axe, "leads").await?;
    screenshots(&browser, &shots, "leads").await?;
    browser
        .client
        .find(Locator::Id("f-q"))
        .await?
        .send_keys("grace")
        .await?;
    browser
        .client
        .find(Locator::Css("#f-intent option[value=contact_request]"))
        .await?
        .click()
        .await?;
    browser
        .client
        .find(Locator::Css("form.filters button"))
        .await?
        .click()
        .await?;
    let filtered = poll::until("the filtered list", || async {
        let ids = listed_ids(&browser).await?;
        Ok((ids.len() == 1).then_some(ids))
    })
    .await?;
    let url = browser.client.current_url().await?;
    ensure!(
        url.query()
            .is_some_and(|q| q.contains("q=grace") && q.contains("intent=contact_request")),
        "{url}"
    );

    // The CSV of that view (downloaded with the browser's session) holds exactly its leads.
    let csv_href = browser
        .client
        .find(Locator::Css("a[download]"))
        .await?
        .attr("href")
        .await?
        .context("CSV link")?;
    let session = browser
        .client
        .get_all_cookies()
        .await?
        .into_iter()
        .find(|c| c.name() == "leadform_session")
        .context("the session cookie")?;
    let csv = api
        .get(format!("{base}{csv_href}"))
        .header("Cookie", format!("leadform_session={}", session.value()))
        .send()
        .await?
        .text()
        .await?;
    let csv_ids: Vec<i64> = csv
        .lines()
        .skip(1)
        .map(|line| {
            line.split(',')
                .next()
                .unwrap_or("")
                .trim_matches('"')
                .parse()
        })
        .collect::<Result<_, _>>()?;
    ensure!(csv_ids == filtered, "CSV {csv_ids:?} vs view {filtered:?}");

    // Open the lead and change its status.
    browser
        .client
        .find(Locator::Css("table.leads tbody a"))
        .await?
        .click()
        .await?;
    poll::until("the lead page", || async {
        Ok(browser
            .client
            .current_url()
            .await?
            .path()
            .starts_with("/console/leads/")
            .then_some(()))
    })
    .await?;
    let page = browser.client.source().await?;
    ensure!(
        page.contains("Lead 1 of 2 from grace@navy.example."),
        "the person's leads"
    );
    assert_accessible(&browser, &axe, "lead").await?;
    screenshots(&browser, &shots, "lead").await?;
    browser
        .client
        .find(Locator::Css("#status option[value=contacted]"))
        .await?
        .click()
        .await?;
    browser
        .client
        .find(Locator::Css("form.panel button.primary"))
        .await?
        .click()
        .await?;
    let history = poll::until("the status history", || async {
        let text = browser.client.find(Locator::Css("ol.history")).await;
        Ok(match text {
            Ok(list) => Some(list.text().await?),
            Err(_) => None,
        })
    })
    .await?;
    ensure!(
        history.contains("demo") && history.contains("open → contacted"),
        "{history}"
    );
    assert_accessible(&browser, &axe, "lead after a status change").await?;

    // The overview's speed to lead and funnel now count the contacted request.
    browser.goto(&format!("{base}/console/")).await?;
    let median = browser
        .client
        .find(Locator::Id("speed-median"))
        .await?
        .text()
        .await?;
    ensure!(median == "0 min", "contacted at once, got {median:?}");
    let funnel = browser
        .client
        .find(Locator::Id("funnel-table"))
        .await?
        .text()
        .await?;
    ensure!(
        funnel.contains("Website 2 1 0 0 0 50%"),
        "one of two Website requests contacted: {funnel}"
    );
    assert_accessible(&browser, &axe, "overview after a status change").await?;
    screenshots(&browser, &shots, "overview-after-contact").await?;

    browser.goto(&format!("{base}/console/scores")).await?;
    let rising = browser
        .client
        .find(Locator::Id("rising"))
        .await?
        .text()
        .await?;
    ensure!(
        rising.contains("grace@navy.example"),
        "two forms this week: {rising}"
    );
    assert_accessible(&browser, &axe, "scores").await?;
    screenshots(&browser, &shots, "scores").await?;

    browser
        .goto(&format!(
            "{base}/console/forms?form=ebook-12-charts&lead_source=Blog&page_url=https%3A%2F%2Fwww.example.com%2F&utm_source=newsletter"
        ))
        .await?;
    let built = browser
        .client
        .find(Locator::Id("built-link"))
        .await?
        .prop("value")
        .await?;
    ensure!(
        built.as_deref() == Some("https://www.example.com/?utm_source=newsletter"),
        "{built:?}"
    );
    // The Copy button (/console/copy.js) puts the link on the clipboard and says so.
    leadform_e2e::devtools::call(
        &browser,
        "Browser.grantPermissions",
        serde_json::json!({
            "origin": base,
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]
        }),
    )
    .await?;
    // What the page hands to the clipboard API is recorded, because reading the system clipboard
    // back depends on the machine (on CI's headless Chromium it reads back empty).
    browser
        .client
        .execute(
            "window.leadformCopied = [];
             const write = navigator.clipboard.writeText.bind(navigator.clipboard);
             navigator.clipboard.writeText = text => {
               window.leadformCopied.push(text);
               return write(text);
             };",
            Vec::new(),
        )
        .await?;
    let copy = browser
        .client
        .find(Locator::Css("button[data-copy-target=built-link]"))
        .await?;
    ensure!(
        copy.is_displayed().await?,
        "the script shows the Copy button"
    );
    copy.click().await?;
    // The label and the status are read in one script: read one by one, a click handled between
    // the two reads paired the new label with the old, empty status (CI saw exactly that).
    let copied = poll::until("the Copied state", || async {
        let state = browser
            .client
            .execute(
                "return [
                   document.querySelector('button[data-copy-target=built-link]').textContent,
                   document.getElementById('built-link-status').textContent
                 ];",
                Vec::new(),
            )
            .await?;
        let (label, status): (String, String) = serde_json::from_value(state)?;
        Ok((label == "Copied").then_some(status))
    })
    .await?;
    ensure!(copied == "Copied to the clipboard.", "{copied:?}");
    let handed = browser
        .client
        .execute("return window.leadformCopied;", Vec::new())
        .await?;
    let expected = serde_json::json!([built]);
    ensure!(
        handed == expected,
        "the page copied {handed:?}, expected {expected:?}"
    );
    assert_accessible(&browser, &axe, "forms").await?;
    screenshots(&browser, &shots, "forms").await?;

    browser.goto(&format!("{base}/console/audit")).await?;
    assert_accessible(&browser, &axe, "audit").await?;
    screenshots(&browser, &shots, "audit").await?;

    browser.close().await?;
    Ok(())
}
