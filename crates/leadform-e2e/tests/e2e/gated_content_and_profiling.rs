//! Issue 3 in the browser against the real handler: the gated eBook, progressive profiling
//! across visits, person linking at intake, "Not you?", and the `after_consent` storage policy.

use anyhow::{ensure, Context, Result};
use leadform_e2e::extra_forms::with_extra_forms;
use leadform_e2e::host_site::HostSite;
use leadform_e2e::page_probe::{
    cookie, local_storage_keys, page_markup, wait_for_asked_fields, wait_in_widget, STORAGE_PREFIX,
};
use leadform_e2e::visits::{follow_link, link_page};
use leadform_e2e::{find_by_email, poll, Browser, E2eEnv, ForeignSite, Handler};
use serde_json::{json, Value};

const EBOOK: &str = "ebook-12-charts";
/// The gated asset's file name: the page may not hold it before the visitor submits.
const ASSET_FILE: &str = "12-must-have-dashboard-charts.pdf";
pub(crate) const VISITOR_COOKIE: &str = "leadform_vid";

const LANDING_QUERY: &str = "utm_source=linkedin&utm_medium=paid_social&utm_campaign=q4-ebook";
const BLOG_QUERY: &str = "utm_source=newsletter&utm_medium=email&utm_campaign=nov-digest";

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|name| name.to_string()).collect()
}

/// Fills `answers` into the mounted eBook form, submits at a person's pace and returns the
/// download link's `href` from the success view.
async fn download(
    browser: &Browser,
    handler: &Handler,
    form_id: &str,
    answers: &[(&str, &str)],
) -> Result<String> {
    let widget = browser.widget(form_id).await?;
    widget.fill_all(answers).await?;
    widget.wait_past_min_fill(handler.min_fill(form_id)?).await;
    widget.submit().await?;
    widget.wait_for_success().await?;
    let link = wait_in_widget(browser, form_id, "a.leadform-download").await?;
    link.attr("href")
        .await?
        .context("the download link has no href")
}

/// The first visit of the scenario: from an ad (another site) to the landing page with
/// campaign parameters; the gated form asks the non-pool fields and the first two pool fields.
async fn first_download(
    browser: &Browser,
    handler: &Handler,
    referring_site: &HostSite,
    email: &str,
) -> Result<()> {
    let landing = format!("{}/ebook.html?{LANDING_QUERY}", handler.base_url());
    follow_link(browser, referring_site, "/ad", &landing).await?;
    let (asked, values) = wait_for_asked_fields(browser, EBOOK).await?;
    assert_eq!(
        asked,
        names(&["email", "first_name", "company", "job_title"]),
        "a new visitor's first view"
    );
    ensure!(
        values.values().all(String::is_empty),
        "nothing is prefilled for a new visitor: {values:?}"
    );
    let markup = page_markup(browser).await?;
    ensure!(
        !markup.contains(ASSET_FILE),
        "the asset URL is in the page before submitting"
    );

    let href = download(
        browser,
        handler,
        EBOOK,
        &[
            ("email", email),
            ("first_name", "Ada"),
            ("company", "Analytical Engines"),
            ("job_title", "Head of Analytics"),
        ],
    )
    .await?;
    assert_signed_download(handler, &href).await?;
    Ok(())
}

/// The visitor id in the handler's cookie value, which is `{id}.{signature}`.
pub(crate) fn visitor_id_in(cookie: &str) -> &str {
    cookie.split('.').next().unwrap_or_default()
}

/// The eBook as the repository holds it in the private assets folder.
fn ebook_bytes() -> Result<Vec<u8>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets")
        .join(ASSET_FILE);
    Ok(std::fs::read(path)?)
}

/// `href` is a signed link on the handler that serves the eBook, and the public path does not.
async fn assert_signed_download(handler: &Handler, href: &str) -> Result<()> {
    let prefix = format!("{}/v1/forms/{EBOOK}/asset?expires=", handler.base_url());
    ensure!(href.starts_with(&prefix), "the download link: {href}");
    let client = reqwest::Client::new();
    let file = client.get(href).send().await?;
    ensure!(file.status() == 200, "GET {href}: {}", file.status());
    ensure!(
        file.bytes().await?.as_ref() == ebook_bytes()?.as_slice(),
        "the signed link serves the eBook"
    );
    let public = format!("{}/assets/{ASSET_FILE}", handler.base_url());
    let status = client.get(&public).send().await?.status();
    ensure!(
        status == 404,
        "GET {public}: {status}, the eBook is not public"
    );
    Ok(())
}

