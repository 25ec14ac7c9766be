//! Issue 3's attribution in the browser against the real handler: hostile campaign parameters and
//! referrers stay plain, capped text; and the issue's "Done when": two forms with different
//! campaign ids on one page of another origin, visited twice.

use crate::support;

use anyhow::{ensure, Result};
use leadform_e2e::devtools::record_dialogs;
use leadform_e2e::host_site::{embed, page, HostSite};
use leadform_e2e::page_probe::{
    assert_no_dialog, cookie, injected_scripts, page_markup, wait_for_asked_fields,
};
use leadform_e2e::visits::{follow_link, link_page};
use leadform_e2e::{find_by_email, free_port, Browser, E2eEnv, Handler};
use serde_json::Value;
use support::{answers, submit_and_find_lead, FORM_ID as CONTACT};

const EBOOK: &str = "ebook-12-charts";
const HOSTILE_SOURCE: &str = "<script>alert(1)</script>";
/// Every captured value is cut to this many characters, in the widget and again in the handler.
const CAP: usize = 256;

fn chars(value: &Value) -> usize {
    value.as_str().map_or(0, |text| text.chars().count())
}

/// Markup in the URL and the referrer never becomes markup in the page, never runs, and is
/// stored as the literal text, cut to 256 characters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_campaign_parameters_and_referrer_are_stored_as_capped_plain_text() -> Result<()> {
    let test = "hostile_campaign_parameters_and_referrer_are_stored_as_capped_plain_text";
    let Some(env) = E2eEnv::from_env(test) else {
        return Ok(());
    };
    let handler = Handler::config(&env).start().await?;
    let long_content = "x".repeat(5000);
    let contact = format!(
        "{}/contact.html?utm_source=%3Cscript%3Ealert(1)%3C%2Fscript%3E&utm_term=line%0Abreak%07bell&utm_content={long_content}",
        handler.base_url()
    );
    // The linking page asks for its full URL as referrer: 2,000 characters of it.
    let site = HostSite::start(vec![("/campaign".to_string(), link_page(&contact, true))]).await?;
    let referring_page = site.url(&format!("/campaign?pad={}", "y".repeat(2000)));

    let browser = Browser::start(&env).await?;
    record_dialogs(&browser).await?;
    follow_link(
        &browser,
        &site,
        &referring_page[site.origin().len()..],
        &contact,
    )
    .await?;
    let widget = browser.widget(CONTACT).await?;
    assert_no_dialog(&browser).await?;
    assert_eq!(injected_scripts(&browser).await?, 0, "scripts in the page");

    widget.fill_all(&answers("ada@example.com")).await?;
    let lead = submit_and_find_lead(&handler, &widget, "ada@example.com").await?;
    assert_no_dialog(&browser).await?;
    assert_eq!(
        injected_scripts(&browser).await?,
        0,
        "scripts after submitting"
    );
    let markup = page_markup(&browser).await?;
    ensure!(
        !markup.contains("<script>alert"),
        "the parameter became markup"
    );

    for touch in ["first_touch", "last_touch"] {
        let touch = &lead["attribution"][touch];
        assert_eq!(touch["utm_source"], HOSTILE_SOURCE, "{lead:#}");
        assert_eq!(touch["utm_content"], "x".repeat(CAP), "{lead:#}");
        assert_eq!(
            touch["utm_term"], "linebreakbell",
            "control characters: {lead:#}"
        );
        assert_eq!(chars(&touch["referrer"]), CAP, "{lead:#}");
        ensure!(
            touch["referrer"]
                .as_str()
                .is_some_and(|r| referring_page.starts_with(r)),
            "the referrer is the linking page's URL, cut: {lead:#}"
        );
        ensure!(
            chars(&touch["landing_page"]) <= CAP
                && touch["landing_page"]
                    .as_str()
                    .is_some_and(|url| contact.starts_with(url)),
            "the landing page is this page's URL, cut: {lead:#}"
        );
    }
    assert_eq!(chars(&lead["referrer"]), CAP, "{lead:#}");
    browser.close().await
}

