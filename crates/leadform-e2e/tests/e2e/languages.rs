//! Every visitor in their language (issue 12): the Contact Us and eBook forms on a customer's page
//! in each of the five languages, one browser session per language. The first markup and the
//! widget speak the language, a failed submit shows the GOV.UK error summary (focused, titled, one
//! link per problem; a click focuses the field), Arabic reads right to left with email and phone
//! left to right, the lead keeps its language, and axe-core finds nothing in the empty, error and
//! success states. Screenshots of each state (desktop and 390 px) go to a folder the test prints.
//!
//! Needs `LEADFORM_AXE` (axe-core's `axe.min.js`, installed by `cargo xtask test`) besides the
//! usual end-to-end variables.

use crate::support;

use std::path::Path;

use anyhow::{ensure, Context, Result};
use fantoccini::Locator;
use leadform_core::catalogue::{text, Text};
use leadform_core::Locale;
use leadform_e2e::axe::{assert_accessible, axe_script};
use leadform_e2e::host_site::{embed, HostSite};
use leadform_e2e::{free_port, poll, Browser, E2eEnv, Handler};
use serde_json::Value;
use support::{answers, submit_and_find_lead, FORM_ID};

const EBOOK: &str = "ebook-12-charts";

/// A customer's page in `locale`: `<html lang>` says it, and so does each embed's `data-locale`.
fn page_in(locale: Locale, handler_base: &str) -> String {
    let code = locale.code();
    let attributes = [("data-locale", code)];
    format!(
        r#"<!doctype html>
<html lang="{code}" dir="{dir}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Brightchart ({code})</title></head>
<body>
<main>
<h1>Brightchart</h1>
{contact}
{ebook}
</main>
<script src="{handler_base}/leadform.js" defer></script>
</body>
</html>
"#,
        dir = locale.direction(),
        contact = embed(handler_base, FORM_ID, &attributes),
        ebook = embed(handler_base, EBOOK, &attributes),
    )
}

/// Runs a script on the page and returns what it returns.
async fn run(browser: &Browser, script: &str) -> Result<Value> {
    Ok(browser.client.execute(script, Vec::new()).await?)
}

/// What the contact form's shadow root shows: the root's `lang`/`dir`, the summary, focus,
/// inline messages and the direction of each input.
const PROBE: &str = r#"
const root = document.querySelector('[data-leadform="contact-us"]').shadowRoot;
const box = root.querySelector('.leadform');
const summary = root.querySelector('.leadform-error-summary');
const active = root.activeElement;
return {
  lang: box && box.getAttribute('lang'),
  dir: box && box.getAttribute('dir'),
  summaryTitle: summary && summary.querySelector('.leadform-error-summary-title').textContent,
  links: summary ? [...summary.querySelectorAll('a')].map(a => a.getAttribute('href')) : [],
  focused: active ? (active.name || active.className) : null,
  errors: [...root.querySelectorAll('.leadform-error')].map(e => e.textContent),
  placeholder: (root.querySelector('select[name="topic"] option[value=""]') || {}).textContent,
  inputDirs: Object.fromEntries([...root.querySelectorAll('input[name], textarea, select')]
    .map(i => [i.name, getComputedStyle(i).direction])),
};
"#;

/// The eBook form's root: its `lang` and `dir`.
const EBOOK_PROBE: &str = r#"
const box = document.querySelector('[data-leadform="ebook-12-charts"]').shadowRoot
  .querySelector('.leadform');
return { lang: box && box.getAttribute('lang'), dir: box && box.getAttribute('dir') };
"#;