/// A site with an ad and a newsletter, each linking to one of the demo's pages.
async fn referring_site(handler: &Handler) -> Result<HostSite> {
    let landing = format!("{}/ebook.html?{LANDING_QUERY}", handler.base_url());
    let blog = format!(
        "{}/blog/dashboards-people-read.html?{BLOG_QUERY}",
        handler.base_url()
    );
    HostSite::start(vec![
        ("/ad".to_string(), link_page(&landing, false)),
        ("/newsletter".to_string(), link_page(&blog, false)),
    ])
    .await
}

/// The field names the handler knows about the visitor behind `visitor_cookie`, as
/// `GET /v1/profile` tells the eBook's widget.
async fn handler_profile(handler: &Handler, visitor_cookie: &str) -> Result<Vec<String>> {
    handler_profile_for(handler, EBOOK, visitor_cookie).await
}

/// [`handler_profile`] as the widget of `form_id` is told it.
pub(crate) async fn handler_profile_for(
    handler: &Handler,
    form_id: &str,
    visitor_cookie: &str,
) -> Result<Vec<String>> {
    let profile: Value = reqwest::Client::new()
        .get(format!("{}/v1/profile?form={form_id}", handler.base_url()))
        .header("Cookie", format!("{VISITOR_COOKIE}={visitor_cookie}"))
        // A profile is shown only to a page allowed to embed the form; here the handler's own.
        .header("Origin", handler.base_url())
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(serde_json::from_value(profile["known"].clone())?)
}