/// A host page that reports a `javascript:` referrer (a page can redefine `document.referrer`)
/// gets a lead without one: only http(s) URLs are kept, in the widget and in the handler.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_javascript_referrer_is_dropped() -> Result<()> {
    let Some(env) = E2eEnv::from_env("a_javascript_referrer_is_dropped") else {
        return Ok(());
    };
    let handler_port = free_port()?;
    let handler_base = format!("http://127.0.0.1:{handler_port}");
    let body = format!(
        r#"<script>
  Object.defineProperty(document, "referrer", {{ value: "javascript:alert(document.domain)" }});
</script>
{}"#,
        embed(&handler_base, CONTACT, &[])
    );
    let site = HostSite::start(vec![(
        "/".to_string(),
        page("A page with a hostile referrer", &handler_base, &body),
    )])
    .await?;
    let handler = Handler::config(&env)
        .port(handler_port)
        .allow_origin(site.origin())
        .start()
        .await?;
    let browser = Browser::start(&env).await?;
    record_dialogs(&browser).await?;
    browser
        .goto(&site.url("/?utm_source=partner&utm_medium=referral"))
        .await?;
    let widget = browser.widget(CONTACT).await?;
    let reported = browser
        .client
        .execute("return document.referrer;", Vec::new())
        .await?;
    assert_eq!(
        reported, "javascript:alert(document.domain)",
        "the page's override took"
    );

    widget.fill_all(&answers("ada@example.com")).await?;
    let lead = submit_and_find_lead(&handler, &widget, "ada@example.com").await?;
    assert_no_dialog(&browser).await?;
    assert_eq!(lead["referrer"], "", "{lead:#}");
    let first = &lead["attribution"]["first_touch"];
    assert_eq!(first["utm_source"], "partner", "{lead:#}");
    ensure!(first["referrer"].is_null(), "{lead:#}");
    browser.close().await
}