/// Screenshots of the open page at desktop width and at 390 px.
async fn screenshots(browser: &Browser, dir: &Path, name: &str) -> Result<()> {
    for (width, height, suffix) in [(1280u32, 1400u32, "desktop"), (390, 1600, "390px")] {
        browser.client.set_window_size(width, height).await?;
        let png = browser.client.screenshot().await?;
        std::fs::write(dir.join(format!("{name}-{suffix}.png")), png)?;
    }
    browser.client.set_window_size(1280, 1400).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_forms_speak_each_language_with_a_summary_of_errors_and_no_axe_violations(
) -> Result<()> {
    let Some(env) = E2eEnv::from_env(
        "both_forms_speak_each_language_with_a_summary_of_errors_and_no_axe_violations",
    ) else {
        return Ok(());
    };
    let Some(axe) = axe_script("languages")? else {
        return Ok(());
    };
    let shots = std::env::temp_dir().join(format!("leadform-languages-{}", std::process::id()));
    std::fs::create_dir_all(&shots)?;
    println!("language screenshots: {}", shots.display());

    let handler_port = free_port()?;
    let handler_base = format!("http://127.0.0.1:{handler_port}");
    let pages = Locale::ALL
        .iter()
        .map(|locale| {
            (
                format!("/{}.html", locale.code()),
                page_in(*locale, &handler_base),
            )
        })
        .collect();
    let site = HostSite::start(pages).await?;
    let handler = Handler::config(&env)
        .port(handler_port)
        .allow_origin(site.origin())
        .start()
        .await?;

    for locale in Locale::ALL {
        check_language(&env, &handler, &site, &axe, &shots, locale)
            .await
            .with_context(|| format!("in {locale}"))?;
    }
    Ok(())
}

async fn check_language(
    env: &E2eEnv,
    handler: &Handler,
    site: &HostSite,
    axe: &str,
    shots: &Path,
    locale: Locale,
) -> Result<()> {
    let code = locale.code();
    let browser = Browser::start(env).await?;
    browser.client.set_window_size(1280, 1400).await?;
    browser.goto(&site.url(&format!("/{code}.html"))).await?;
    let contact = browser.widget(FORM_ID).await?;
    let ebook = browser.widget(EBOOK).await?;

    // Empty: both forms in the language, laid out in its direction.
    let empty = run(&browser, PROBE).await?;
    ensure!(empty["lang"] == code, "{empty:#}");
    ensure!(empty["dir"] == locale.direction(), "{empty:#}");
    ensure!(empty["links"].as_array().is_some_and(Vec::is_empty));
    for name in ["email", "phone"] {
        ensure!(
            empty["inputDirs"][name] == "ltr",
            "{name} must read left to right: {empty:#}"
        );
    }
    if locale.is_rtl() {
        ensure!(empty["inputDirs"]["first_name"] == "rtl", "{empty:#}");
    }
    ensure!(
        empty["placeholder"] == text(locale, Text::ChoosePlaceholder),
        "the select's first option: {empty:#}"
    );
    let ebook_root = run(&browser, EBOOK_PROBE).await?;
    ensure!(
        ebook_root["lang"] == code && ebook_root["dir"] == locale.direction(),
        "the eBook form: {ebook_root:#}"
    );
    ensure!(ebook.has_form().await, "the eBook form is shown");
    assert_accessible(&browser, axe, "empty").await?;
    screenshots(&browser, shots, &format!("{code}-1-empty")).await?;

    // A failed submit: a bad email and nothing else.
    // Straight from the field to the button: leaving the field must not show its message
    // first, which would move the button between the press and the release (no click at all).
    contact.type_into("email", "ada@").await?;
    contact.submit().await?;
    let failed = poll::until("the error summary", || async {
        let probe = run(&browser, PROBE).await?;
        Ok((!probe["summaryTitle"].is_null()).then_some(probe))
    })
    .await;
    let failed = match failed {
        Ok(probe) => probe,
        Err(error) => {
            screenshots(&browser, shots, &format!("{code}-no-summary")).await?;
            return Err(error.context(run(&browser, PROBE).await?.to_string()));
        }
    };
    ensure!(
        failed["summaryTitle"] == text(locale, Text::ErrorSummaryTitle),
        "{failed:#}"
    );
    ensure!(
        failed["focused"] == "leadform-error-summary",
        "focus goes to the summary: {failed:#}"
    );
    let links: Vec<String> = serde_json::from_value(failed["links"].clone())?;
    // first_name, last_name, email, company, topic and message: in the form's order.
    ensure!(links.len() == 6, "{links:?}");
    let email_id = contact
        .field("email")
        .await?
        .attr("id")
        .await?
        .context("email has an id")?;
    ensure!(links[2] == format!("#{email_id}"), "{links:?}");
    let inline: Vec<String> = serde_json::from_value(failed["errors"].clone())?;
    ensure!(inline.len() == 6, "the inline messages stay: {inline:?}");
    ensure!(
        inline.iter().any(|m| m == text(locale, Text::EmailFormat)),
        "the email message in {code}: {inline:?}"
    );
    if locale != Locale::En {
        ensure!(
            !inline
                .iter()
                .any(|m| m == text(Locale::En, Text::EmailFormat)),
            "{inline:?}"
        );
    }
    assert_accessible(&browser, axe, "after a failed submit").await?;
    screenshots(&browser, shots, &format!("{code}-2-errors")).await?;

    // The summary's link focuses its field inside the shadow root.
    browser
        .client
        .find(Locator::Css("[data-leadform=\"contact-us\"]"))
        .await?
        .shadow_root()
        .await?
        .find(Locator::Css(&format!(
            ".leadform-error-summary a[href=\"#{email_id}\"]"
        )))
        .await?
        .click()
        .await?;
    let focused = poll::until("focus on the email field", || async {
        let probe = run(&browser, PROBE).await?;
        Ok((probe["focused"] == "email").then_some(()))
    })
    .await;
    ensure!(
        focused.is_ok(),
        "clicking the link focuses the field: {:#}",
        run(&browser, PROBE).await?
    );

    // Fixed and sent: the success state, and the lead keeps its language.
    // "ada@" typed above, completed per language so each session's lead is its own.
    let email = format!("ada@{code}.example.com");
    let fix: Vec<(&str, &str)> = answers(&email)
        .into_iter()
        .filter(|(name, _)| *name != "email")
        .collect();
    contact
        .type_into("email", &format!("{code}.example.com"))
        .await?;
    contact.fill_all(&fix).await?;
    let stored = submit_and_find_lead(handler, &contact, &email).await?;
    ensure!(stored["locale"] == code, "{stored:#}");
    assert_accessible(&browser, axe, "after success").await?;
    screenshots(&browser, shots, &format!("{code}-3-sent")).await?;
    browser.close().await
}