/// The exported leads of `email`, oldest first, checking there are `count`.
pub(crate) async fn leads_of(handler: &Handler, email: &str, count: usize) -> Result<Vec<Value>> {
    let leads = handler.leads().await?;
    let mine: Vec<Value> = find_by_email(&leads, email).into_iter().cloned().collect();
    ensure!(
        mine.len() == count,
        "expected {count} leads for {email}, found {}: {leads:#?}",
        mine.len()
    );
    Ok(mine)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_visitor_is_asked_the_next_questions_and_both_downloads_link_to_one_person(
) -> Result<()> {
    let test =
        "a_returning_visitor_is_asked_the_next_questions_and_both_downloads_link_to_one_person";
    let Some(env) = E2eEnv::from_env(test) else {
        return Ok(());
    };
    let handler = Handler::config(&env).start().await?;

    // The definition endpoint does not reveal the asset either.
    let definition = reqwest::get(format!("{}/v1/forms/{EBOOK}", handler.base_url())).await?;
    assert_eq!(definition.status(), 200, "GET /v1/forms/{EBOOK}");
    let definition = definition.text().await?;
    ensure!(
        definition.contains("\"progressive\"") && !definition.contains(ASSET_FILE),
        "the public definition reveals the asset: {definition}"
    );

    let site = referring_site(&handler).await?;
    let browser = Browser::start(&env).await?;
    first_download(&browser, &handler, &site, "ada@example.com").await?;

    // Later, from the newsletter to the blog post embedding the same form with its own source.
    let blog = format!(
        "{}/blog/dashboards-people-read.html?{BLOG_QUERY}",
        handler.base_url()
    );
    follow_link(&browser, &site, "/newsletter", &blog).await?;
    let (asked, values) = wait_for_asked_fields(&browser, EBOOK).await?;
    assert_eq!(
        asked,
        names(&["email", "first_name", "phone", "country"]),
        "the returning visitor's view asks the next pool questions"
    );
    assert_eq!(values["email"], "ada@example.com", "email is prefilled");
    assert_eq!(values["first_name"], "Ada", "first name is prefilled");
    assert_eq!(values["phone"], "", "phone is new");
    let greeting = wait_in_widget(&browser, EBOOK, ".leadform-greeting").await?;
    assert_eq!(greeting.text().await?, "Welcome back, Ada");

    let href = download(
        &browser,
        &handler,
        EBOOK,
        &[("phone", "+44 20 7946 0958"), ("country", "GB")],
    )
    .await?;
    assert_signed_download(&handler, &href).await?;

    let leads = leads_of(&handler, "ada@example.com", 2).await?;
    let (landing, blogged) = (&leads[0], &leads[1]);
    for lead in &leads {
        assert_eq!(lead["form_id"], EBOOK);
        assert_eq!(lead["intent"], "content_download", "{lead:#}");
        assert_eq!(lead["is_spam"], false, "{lead:#}");
        let first = &lead["attribution"]["first_touch"];
        assert_eq!(first["utm_source"], "linkedin", "first touch: {lead:#}");
        assert_eq!(first["utm_medium"], "paid_social", "first touch: {lead:#}");
        assert_eq!(first["utm_campaign"], "q4-ebook", "first touch: {lead:#}");
        assert_eq!(
            first["landing_page"],
            format!("{}/ebook.html?{LANDING_QUERY}", handler.base_url()),
            "first touch: {lead:#}"
        );
        assert_eq!(
            first["referrer"],
            site.url("/"),
            "the ad site's origin: {lead:#}"
        );
    }
    ensure!(
        landing["person_id"].is_number() && landing["person_id"] == blogged["person_id"],
        "both leads link to one person: {leads:#?}"
    );
    assert_eq!(landing["first_for_person"], true);
    assert_eq!(blogged["first_for_person"], false);
    // One browser, one visitor: the id rotates on every submission (so a copied id goes
    // stale), and what the handler knew followed it, as the second form's questions showed.
    let latest = cookie(&browser, VISITOR_COOKIE).await?.unwrap_or_default();
    ensure!(
        landing["visitor_id"].is_string()
            && landing["visitor_id"] != blogged["visitor_id"]
            && blogged["visitor_id"] == visitor_id_in(&latest),
        "one browser, one visitor, its id rotated per lead (cookie {latest:?}): {leads:#?}"
    );

    assert_eq!(landing["lead_source"], "Content Download");
    assert_eq!(landing["campaign_id"], "701Hs00000EbookQ4A");
    assert_eq!(
        landing["attribution"]["last_touch"]["utm_source"],
        "linkedin"
    );
    assert_eq!(landing["fields"]["company"], "Analytical Engines");
    assert_eq!(landing["fields"]["job_title"], "Head of Analytics");

    assert_eq!(blogged["lead_source"], "Blog");
    assert_eq!(blogged["campaign_id"], "701Hs00000BlogQ4AA");
    let last = &blogged["attribution"]["last_touch"];
    assert_eq!(last["utm_source"], "newsletter", "{blogged:#}");
    assert_eq!(last["utm_medium"], "email", "{blogged:#}");
    assert_eq!(last["utm_campaign"], "nov-digest", "{blogged:#}");
    assert_eq!(last["landing_page"], blog, "{blogged:#}");
    assert_eq!(last["referrer"], site.url("/"), "{blogged:#}");
    assert_eq!(blogged["page_url"], blog);
    assert_eq!(blogged["fields"]["phone"], "+44 20 7946 0958");
    assert_eq!(blogged["fields"]["country"], "GB");
    assert_eq!(blogged["fields"]["email"], "ada@example.com");

    browser.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_with_nothing_missing_downloads_in_one_click_and_it_is_still_recorded(
) -> Result<()> {
    let test = "a_visitor_with_nothing_missing_downloads_in_one_click_and_it_is_still_recorded";
    let Some(env) = E2eEnv::from_env(test) else {
        return Ok(());
    };
    let handler = Handler::config(&env).start().await?;
    let site = referring_site(&handler).await?;
    let browser = Browser::start(&env).await?;
    first_download(&browser, &handler, &site, "ada@example.com").await?;

    // Two more views answer the rest of the pool: phone and country, then company size.
    let ebook = format!("{}/ebook.html", handler.base_url());
    for answers in [
        vec![("phone", "+44 20 7946 0958"), ("country", "GB")],
        vec![("company_size", "50-249")],
    ] {
        browser.goto(&ebook).await?;
        let (asked, _) = wait_for_asked_fields(&browser, EBOOK).await?;
        let mut expected = names(&["email", "first_name"]);
        expected.extend(answers.iter().map(|(name, _)| name.to_string()));
        assert_eq!(asked, expected, "the next pool questions");
        download(&browser, &handler, EBOOK, &answers).await?;
    }

    // Nothing is missing now: no questions, one "Download" button, greeted by name.
    browser.goto(&ebook).await?;
    let (asked, _) = wait_for_asked_fields(&browser, EBOOK).await?;
    ensure!(asked.is_empty(), "the one-click view asks {asked:?}");
    let button = wait_in_widget(&browser, EBOOK, "button[type=\"submit\"]").await?;
    assert_eq!(button.text().await?, "Download");
    let greeting = wait_in_widget(&browser, EBOOK, ".leadform-greeting").await?;
    assert_eq!(greeting.text().await?, "Welcome back, Ada");
    let markup = page_markup(&browser).await?;
    ensure!(
        !markup.contains(ASSET_FILE),
        "the asset URL is in the one-click page before the click"
    );

    let href = download(&browser, &handler, EBOOK, &[]).await?;
    assert_signed_download(&handler, &href).await?;

    // The click is a lead activity of its own, linked to the same person.
    let leads = leads_of(&handler, "ada@example.com", 4).await?;
    let one_click = &leads[3];
    assert_eq!(one_click["intent"], "content_download");
    assert_eq!(one_click["is_spam"], false, "{one_click:#}");
    assert_eq!(one_click["first_for_person"], false);
    assert_eq!(one_click["person_id"], leads[0]["person_id"]);
    assert_eq!(one_click["fields"]["first_name"], "Ada", "{one_click:#}");
    browser.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_you_forgets_the_visitor_and_starts_a_new_one() -> Result<()> {
    let Some(env) = E2eEnv::from_env("not_you_forgets_the_visitor_and_starts_a_new_one") else {
        return Ok(());
    };
    let handler = Handler::config(&env).start().await?;
    let site = referring_site(&handler).await?;
    let browser = Browser::start(&env).await?;
    first_download(&browser, &handler, &site, "ada@example.com").await?;
    let ada_cookie = cookie(&browser, VISITOR_COOKIE)
        .await?
        .context("the handler set its visitor cookie for a stored lead")?;

    // Someone else at the same computer.
    browser
        .goto(&format!("{}/ebook.html", handler.base_url()))
        .await?;
    let (asked, _) = wait_for_asked_fields(&browser, EBOOK).await?;
    assert_eq!(asked, names(&["email", "first_name", "phone", "country"]));
    let known = handler_profile(&handler, &ada_cookie).await?;
    ensure!(
        known.contains(&"company".to_string()),
        "the handler knows Ada's answers before \"Not you?\": {known:?}"
    );
    wait_in_widget(&browser, EBOOK, ".leadform-not-you")
        .await?
        .click()
        .await?;

    let full_form = names(&["email", "first_name", "company", "job_title"]);
    let values = poll::until("the full form after \"Not you?\"", || async {
        let (asked, values) = wait_for_asked_fields(&browser, EBOOK).await?;
        Ok((asked == full_form).then_some(values))
    })
    .await?;
    ensure!(
        values.values().all(String::is_empty),
        "nothing may be prefilled after \"Not you?\": {values:?}"
    );
    let markup = page_markup(&browser).await?;
    ensure!(
        !markup.contains("leadform-welcome"),
        "still greeted after \"Not you?\""
    );
    let keys = local_storage_keys(&browser).await?;
    ensure!(
        !keys.contains(&format!("{STORAGE_PREFIX}profile")),
        "the profile stayed on the device: {keys:?}"
    );
    // The handler forgot her as well: her old cookie now names nobody it knows.
    poll::until("the handler to forget the visitor", || async {
        let known = handler_profile(&handler, &ada_cookie).await?;
        Ok(known.is_empty().then_some(()))
    })
    .await?;

    download(
        &browser,
        &handler,
        EBOOK,
        &[
            ("email", "grace@example.com"),
            ("first_name", "Grace"),
            ("company", "Navy"),
            ("job_title", "Rear Admiral"),
        ],
    )
    .await?;
    let grace_cookie = cookie(&browser, VISITOR_COOKIE)
        .await?
        .context("a new visitor cookie after the new visitor's lead")?;
    ensure!(grace_cookie != ada_cookie, "the visitor cookie was reused");

    let ada = leads_of(&handler, "ada@example.com", 1).await?.remove(0);
    let grace = leads_of(&handler, "grace@example.com", 1).await?.remove(0);
    assert_eq!(ada["visitor_id"], visitor_id_in(&ada_cookie));
    assert_eq!(grace["visitor_id"], visitor_id_in(&grace_cookie));
    ensure!(
        grace["person_id"].is_number() && grace["person_id"] != ada["person_id"],
        "a different email is a different person: {ada:#} {grace:#}"
    );
    assert_eq!(grace["first_for_person"], true);

    // The same email after "Not you?" is still the same person, found by email at intake.
    browser
        .goto(&format!("{}/ebook.html", handler.base_url()))
        .await?;
    // The widget's own button: the first markup's one is replaced at the takeover, and a click
    // WebDriver aims at it then finds it gone (a held click there is instant_form's test).
    wait_for_asked_fields(&browser, EBOOK).await?;
    wait_in_widget(&browser, EBOOK, ".leadform-not-you")
        .await?
        .click()
        .await?;
    poll::until("the full form after the second \"Not you?\"", || async {
        let (asked, _) = wait_for_asked_fields(&browser, EBOOK).await?;
        Ok((asked == full_form).then_some(()))
    })
    .await?;
    download(
        &browser,
        &handler,
        EBOOK,
        &[
            ("email", "ada@example.com"),
            ("first_name", "Ada"),
            ("company", "Analytical Engines"),
            ("job_title", "Head of Analytics"),
        ],
    )
    .await?;
    let adas = leads_of(&handler, "ada@example.com", 2).await?;
    assert_eq!(adas[1]["person_id"], adas[0]["person_id"]);
    assert_eq!(adas[1]["first_for_person"], false);
    ensure!(
        adas[1]["visitor_id"] != adas[0]["visitor_id"],
        "a fresh visitor id after \"Not you?\": {adas:#?}"
    );
    browser.close().await
}

/// The eBook form under `after_consent`, with its consent checkbox.
fn consent_form() -> Value {
    json!({
        "id": "ebook-consent",
        "title": "Get the eBook (with consent)",
        "kind": "content_download",
        "submit_label": "Download the eBook",
        "success": { "message": "Your copy is ready." },
        "asset": {
            "title": "12 Must-Have Dashboard Charts",
            "url": format!("/{ASSET_FILE}")
        },
        "fields": [
            { "name": "email", "label": "Work email", "kind": "email", "required": true, "prefill": true },
            { "name": "first_name", "label": "First name", "kind": "text", "required": true, "prefill": true }
        ],
        "hidden": { "lead_source": "Content Download", "campaign_id": "701Hs00000EbookQ4A" },
        "storage": "after_consent",
        "consent": {
            "text": "Remember me on this device and send me related content.",
            "required": true
        },
        "min_fill_seconds": 3
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_consent_nothing_is_stored_before_the_box_is_ticked() -> Result<()> {
    let Some(env) = E2eEnv::from_env("after_consent_nothing_is_stored_before_the_box_is_ticked")
    else {
        return Ok(());
    };
    let forms = with_extra_forms(&env, &[consent_form()])?;
    let handler_port = leadform_e2e::free_port()?;
    let handler_base = format!("http://127.0.0.1:{handler_port}");
    let site = ForeignSite::start(&handler_base, "ebook-consent").await?;
    let handler = Handler::config(&forms.env)
        .port(handler_port)
        .allow_origin(site.origin())
        .start()
        .await?;
    let browser = Browser::start(&env).await?;
    let landing = format!("{}?{LANDING_QUERY}", site.url());
    browser.goto(&landing).await?;

    // Rendered, filled in, even reloaded: still nothing on the device.
    let (asked, _) = wait_for_asked_fields(&browser, "ebook-consent").await?;
    assert_eq!(asked, names(&["email", "first_name", "consent"]));
    let widget = browser.widget("ebook-consent").await?;
    widget
        .fill_all(&[("email", "ada@example.com"), ("first_name", "Ada")])
        .await?;
    browser.goto(&landing).await?;
    let widget = browser.widget("ebook-consent").await?;
    let nothing_stored = |when: &'static str| {
        let browser = &browser;
        async move {
            let cookie = cookie(browser, VISITOR_COOKIE).await?;
            ensure!(cookie.is_none(), "a visitor cookie {when}: {cookie:?}");
            let keys = local_storage_keys(browser).await?;
            ensure!(keys.is_empty(), "localStorage {when}: {keys:?}");
            anyhow::Ok(())
        }
    };
    nothing_stored("before consent").await?;
    widget
        .fill_all(&[("email", "ada@example.com"), ("first_name", "Ada")])
        .await?;
    nothing_stored("after typing, before consent").await?;

    // Submitting without consent is refused by the form; still nothing stored.
    widget.submit().await?;
    widget
        .wait_for_error("consent", "Tick this box to continue.")
        .await
        .context("the required consent box is flagged")?;
    nothing_stored("after a refused submit").await?;

    widget.field("consent").await?.click().await?;
    widget
        .wait_past_min_fill(handler.min_fill("ebook-consent")?)
        .await;
    widget.submit().await?;
    widget.wait_for_success().await?;

    let stored_cookie = cookie(&browser, VISITOR_COOKIE)
        .await?
        .context("the visitor cookie after a consented lead")?;
    let keys = local_storage_keys(&browser).await?;
    for key in ["attribution", "profile", "visitor_id"] {
        ensure!(
            keys.contains(&format!("{STORAGE_PREFIX}{key}")),
            "{STORAGE_PREFIX}{key} not stored after consent: {keys:?}"
        );
    }
    let lead = leads_of(&handler, "ada@example.com", 1).await?.remove(0);
    assert_eq!(lead["consent"], true, "{lead:#}");
    assert_eq!(
        lead["visitor_id"],
        visitor_id_in(&stored_cookie),
        "{lead:#}"
    );
    assert_eq!(
        lead["attribution"]["first_touch"]["utm_source"], "linkedin",
        "attribution is sent even while it may not be stored: {lead:#}"
    );
    browser.close().await
}