/// Issue 3's "Done when", as a new user would try it: two forms with different campaign ids on
/// one page of another origin; visit with UTM parameters, submit both, visit again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_forms_on_another_origin_keep_their_own_campaigns_and_the_visit_attribution(
) -> Result<()> {
    let test = "two_forms_on_another_origin_keep_their_own_campaigns_and_the_visit_attribution";
    let Some(env) = E2eEnv::from_env(test) else {
        return Ok(());
    };
    let handler_port = free_port()?;
    let handler_base = format!("http://127.0.0.1:{handler_port}");
    let body = format!(
        "<h1>Partner offers</h1>\n{}\n{}",
        embed(
            &handler_base,
            CONTACT,
            &[("data-campaign-id", "701Hs00000PartnerA")]
        ),
        embed(
            &handler_base,
            EBOOK,
            &[
                ("data-campaign-id", "701Hs00000PartnerB"),
                ("data-lead-source", "Partner")
            ]
        ),
    );
    let site = HostSite::start(vec![(
        "/partner".to_string(),
        page("Partner offers", &handler_base, &body),
    )])
    .await?;
    let handler = Handler::config(&env)
        .port(handler_port)
        .allow_origin(site.origin())
        .start()
        .await?;
    let browser = Browser::start(&env).await?;
    let query = "utm_source=partner_site&utm_medium=referral&utm_campaign=done-when";
    browser
        .goto(&site.url(&format!("/partner?{query}")))
        .await?;

    // First visit: both forms ask everything a new visitor is asked.
    let (contact_asked, _) = wait_for_asked_fields(&browser, CONTACT).await?;
    let (ebook_asked, _) = wait_for_asked_fields(&browser, EBOOK).await?;
    assert_eq!(
        contact_asked,
        [
            "first_name",
            "last_name",
            "email",
            "company",
            "phone",
            "topic",
            "message"
        ]
    );
    assert_eq!(ebook_asked, ["email", "first_name", "company", "job_title"]);

    let contact = browser.widget(CONTACT).await?;
    contact.fill_all(&answers("ada@example.com")).await?;
    submit_and_find_lead(&handler, &contact, "ada@example.com").await?;
    let ebook = browser.widget(EBOOK).await?;
    ebook
        .fill_all(&[
            ("email", "ada@example.com"),
            ("first_name", "Ada"),
            ("company", "Analytical Engines"),
            ("job_title", "Head of Analytics"),
        ])
        .await?;
    ebook.wait_past_min_fill(handler.min_fill(EBOOK)?).await;
    ebook.submit().await?;
    ebook.wait_for_success().await?;

    // The handler (127.0.0.1:B) is the same site as the page (127.0.0.1:A): its SameSite=Lax
    // visitor cookie travels with the widget's requests and is kept.
    let visitor_cookie = cookie(&browser, "leadform_vid").await?;

    // Second visit, without campaign parameters.
    browser.goto(&site.url("/partner")).await?;
    let (contact_asked, contact_values) = wait_for_asked_fields(&browser, CONTACT).await?;
    let (ebook_asked, ebook_values) = wait_for_asked_fields(&browser, EBOOK).await?;
    assert_eq!(
        contact_asked.len(),
        7,
        "the contact form has no pool: it asks everything again, {contact_asked:?}"
    );
    for (name, value) in [
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("email", "ada@example.com"),
        ("company", "Analytical Engines"),
        ("message", ""),
    ] {
        assert_eq!(
            contact_values[name], value,
            "contact form's {name} on the second visit"
        );
    }
    assert_eq!(
        ebook_asked,
        ["email", "first_name", "phone", "country"],
        "the eBook asks the next pool questions"
    );
    assert_eq!(ebook_values["email"], "ada@example.com");

    let leads = handler.leads().await?;
    let ada = find_by_email(&leads, "ada@example.com");
    ensure!(ada.len() == 2, "two leads: {leads:#?}");
    let (contact_lead, ebook_lead) = (ada[0], ada[1]);
    assert_eq!(contact_lead["form_id"], CONTACT);
    assert_eq!(contact_lead["intent"], "contact_request");
    assert_eq!(contact_lead["campaign_id"], "701Hs00000PartnerA");
    assert_eq!(contact_lead["lead_source"], "Website");
    assert_eq!(ebook_lead["form_id"], EBOOK);
    assert_eq!(ebook_lead["intent"], "content_download");
    assert_eq!(ebook_lead["campaign_id"], "701Hs00000PartnerB");
    assert_eq!(ebook_lead["lead_source"], "Partner");
    for lead in [contact_lead, ebook_lead] {
        for touch in ["first_touch", "last_touch"] {
            let touch = &lead["attribution"][touch];
            assert_eq!(touch["utm_source"], "partner_site", "{lead:#}");
            assert_eq!(touch["utm_medium"], "referral", "{lead:#}");
            assert_eq!(touch["utm_campaign"], "done-when", "{lead:#}");
            assert_eq!(
                touch["landing_page"],
                site.url(&format!("/partner?{query}")),
                "{lead:#}"
            );
        }
        assert_eq!(lead["is_spam"], false, "{lead:#}");
    }
    ensure!(
        contact_lead["person_id"].is_number()
            && contact_lead["person_id"] == ebook_lead["person_id"],
        "one person: {ada:#?}"
    );
    assert_eq!(contact_lead["first_for_person"], true);
    assert_eq!(ebook_lead["first_for_person"], false);
    // The cookie holds `{id}.{signature}`, and the id rotates on every submission: the latest
    // lead carries the cookie's id, the earlier one the id it replaced (the profile followed,
    // as the second visit's questions show).
    let cookie_id = visitor_cookie
        .as_deref()
        .and_then(|value| value.split('.').next())
        .unwrap_or_default();
    ensure!(
        !cookie_id.is_empty()
            && ebook_lead["visitor_id"] == cookie_id
            && contact_lead["visitor_id"].is_string()
            && contact_lead["visitor_id"] != ebook_lead["visitor_id"],
        "the handler's cookie named the visitor, rotated per lead (cookie {visitor_cookie:?}): {ada:#?}"
    );
    browser.close().await
}
